// Shared helpers for the black-box suites that drive `baton serve` (tests/directline, tests/webchat,
// tests/crash): start the real binary on port 0 with a temp data dir, wait for its ready line, stop
// it (SIGTERM, or kill -9), copies of the Contoso bot with their own hub.yaml, and small Direct
// Line REST helpers built on fetch.
//
// Environment: BATON_BIN (the binary, default BATON_ROOT/build/baton), BATON_ROOT (the source tree,
// default two levels up), BATON_NODE_MODULES (default BATON_ROOT/web/node_modules, where the
// official clients are installed by `npm ci` in web/), BATON_TEST_STORE (`postgres`: every Server
// keeps its store in a database of this process's throwaway PostgreSQL cluster instead of SQLite in
// its data directory — the same data directory, the same database; storeArgs(dataDir) gives the
// `--store` for the `baton agent` commands the suites run; see pgcluster.mjs).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgStoreFor } from './pgcluster.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const root = process.env.BATON_ROOT ?? join(here, '..', '..');
export const bin = process.env.BATON_BIN ?? join(root, 'build', 'baton');
export const nodeModules = process.env.BATON_NODE_MODULES ?? join(root, 'web', 'node_modules');
export const contoso = join(root, 'examples', 'contoso');
// Which store the servers use: 'sqlite' (the default) or 'postgres'.
export const storeKind = process.env.BATON_TEST_STORE ?? 'sqlite';

// `require` that resolves from web/node_modules (the tests directory has no package.json).
export const webRequire = createRequire(join(nodeModules, '..', 'package.json'));

let clientsLoaded = null;
// The official botframework-directlinejs client with the browser globals it needs under Node
// (web/README.md): XMLHttpRequest from xhr2, WebSocket from ws, installed before the require.
export function directLineJs() {
  if (!clientsLoaded) {
    if (!existsSync(nodeModules)) {
      throw new Error(`${nodeModules} is missing: run (cd web && npm ci)`);
    }
    globalThis.XMLHttpRequest = webRequire('xhr2');
    globalThis.WebSocket = webRequire('ws');
    clientsLoaded = webRequire('botframework-directlinejs');
  }
  return clientsLoaded;
}

// `--store CONNINFO` for a `baton` command on `dataDir` under BATON_TEST_STORE=postgres (the
// database a Server on that data directory uses), else nothing.
export function storeArgs(dataDir) {
  return storeKind === 'postgres' ? ['--store', pgStoreFor(dataDir)] : [];
}

export function makeDataDir(prefix = 'baton-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// A copy of examples/contoso in a new temp directory (`prefix` + random) whose hub.yaml is `hub`:
// the new text, or a function from the copied text to the new one. The caller removes it.
export function contosoWith(hub, prefix = 'baton-bot-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(contoso, dir, { recursive: true });
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, typeof hub === 'function' ? hub(readFileSync(file, 'utf8')) : hub);
  return dir;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Resolves with the value of `probe()` once it is truthy; rejects after `ms` with `what`.
export async function waitUntil(probe, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await sleep(20);
  }
}

// Resolves once `server`'s log (stderr) matches `pattern`. The log may arrive after the ready
// line: stderr and stdout are separate pipes.
export function logged(server, pattern, ms = 10000) {
  return waitUntil(() => pattern.test(server.stderr), ms, `a log line matching ${pattern}`);
}

const READY = /^baton: listening on http:\/\/127\.0\.0\.1:(\d+)$/;

// A running `baton serve`. `start()` spawns it and waits for the one ready line on stdout.
export class Server {
  // `prefix`: a command that execs the server (e.g. ['prlimit', '--nofile=256:', '--']).
  // `binary`: another build of baton (benchmarks compare two).
  // `argv`: the whole command line after the binary, instead of the one built from the options
  // (it must still listen on 127.0.0.1 and use `dataDir` and `secret`); `cwd`: where it runs.
  // `keepLog`: keep the whole of stderr in `fullLog` (by default only the tail is kept).
  // `env`: variables added to the server's environment.
  constructor({ dataDir, secret = 'test-secret-0123456789', args = [], bot = contoso,
                prefix = [], binary = bin, argv, cwd = root, keepLog = false, env = {} } = {}) {
    this.env = env;
    this.keepLog = keepLog;
    this.fullLog = '';
    this.prefix = prefix;
    this.argv = argv;
    this.cwd = cwd;
    this.binary = binary;
    this.ownsDataDir = !dataDir;
    this.ownsBot = false;  // cleanup() removes `bot` too (a copy made for this server)
    this.dataDir = dataDir ?? makeDataDir();
    this.secret = secret;
    this.args = args;
    this.bot = bot;
    this.stderr = '';
    this.stdoutLines = [];
    this.proc = null;
    this.exit = null;
    // The PostgreSQL connection string of this data directory's database (BATON_TEST_STORE).
    this.store = storeKind === 'postgres' ? pgStoreFor(this.dataDir) : undefined;
  }

