// A customer's history and the search over ended conversations through the agent API
// (docs/AGENT_API.md "History and search") against the real `baton serve`, on SQLite or, with
// BATON_TEST_STORE=postgres, PostgreSQL: a returning customer (same user id, two conversations,
// the first handled by bob, the second offered to alice); the rights of agents, supervisors and
// admins; opening read-only with `via`, audited; the search's filters, its validation (400 naming
// the parameter), and its pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { agentApi, agentStream, loginToken, startWithAgents } from '../lib/agentclient.mjs';
import { newConversation, postActivity, userMessage, waitUntil } from '../lib/serve.mjs';

const PASSWORDS = { alice: 'alice-pass-1', bob: 'bob-pass-22', sue: 'sue-pass-333', ada: 'ada-pass-4444' };
let server;

const api = (path, options) => agentApi(server, path, options);
const login = (id) => loginToken(server, id, PASSWORDS[id]);
const stream = (token) => agentStream(server, token);
const presence = (token, value) => api('/presence', { method: 'PUT', token, json: { presence: value } });

// A conversation of `userId` escalated and accepted by the agent of `s` (its stream).
async function handedTo(s, token, userId, text) {
  const conv = await newConversation(server, userId);
  await postActivity(server, conv, userMessage(conv, 'talk to an agent'));
  const offer = await waitUntil(() => s.messages.find((m) => m.type === 'offer' && m.conversationId === conv.conversationId),
                                10000, 'the offer');
  const accepted = await api(`/offers/${conv.conversationId}/accept`, { method: 'POST', token, json: { offerId: offer.offerId } });
  assert.equal(accepted.status, 200, accepted.text);
  await postActivity(server, conv, userMessage(conv, text));
  return conv;
}

async function finish(s, token, id, disposition) {
  assert.equal((await api(`/conversations/${id}/end`, { method: 'POST', token, json: { mode: 'bot' } })).status, 200);
  await waitUntil(() => s.messages.find((m) => m.type === 'wrap_up' && m.conversationId === id), 10000, 'wrap_up');
  const wrapped = await api(`/conversations/${id}/wrapup`, { method: 'POST', token, json: { disposition } });
  assert.equal(wrapped.status, 200, wrapped.text);
}

before(async () => {
  const hub = `hub:
  default_queue: general
  missed_offers_before_away: 0
  queues:
    - name: billing
      skills: [billing]
    - name: general
      dispositions: [solved, call-back]
`;
  const agents = [{ id: 'alice', name: 'Alice Agent', capacity: 1 }, { id: 'bob', skills: ['billing'], capacity: 1 },
                  { id: 'sue', role: 'supervisor', capacity: 1 }, { id: 'ada', role: 'admin', capacity: 1 }];
  server = await startWithAgents(agents.map((a) => ({ ...a, password: PASSWORDS[a.id] })),
                                 { hub, prefix: 'baton-history-' });
});

after(() => server?.cleanup());

