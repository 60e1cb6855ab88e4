// An external Bot Framework bot behind the real binary (docs/EXTERNAL_BOTS.md): the example
// botbuilder bot (examples/external-bot/bot.js, the `botbuilder` SDK from web/node_modules)
// started on a free port, `baton serve examples/external-bot --bot-endpoint ...`, the customer
// driven with the official DirectLineJS client, an agent over the agent API. Covers: greeting and
// answers from the bot; a handoff with the bot's context and transcript reaching an agent;
// messages both ways while the bot hears nothing; the agent returning it (the bot gets
// handoff.status completed and answers again); nobody online (the bot gets failed); the bot's
// process killed mid-conversation (apology, nothing lost) and restarted (it continues); Baton
// stopped while a slow bot still has messages to answer (delivered, and its replies stored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Client } from '../lib/dlclient.mjs';
import { Server, directLineJs, generateToken, readAll, request, root, sleep, waitUntil } from
  '../lib/serve.mjs';

const botDir = join(root, 'examples', 'external-bot');
const GREETING = /^Hello! I'm the Contoso bot\./;

// The example bot as a child process; `statuses` holds the handoff.status values it logged.
class Bot {
  constructor(args = []) {
    this.args = args;
    this.lines = [];
    this.stderr = '';
  }

  async start(port = 0) {
    this.proc = spawn(process.execPath, [join(botDir, 'bot.js'), '--port', String(port), ...this.args],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exit = new Promise((resolve) => this.proc.on('exit', resolve));
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (c) => { this.stderr += c; });
    this.proc.stdout.setEncoding('utf8');
    let buffer = '';
    this.proc.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    const listening = await waitUntil(() => this.lines.find((l) => l.event === 'listening'), 15000,
                                      `the bot's listening line (stderr: ${this.stderr})`);
    this.port = listening.port;
    return this;
  }

  get endpoint() {
    const scheme = this.args.includes('--tls-cert') ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${this.port}/api/messages`;
  }

  statuses(conversationId) {
    return this.lines.filter((l) => l.event === 'handoff.status' && l.conversation === conversationId)
      .map((l) => l.value);
  }

  async kill() {
    this.proc.kill('SIGKILL');
    await this.exit;
  }
}

const isBot = (pattern) => (a) => a.type === 'message' && a.from?.role === 'bot' &&
  pattern.test(a.text ?? '');

async function customer(server, userId) {
  const { ConnectionStatus } = directLineJs();
  const { token } = await generateToken(server, userId);
  const client = new Client({ domain: server.domain, token, webSocket: true }, userId);
  await client.waitForStatus(ConnectionStatus.Online);
  return client;
}

// Starts `server` with the agent alice (capacity 3), logged in and connected: her client.
async function startWithAlice(server) {
  await addAgent(server.dataDir, { id: 'alice', name: 'Alice', capacity: 3 });
  await server.start();
  const alice = new AgentClient(server);
  await alice.login('alice');
  await alice.connect();
  return alice;
}

// A customer who got the bot's greeting, for the duration of `body`.
async function withGreetedCustomer(server, userId, body) {
  const client = await customer(server, userId);
  try {
    await client.waitFor(isBot(GREETING), { what: `${userId}'s greeting` });
    await body(client);
  } finally {
    client.end();
  }
}

// The greeting, an answer, then a request for an agent: the offer `alice` receives.
async function askHoursThenAnAgent(client, userId, alice) {
  await client.waitFor(isBot(GREETING), { what: 'the greeting from the botbuilder bot' });
  const asked = await client.say('what are your opening hours?', userId);
  const answer = await client.replyTo(asked.id, 'the hours answer');
  assert.match(answer.text, /9:00 to 17:00/);
  const from = alice.messages.length;
  await client.say('I want an agent about my bill', userId);
  return alice.waitFor((m) => m.type === 'offer', 15000, from);
}

