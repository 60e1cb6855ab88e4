// A supervisor's interventions over the agent API (docs/AGENT_API.md, "Supervisor: intervene")
// against the real `baton serve`, with the customer on the official DirectLineJS client: whisper
// (the owning agent sees it, the customer never does: not over the WebSocket stream, not when
// polling), barge (the customer sees the supervisor's name), take over (the previous agent is
// told), assign a waiting conversation (presence and capacity respected, or a 409 saying why),
// move to a queue; every endpoint's rights (agent 403, supervisor and admin allowed), its 400s,
// 401, 404 and the audit records.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Client } from '../lib/dlclient.mjs';
import { generateToken, makeDataDir, readAll, request, sleep, startServer } from '../lib/serve.mjs';

let server;
const agents = {};

async function agent(id) {
  const a = new AgentClient(server);
  await a.login(id);
  await a.connect();
  agents[id] = a;
  return a;
}

// A customer on DirectLineJS (WebSocket) who asks for an agent.
async function customer() {
  const userId = `dl_${Math.random().toString(36).slice(2)}`;
  const { token } = await generateToken(server, userId);
  const client = new Client({ domain: server.domain, token, webSocket: true }, userId);
  await client.waitForStatus(2);  // Online
  await client.waitFor((a) => a.type === 'message' && a.from?.role === 'bot', { what: 'greeting' });
  await client.say('talk to an agent', userId);
  return { client, userId, id: () => client.conversationId };
}

async function offeredAndAccepted(a, conversationId) {
  const offer = await a.waitFor((m) => m.type === 'offer' && m.conversationId === conversationId);
  await a.ok('POST', `/offers/${conversationId}/accept`, { offerId: offer.offerId });
  await a.waitFor((m) => m.type === 'assigned' && m.conversationId === conversationId);
}

async function waitHub(sup, conversationId, pred, what) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const r = await sup.ok('GET', '/supervisor');
    const c = r.conversations.find((x) => x.id === conversationId);
    if (c && pred(c)) {
      return c;
    }
    if (Date.now() > deadline) {
      throw new Error(`${conversationId}: ${what} not reached: ${JSON.stringify(c)}`);
    }
    await sleep(50);
  }
}

before(async () => {
  const dataDir = makeDataDir();
  await addAgent(dataDir, { id: 'alice', name: 'Alice Agent', capacity: 2 });
  await addAgent(dataDir, { id: 'bob', name: 'Bob Agent', capacity: 1 });
  await addAgent(dataDir, { id: 'sue', name: 'Sue Super', role: 'supervisor' });
  await addAgent(dataDir, { id: 'ada', name: 'Ada Admin', role: 'admin' });
  server = await startServer({ dataDir });
  server.ownsDataDir = true;
});

after(async () => {
  for (const a of Object.values(agents)) {
    a.close();
  }
  await server?.cleanup();
});

