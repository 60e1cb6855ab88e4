// Helpers for suites that need human agents: create agents with `baton agent add` on a data dir
// (or a server whose agents exist before it starts), a small Agent API client (docs/AGENT_API.md)
// with its WebSocket stream, for agents the tests drive from Node rather than through the console,
// and the bare calls of suites that hold agents as session tokens.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Server, bin, contosoWith, makeDataDir, request, sleep, storeArgs, webRequire } from './serve.mjs';

// `baton agent add ID --name N --role R --skills a,b --capacity N --password-stdin --data DIR`
// (and --store under BATON_TEST_STORE=postgres).
// Resolves when the command exits 0; rejects with its stderr otherwise.
export function addAgent(dataDir, { id, name = id, role = 'agent', skills = [], capacity = 2,
                                    password = 'password-123' }) {
  const argv = ['agent', 'add', id, '--name', name, '--role', role, '--capacity', String(capacity),
                '--password-stdin', '--data', dataDir, ...storeArgs(dataDir)];
  if (skills.length > 0) {
    argv.push('--skills', skills.join(','));
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c) => { stderr += c; });
    proc.on('error', reject);
    proc.on('close', (code) => {  // after stderr has been read in full
      if (code === 0) {
        resolve();
      } else {
        reject(new Error(`baton agent add ${id} exited ${code}: ${stderr.trim()}`));
      }
    });
    proc.stdin.end(`${password}\n`);
  });
}

// A started `baton serve` on a new data directory in which `agents` (addAgent's options) were
// created first; `password` for the agents that name none, `prefix` for the temp directories'
// names, `hub` (when given) the hub.yaml of the copy of examples/contoso it runs (contosoWith),
// `options` for the Server (args, ...). Its cleanup() removes the data directory and the copy.
export async function startWithAgents(agents, { password, prefix = 'baton-test-', hub, ...options } = {}) {
  const dataDir = makeDataDir(prefix);
  for (const a of agents) {
    await addAgent(dataDir, { password, ...a });
  }
  const server = new Server({ ...options, dataDir });
  server.ownsDataDir = true;
  if (hub !== undefined) {
    server.bot = contosoWith(hub, `${prefix}bot-`);
    server.ownsBot = true;
  }
  try {
    return await server.start();
  } catch (err) {
    await server.cleanup();
    throw err;
  }
}

// A call to `server`'s agent API (`path` after /api/agent) with the session `token`; answers as
// `request` does.
export function agentApi(server, path, { method = 'GET', token, json, body } = {}) {
  return request(`${server.base}/api/agent${path}`, { method, auth: token, json, body });
}

// POST /login, which must answer 200; the session token.
export async function loginToken(server, agentId, password) {
  const r = await agentApi(server, '/login', { method: 'POST', json: { agentId, password } });
  assert.equal(r.status, 200, r.text);
  return r.body.token;
}

// The agent stream of the session `token`: {ws, messages}, every non-empty frame parsed, in order.
export function agentStream(server, token) {
  const WebSocket = webRequire('ws');
  const messages = [];
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/agent/stream`,
                           { headers: { Authorization: `Bearer ${token}` } });
  ws.on('message', (data) => {
    if (data.length) {
      messages.push(JSON.parse(data.toString()));
    }
  });
  return { ws, messages };
}

// An agent driven over the API. `messages` holds every stream frame received, in order.
export class AgentClient {
  constructor(server) {
    this.server = server;
    this.token = null;
    this.socket = null;
    this.messages = [];
  }

  async call(method, path, json) {
    const r = await request(`${this.server.base}/api/agent${path}`, { method, auth: this.token, json });
    return r;
  }

  // Calls and insists on a 2xx answer; returns the body.
  async ok(method, path, json) {
    const r = await this.call(method, path, json);
    if (r.status < 200 || r.status > 299) {
      throw new Error(`${method} /api/agent${path}: ${r.status} ${r.text}`);
    }
    return r.body;
  }

  async login(agentId, password = 'password-123') {
    const body = await this.ok('POST', '/login', { agentId, password });
    this.token = body.token;
    this.agentId = agentId;
    return body;
  }

  setPresence(presence) {
    return this.ok('PUT', '/presence', { presence });
  }

  // Opens the stream and resolves once `hello` arrived.
  async connect() {
    const WebSocket = webRequire('ws');
    // Not a browser: the session token goes in the Authorization header, never in the URL.
    const url = `${this.server.base.replace(/^http/, 'ws')}/api/agent/stream`;
    this.socket = new WebSocket(url, { headers: { Authorization: `Bearer ${this.token}` } });
    this.socket.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(data.toString()));
      } catch {
        this.messages.push({ type: 'unparsable', data: data.toString() });
      }
    });
    await new Promise((resolve, reject) => {
      this.socket.once('open', resolve);
      this.socket.once('error', reject);
    });
    await this.waitFor((m) => m.type === 'hello', 5000);
    return this;
  }

  // The first stream message (from index `from`) matching `predicate`, waiting up to `ms`.
  async waitFor(predicate, ms = 10000, from = 0) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.slice(from).find(predicate);
      if (found) {
        return found;
      }
      if (Date.now() > deadline) {
        const seen = this.messages.map((m) => m.type).join(', ');
        throw new Error(`${this.agentId}: no matching stream message within ${ms} ms (seen: ${seen})`);
      }
      await sleep(20);
    }
  }

  close() {
    this.socket?.close();
    this.socket = null;
  }
}
