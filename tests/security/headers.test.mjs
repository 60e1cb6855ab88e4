// What a browser and a log reader get from `baton serve`: security headers on every page and file
// (a Content-Security-Policy the pages actually run under, in Chromium, without a violation), no
// CORS on the agent API and an Origin check on its WebSocket, session tokens never in a URL nor in
// any log line, secrets and the database created 0600, attachment links from the configured public
// URL (never from a request's Host), and failed logins and reads with the secret in the audit log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Chromium, STEP_MS, accept, anyOffer, convPanel, waitText } from '../lib/browser.mjs';
import { Server, contoso, makeDataDir, newConversation, postActivity, request, startServer,
         userMessage, waitUntil, webRequire } from '../lib/serve.mjs';

const PASSWORD = 'headers-test-1';
let server;
let chromium;

before(async () => {
  server = await startServer({ keepLog: true, args: ['--log-level', 'trace'] });
  await server.stop();
  await addAgent(server.dataDir, { id: 'alice', name: 'Alice', password: PASSWORD, capacity: 3 });
  server.fullLog = '';
  await server.start();
  chromium = await Chromium.launch();
});

after(async () => {
  await chromium?.close();
  await server?.cleanup();
});

function csp(headers) {
  const policy = headers.get('content-security-policy') ?? '';
  return Object.fromEntries(policy.split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => { const [name, ...values] = d.split(/\s+/); return [name, values]; }));
}

test('pages and files carry security headers', async () => {
  const page = await request(`${server.base}/`);
  assert.equal(page.status, 200);
  const pagePolicy = csp(page.headers);
  assert.deepEqual(pagePolicy['default-src'], ["'self'"]);
  assert.deepEqual(pagePolicy['frame-ancestors'], ["'none'"]);
  assert.deepEqual(pagePolicy['object-src'], ["'none'"]);
  assert.ok(pagePolicy['script-src'].includes("'self'"));
  assert.ok(pagePolicy['script-src'].some((s) => /^'sha256-[A-Za-z0-9+/]+=*'$/.test(s)),
            'the test page\'s inline script is allowed by its hash');
  assert.ok(!pagePolicy['script-src'].includes("'unsafe-inline'"));
  // Web Chat reads attached files from blob: URLs and draws thumbnails in a blob: worker; blob:
  // is all that is added, never another origin.
  assert.deepEqual(pagePolicy['connect-src'], ["'self'", 'blob:']);
  assert.deepEqual(pagePolicy['worker-src'], ["'self'", 'blob:']);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');

  const consolePage = await request(`${server.base}/agent/`);
  const consolePolicy = csp(consolePage.headers);
  assert.deepEqual(consolePolicy['script-src'], ["'self'"], 'no inline script in the console');
  assert.deepEqual(consolePolicy['style-src'], ["'self'"]);
  assert.deepEqual(consolePolicy['connect-src'], ["'self'"]);
  assert.equal(consolePolicy['worker-src'], undefined, 'workers: the script sources');
  assert.deepEqual(consolePolicy['frame-ancestors'], ["'none'"]);
  for (const url of ['/', '/agent/', '/agent/app.js', '/agent/console.css', '/webchat/webchat.js']) {
    const r = await request(`${server.base}${url}`);
    assert.equal(r.status, 200, url);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', url);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', url);
  }
});

test('a site that embeds the test page may be allowed to frame it', async () => {
  const framed = await startServer({ args: ['--frame-ancestors', 'https://shop.example.com'] });
  try {
    const r = await request(`${framed.base}/`);
    assert.deepEqual(csp(r.headers)['frame-ancestors'], ['https://shop.example.com']);
    assert.equal(r.headers.get('x-frame-options'), null);
    const console = await request(`${framed.base}/agent/`);
    assert.deepEqual(csp(console.headers)['frame-ancestors'], ["'none'"], 'the console never');
  } finally {
    await framed.cleanup();
  }
});