test('whisper reaches the agent only, barge reaches the customer, take over tells the agent', async () => {
  const alice = await agent('alice');
  const sue = await agent('sue');
  const ada = await agent('ada');
  await alice.setPresence('available');
  const cust = await customer();
  const conv = cust.id();
  await offeredAndAccepted(alice, conv);
  await alice.ok('POST', `/conversations/${conv}/messages`, { text: 'Hi, Alice here' });
  await cust.client.waitFor((a) => a.text === 'Hi, Alice here', { what: "alice's message" });

  // Rights and validation on every intervention.
  for (const [path, json] of [['whisper', { text: 'x' }], ['barge', { text: 'x' }],
                              ['takeover', undefined], ['assign', { agentId: 'bob' }]]) {
    const asAgent = await alice.call('POST', `/conversations/${conv}/${path}`, json);
    assert.equal(asAgent.status, 403, `${path} as an agent: ${asAgent.text}`);
    assert.equal(asAgent.body.error.code, 'Forbidden');
    const anonymous = await request(`${server.base}/api/agent/conversations/${conv}/${path}`,
                                    { method: 'POST', json });
    assert.equal(anonymous.status, 401, `${path} without a token`);
    const unknown = await sue.call('POST', `/conversations/nope-${path}/${path}`, json);
    assert.equal(unknown.status, 404, `${path} of an unknown conversation: ${unknown.text}`);
  }
  for (const [path, json] of [['whisper', {}], ['whisper', { text: '   ' }], ['barge', { text: 7 }],
                              ['assign', {}], ['assign', { agentId: 'bob', queue: 'general' }]]) {
    const bad = await sue.call('POST', `/conversations/${conv}/${path}`, json);
    assert.equal(bad.status, 400, `${path} ${JSON.stringify(json)}: ${bad.text}`);
    assert.equal(bad.body.error.code, 'BadArgument');
  }

  // Whisper: to alice's stream as kind "whisper", never to the customer.
  const from = alice.messages.length;
  const whispered = await sue.ok('POST', `/conversations/${conv}/whisper`,
                                 { text: 'psst: offer the 10% voucher' });
  assert.match(whispered.id, /\|\d{7}$/);
  const seen = await alice.waitFor((m) => m.type === 'activity' && m.conversationId === conv &&
                                          m.entry.kind === 'whisper', 10000, from);
  assert.equal(seen.entry.activity.value.text, 'psst: offer the 10% voucher');
  assert.equal(seen.entry.activity.value.to, 'alice');
  assert.equal(seen.entry.activity.from.name, 'Sue Super');
  assert.equal(seen.entry.internal, true);
  assert.equal(seen.entry.sender, 'agent');

  // Barge: the customer sees Sue by name (and, after it, nothing of the whisper).
  const barged = await sue.ok('POST', `/conversations/${conv}/barge`, { text: 'Sue here, the supervisor' });
  const bargeSeen = await cust.client.waitFor((a) => a.text === 'Sue here, the supervisor',
                                              { what: 'the barge' });
  assert.equal(bargeSeen.from.name, 'Sue Super');
  assert.equal(bargeSeen.from.id, 'agent:sue');
  assert.equal(bargeSeen.id, barged.id);
  await alice.waitFor((m) => m.type === 'activity' && m.entry.activity?.text === 'Sue here, the supervisor');
  const leaks = (list) => list.filter((a) => JSON.stringify(a).includes('voucher') || a.name === 'baton.whisper');
  assert.deepEqual(leaks(cust.client.activities), [], 'the WebSocket stream never carried the whisper');
  const polled = await readAll(server, { conversationId: conv, token: cust.client.token });
  assert.deepEqual(leaks(polled.activities), [], 'polling never returns the whisper');
  // The conversation's transcript shows it to the agent as a whisper.
  const detail = await alice.ok('GET', `/conversations/${conv}`);
  const line = detail.transcript.find((e) => e.kind === 'whisper');
  assert.ok(line, 'the whisper is in the agent\'s transcript');
  assert.equal(line.part, 'live');

  // Take over (an admin): alice is told, loses the conversation, the admin owns it.
  const taken = await ada.ok('POST', `/conversations/${conv}/takeover`);
  assert.deepEqual(taken, { conversationId: conv });
  const gone = await alice.waitFor((m) => m.type === 'unassigned' && m.conversationId === conv);
  assert.equal(gone.cause, 'taken_over');
  await ada.waitFor((m) => m.type === 'assigned' && m.conversationId === conv);
  const stale = await alice.call('POST', `/conversations/${conv}/messages`, { text: 'still me?' });
  assert.equal(stale.status, 409, stale.text);
  await ada.ok('POST', `/conversations/${conv}/messages`, { text: 'Ada has taken over' });
  const adaSeen = await cust.client.waitFor((a) => a.text === 'Ada has taken over', { what: "ada's message" });
  assert.equal(adaSeen.from.name, 'Ada Admin');
  const again = await ada.call('POST', `/conversations/${conv}/takeover`);
  assert.equal(again.status, 409, 'already the owner');
  // A whisper goes to whoever owns it now.
  await sue.ok('POST', `/conversations/${conv}/whisper`, { text: 'well done' });
  await ada.waitFor((m) => m.type === 'activity' && m.entry.kind === 'whisper' &&
                           m.entry.activity.value.text === 'well done');

  const audit = await sue.ok('GET', `/audit?conversationId=${encodeURIComponent(conv)}&limit=1000`);
  const actions = audit.entries.map((e) => `${e.actor} ${e.action}`);
  for (const want of ['sue conversation.whisper', 'sue conversation.barge', 'ada conversation.take_over']) {
    assert.ok(actions.includes(want), `audited: ${want} in ${actions}`);
  }
  assert.equal(audit.entries.find((e) => e.action === 'conversation.barge').detail.activityId, barged.id);
  await ada.ok('POST', `/conversations/${conv}/end`, { mode: 'close' });
  await ada.ok('POST', `/conversations/${conv}/wrapup`);
  cust.client.end();
});