  async start(timeoutMs = 15000) {
    const argv = this.argv ?? ['serve', this.bot, '--listen', '127.0.0.1:0', '--data', this.dataDir,
                               '--secret', this.secret, ...this.args];
    const [command, ...args] = [...this.prefix, this.binary, ...argv];
    const env = { ...process.env, ...this.env, ...(this.store ? { BATON_STORE: this.store } : {}) };
    const proc = spawn(command, args, { cwd: this.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.stderr = '';
    this.exit = new Promise((resolve) => {
      proc.on('exit', (code, signal) => resolve({ code, signal }));
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      // Keep the tail only: a long run logs a lot.
      this.stderr = (this.stderr + chunk).slice(-20000);
      if (this.keepLog) {
        this.fullLog += chunk;
      }
    });
    const port = await new Promise((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(
        `no ready line within ${timeoutMs} ms; stderr:\n${this.stderr}`)), timeoutMs);
      proc.on('error', (err) => { clearTimeout(timer); reject(err); });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`baton serve exited (${code ?? signal}) before ready:\n${this.stderr}`));
      });
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (chunk) => {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          this.stdoutLines.push(line);
          const m = READY.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        }
      });
    });
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.domain = `${this.base}/v3/directline`;
    return this;
  }

  get pid() {
    return this.proc?.pid;
  }

  // Graceful stop (SIGTERM); returns {code, signal}. Falls back to SIGKILL after `ms`.
  async stop(ms = 10000) {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) {
      return this.exit ? this.exit : { code: null, signal: null };
    }
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }

  // kill -9: no chance to flush anything that is not already durable.
  async kill9() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
    }
    return this.exit;
  }

  // Stops the process (if running) and removes the data dir when this object created it, and the
  // bot directory when it is this server's copy (ownsBot).
  async cleanup() {
    await this.stop();
    if (this.ownsDataDir) {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
    if (this.ownsBot) {
      rmSync(this.bot, { recursive: true, force: true });
    }
  }
}

export async function startServer(options) {
  return new Server(options).start();
}

// fetch + JSON body; returns {status, headers, body (parsed JSON or raw text), text}.
export async function request(url, { method = 'GET', auth, json, body, headers = {} } = {}) {
  const h = { ...headers };
  if (auth !== undefined) {
    h.Authorization = `Bearer ${auth}`;
  }
  let payload = body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  }
  const res = await fetch(url, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text.length ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON; the caller asserts on it.
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

// POST tokens/generate with the secret: {conversationId, token, expires_in}.
export async function generateToken(server, userId) {
  const r = await request(`${server.domain}/tokens/generate`, {
    method: 'POST', auth: server.secret, json: userId ? { user: { id: userId } } : {},
  });
  if (r.status !== 200) {
    throw new Error(`tokens/generate: ${r.status} ${r.text}`);
  }
  return r.body;
}

// tokens/generate then POST /conversations (as DLJS does): {conversationId, token, streamUrl, ...}.
export async function newConversation(server, userId = `u-${Math.random().toString(36).slice(2)}`) {
  const generated = await generateToken(server, userId);
  const r = await request(`${server.domain}/conversations`, {
    method: 'POST', auth: generated.token, json: { user: { id: userId } },
  });
  if (r.status !== 201 && r.status !== 200) {
    throw new Error(`POST /conversations: ${r.status} ${r.text}`);
  }
  return { ...r.body, userId, status: r.status };
}

// POST an activity; returns the raw response.
export function postActivity(server, conv, activity, token = conv.token) {
  return request(`${server.domain}/conversations/${encodeURIComponent(conv.conversationId)}/activities`,
                 { method: 'POST', auth: token, json: activity });
}

export function userMessage(conv, text, extra = {}) {
  return {
    type: 'message', text, from: { id: conv.userId, role: 'user' }, locale: 'en-US',
    channelData: { clientActivityID: `c-${Math.random().toString(36).slice(2)}` }, ...extra,
  };
}

// GET activities after `watermark`, paging until an empty set: all activities, last watermark.
export async function readAll(server, conv, watermark = '0', token = conv.token) {
  const all = [];
  let wm = watermark;
  for (let page = 0; page < 10000; ++page) {
    const url = `${server.domain}/conversations/${encodeURIComponent(conv.conversationId)}` +
                `/activities?watermark=${encodeURIComponent(wm)}`;
    const r = await request(url, { auth: token });
    if (r.status !== 200) {
      throw new Error(`GET activities: ${r.status} ${r.text}`);
    }
    if (!Array.isArray(r.body.activities)) {
      throw new Error(`activities is not an array: ${r.text}`);
    }
    if (r.body.activities.length === 0) {
      break;
    }
    all.push(...r.body.activities);
    if (r.body.watermark === undefined || r.body.watermark === wm) {
      break;
    }
    wm = r.body.watermark;
  }
  return { activities: all, watermark: wm };
}

// Reads the stored handoff records of a conversation with the Direct Line secret.
export async function handoffs(server, conversationId) {
  const r = await request(`${server.base}/api/conversations/${encodeURIComponent(conversationId)}/handoffs`,
                          { auth: server.secret });
  if (r.status !== 200) {
    throw new Error(`GET handoffs: ${r.status} ${r.text}`);
  }
  return r.body.handoffs;
}

// Texts of the bot's messages (role bot) in order.
export function botTexts(activities) {
  return activities.filter((a) => a.type === 'message' && a.from?.role === 'bot').map((a) => a.text);
}

export function sequenceOf(activity) {
  const m = /\|(\d{7,})$/.exec(activity.id ?? '');
  return m ? Number(m[1]) : NaN;
}