test('history and search: rights, read-only opening (audited), filters, validation, pages', async () => {
  const [alice, bob, sue, ada] = await Promise.all(['alice', 'bob', 'sue', 'ada'].map(login));
  const customer = `returning-${Date.now()}`;

  // The first conversation: bob's (alice offline), ended and wrapped up.
  const sb = stream(bob);
  await waitUntil(() => sb.messages.find((m) => m.type === 'hello'), 10000, 'hello');
  assert.equal((await presence(bob, 'available')).status, 200);
  const first = await handedTo(sb, bob, customer, 'Where is my refund REF-4242?');
  const note = await api(`/conversations/${first.conversationId}/notes`, { method: 'POST', token: bob, json: { text: 'Refund approved' } });
  assert.equal(note.status, 200, note.text);
  await finish(sb, bob, first.conversationId, 'solved');
  assert.equal((await presence(bob, 'offline')).status, 200);

  // An unrelated customer's conversation, alice's.
  const sa = stream(alice);
  await waitUntil(() => sa.messages.find((m) => m.type === 'hello'), 10000, 'hello');
  assert.equal((await presence(alice, 'available')).status, 200);
  const other = await handedTo(sa, alice, `other-${Date.now()}`, 'My password does not work');
  await finish(sa, alice, other.conversationId, 'solved');

  // The same customer returns: offered to and accepted by alice.
  const second = await handedTo(sa, alice, customer, 'Hello again');
  const B = second.conversationId;
  const A = first.conversationId;

  // The history of the conversation alice holds: the first one, newest first, with its outcome.
  assert.equal((await api(`/conversations/${B}/history`)).status, 401);
  const history = await api(`/conversations/${B}/history`, { token: alice });
  assert.equal(history.status, 200, history.text);
  assert.equal(history.body.userId, customer);
  assert.equal(history.body.truncated, false);
  assert.deepEqual(history.body.conversations.map((c) => c.conversationId), [A]);
  const entry = history.body.conversations[0];
  assert.equal(entry.handoffs, 1);
  assert.equal(entry.lastHandoff.agent, 'bob');
  assert.equal(entry.lastHandoff.outcome, 'completed');
  assert.equal(entry.lastHandoff.disposition, 'solved');
  assert.equal(entry.lastHandoff.queue, 'general');
  assert.match(entry.lastHandoff.ended, /^\d{4}-\d\d-\d\dT/);
  // bob holds nothing of this customer now: the conversation is not his.
  assert.equal((await api(`/conversations/${B}/history`, { token: bob })).status, 403);
  assert.equal((await api(`/conversations/${B}/history`, { token: sue })).status, 200);
  assert.equal((await api('/conversations/nope-unknown/history', { token: sue })).status, 404);

  // Opening the first one: alice through the conversation she holds (via), never without it.
  const refused = await api(`/history/${A}`, { token: alice });
  assert.equal(refused.status, 403, refused.text);
  assert.equal((await api(`/history/${A}?via=${other.conversationId}`, { token: alice })).status, 403,
               'via another customer\'s conversation');
  const opened = await api(`/history/${A}?via=${B}`, { token: alice });
  assert.equal(opened.status, 200, opened.text);
  assert.equal(opened.body.readOnly, true);
  assert.equal(opened.body.userId, customer);
  assert.equal(opened.body.handoffs[0].agent, 'bob');
  assert.equal(opened.body.wrapUp.disposition, 'solved');
  const kinds = opened.body.transcript.map((e) => `${e.sender}:${e.kind}:${e.activity?.text ?? e.activity?.value?.text ?? ''}`);
  assert.ok(kinds.includes('customer:message:Where is my refund REF-4242?'), kinds.join('\n'));
  assert.ok(kinds.includes('agent:note:Refund approved'), kinds.join('\n'));
  // bob handled it: no via needed; supervisors and admins read any.
  assert.equal((await api(`/history/${A}`, { token: bob })).status, 200);
  assert.equal((await api(`/history/${A}`, { token: sue })).status, 200);
  assert.equal((await api(`/history/${A}`, { token: ada })).status, 200);
  assert.equal((await api('/history/not-a-conversation', { token: sue })).status, 404);
  assert.equal((await api('/history/bad%20id', { token: sue })).status, 400);
  assert.equal((await api(`/history/${A}?via=bad%20id`, { token: alice })).status, 400);
  // Each opening audited, with the conversation it came through.
  const audit = await api(`/audit?conversationId=${A}`, { token: sue });
  const reads = audit.body.entries.filter((e) => e.action === 'history.read').map((e) => `${e.actor}:${e.detail.via ?? ''}`);
  assert.deepEqual(reads, [`alice:${B}`, 'bob:', 'sue:', 'ada:']);
  const lists = (await api(`/audit?conversationId=${B}`, { token: sue })).body.entries.filter((e) => e.action === 'history.list');
  assert.deepEqual(lists.map((e) => e.actor), ['alice', 'sue']);

  // Search: supervisors and admins all, agents their own.
  const search = (query, token) => api(`/search?${new URLSearchParams(query)}`, { token });
  const found = async (query, token) => {
    const r = await search(query, token);
    assert.equal(r.status, 200, r.text);
    return r.body.results.map((h) => h.conversationId);
  };
  assert.equal((await search({ q: 'refund' })).status, 401);
  assert.deepEqual(await found({ q: 'ref-4242' }, sue), [A]);
  assert.deepEqual(await found({ q: 'REFUND' }, ada), [A]);
  assert.deepEqual(await found({ q: 'refund' }, alice), [], 'not alice\'s');
  assert.deepEqual(await found({ q: 'refund' }, bob), [A]);
  assert.deepEqual(await found({}, alice), [other.conversationId]);
  assert.equal((await search({ agent: 'bob' }, alice)).status, 403);
  assert.deepEqual(await found({ agent: 'alice' }, alice), [other.conversationId]);
  assert.deepEqual(await found({ customer }, sue), [A]);
  assert.deepEqual(await found({ agent: 'bob', outcome: 'completed', queue: 'general' }, sue), [A]);
  assert.deepEqual(await found({ queue: 'billing' }, sue), []);
  assert.deepEqual(await found({ outcome: 'abandoned' }, sue), []);
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(await found({ from: today, to: today, customer }, sue), [A]);
  assert.deepEqual(await found({ to: '2000-01-01' }, sue), []);
  const hit = (await search({ q: 'ref-4242' }, sue)).body.results[0];
  assert.equal(hit.userId, customer);
  assert.equal(hit.agent, 'bob');
  assert.equal(hit.disposition, 'solved');
  assert.equal(hit.outcome, 'completed');

  // Pages of one: newest first, each once, then no next.
  const seen = [];
  let cursor = null;
  for (let i = 0; i < 5; i++) {
    const r = await search(cursor ? { limit: '1', cursor } : { limit: '1' }, sue);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.results.length <= 1);
    seen.push(...r.body.results.map((h) => h.conversationId));
    cursor = r.body.next;
    if (!cursor) break;
  }
  assert.deepEqual(seen, [other.conversationId, A]);
  assert.equal(cursor, null);

  // Every bad parameter: 400 BadArgument naming it.
  for (const [query, name] of [
    [{ limit: '0' }, 'limit'], [{ limit: '101' }, 'limit'], [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-02-31x' }, 'to'], [{ from: '2026-01-02', to: '2026-01-01' }, 'to'],
    [{ outcome: 'pending' }, 'outcome'], [{ agent: 'no one' }, 'agent'], [{ q: '' }, 'q'],
    [{ q: 'x'.repeat(201) }, 'q'], [{ q: 'a\u0001b' }, 'q'], [{ customer: '' }, 'customer'],
    [{ cursor: 'garbage' }, 'cursor'], [{ queue: '' }, 'queue'], [{ colour: 'red' }, 'colour'],
  ]) {
    const r = await search(query, sue);
    assert.equal(r.status, 400, `${JSON.stringify(query)}: ${r.text}`);
    assert.equal(r.body.error.code, 'BadArgument');
    assert.ok(r.body.error.message.startsWith(`${name}:`), r.body.error.message);
  }
  // The server keeps serving.
  assert.deepEqual(await found({ q: 'ref-4242' }, sue), [A]);
  sa.ws.close();
  sb.ws.close();
});