test('assign a waiting conversation to a chosen agent, respecting presence and capacity', async () => {
  const alice = agents.alice;
  const sue = agents.sue;
  await alice.setPresence('busy');  // online, but no offers: customers wait
  const bob = await agent('bob');
  const first = await customer();
  const c1 = first.id();
  await waitHub(sue, c1, (c) => c.state === 'waiting', 'waiting');

  const offline = await sue.call('POST', `/conversations/${c1}/assign`, { agentId: 'bob' });
  assert.equal(offline.status, 409, offline.text);
  assert.match(offline.body.error.message, /offline/);
  const unknownAgent = await sue.call('POST', `/conversations/${c1}/assign`, { agentId: 'nobody' });
  assert.equal(unknownAgent.status, 404, unknownAgent.text);

  await bob.setPresence('busy');
  const assigned = await sue.call('POST', `/conversations/${c1}/assign`,
                                  { agentId: 'bob', note: 'a regular of ours' });
  assert.equal(assigned.status, 200, assigned.text);
  assert.deepEqual(assigned.body, {});
  const told = await bob.waitFor((m) => m.type === 'assigned' && m.conversationId === c1);
  assert.equal(told.conversation.agent, 'bob');
  await bob.ok('POST', `/conversations/${c1}/messages`, { text: 'Bob here' });
  await first.client.waitFor((a) => a.text === 'Bob here', { what: "bob's message" });

  // bob (capacity 1) is full: the next one is refused, saying so.
  const second = await customer();
  const c2 = second.id();
  await waitHub(sue, c2, (c) => c.state === 'waiting', 'waiting');
  const full = await sue.call('POST', `/conversations/${c2}/assign`, { agentId: 'bob' });
  assert.equal(full.status, 409, full.text);
  assert.match(full.body.error.message, /capacity \(1 of 1\)/);

  // Move a waiting conversation to another queue, then an assigned one to another agent.
  const closed = await sue.call('POST', `/conversations/${c2}/assign`, { queue: 'billing' });
  assert.equal(closed.status, 409, `nobody with the billing skill is online: ${closed.text}`);
  const noQueue = await sue.call('POST', `/conversations/${c2}/assign`, { queue: 'nope' });
  assert.equal(noQueue.status, 404, noQueue.text);
  const moved = await sue.call('POST', `/conversations/${c1}/assign`, { agentId: 'alice' });
  assert.equal(moved.status, 200, moved.text);
  const lost = await bob.waitFor((m) => m.type === 'unassigned' && m.conversationId === c1);
  assert.equal(lost.cause, 'reassigned');
  await alice.waitFor((m) => m.type === 'assigned' && m.conversationId === c1);

  const audit = await sue.ok('GET', '/audit?limit=1000');
  const assigns = audit.entries.filter((e) => e.action === 'conversation.assign');
  assert.deepEqual(assigns.map((e) => [e.actor, e.conversationId, e.detail]),
                   [['sue', c1, { agentId: 'bob' }], ['sue', c1, { agentId: 'alice' }]]);
  first.client.end();
  second.client.end();
});