describe('external botbuilder bot', () => {
  let bot;
  let server;
  let alice;

  before(async () => {
    bot = await new Bot().start();
    server = new Server({ bot: botDir, args: ['--bot-endpoint', bot.endpoint] });
    alice = await startWithAlice(server);
  });

  after(async () => {
    alice?.close();
    await server?.cleanup();
    await bot?.kill();
  });

  test('greets, answers, hands off with context and transcript, and gets it back', async () => {
    await alice.setPresence('available');
    const userId = 'u-ext-1';
    const client = await customer(server, userId);
    try {
      const offer = await askHoursThenAnAgent(client, userId, alice);
      const id = offer.conversationId;
      assert.equal(id, client.conversationId);
      assert.equal(offer.queue, 'billing', 'routed by the Product the bot put in the context');
      assert.equal(offer.agentMessage, 'The customer asked for a person.');
      await alice.ok('POST', `/offers/${encodeURIComponent(id)}/accept`, { offerId: offer.offerId });
      await waitUntil(() => bot.statuses(id).some((s) => s.state === 'accepted'), 10000,
                      'handoff.status accepted at the bot');

      const detail = await alice.ok('GET', `/conversations/${encodeURIComponent(id)}`);
      assert.equal(detail.context.va_LastTopic, 'Talk to agent');
      assert.equal(detail.context.Product, 'billing');
      const botPart = detail.transcript.filter((e) => e.part === 'bot' && e.kind === 'message')
        .map((e) => e.activity.text);
      assert.ok(botPart.includes('what are your opening hours?'), JSON.stringify(botPart));
      assert.ok(botPart.some((t) => /9:00 to 17:00/.test(t)), JSON.stringify(botPart));

      // Live: both ways, and the bot hears none of it.
      const botHeardBefore = bot.lines.length;
      await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/messages`,
                     { text: 'Hi, Alice here. How can I help?' });
      await client.waitFor((a) => a.type === 'message' && a.text === 'Hi, Alice here. How can I help?',
                           { what: "the agent's message" });
      const said = await client.say('my bill is wrong', userId);
      await alice.waitFor((m) => JSON.stringify(m).includes('my bill is wrong'), 10000);
      await sleep(500);
      assert.equal(bot.lines.length, botHeardBefore, 'the bot logged nothing new');
      const all = (await readAll(server, { token: client.token, conversationId: id })).activities;
      assert.ok(!all.some((a) => a.from?.role === 'bot' && a.replyToId === said.id &&
                                 /^You said/.test(a.text ?? '')), 'the bot did not answer it');

      await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/end`, { mode: 'bot' });
      await waitUntil(() => bot.statuses(id).some((s) => s.state === 'completed'), 10000,
                      'handoff.status completed at the bot');
      await client.waitFor(isBot(/^Welcome back!/), { what: 'the bot speaking again' });
      const again = await client.say('hello bot', userId);
      const echo = await client.replyTo(again.id, 'the bot answering again');
      assert.equal(echo.text, 'You said: hello bot');
    } finally {
      client.end();
    }
  });

  // Without JWTs the Connector API trusts loopback callers only. A reverse proxy on the same host
  // makes every caller look like loopback; the headers a proxy adds give it away, so a relayed
  // request is refused like any other stranger's (the SDK never sends them).
  test('the Connector API refuses what a proxy relays, even from loopback', async () => {
    const userId = 'u-ext-proxy';
    await withGreetedCustomer(server, userId, async (client) => {
      const url = `${server.base}/v3/conversations/${encodeURIComponent(client.conversationId)}/activities`;
      const json = { type: 'message', text: 'posing as the bot' };
      for (const headers of [{ 'X-Forwarded-For': '203.0.113.7' }, { Forwarded: 'for=203.0.113.7' },
        { 'X-Real-IP': '203.0.113.7' }]) {
        const r = await request(url, { method: 'POST', json, headers });
        assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.text}`);
        assert.equal(r.body.error.code, 'Forbidden');
      }
      const direct = await request(url, { method: 'POST', json: { type: 'message', text: 'the bot itself' } });
      assert.equal(direct.status, 200, direct.text);
      await client.waitFor(isBot(/^the bot itself$/), { what: "the bot's own post" });
      assert.ok(!client.activities.some((a) => a.text === 'posing as the bot'));
    });
  });

  test('nobody online: the bot is told the handoff failed and says so', async () => {
    await alice.setPresence('away');  // nobody available or busy: no agent online hub-wide
    await sleep(300);
    const userId = 'u-ext-2';
    await withGreetedCustomer(server, userId, async (client) => {
      await client.say('agent please', userId);
      await client.waitFor(isBot(/^Sorry, no agent could take this/), { what: 'the failed text' });
      const id = client.conversationId;
      const statuses = bot.statuses(id);
      assert.equal(statuses.at(-1)?.state, 'failed', JSON.stringify(statuses));
      assert.ok(statuses.at(-1)?.message, 'with a message');
    });
  });

  test('the bot killed mid-conversation: apology, nothing lost; restarted: it continues', async () => {
    const userId = 'u-ext-3';
    await withGreetedCustomer(server, userId, async (client) => {
      const port = bot.port;
      await bot.kill();
      const lost = await client.say('are you there?', userId);
      await client.waitFor(isBot(/^Sorry, our assistant is not answering/), { what: 'the apology' });
      const echo = client.activities.find((a) => a.id === lost.id);
      assert.equal(echo?.text, 'are you there?', 'the customer message is stored');

      bot = await new Bot().start(port);
      const back = await client.say('hours?', userId);
      const answer = await client.replyTo(back.id, 'the answer after the restart');
      assert.match(answer.text, /9:00 to 17:00/);
      const all = (await readAll(server, { token: client.token,
                                           conversationId: client.conversationId })).activities;
      assert.ok(all.some((a) => a.text === 'are you there?'), 'still in the log');
    });
  });
});

// A free loopback port: the bot must know Baton's address (its token issuer and OpenID metadata)
// before Baton starts, and Baton must know the bot's endpoint.
async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The same bot with an app id (docs/EXTERNAL_BOTS.md, "Authentication"): Baton signs what it
// sends the bot and serves the keys the SDK checks them with; the bot calls Baton with tokens from
// Baton's token endpoint, and the Connector API refuses everything else.
test('stopping Baton: the messages in flight to a slow bot are delivered and its replies stored', async () => {
  // A bot that takes 500 ms over each answer: Baton delivers one message per conversation at a
  // time, so when it is told to stop, the first message is with the bot and two wait behind it.
  // The bot answers each within its turn, calling Baton's Connector API while Baton stops.
  const bot = await new Bot(['--think-ms', '500']).start();
  const server = new Server({ bot: botDir, args: ['--bot-endpoint', bot.endpoint] });
  await server.start();
  const userId = 'u-ext-stop';
  const { token } = await generateToken(server, userId);
  const { ConnectionStatus } = directLineJs();
  const client = new Client({ domain: server.domain, token, webSocket: true }, userId);
  let ended = false;
  try {
    await client.waitForStatus(ConnectionStatus.Online);
    await client.waitFor(isBot(GREETING), { what: 'the greeting' });
    const conv = { conversationId: client.conversationId, token: client.token };
    for (const text of ['one', 'two', 'three']) {
      await client.say(text, userId);
    }
    await sleep(100);  // 'one' is with the bot
    const started = Date.now();
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
    assert.ok(Date.now() - started < 5000, 'bounded by the drain timeout');
    client.end();
    ended = true;
    await server.start();
    const said = (await readAll(server, conv)).activities.filter(isBot(/^You said: /)).map((a) => a.text);
    assert.deepEqual(said, ['You said: one', 'You said: two', 'You said: three']);
  } finally {
    if (!ended) {
      client.end();
    }
    await server.cleanup();
    await bot.kill();
  }
});

describe('external botbuilder bot with an app id', () => {
  const appId = 'contoso-app-0001';
  const password = 'correct-horse-battery-0123';
  let bot;
  let server;
  let alice;
  let dir;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-auth-bot-'));
    writeFileSync(join(dir, 'app.password'), `${password}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'bot.yaml'), [
      'bot:',
      '  id: contoso-external',
      '  name: Contoso (botbuilder)',
      '  endpoint: "http://127.0.0.1:1/api/messages"',
      `  app_id: ${appId}`,
      '  app_password_file: app.password',
      '  apology: "Sorry, our assistant is not answering right now."',
      '',
    ].join('\n'));
    copyFileSync(join(botDir, 'hub.yaml'), join(dir, 'hub.yaml'));
    const port = await freePort();
    const baton = `http://127.0.0.1:${port}`;
    bot = await new Bot(['--app-id', appId, '--app-password-file', join(dir, 'app.password'),
                         '--baton', baton, '--transcript-by-url']).start();
    server = new Server({ bot: dir });
    server.argv = ['serve', dir, '--listen', `127.0.0.1:${port}`, '--data', server.dataDir,
                   '--secret', server.secret, '--bot-endpoint', bot.endpoint];
    alice = await startWithAlice(server);
  });

  after(async () => {
    alice?.close();
    await server?.cleanup();
    await bot?.kill();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('answers and hands off with tokens both ways', async () => {
    await alice.setPresence('available');
    const userId = 'u-auth-1';
    const client = await customer(server, userId);
    try {
      const offer = await askHoursThenAnAgent(client, userId, alice);
      // The bot named its transcript by contentUrl: Baton fetched it into the handoff.
      const handoffs = await request(
        `${server.base}/api/conversations/${encodeURIComponent(offer.conversationId)}/handoffs`,
        { auth: server.secret });
      assert.equal(handoffs.status, 200, handoffs.text);
      const transcript = handoffs.body.handoffs.at(-1).request.transcript.map((t) => t.text);
      assert.ok(transcript.includes('what are your opening hours?'), JSON.stringify(transcript));
      assert.ok(transcript.some((t) => /9:00 to 17:00/.test(t)), JSON.stringify(transcript));
      await alice.ok('POST', `/offers/${encodeURIComponent(offer.conversationId)}/accept`,
                     { offerId: offer.offerId });
      await waitUntil(() => bot.statuses(offer.conversationId).some((s) => s.state === 'accepted'),
                      10000, 'handoff.status accepted at the bot (a signed delivery)');
      await alice.ok('POST', `/conversations/${encodeURIComponent(offer.conversationId)}/end`,
                     { mode: 'bot' });
      await client.waitFor(isBot(/^Welcome back!/), { what: 'the bot speaking again' });
      assert.equal(bot.stderr.includes('Unauthorized'), false, bot.stderr);
    } finally {
      client.end();
    }
  });

  test('the bot refuses deliveries without Baton\'s token', async () => {
    const r = await request(bot.endpoint, {
      method: 'POST',
      json: { type: 'message', text: 'forged', channelId: 'directline', serviceUrl: server.base,
              conversation: { id: 'x' }, from: { id: 'u' }, recipient: { id: 'b' } },
    });
    assert.equal(r.status, 401, r.text);
  });

  test('the token endpoint and the Connector API refuse strangers', async () => {
    const userId = 'u-auth-2';
    await withGreetedCustomer(server, userId, async (client) => {
      const tokenUrl = `${server.base}/botframework/v1/token`;
      const form = 'grant_type=client_credentials&scope=' +
        encodeURIComponent(`${server.base}/.default`);
      const formHeaders = { 'Content-Type': 'application/x-www-form-urlencoded' };
      const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

      const none = await request(tokenUrl, { method: 'POST', body: form, headers: formHeaders });
      assert.equal(none.status, 401, none.text);
      assert.equal(none.body.error, 'invalid_client');
      const wrong = await request(tokenUrl, { method: 'POST', body: form,
        headers: { ...formHeaders, Authorization: basic(appId, 'not-the-password-0000') } });
      assert.equal(wrong.status, 401, wrong.text);
      assert.equal(wrong.body.error, 'invalid_client');
      const grant = await request(tokenUrl, { method: 'POST', body: 'grant_type=password',
        headers: { ...formHeaders, Authorization: basic(appId, password) } });
      assert.equal(grant.status, 400, grant.text);
      assert.equal(grant.body.error, 'unsupported_grant_type');
      const scope = await request(tokenUrl, { method: 'POST',
        body: 'grant_type=client_credentials&scope=https%3A%2F%2Fapi.botframework.com%2F.default',
        headers: { ...formHeaders, Authorization: basic(appId, password) } });
      assert.equal(scope.status, 400, scope.text);
      assert.equal(scope.body.error, 'invalid_scope');
      const issued = await request(tokenUrl, { method: 'POST', body: form,
        headers: { ...formHeaders, Authorization: basic(appId, password) } });
      assert.equal(issued.status, 200, issued.text);
      assert.equal(issued.body.token_type, 'Bearer');

      const conv = encodeURIComponent(client.conversationId);
      const url = `${server.base}/v3/conversations/${conv}/activities`;
      const json = { type: 'message', text: 'posing as the bot' };
      const anonymous = await request(url, { method: 'POST', json });
      assert.equal(anonymous.status, 401, 'loopback alone is not enough once the bot has an app id');
      assert.equal(anonymous.body.error.code, 'Unauthorized');
      const [h, p] = issued.body.access_token.split('.');
      const forged = await request(url, { method: 'POST', json,
        headers: { Authorization: `Bearer ${h}.${p}.AAAA` } });
      assert.equal(forged.status, 401, forged.text);
      const members = await request(`${server.base}/v3/conversations/${conv}/members`,
        { headers: { Authorization: `Bearer ${issued.body.access_token}` } });
      assert.equal(members.status, 200, members.text);
      assert.equal(members.body[0].id, userId);
      await sleep(300);
      assert.ok(!client.activities.some((a) => a.text === 'posing as the bot'));

      // A Transcript by contentUrl on another host is not fetched (Baton never calls where a bot
      // points it): the handoff goes on with the log standing in.
      const initiate = await request(url, { method: 'POST',
        headers: { Authorization: `Bearer ${issued.body.access_token}` },
        json: { type: 'event', name: 'handoff.initiate', value: { va_AgentMessage: 'by URL' },
                attachments: [{ contentType: 'application/json', name: 'Transcript',
                                contentUrl: 'http://198.51.100.7/transcript' }] } });
      assert.equal(initiate.status, 200, initiate.text);
      const handoffs = await request(`${server.base}/api/conversations/${conv}/handoffs`,
                                     { auth: server.secret });
      const stoodIn = handoffs.body.handoffs.at(-1).request.transcript;
      assert.ok(stoodIn.some((t) => GREETING.test(t.text ?? '')), JSON.stringify(stoodIn));
      assert.match(server.stderr, /the handoff's transcript was not fetched \(its contentUrl is not on the bot's endpoint's host and port\)/);

      const keys = await request(`${server.base}/botframework/v1/.well-known/keys`);
      assert.equal(keys.status, 200);
      assert.equal(keys.body.keys[0].kty, 'RSA');
      assert.equal(keys.body.keys[0].d, undefined, 'no private part');
    });
  });
});

// An https endpoint: Baton checks the bot's certificate against its trust store (here the test's
// self-signed certificate, given by SSL_CERT_FILE); without it in the store, nothing is delivered.
describe('external botbuilder bot at an https endpoint', () => {
  let bot;
  let dir;
  const servers = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-tls-bot-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    bot = await new Bot(['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')])
      .start();
  });

  after(async () => {
    for (const s of servers) {
      await s.cleanup();
    }
    await bot?.kill();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the bot answers over https when its certificate is trusted', async () => {
    const server = new Server({ bot: botDir, args: ['--bot-endpoint', bot.endpoint],
                                env: { SSL_CERT_FILE: join(dir, 'cert.pem') } });
    servers.push(server);
    await server.start();
    await withGreetedCustomer(server, 'u-tls-1', async (client) => {
      const asked = await client.say('what are your opening hours?', 'u-tls-1');
      assert.match((await client.replyTo(asked.id, 'the hours answer')).text, /9:00 to 17:00/);
    });
  });

  test('an untrusted certificate: nothing is delivered, the customer gets the apology', async () => {
    const server = new Server({ bot: botDir, args: ['--bot-endpoint', bot.endpoint],
                                env: { SSL_CERT_FILE: '/nonexistent/ca.pem' } });
    servers.push(server);
    await server.start();
    const client = await customer(server, 'u-tls-2');
    try {
      await client.say('hello?', 'u-tls-2');
      await client.waitFor(isBot(/^Sorry, our assistant is not answering/), { what: 'the apology' });
      assert.ok(!client.activities.some((a) => GREETING.test(a.text ?? '')), 'no greeting');
      assert.match(server.stderr, /certificate verify failed/);
    } finally {
      client.end();
    }
  });
});
