// Baton hands off to an external hub (docs/EXTERNAL_HUBS.md) on the real `baton serve`: the test
// runs the external hub itself (a small Node HTTP server) behind a hub.yaml queue with
// `external:`. The customer is the official DirectLineJS client (tests/lib/dlclient.mjs); the bot
// is examples/contoso, whose Escalate topic hands off to the queue `general`.
import { createHmac } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Client } from '../lib/dlclient.mjs';
import {
  bin, contoso, directLineJs, generateToken, handoffs, logged, Server, storeArgs, waitUntil,
} from '../lib/serve.mjs';

const SECRET = 'external-hub-secret-0123456789';

function hubYaml(url) {
  return `
hub:
  queues:
    - name: general
      external:
        url: ${url}
        secret_file: partner.secret
      texts:
        queued: "Connecting you to our partner's team."
`;
}

const sign = (timestamp, body, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
const now = () => String(Math.floor(Date.now() / 1000));

// The external hub: records every request Baton sends it, verifying each signature.
class ExternalHub {
  // `tls`: {cert, key} to listen with https; `delayMs`: how long it takes to answer each request.
  constructor(tls, { delayMs = 0 } = {}) {
    this.received = [];
    this.scheme = tls ? 'https' : 'http';
    const listener = tls ? (handler) => createHttpsServer(tls, handler) : createServer;
    this.server = listener((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const timestamp = req.headers['x-baton-timestamp'];
        const signature = req.headers['x-baton-signature'];
        const valid = signature === sign(timestamp, body) &&
          Math.abs(Number(timestamp) - Date.now() / 1000) < 300;
        this.received.push({ path: req.url, valid, json: JSON.parse(body) });
        setTimeout(() => {
          res.writeHead(valid ? 200 : 401, { 'Content-Type': 'application/json' });
          res.end('{}');
        }, delayMs);
      });
    });
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `${this.scheme}://127.0.0.1:${this.server.address().port}/baton/handoff`;
  }

  close() {
    this.server.close();
  }

  waitFor(pred, what) {
    return waitUntil(() => this.received.find(pred), 10000, what);
  }
}

let hub;
let server;
let botDir;

const METRICS_LINE = /metrics: listening on http:\/\/127\.0\.0\.1:(\d+)\/metrics/;

async function startBaton(url, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-xhub-bot-'));
  cpSync(contoso, dir, { recursive: true });
  writeFileSync(join(dir, 'hub.yaml'), hubYaml(url));
  writeFileSync(join(dir, 'partner.secret'), `${SECRET}\n`, { mode: 0o600 });
  const s = new Server({ bot: dir, args: ['--metrics-listen', '127.0.0.1:0', '--log-level', 'info'],
                         env });
  await s.start();
  return { s, dir };
}

before(async () => {
  hub = new ExternalHub();
  await hub.listen();
  ({ s: server, dir: botDir } = await startBaton(hub.url));
});

after(async () => {
  hub?.close();
  await server?.cleanup();
  rmSync(botDir, { recursive: true, force: true });
});

async function customer(s, userId) {
  const { ConnectionStatus } = directLineJs();
  const { token } = await generateToken(s, userId);
  const client = new Client({ domain: s.domain, token, webSocket: true }, userId);
  await client.waitForStatus(ConnectionStatus.Online);
  return client;
}