test('the agent API is not a CORS API; Direct Line is, without credentials', async () => {
  const origin = 'https://evil.example';
  const preflight = await request(`${server.base}/api/agent/login`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST',
               'Access-Control-Request-Headers': 'content-type' },
  });
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  assert.equal(preflight.headers.get('access-control-allow-methods'), null);
  const login = await request(`${server.base}/api/agent/login`, {
    method: 'POST', headers: { Origin: origin }, json: { agentId: 'alice', password: PASSWORD },
  });
  assert.equal(login.status, 200);
  assert.equal(login.headers.get('access-control-allow-origin'), null);

  const dl = await request(`${server.domain}/conversations`, {
    method: 'POST', auth: server.secret, headers: { Origin: 'https://shop.example.com' },
  });
  assert.equal(dl.headers.get('access-control-allow-origin'), 'https://shop.example.com');
  assert.equal(dl.headers.get('access-control-allow-credentials'), null);
  const dlPreflight = await request(`${server.domain}/conversations`, {
    method: 'OPTIONS', headers: { Origin: 'https://shop.example.com', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(dlPreflight.headers.get('access-control-allow-origin'), 'https://shop.example.com');
  assert.equal(dlPreflight.headers.get('access-control-allow-credentials'), null);
});

// The status of a WebSocket upgrade of the agent stream with these headers.
function upgrade(target, headers) {
  const WebSocket = webRequire('ws');
  return new Promise((resolve) => {
    const ws = new WebSocket(target, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('error', () => {});
  });
}

test('the agent stream refuses pages from other origins', async () => {
  const agent = new AgentClient(server);
  await agent.login('alice', PASSWORD);
  const url = `ws://127.0.0.1:${server.port}/api/agent/stream`;
  const auth = { Authorization: `Bearer ${agent.token}` };
  assert.equal(await upgrade(url, { ...auth, Origin: 'https://evil.example' }), 403);
  assert.equal(await upgrade(url, { ...auth, Origin: `http://127.0.0.1:${server.port}.evil.example` }), 403);
  assert.equal(await upgrade(url, { ...auth, Origin: `http://127.0.0.1:${server.port}` }), 101);
  assert.equal(await upgrade(url, auth), 101, 'no Origin: not a browser page');

  const allowing = await startServer({ args: ['--agent-origin', 'https://console.example.com'] });
  try {
    await allowing.stop();
    await addAgent(allowing.dataDir, { id: 'bob', password: PASSWORD });
    await allowing.start();
    const bob = new AgentClient(allowing);
    await bob.login('bob', PASSWORD);
    const other = `ws://127.0.0.1:${allowing.port}/api/agent/stream`;
    const headers = { Authorization: `Bearer ${bob.token}` };
    assert.equal(await upgrade(other, { ...headers, Origin: 'https://console.example.com' }), 101);
    assert.equal(await upgrade(other, { ...headers, Origin: 'https://evil.example' }), 403);
  } finally {
    await allowing.cleanup();
  }
});

test('in Chromium the pages run under their policy, and the console never puts its token in a URL',
     { timeout: 90000 }, async () => {
  try {
    const sockets = [];
    const alice = await chromium.openConsole(server, 'alice', PASSWORD);
    alice.on('websocket', (ws) => sockets.push(ws.url()));
    const token = await alice.evaluate(() => sessionStorage.getItem('baton.agent.token'));
    assert.ok(token, 'the console holds a session token');
    // Reconnect once so the socket is opened while we watch.
    await alice.reload();
    await waitText(alice.getByTestId('connection-status'), /Connected/);
    await waitUntil(() => sockets.length > 0, STEP_MS, 'the console\'s WebSocket');
    for (const url of sockets) {
      assert.match(url, /\/api\/agent\/stream\?ticket=[A-Za-z0-9_-]+$/);
      assert.ok(!url.includes(encodeURIComponent(token)) && !url.includes(token));
    }

    const { page: chat } = await chromium.openPage('customer', `${server.base}/`);
    await chat.getByText(/Contoso virtual assistant/).first().waitFor({ timeout: STEP_MS });
    const input = chat.locator('[data-id="webchat-sendbox-input"]');
    await input.fill('talk to an agent');
    await input.press('Enter');
    const id = await anyOffer(alice);
    await accept(alice, id);
    await waitText(convPanel(alice, id).getByTestId('transcript-customer'), /talk to an agent/);
    for (const p of chromium.pages) {
      assert.deepEqual(p.violations, [], `${p.label}: no CSP violation`);
      assert.deepEqual(p.errors, [], `${p.label}: no page errors`);
    }
  } catch (err) {
    await chromium.reportFailure('headers', server);
    throw err;
  } finally {
    await chromium.closePages();
  }
});

test('secrets and the database are created 0600', async () => {
  // Without --secret, so that the server creates its Direct Line secret file.
  const own = new Server({ argv: ['serve', contoso, '--listen', '127.0.0.1:0', '--data', makeDataDir()] });
  own.dataDir = own.argv[own.argv.length - 1];
  own.ownsDataDir = true;
  try {
    await own.start();
    for (const name of ['directline-secret', 'agent-session-key', 'baton.db', 'baton.db-wal',
                        'baton.db-shm']) {
      const mode = statSync(join(own.dataDir, name)).mode & 0o777;
      assert.equal(mode.toString(8), '600', name);
    }
    assert.equal((statSync(join(own.dataDir, 'uploads')).mode & 0o077), 0, 'uploads/ is private');
  } finally {
    await own.cleanup();
  }
});

async function upload(srv, conv, headers = {}) {
  const form = new FormData();
  form.append('file', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
  const res = await fetch(`${srv.domain}/conversations/${encodeURIComponent(conv.conversationId)}/upload?userId=${conv.userId}`,
                          { method: 'POST', headers: { Authorization: `Bearer ${conv.token}`, ...headers }, body: form });
  assert.equal(res.status, 200, await res.text());
  const { activities } = await (await fetch(`${srv.domain}/conversations/${encodeURIComponent(conv.conversationId)}/activities`,
                                            { headers: { Authorization: `Bearer ${conv.token}` } })).json();
  return activities.filter((a) => a.attachments?.length).at(-1).attachments[0].contentUrl;
}

test('attachment links come from the public URL, never from the request\'s Host', async () => {
  const conv = await newConversation(server);
  const forged = await upload(server, conv, { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https',
                                              Forwarded: 'host=evil.example' });
  assert.ok(forged.startsWith(`${server.base}/v3/directline/conversations/`), forged);
  const publicServer = await startServer({ args: ['--public-url', 'https://chat.example.com/'] });
  try {
    const c = await newConversation(publicServer);
    assert.match(c.streamUrl, /^wss:\/\/chat\.example\.com\/v3\/directline\/conversations\//);
    const url = await upload(publicServer, c);
    assert.ok(url.startsWith('https://chat.example.com/v3/directline/conversations/'), url);
  } finally {
    await publicServer.cleanup();
  }
  const bad = await startServer({ args: ['--public-url', 'javascript:alert(1)'] }).catch((e) => e);
  assert.match(String(bad), /--public-url/);
});

test('failed logins and reads with the Direct Line secret are audited', async () => {
  const wrong = await request(`${server.base}/api/agent/login`, {
    method: 'POST', json: { agentId: 'alice', password: 'wrong-password' } });
  assert.equal(wrong.status, 401);
  const nobody = await request(`${server.base}/api/agent/login`, {
    method: 'POST', json: { agentId: 'mallory', password: 'whatever-1' } });
  assert.equal(nobody.status, 401);
  const conv = await newConversation(server);
  assert.equal((await request(`${server.base}/api/conversations/${conv.conversationId}`, { auth: server.secret })).status, 200);
  assert.equal((await request(`${server.base}/api/conversations/${conv.conversationId}/handoffs`, { auth: server.secret })).status, 200);

  await addAgent(server.dataDir, { id: 'sam', role: 'admin', password: PASSWORD });
  const sam = new AgentClient(server);
  await sam.login('sam', PASSWORD);
  const { entries } = await sam.ok('GET', '/audit?limit=1000');
  const failed = entries.filter((e) => e.action === 'login.failed');
  assert.deepEqual(failed.map((e) => e.detail.agentId).sort(), ['alice', 'mallory']);
  assert.ok(failed.every((e) => e.detail.address === '127.0.0.1' && e.actor === '-'));
  for (const action of ['secret.conversation.read', 'secret.handoffs.read']) {
    const e = entries.find((x) => x.action === action && x.conversationId === conv.conversationId);
    assert.ok(e, action);
    assert.equal(e.actor, 'directline-secret');
  }
});

test('no token, ticket, secret or password appears in the log, at the most verbose level', async () => {
  // A customer on the WebSocket (its token is in the streamUrl's query) and an agent.
  const conv = await newConversation(server);
  const WebSocket = webRequire('ws');
  const ws = new WebSocket(conv.streamUrl);
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  assert.equal((await postActivity(server, conv, userMessage(conv, 'hello'))).status, 200);
  ws.close();
  const agent = new AgentClient(server);
  await agent.login('alice', PASSWORD);
  const ticket = await agent.ok('POST', '/stream/ticket');
  const refreshed = await request(`${server.domain}/tokens/refresh`, { method: 'POST', auth: conv.token });
  assert.equal(refreshed.status, 200);
  await waitUntil(() => /"GET \/v3\/directline\/conversations\/[^ ]*\/stream\?…" 101/.test(server.fullLog),
                  STEP_MS, 'the access log of the stream');
  const log = server.fullLog;
  assert.ok(log.length > 1000, 'the trace log has content');
  for (const [what, value] of [['Direct Line token', conv.token], ['refreshed token', refreshed.body.token],
                               ['agent session token', agent.token], ['stream ticket', ticket.ticket],
                               ['Direct Line secret', server.secret], ['password', PASSWORD]]) {
    assert.ok(!log.includes(value), `the log holds the ${what}`);
  }
});
