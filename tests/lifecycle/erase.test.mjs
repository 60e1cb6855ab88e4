// A customer's erasure (DELETE /api/agent/customers/{userId}, docs/AGENT_API.md) against the real
// `baton serve`, with conversations in every state: with the bot and a customer's socket open, an
// upload, assigned to an agent, in the agent's wrap-up, waiting in a queue, closed. Everything of
// that customer goes: the answer counts it, the socket closes, the old token opens nothing, the
// agent's console lets the conversations go, and after a clean stop (SQLite checkpoints and removes
// its WAL) no file in the data directory holds the customer's text. Run against both stores
// (BATON_TEST_STORE); PostgreSQL's own files are its server's business (docs/DEPLOY.md).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  Server, bin, contoso, newConversation, postActivity, readAll, request, root, storeArgs, storeKind,
  userMessage, waitUntil, webRequire,
} from '../lib/serve.mjs';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';

const WebSocket = webRequire('ws');

let server;

before(async () => {
  server = new Server();
  await addAgent(server.dataDir, { id: 'alice', capacity: 2 });
  await addAgent(server.dataDir, { id: 'sue', role: 'supervisor' });
  await addAgent(server.dataDir, { id: 'ada', role: 'admin' });
  await server.start();
});

after(async () => {
  await server?.cleanup();
});

function api(path, token, method = 'GET') {
  return request(`${server.base}/api/agent${path}`, { method, auth: token });
}

async function session(id) {
  const client = new AgentClient(server);
  await client.login(id);
  return client;
}

// Every regular file under `dir` whose bytes contain `text`.
function filesHolding(dir, text) {
  const needle = Buffer.from(text);
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) {
      found.push(...filesHolding(path, text));
    } else if (st.isFile() && readFileSync(path).includes(needle)) {
      found.push(path);
    }
  }
  return found;
}

// The customer escalates; resolves once `agent` sees the offer (or, when `offered` is false, once
// the conversation waits in a queue).
async function escalate(conv, agent, text, offered = true) {
  const from = agent.messages.length;
  const r = await postActivity(server, conv, userMessage(conv, text));
  assert.equal(r.status, 200, r.text);
  if (offered) {
    return agent.waitFor((m) => m.type === 'offer' && m.conversationId === conv.conversationId,
                         10000, from);
  }
  return waitUntil(async () => {
    const view = await api('/supervisor', server.adminToken);
    return view.body.conversations?.find((c) => c.id === conv.conversationId && c.state === 'waiting');
  }, 10000, `${conv.conversationId} waiting in a queue`);
}