// A signed call to Baton's /api/handoff API, as the external hub makes it.
async function call(s, conversationId, what, json, { secret = SECRET, timestamp = now() } = {}) {
  const body = JSON.stringify(json);
  const res = await fetch(
    `${s.base}/api/handoff/${encodeURIComponent(conversationId)}/${what}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Baton-Timestamp': timestamp,
        'X-Baton-Signature': sign(timestamp, body, secret),
      },
      body,
    });
  return { status: res.status, body: await res.json() };
}

const botSaid = (text) => (a) => a.type === 'message' && a.from?.role === 'bot' && a.text === text;

test('the external hub gets the signed handoff, drives the conversation and completes it', async () => {
  const client = await customer(server, 'u-external');
  try {
    await client.say('I need help with my order', 'u-external');
    await client.say('talk to a human', 'u-external');
    const initiate = await hub.waitFor((r) => r.json.name === 'handoff.initiate', 'handoff.initiate');
    const id = client.conversationId;
    assert.equal(initiate.valid, true);
    assert.equal(initiate.path, '/baton/handoff');
    assert.equal(initiate.json.type, 'event');
    assert.equal(initiate.json.conversation.id, id);
    assert.equal(initiate.json.serviceUrl, server.base);
    assert.equal(initiate.json.recipient.id, 'external:general');
    assert.equal(initiate.json.value.va_Language, 'en-us');
    const transcript = initiate.json.attachments.find((a) => a.name === 'Transcript');
    assert.equal(transcript.contentType, 'application/json');
    const texts = transcript.content.activities.map((a) => a.text);
    assert.ok(texts.includes('I need help with my order'), texts.join(' | '));
    await client.waitFor(botSaid("Connecting you to our partner's team."), { what: 'the queued text' });

    // Refused: a wrong signature (401, whatever the conversation), a stale timestamp, an unknown
    // conversation, completing before accepting, a message before accepting.
    let r = await call(server, id, 'status', { state: 'accepted' }, { secret: 'not-the-secret-at-all' });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'Unauthorized');
    r = await call(server, id, 'status', { state: 'accepted' },
                   { timestamp: String(Math.floor(Date.now() / 1000) - 3600) });
    assert.equal(r.status, 401);
    r = await call(server, 'no-such-conversation', 'status', { state: 'accepted' });
    assert.equal(r.status, 404);
    r = await call(server, '../../etc', 'status', { state: 'accepted' });
    assert.ok(r.status === 404 || r.status === 400, `${r.status}`);
    r = await call(server, id, 'status', { state: 'completed' });
    assert.equal(r.status, 409);
    r = await call(server, id, 'activities', { type: 'message', text: 'too early' });
    assert.equal(r.status, 409);
    r = await call(server, id, 'status', { state: 'maybe' });
    assert.equal(r.status, 400);

    r = await call(server, id, 'status', { state: 'accepted' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await call(server, id, 'activities',
                   { type: 'message', text: 'Hi, this is Dana from the partner team.', from: { name: 'Dana' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const fromHub = await client.waitFor(
      (a) => a.type === 'message' && a.text === 'Hi, this is Dana from the partner team.',
      { what: "the external hub's message" });
    assert.equal(fromHub.from.name, 'Dana');
    assert.equal(fromHub.from.id, 'external:general');
    assert.equal(fromHub.id, r.body.id);

    // The customer's messages go to the external hub, in order; the bot stays silent.
    const before = client.activities.length;
    await client.say('my order number is 12345', 'u-external');
    await client.say('hello', 'u-external');
    await hub.waitFor((r2) => r2.json.text === 'hello', 'the forwarded customer messages');
    const forwarded = hub.received.filter((r2) => r2.json.type === 'message').map((r2) => r2.json);
    assert.deepEqual(forwarded.map((a) => a.text), ['my order number is 12345', 'hello']);
    assert.ok(hub.received.every((r2) => r2.valid));
    assert.equal(forwarded[0].conversation.id, id);
    assert.equal(forwarded[0].from.role, 'user');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const botAfter = client.activities.slice(before).filter((a) => a.from?.role === 'bot');
    assert.deepEqual(botAfter, [], 'the bot is silent while the external hub owns it');

    r = await call(server, id, 'status', { state: 'completed', message: 'solved' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // A late message after completed is refused.
    r = await call(server, id, 'activities', { type: 'message', text: 'one more thing' });
    assert.ok(r.status === 404 || r.status === 409, `${r.status}`);
    // Back with the bot below the handoff node (the ownership move follows the durable answer).
    await waitUntil(async () => (await handoffs(server, id))[0].status === 'completed', 10000,
                    'the handoff record completed');
    const again = client.activities.length;
    await client.say('hi', 'u-external');
    await client.waitFor((a) => a.from?.role === 'bot' && a.type === 'message' && /Contoso/.test(a.text ?? ''),
                         { from: again, what: 'the bot answering again' });
  } finally {
    client.end();
  }
});

test('the external hub fails the handoff: the customer resumes with unavailable', async () => {
  const client = await customer(server, 'u-failed');
  try {
    await client.say('talk to a human', 'u-failed');
    await hub.waitFor((r) => r.json.name === 'handoff.initiate' && r.json.conversation.id === client.conversationId,
                      'the second handoff.initiate');
    const r = await call(server, client.conversationId, 'status', { state: 'failed', message: 'nobody here' });
    assert.equal(r.status, 200);
    await client.waitFor(botSaid(
      'Sorry, nobody can take your chat right now. Please try again later or email help@contoso.example.'),
    { what: "the bot's unavailable branch" });
    // The hub's words are kept with the handoff.
    const [h] = await handoffs(server, client.conversationId);
    assert.equal(h.status, 'unavailable');
    assert.equal(h.outcome.message, 'nobody here');
  } finally {
    client.end();
  }
});

// Baton's notices: the signed endOfConversation the external hub gets when a conversation it
// was given leaves Baton's side for another reason than its own answer.
const noticeFor = (id) => (r) => r.json.type === 'endOfConversation' && r.json.conversation?.id === id &&
  r.json.value?.reason !== undefined;

test('the customer leaves while the external hub has not answered: the hub is told', async () => {
  const client = await customer(server, 'u-leaves');
  try {
    await client.say('talk to a human', 'u-leaves');
    const id = client.conversationId;
    const initiate = await hub.waitFor((r) => r.json.name === 'handoff.initiate' && r.json.conversation.id === id,
                                       'the handoff.initiate');
    await client.send({ type: 'endOfConversation', from: { id: 'u-leaves', role: 'user' } });
    const notice = await hub.waitFor(noticeFor(id), 'the endOfConversation notice');
    assert.equal(notice.valid, true);
    assert.equal(notice.path, '/baton/handoff');
    assert.equal(notice.json.code, 'userCancelled');
    assert.deepEqual(notice.json.value, { reason: 'left', state: 'waiting' });
    assert.equal(notice.json.from.id, 'u-leaves');
    assert.equal(notice.json.replyToId, initiate.json.id);
    assert.equal(notice.json.serviceUrl, server.base);
    assert.equal(notice.json.recipient.id, 'external:general');
    // Its answer comes too late.
    const r = await call(server, id, 'status', { state: 'accepted' });
    assert.equal(r.status, 404);
  } finally {
    client.end();
  }
});

test('a supervisor closes a conversation the external hub owns: the hub is told', async () => {
  await addAgent(server.dataDir, { id: 'sam', role: 'supervisor' });
  const sam = new AgentClient(server);
  await sam.login('sam');
  const client = await customer(server, 'u-closed');
  try {
    await client.say('talk to a human', 'u-closed');
    const id = client.conversationId;
    await hub.waitFor((r) => r.json.name === 'handoff.initiate' && r.json.conversation.id === id,
                      'the handoff.initiate');
    let r = await call(server, id, 'status', { state: 'accepted' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await client.say('still there?', 'u-closed');
    await hub.waitFor((x) => x.json.text === 'still there?', 'the forwarded message');
    await sam.ok('POST', `/conversations/${encodeURIComponent(id)}/close`);
    const notice = await hub.waitFor(noticeFor(id), 'the endOfConversation notice');
    assert.equal(notice.valid, true);
    assert.equal(notice.json.code, 'unknown');
    assert.deepEqual(notice.json.value, { reason: 'closed', state: 'accepted' });
    assert.equal(notice.json.from.role, 'bot');
    // In order: the forwarded message before the notice.
    const forId = hub.received.filter((x) => x.json.conversation?.id === id);
    assert.ok(forId.findIndex((x) => x.json.text === 'still there?') < forId.indexOf(notice));
    r = await call(server, id, 'activities', { type: 'message', text: 'hello?' });
    assert.ok(r.status === 404 || r.status === 409, `${r.status}`);
    await waitUntil(async () => (await handoffs(server, id))[0].status === 'completed', 10000,
                    'the handoff record ended');
  } finally {
    client.end();
  }
});

test('stopping Baton: what the external hub is owed is still sent first', async () => {
  // A hub that takes 500 ms per request: Baton sends one request per conversation at a time, so
  // when it is told to stop, two of the customer's messages are still queued behind the first.
  const slowHub = new ExternalHub(undefined, { delayMs: 500 });
  await slowHub.listen();
  const { s, dir } = await startBaton(slowHub.url);
  const client = await customer(s, 'u-stop');
  try {
    await client.say('talk to a human', 'u-stop');
    const id = client.conversationId;
    await slowHub.waitFor((r) => r.json.name === 'handoff.initiate', 'the handoff.initiate');
    const r = await call(s, id, 'status', { state: 'accepted' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const text of ['one', 'two', 'three']) {
      await client.say(text, 'u-stop');
    }
    await slowHub.waitFor((x) => x.json.text === 'one', 'the first forwarded message');
    assert.equal(slowHub.received.some((x) => x.json.text === 'three'), false,
                 'the last one is still queued when Baton is stopped');
    const started = Date.now();
    const exit = await s.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.deepEqual(slowHub.received.filter((x) => x.json.type === 'message').map((x) => x.json.text),
                     ['one', 'two', 'three']);
    assert.ok(Date.now() - started < 5000, 'bounded by the drain timeout');
  } finally {
    client.end();
    slowHub.close();
    await s.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('baton data erase with the server stopped: the hub is told, other handoffs keep waiting', async () => {
  const { s, dir } = await startBaton(hub.url);
  const initiateFor = (id) => (r) => r.json.name === 'handoff.initiate' && r.json.conversation?.id === id;
  const erased = await customer(s, 'u-erased');
  const stays = await customer(s, 'u-stays');
  try {
    await erased.say('talk to a human', 'u-erased');
    const erasedId = erased.conversationId;
    await hub.waitFor(initiateFor(erasedId), 'the handoff.initiate');
    assert.equal((await call(s, erasedId, 'status', { state: 'accepted' })).status, 200);
    await stays.say('talk to a human', 'u-stays');
    const staysId = stays.conversationId;
    await hub.waitFor(initiateFor(staysId), "the other customer's handoff.initiate");
    erased.end();
    stays.end();
    assert.deepEqual(await s.stop(), { code: 0, signal: null });

    const seen = hub.received.length;
    // Asynchronously: the hub answering it runs in this process.
    const run = await new Promise((resolve) => {
      execFile(bin, ['data', 'erase', '--user', 'u-erased', dir, '--data', s.dataDir, ...storeArgs(s.dataDir)],
               { encoding: 'utf8', timeout: 60000 },
               (error, stdout, stderr) => resolve({ status: error ? error.code : 0, stderr }));
    });
    assert.equal(run.status, 0, run.stderr);
    const during = hub.received.slice(seen);
    const notice = during.find(noticeFor(erasedId));
    assert.ok(notice, `the erased conversation's notice (got: ${JSON.stringify(during.map((r) => r.json))})`);
    assert.equal(notice.valid, true);
    assert.equal(notice.json.value.state, 'accepted');
    assert.equal(during.some((r) => r.json.conversation?.id === staysId), false,
                 'nothing about the other conversation while Baton does not serve');

    // The other customer's handoff still waits for the hub, and is sent again once Baton serves.
    const before = hub.received.length;
    await s.start();
    await waitUntil(() => hub.received.slice(before).find(initiateFor(staysId)), 10000,
                    'the handoff.initiate sent again');
    const [h] = await handoffs(s, staysId);
    assert.equal(h.status, 'pending');
  } finally {
    erased.end();
    stays.end();
    await s.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreachable external hub: after the retries the customer resumes with unavailable', async () => {
  // A port nobody listens on: take one, then close it.
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const deadUrl = `http://127.0.0.1:${probe.address().port}/handoff`;
  await new Promise((resolve) => probe.close(resolve));
  const { s, dir } = await startBaton(deadUrl);
  const client = await customer(s, 'u-unreachable');
  try {
    await client.say('talk to a human', 'u-unreachable');
    await client.waitFor(botSaid(
      'Sorry, nobody can take your chat right now. Please try again later or email help@contoso.example.'),
    { ms: 20000, what: "the bot's unavailable branch after the retries" });
    const [h] = await handoffs(s, client.conversationId);
    assert.equal(h.status, 'unavailable');
    await logged(s, METRICS_LINE);
    const metrics = await (await fetch(`http://127.0.0.1:${METRICS_LINE.exec(s.stderr)[1]}/metrics`)).text();
    assert.match(metrics, /baton_external_hub_deliveries_total\{result="failed"\} 1/);
    assert.match(metrics, /baton_external_hub_retries_total 3/);
    assert.doesNotMatch(s.stderr, new RegExp(SECRET));
  } finally {
    client.end();
    await s.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an https hub: Baton checks its certificate and sends it the signed handoff', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-xhub-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const tlsHub = new ExternalHub({ cert: readFileSync(join(dir, 'cert.pem')),
                                  key: readFileSync(join(dir, 'key.pem')) });
  await tlsHub.listen();
  const { s, dir: tlsBotDir } = await startBaton(tlsHub.url,
                                                 { SSL_CERT_FILE: join(dir, 'cert.pem') });
  const client = await customer(s, 'u-tls');
  try {
    await client.say('talk to a human', 'u-tls');
    const initiate = await tlsHub.waitFor(
      (r) => r.json.name === 'handoff.initiate' && r.json.conversation.id === client.conversationId,
      'the handoff.initiate over https');
    assert.equal(initiate.valid, true);
  } finally {
    client.end();
    tlsHub.close();
    await s.cleanup();
    rmSync(tlsBotDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
