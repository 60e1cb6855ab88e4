// Helpers of the agent crash test: `baton agent add` on a data dir, a bot dir with a test hub.yaml,
// and a small agent-API client (login, REST calls, the stream WebSocket with a message inbox).
// The WebSocket is Node's built-in one when present (node --experimental-websocket, or Node ≥ 22),
// otherwise `ws` from web/node_modules.
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, contoso, request, webRequire, sleep } from '../lib/serve.mjs';

// `baton agent add ID ... --password-stdin --data DIR`; throws with the CLI's stderr on failure.
export function addAgent(dataDir, id, { name = id, role = 'agent', skills = [], capacity = 1,
                                         password }) {
  const args = ['agent', 'add', id, '--name', name, '--role', role, '--capacity', String(capacity),
                '--password-stdin', '--data', dataDir];
  if (skills.length) {
    args.push('--skills', skills.join(','));
  }
  const r = spawnSync(bin, args, { input: `${password}\n`, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`baton ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  }
}

// A copy of the Contoso bot with `hubYaml` as its hub.yaml, in `dir`.
export function botWithHub(dir, hubYaml) {
  cpSync(contoso, dir, { recursive: true });
  writeFileSync(join(dir, 'hub.yaml'), hubYaml);
  return dir;
}

function webSocketClass() {
  return globalThis.WebSocket ?? webRequire('ws');
}

// One logged-in agent: REST calls with its token, one stream socket, every stream message kept.
export class AgentClient {
  constructor(server, agentId, password) {
    this.server = server;
    this.agentId = agentId;
    this.password = password;
    this.messages = [];
    this.ws = null;
  }

  async login() {
    const r = await request(`${this.server.base}/api/agent/login`, {
      method: 'POST', json: { agentId: this.agentId, password: this.password },
    });
    if (r.status !== 200 || !r.body?.token) {
      throw new Error(`login ${this.agentId}: ${r.status} ${r.text}`);
    }
    this.token = r.body.token;
    return r.body;
  }

  call(method, path, json) {
    return request(`${this.server.base}/api/agent${path}`, { method, auth: this.token, json });
  }

  // Opens the stream and waits for `hello`, which it returns.
  async connect(timeoutMs = 10000) {
    const WS = webSocketClass();
    // A browser's way in: a one-time ticket, never the session token, in the URL.
    const ticket = await this.call('POST', '/stream/ticket');
    if (ticket.status !== 200) {
      throw new Error(`stream ticket: ${ticket.status} ${ticket.text}`);
    }
    const url = `ws://127.0.0.1:${this.server.port}/api/agent/stream?ticket=${encodeURIComponent(ticket.body.ticket)}`;
    this.messages = [];
    this.ws = new WS(url);
    this.ws.addEventListener('message', (event) => {
      try {
        this.messages.push(JSON.parse(String(event.data)));
      } catch {
        this.messages.push({ type: '<not json>', raw: String(event.data) });
      }
    });
    return this.waitFor((m) => m.type === 'hello', timeoutMs, 'hello');
  }

  // The first stream message (from the start of this socket) matching `predicate`.
  async waitFor(predicate, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.agentId}: no ${what} on the stream within ${timeoutMs} ms; got ` +
                        JSON.stringify(this.messages.map((m) => m.type)));
      }
      await sleep(20);
    }
  }

  async setPresence(presence) {
    const r = await this.call('PUT', '/presence', { presence });
    if (r.status !== 200) {
      throw new Error(`presence ${this.agentId}: ${r.status} ${r.text}`);
    }
    return r.body;
  }

  close() {
    this.ws?.close();
    this.ws = null;
  }
}
