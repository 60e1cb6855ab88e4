// One address must not be able to exhaust `baton serve`: connections are capped per address and in
// all (the rest answered 503 and closed at once, counted in the log), requests are authenticated
// on their headers before any body is read (a bad token never costs the server a 7 MiB body),
// token and conversation creation are rate-limited per address, and uploads have quotas checked
// before they are written. Other customers keep being served throughout. Loopback has a whole
// /8, so "another address" is 127.0.0.2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { logged, newConversation, postActivity, request, sleep, startServer, userMessage,
         waitUntil } from '../lib/serve.mjs';

const servers = [];
after(async () => {
  for (const s of servers) {
    await s.cleanup();
  }
});

async function serve(args = []) {
  const s = await startServer({ args });
  servers.push(s);
  return s;
}

// Opens a TCP connection from `localAddress` and sends `head` (an unfinished request); resolves
// with the socket once connected. `socket.answer` collects what the server sends.
function halfOpen(port, localAddress, head) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    socket.answer = '';
    socket.closedByServer = false;
    socket.setEncoding('latin1');
    socket.on('data', (d) => { socket.answer += d; });
    socket.on('end', () => { socket.closedByServer = true; });
    socket.on('close', () => { socket.closedByServer = true; });
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(head);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

// The time one customer turn takes (POST acknowledged).
async function turnMs(server, conv, text) {
  const started = performance.now();
  const r = await postActivity(server, conv, userMessage(conv, text));
  assert.equal(r.status, 200, r.text);
  return performance.now() - started;
}