test('erasure: every conversation of one customer, in every state, goes; nothing else does', async () => {
  const marker = `erase-marker-${Math.random().toString(36).slice(2)}`;
  const keep = `keep-marker-${Math.random().toString(36).slice(2)}`;
  const user = `u-erase-${Math.random().toString(36).slice(2)}`;
  const ada = await session('ada');
  server.adminToken = ada.token;
  const alice = await session('alice');
  await alice.connect();
  await alice.setPresence('available');

  const other = await newConversation(server);
  assert.equal((await postActivity(server, other, userMessage(other, `mine: ${keep}`))).status, 200);

  // In wrap-up: accepted, then closed by the agent (the wrap-up holds one of alice's two slots).
  const wrapping = await newConversation(server, user);
  assert.equal((await postActivity(server, wrapping, userMessage(wrapping, `order ${marker}-w`))).status, 200);
  let offer = await escalate(wrapping, alice, 'talk to an agent');
  await alice.ok('POST', `/offers/${offer.conversationId}/accept`, { offerId: offer.offerId });
  await alice.ok('POST', `/conversations/${wrapping.conversationId}/messages`, { text: `agent says ${marker}-a` });
  await alice.ok('POST', `/conversations/${wrapping.conversationId}/end`, { mode: 'close' });
  await alice.waitFor((m) => m.type === 'wrap_up' && m.conversationId === wrapping.conversationId);

  // Assigned to alice (her second slot).
  const assigned = await newConversation(server, user);
  offer = await escalate(assigned, alice, 'talk to an agent');
  await alice.ok('POST', `/offers/${offer.conversationId}/accept`, { offerId: offer.offerId });

  // Waiting: alice is full. One is force-closed while it waits (closed); the other keeps waiting,
  // and its escalating message is in the handoff's context (va_LastPhrases), so in the hub too.
  const closed = await newConversation(server, user);
  await escalate(closed, alice, `talk to an agent ${marker}-c`, false);
  assert.equal((await ada.call('POST', `/conversations/${closed.conversationId}/close`)).status, 200);
  const waiting = await newConversation(server, user);
  await escalate(waiting, alice, `talk to an agent ${marker}-q`, false);

  // With the bot, its socket open, with an upload.
  const live = await newConversation(server, user);
  assert.equal((await postActivity(server, live, userMessage(live, `my secret ${marker}-b`))).status, 200);
  const form = new FormData();
  form.append('activity', new Blob([JSON.stringify({
    type: 'message', text: 'my receipt', from: { id: user, role: 'user' },
    attachments: [{ contentType: 'text/plain', name: 'receipt.txt' }],
  })], { type: 'application/vnd.microsoft.activity' }), 'blob');
  form.append('file', new Blob([`receipt of ${marker}-u`], { type: 'text/plain' }), 'receipt.txt');
  const uploaded = await fetch(`${server.domain}/conversations/${encodeURIComponent(live.conversationId)}` +
                               `/upload?userId=${encodeURIComponent(user)}`, {
    method: 'POST', headers: { Authorization: `Bearer ${live.token}` }, body: form,
  });
  assert.equal(uploaded.status, 200, await uploaded.text());
  const socket = new WebSocket(live.streamUrl);
  const socketClosed = new Promise((resolve) => socket.on('close', (code, reason) => {
    resolve({ code, reason: reason.toString() });
  }));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });

  // Who may erase, and what is a user id.
  const path = `/customers/${encodeURIComponent(user)}`;
  for (const id of ['alice', 'sue']) {
    const refused = await api(path, (await session(id)).token, 'DELETE');
    assert.equal(refused.status, 403, `${id}: ${refused.text}`);
  }
  assert.equal((await api(path, undefined, 'DELETE')).status, 401);
  assert.equal((await api(`/customers/${'u'.repeat(257)}`, ada.token, 'DELETE')).status, 400);
  assert.equal((await api('/customers/a%0Ab', ada.token, 'DELETE')).status, 400);

  const from = alice.messages.length;
  const erased = await api(path, ada.token, 'DELETE');
  assert.equal(erased.status, 200, erased.text);
  assert.equal(erased.body.conversations, 5);
  assert.ok(erased.body.activities >= 15, erased.text);
  assert.equal(erased.body.handoffs, 4);
  assert.deepEqual(erased.body.uploads, { files: 1, bytes: `receipt of ${marker}-u`.length });

  // The customer's socket is closed, and the old token opens nothing.
  assert.deepEqual(await socketClosed, { code: 1008, reason: 'erased' });
  const refused = (r) => {
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.error.code, 'ConversationErased');
  };
  refused(await postActivity(server, live, userMessage(live, 'still there?')));
  const conversationUrl = `${server.domain}/conversations/${encodeURIComponent(live.conversationId)}`;
  refused(await request(`${conversationUrl}/activities`, { auth: live.token }));
  refused(await request(conversationUrl, { auth: live.token }));
  refused(await request(`${server.domain}/tokens/refresh`, { method: 'POST', auth: live.token }));
  refused(await request(`${server.domain}/conversations`, { method: 'POST', auth: live.token, json: {} }));
  const upgrade = await new Promise((resolve) => {
    const again = new WebSocket(live.streamUrl);
    again.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    again.on('open', () => resolve('open'));
    again.on('error', () => {});
  });
  assert.equal(upgrade, 403);

  // Alice lost both of hers, and her slots are free.
  for (const conv of [assigned, wrapping]) {
    const gone = await alice.waitFor((m) => m.type === 'unassigned' &&
                                            m.conversationId === conv.conversationId, 10000, from);
    assert.equal(gone.cause, 'closed');
  }
  await waitUntil(async () => {
    const view = await api('/supervisor', ada.token);
    const row = view.body.agents.find((a) => a.id === 'alice');
    return row.load === 0 && !view.body.conversations.some((c) => c.id === waiting.conversationId);
  }, 10000, "alice's load back to 0 and the queue empty");

  // Nothing left to export; a second erasure finds nothing; the other customer is untouched.
  const exported = await api(`${path}/export`, ada.token);
  assert.equal(exported.status, 200, exported.text);
  assert.deepEqual(exported.body.conversations, []);
  const again = await api(path, ada.token, 'DELETE');
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.conversations, 0);
  const others = await readAll(server, other);
  assert.ok(others.activities.some((a) => a.text === `mine: ${keep}`));

  // Audited: who and how much, not whose.
  const audit = await api('/audit?limit=1000', ada.token);
  const entries = audit.body.entries.filter((e) => e.action === 'customer.erase');
  assert.equal(entries.length, 2);
  assert.equal(entries[0].actor, 'ada');
  assert.equal(entries[0].detail.conversations, 5);
  assert.ok(!audit.text.includes(marker), 'no erased text in the audit log');
  assert.ok(!JSON.stringify(entries).includes(user), 'the audit record does not name the customer');

  alice.close();
  await server.stop();
  assert.deepEqual(filesHolding(server.dataDir, marker), [],
                   'after a clean stop no file in the data directory holds the erased text');
  if (storeKind === 'sqlite') {
    assert.ok(filesHolding(server.dataDir, keep).length > 0, 'the search does find stored text');
  }
});

