// Bad input against `baton serve` over plain HTTP / WebSocket: each request gets its precise error
// ({"error":{"code","message"}} with the status of docs/PROTOCOLS.md §8.2), and after each one the server
// still serves another conversation end to end (message in, bot reply out).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, newConversation, postActivity, readAll, request, userMessage,
  waitUntil, webRequire, botTexts, sleep,
} from '../lib/serve.mjs';

let server;
let healthy;   // a conversation that must keep working after every bad request
let victim;    // the conversation the bad requests are aimed at
let other;     // a second conversation, for cross-conversation token checks

before(async () => {
  // A small rate limit so the flood test is quick: 600/min → burst max(60, 20) = 60. Rejected
  // requests may count against the limit too, and the victim gets about 25 of them.
  server = await startServer({ args: ['--rate-limit', '600'] });
  healthy = await newConversation(server, 'u-healthy');
  victim = await newConversation(server, 'u-victim');
  other = await newConversation(server, 'u-other');
});
after(async () => {
  await server.cleanup();
});

let turn = 0;
// The healthy conversation still gets a bot reply, and the process is alive.
async function stillServes() {
  assert.equal(server.proc.exitCode, null, `the server is still running; stderr:\n${server.stderr}`);
  const text = turn++ % 2 === 0 ? 'what are your store hours' : 'Redmond';
  const expected = text === 'Redmond' ? 'Our Redmond store is open' : 'Which store are you asking about?';
  const before = (await readAll(server, healthy)).activities.length;
  const r = await postActivity(server, healthy, userMessage(healthy, text));
  assert.equal(r.status, 200, `another conversation still works: ${r.status} ${r.text}`);
  await waitUntil(async () => {
    const all = (await readAll(server, healthy)).activities.slice(before);
    return botTexts(all).some((t) => t?.startsWith(expected));
  }, 10000, `the healthy conversation's reply "${expected}"`);
}

function assertError(r, status, codes) {
  assert.equal(r.status, status, `status ${r.status} (want ${status}): ${r.text}`);
  assert.equal(typeof r.body, 'object', `JSON error body: ${r.text}`);
  assert.equal(typeof r.body.error?.code, 'string', `error.code: ${r.text}`);
  assert.equal(typeof r.body.error?.message, 'string', `error.message: ${r.text}`);
  if (codes) {
    assert.ok(codes.includes(r.body.error.code), `error.code ${r.body.error.code}, want one of ${codes}`);
  }
}

const activitiesUrl = (conv) =>
  `${server.domain}/conversations/${encodeURIComponent(conv.conversationId)}/activities`;

function rawPost(conv, body, token = conv.token, contentType = 'application/json') {
  return request(activitiesUrl(conv), {
    method: 'POST', auth: token, body, headers: { 'Content-Type': contentType },
  });
}

test('malformed JSON → 400', async () => {
  // The last: a number past a double's range, which would be stored as an unparseable `Infinity`.
  for (const body of ['{"type":"message",', 'not json', '', '{"type":"message"} trailing', '\u0000',
                      '{"type":"message","text":"hi","channelData":{"x":1e999}}']) {
    assertError(await rawPost(victim, body), 400, ['MalformedJson', 'BadArgument']);
  }
  await stillServes();
});

test('wrong types → 400 BadArgument', async () => {
  const bodies = [
    [], 'a string', 42, null,
    { type: 42 },
    { type: 'message', text: 123 },
    { type: 'message', text: 'hi', from: 'someone' },
    { type: 'message', text: 'hi', attachments: 'nope' },
    { type: 'message', text: 'hi', suggestedActions: { actions: 'x' } },
    { type: 'message', text: 'hi', timestamp: 7 },
  ];
  for (const body of bodies) {
    const r = await rawPost(victim, JSON.stringify(body));
    assertError(r, 400);
  }
  await stillServes();
});

test('a 300 KB activity → 413 TooLarge', async () => {
  const big = JSON.stringify(userMessage(victim, 'x'.repeat(300 * 1024)));
  assertError(await rawPost(victim, big), 413, ['TooLarge']);
  await stillServes();
  // The conversation that got the 413 is not poisoned either.
  const r = await postActivity(server, victim, userMessage(victim, 'hello'));
  assert.equal(r.status, 200, r.text);
});

test('invalid UTF-8 → 400', async () => {
  const prefix = Buffer.from('{"type":"message","text":"caf');
  const suffix = Buffer.from('"}');
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
    const body = Buffer.concat([prefix, Buffer.from(bad), suffix]);
    assertError(await rawPost(victim, body), 400);
  }
  assert.ok(!(await readAll(server, victim)).activities.some((a) => a.text?.startsWith('caf')),
            'nothing invalid was stored');
  await stillServes();
});