test('one address is capped; another customer is still served at its normal latency', async () => {
  const cap = 40;
  const server = await serve(['--max-connections-per-address', String(cap)]);
  const conv = await newConversation(server);
  const normal = [];
  for (let i = 0; i < 5; ++i) {
    normal.push(await turnMs(server, conv, `before ${i}`));
  }
  // Requests whose headers never end (slowloris): nothing to refuse them on but the caps.
  const head = 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ';
  const sockets = [];
  for (let i = 0; i < cap + 100; ++i) {
    sockets.push(await halfOpen(server.port, '127.0.0.2', head));
  }
  try {
    await waitUntil(() => sockets.filter((s) => s.closedByServer).length >= 100, 10000,
                    'the connections over the cap to be closed');
    const refused = sockets.filter((s) => s.closedByServer);
    assert.equal(refused.length, 100, 'exactly the connections over the cap are refused');
    assert.ok(refused.every((s) => s.answer === '' || /^HTTP\/1\.1 503 /.test(s.answer)),
              refused.map((s) => s.answer.slice(0, 40)).join('|'));
    assert.ok(refused.some((s) => /^HTTP\/1\.1 503 /.test(s.answer)), 'refused with a 503');
    await logged(server, /refused .*connection.*127\.0\.0\.2/);
    const during = [];
    for (let i = 0; i < 5; ++i) {
      during.push(await turnMs(server, conv, `during ${i}`));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    assert.ok(median(during) < Math.max(5 * median(normal), 200),
              `turns during the attack: ${during.map(Math.round)} ms, before: ${normal.map(Math.round)} ms`);
  } finally {
    for (const s of sockets) {
      s.destroy();
    }
  }
  // Once the attacker's connections close, the address may connect again.
  await waitUntil(async () => {
    const s = await halfOpen(server.port, '127.0.0.2', 'GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
    await sleep(100);
    s.destroy();
    return /^HTTP\/1\.1 200 /.test(s.answer);
  }, 10000, 'the address to be served again');
});

test('the total connection cap holds across addresses', async () => {
  const server = await serve(['--max-connections', '30', '--max-connections-per-address', '0']);
  const sockets = [];
  for (let i = 0; i < 40; ++i) {
    sockets.push(await halfOpen(server.port, `127.0.0.${10 + (i % 4)}`, 'GET /healthz HTTP/1.1\r\nHost: a\r\n'));
  }
  try {
    await waitUntil(() => sockets.filter((s) => s.closedByServer).length >= 10, 10000,
                    'the connections over the total cap to be closed');
    assert.equal(sockets.filter((s) => s.closedByServer).length, 10);
  } finally {
    for (const s of sockets) {
      s.destroy();
    }
  }
});

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

// Sends the headers of a request announcing `length` body bytes and waits for the answer without
// sending any of the body.
function headersOnly(port, target, headers, length, ms = 3000, method = 'POST') {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { answer += d; });
    socket.on('error', () => {});
    const timer = setTimeout(() => { socket.destroy(); resolve({ status: 0, answer }); }, ms);
    socket.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      resolve({ status: m ? Number(m[1]) : 0, answer });
    });
    socket.on('connect', () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: a\r\n${headers}Content-Length: ${length}\r\n\r\n`);
    });
  });
}

test('bad credentials are refused on the headers, before the body is read', async () => {
  const server = await serve();
  const conv = await newConversation(server);
  const id = encodeURIComponent(conv.conversationId);
  const big = 7 * 1024 * 1024;
  const cases = [
    [`/v3/directline/conversations/${id}/upload`, 'Authorization: Bearer invalid\r\nContent-Type: image/png\r\n', 401],
    [`/v3/directline/conversations/${id}/upload`, 'Content-Type: image/png\r\n', 401],
    [`/v3/directline/conversations/${id}/activities`, 'Authorization: Bearer invalid\r\nContent-Type: application/json\r\n', 401],
    ['/v3/directline/conversations', 'Authorization: Bearer invalid\r\nContent-Type: application/json\r\n', 401],
    ['/api/agent/presence', 'Authorization: Bearer invalid\r\nContent-Type: application/json\r\n', 401, 'PUT'],
    ['/api/agent/conversations/x/messages', 'Authorization: Bearer invalid\r\n', 401],
    ['/no/such/route', '', 404],
    ['/api/agent/login', '', 405, 'PUT'],
  ];
  for (const [target, headers, expected, method] of cases) {
    const r = await headersOnly(server.port, target, headers, target.endsWith('/upload') ? big : 60000,
                                3000, method);
    assert.equal(r.status, expected, `${target} answered ${r.status} without its body: ${r.answer.slice(0, 200)}`);
  }
  // Another conversation's token: 403 at once.
  const other = await newConversation(server);
  const r = await headersOnly(server.port, `/v3/directline/conversations/${id}/upload`,
                              `Authorization: Bearer ${other.token}\r\n`, big);
  assert.equal(r.status, 403, r.answer.slice(0, 200));

  // Ten 7 MiB uploads with a bad token, sent in full: the server's memory does not grow with them.
  const before = rssKiB(server.pid);
  const body = Buffer.alloc(big, 0x61);
  await Promise.all(Array.from({ length: 10 }, async () => {
    const res = await fetch(`${server.domain}/conversations/${id}/upload`, {
      method: 'POST', headers: { Authorization: 'Bearer invalid', 'Content-Type': 'image/png' }, body,
    }).catch((e) => ({ status: 0, e }));
    assert.ok(res.status === 401 || res.status === 0, `status ${res.status}`);
  }));
  const grown = rssKiB(server.pid) - before;
  assert.ok(grown < 16 * 1024, `the server grew by ${grown} KiB for refused bodies`);
  assert.equal((await postActivity(server, conv, userMessage(conv, 'still here'))).status, 200);
});

test('token and conversation creation are rate-limited per address', async () => {
  const server = await serve(['--session-rate-limit', '30']);
  const statuses = [];
  let retryAfter = null;
  for (let i = 0; i < 25; ++i) {
    const r = await request(`${server.base}/api/directline/token`, { method: 'POST' });
    statuses.push(r.status);
    if (r.status === 429) {
      retryAfter = r.headers.get('retry-after');
      assert.equal(r.body.error.code, 'TooManyRequests');
    }
  }
  assert.ok(statuses.includes(429), `statuses: ${statuses}`);
  assert.ok(statuses.slice(0, 5).every((s) => s === 200), `the first few pass: ${statuses}`);
  assert.match(retryAfter ?? '', /^\d+$/);
  // Conversation creation with a customer's token counts against the same address.
  const conversations = [];
  for (let i = 0; i < 5; ++i) {
    const generated = await request(`${server.domain}/tokens/generate`, { method: 'POST', auth: server.secret });
    assert.equal(generated.status, 200, 'the secret holder (a site\'s backend) is not limited');
    const r = await request(`${server.domain}/conversations`, { method: 'POST', auth: generated.body.token });
    conversations.push(r.status);
  }
  assert.ok(conversations.every((s) => s === 429), `conversations: ${conversations}`);
  // The secret holder may still create conversations.
  const r = await request(`${server.domain}/conversations`, { method: 'POST', auth: server.secret });
  assert.equal(r.status, 201, r.text);
});

test('upload quotas: per conversation 413, in all 507, before anything is written', async () => {
  const server = await serve(['--upload-quota', '10000', '--uploads-total', '15000']);
  async function upload(conv, size) {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(size, 0x62)], { type: 'application/octet-stream' }), 'f.bin');
    const res = await fetch(`${server.domain}/conversations/${encodeURIComponent(conv.conversationId)}/upload?userId=${conv.userId}`,
                            { method: 'POST', headers: { Authorization: `Bearer ${conv.token}` }, body: form });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
  const a = await newConversation(server);
  assert.equal((await upload(a, 8000)).status, 200);
  const over = await upload(a, 8000);
  assert.equal(over.status, 413);
  assert.equal(over.body.error.code, 'TooLarge');
  const b = await newConversation(server);
  const full = await upload(b, 8000);
  assert.equal(full.status, 507);
  assert.equal(full.body.error.code, 'InsufficientStorage');
  assert.equal((await upload(b, 5000)).status, 200, 'what still fits is taken');
});