test('baton data erase: the same erasure with the server stopped, refused while it runs', async () => {
  const cliServer = new Server();
  const run = (args) => spawnSync(bin, ['data', 'erase', '--user', args.user, contoso,
                                        '--data', cliServer.dataDir, ...storeArgs(cliServer.dataDir)],
                                  { encoding: 'utf8', cwd: root, timeout: 60000 });
  try {
    await addAgent(cliServer.dataDir, { id: 'ada', role: 'admin' });
    await cliServer.start();
    const marker = `cli-marker-${Math.random().toString(36).slice(2)}`;
    const keep = `cli-keep-${Math.random().toString(36).slice(2)}`;
    const user = `u-cli-${Math.random().toString(36).slice(2)}`;
    const post = async (conv, text) => {
      const r = await request(`${cliServer.domain}/conversations/${encodeURIComponent(conv.conversationId)}/activities`,
                              { method: 'POST', auth: conv.token, json: userMessage(conv, text) });
      assert.equal(r.status, 200, r.text);
    };
    const chatting = await newConversation(cliServer, user);
    await post(chatting, `my address ${marker}-a`);
    const waiting = await newConversation(cliServer, user);
    await post(waiting, `talk to an agent ${marker}-q`);  // nobody online: the bot's offline path
    const other = await newConversation(cliServer);
    await post(other, `mine: ${keep}`);

    const refused = run({ user });
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /a baton serve is running on .*DELETE \/api\/agent\/customers/);
    assert.equal(run({ user: '' }).status, 2);

    await cliServer.stop();
    const erased = run({ user });
    assert.equal(erased.status, 0, erased.stderr);
    const summary = JSON.parse(erased.stdout);
    assert.equal(summary.conversations, 2);
    assert.ok(summary.activities >= 4, erased.stdout);
    assert.deepEqual(filesHolding(cliServer.dataDir, marker), []);
    if (storeKind === 'sqlite') {
      assert.ok(filesHolding(cliServer.dataDir, keep).length > 0);
    }
    const again = run({ user });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).conversations, 0);

    await cliServer.start();
    const gone = await request(`${cliServer.domain}/conversations/${encodeURIComponent(chatting.conversationId)}/activities`,
                               { auth: chatting.token });
    assert.equal(gone.status, 403, gone.text);
    assert.equal(gone.body.error.code, 'ConversationErased');
    const ada = new AgentClient(cliServer);
    await ada.login('ada');
    const audit = await ada.ok('GET', '/audit?limit=1000');
    const entries = audit.entries.filter((e) => e.action === 'customer.erase');
    assert.deepEqual(entries.map((e) => [e.actor, e.detail.conversations]), [['cli', 2], ['cli', 0]]);
  } finally {
    await cliServer.cleanup();
  }
});