test('missing or forged token → 401; secret-only endpoints reject tokens', async () => {
  const message = JSON.stringify(userMessage(victim, 'hi'));
  assertError(await request(activitiesUrl(victim), {
    method: 'POST', body: message, headers: { 'Content-Type': 'application/json' },
  }), 401, ['MissingAuthorization', 'BadToken']);
  assertError(await request(activitiesUrl(victim), {
    method: 'POST', body: message, headers: { 'Content-Type': 'application/json', Authorization: 'Basic abc' },
  }), 401, ['MissingAuthorization', 'BadToken']);
  assertError(await rawPost(victim, message, 'forged-token'), 401, ['BadToken']);
  // Flip one character of a real token: the signature must not verify.
  const t = victim.token;
  const i = Math.floor(t.length / 2);
  const flipped = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
  assertError(await rawPost(victim, message, flipped), 401, ['BadToken']);
  assertError(await request(`${activitiesUrl(victim)}?watermark=0`, { auth: 'forged' }), 401);
  assertError(await request(`${server.domain}/tokens/refresh`, { method: 'POST', auth: 'forged' }), 401);
  // tokens/generate takes the secret, not a token: a valid token there is authenticated but not
  // allowed (403), a wrong credential is 401.
  const withToken = await request(`${server.domain}/tokens/generate`, { method: 'POST', auth: victim.token });
  assert.ok(withToken.status === 401 || withToken.status === 403, `generate with a token: ${withToken.status}`);
  assertError(withToken, withToken.status);
  assertError(await request(`${server.domain}/tokens/generate`, { method: 'POST', auth: 'not-the-secret' }),
              401);
  assertError(await request(`${server.domain}/tokens/generate`, { method: 'POST' }), 401);
  const hp = `${server.base}/api/conversations/${encodeURIComponent(victim.conversationId)}/handoffs`;
  const viaToken = await request(hp, { auth: victim.token });
  assert.ok(viaToken.status === 401 || viaToken.status === 403, `handoffs with a token: ${viaToken.status}`);
  assertError(await request(hp), 401);
  await stillServes();
});

test("another conversation's token → 403 Forbidden", async () => {
  assertError(await rawPost(victim, JSON.stringify(userMessage(victim, 'hi')), other.token), 403,
              ['Forbidden']);
  assertError(await request(`${activitiesUrl(victim)}?watermark=0`, { auth: other.token }), 403,
              ['Forbidden']);
  assertError(await request(
    `${server.domain}/conversations/${encodeURIComponent(victim.conversationId)}?watermark=`,
    { auth: other.token }), 403, ['Forbidden']);
  // The stream of the victim with the other conversation's token: no upgrade.
  const streamUrl = victim.streamUrl.replace(/([?&]t=)[^&]*/, `$1${encodeURIComponent(other.token)}`);
  const status = await wsUpgradeStatus(streamUrl);
  assert.ok(status === 401 || status === 403, `stream with a foreign token: ${status}`);
  await stillServes();
});

test('unknown conversation → 404 NotFound', async () => {
  const id = 'no-such-conversation';
  assertError(await request(`${server.domain}/conversations/${id}/activities?watermark=0`,
                            { auth: server.secret }), 404, ['NotFound']);
  assertError(await request(`${server.domain}/conversations/${id}/activities`, {
    method: 'POST', auth: server.secret, json: { type: 'message', text: 'hi', from: { id: 'u' } },
  }), 404, ['NotFound']);
  assertError(await request(`${server.domain}/conversations/${id}?watermark=`, { auth: server.secret }),
              404, ['NotFound']);
  assertError(await request(`${server.base}/api/conversations/${id}/handoffs`, { auth: server.secret }),
              404, ['NotFound']);
  assertError(await request(`${server.domain}/no/such/route`, { auth: server.secret }), 404);
  await stillServes();
});

test('WebSocket: a bad stream token is refused; "" pings are ignored; frames are ActivitySets', async () => {
  const bad = victim.streamUrl.replace(/([?&]t=)[^&]*/, '$1forged');
  const status = await wsUpgradeStatus(bad);
  assert.ok(status === 401 || status === 403, `stream with a forged token: ${status}`);

  const conv = await newConversation(server, 'u-ws');
  const WebSocket = webRequire('ws');
  const ws = new WebSocket(conv.streamUrl);
  const frames = [];
  ws.on('message', (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.send('');
  ws.send('');
  const r = await postActivity(server, conv, userMessage(conv, 'what are your store hours'));
  assert.equal(r.status, 200, r.text);
  await waitUntil(() => frames.some((f) => f.includes('Which store are you asking about?')), 10000,
                  'the reply on the socket after client pings');
  assert.equal(ws.readyState, WebSocket.OPEN, 'pings did not close the socket');
  for (const f of frames) {
    if (f === '') {
      continue;  // keep-alive
    }
    const set = JSON.parse(f);
    assert.ok(Array.isArray(set.activities) && set.activities.length > 0, `an ActivitySet: ${f}`);
    assert.match(set.watermark, /^\d+$/);
  }
  ws.close();
  await stillServes();
});

test('a flood from one client → 429 with a numeric Retry-After; others unaffected', async () => {
  const flood = await newConversation(server, 'u-flood');
  const results = await Promise.all(Array.from({ length: 150 }, (_, i) =>
    postActivity(server, flood, userMessage(flood, `flood ${i}`))));
  const limited = results.filter((r) => r.status === 429);
  const accepted = results.filter((r) => r.status === 200);
  assert.ok(limited.length > 0, `some requests were limited: ${results.map((r) => r.status)}`);
  assert.ok(accepted.length >= 60 && accepted.length <= 80,
            `the burst (60) was accepted, not much more: ${accepted.length}`);
  assert.equal(accepted.length + limited.length, results.length, 'only 200 or 429');
  for (const r of limited) {
    assertError(r, 429, ['TooManyRequests']);
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After is a number of seconds');
  }
  await stillServes();
  // After waiting as told, the flooding client is accepted again.
  const wait = Number(limited[0].headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  await sleep(wait * 1000 + 200);
  const r = await postActivity(server, flood, userMessage(flood, 'calm now'));
  assert.equal(r.status, 200, r.text);
  // Every acknowledged flood message was stored, and none of the limited ones.
  const stored = (await readAll(server, flood)).activities.filter((a) => a.text?.startsWith('flood '));
  assert.equal(stored.length, accepted.length);
  assert.deepEqual(new Set(stored.map((a) => a.id)), new Set(accepted.map((a) => a.body.id)));
});

// Opens a WebSocket and resolves with the HTTP status the server answered the upgrade with (101 if
// it upgraded).
function wsUpgradeStatus(url) {
  const WebSocket = webRequire('ws');
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => resolve(-1));
  });
}
