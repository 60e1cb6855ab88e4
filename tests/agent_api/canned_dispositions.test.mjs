// Canned responses and wrap-up dispositions through the agent API (docs/AGENT_API.md "Canned
// responses", the wrapup body; docs/HUB.md "Wrap-up dispositions") against the real `baton serve`:
// rights (agent vs supervisor vs admin), validation with precise statuses, the per-queue list an
// agent sees, the count limit, the audit log; then a handoff whose wrap-up is refused without a
// disposition on a queue that requires one, stored with one and a note on the handoff record (the
// survey answered afterwards kept beside it), and counted in the analytics summary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { agentApi, agentStream, loginToken, startWithAgents } from '../lib/agentclient.mjs';
import {
  request, newConversation, postActivity, userMessage, readAll, handoffs, botTexts, waitUntil,
} from '../lib/serve.mjs';

const PASSWORDS = { alice: 'alice-pass-1', bob: 'bob-pass-22', sue: 'sue-pass-333', ada: 'ada-pass-4444' };
let server;

const api = (path, options) => agentApi(server, path, options);
const login = (id) => loginToken(server, id, PASSWORDS[id]);

before(async () => {
  // The Contoso bot with dispositions on its queues: general requires one, billing offers some.
  const hub = (text) => {
    const changed = text
      .replace('      skills: [billing]\n',
               '      skills: [billing]\n      dispositions: [refund-issued, solved]\n')
      .replace(/(    - name: general\n)/,
               '$1      dispositions: [solved, call-back]\n      disposition_required: true\n');
    assert.match(changed, /disposition_required: true/);
    return changed;
  };
  const agents = [{ id: 'alice', name: 'Alice Agent', capacity: 3 }, { id: 'bob', skills: ['billing'], capacity: 1 },
                  { id: 'sue', role: 'supervisor', capacity: 1 }, { id: 'ada', role: 'admin', capacity: 1 }];
  server = await startWithAgents(agents.map((a) => ({ ...a, password: PASSWORDS[a.id] })),
                                 { hub, prefix: 'baton-canned-' });
});

after(() => server?.cleanup());

const body = (code, extra = {}) => ({ code, title: `Title ${code}`, text: `Hi {customer.name}, ${code}`, ...extra });

test('canned responses: rights, validation, per-queue lists, audit', async () => {
  const [alice, bob, sue, ada] = await Promise.all(['alice', 'bob', 'sue', 'ada'].map(login));

  // Nobody without a session; agents may only list.
  assert.equal((await api('/canned')).status, 401);
  assert.equal((await api('/canned', { method: 'POST', json: body('x') })).status, 401);
  const refused = await api('/canned', { method: 'POST', token: alice, json: body('hello') });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.error.code, 'Forbidden');

  // A supervisor creates a global one and a billing one; an admin a general one.
  const hello = await api('/canned', { method: 'POST', token: sue, json: body('hello') });
  assert.equal(hello.status, 201, hello.text);
  assert.match(hello.body.id, /^cr_[0-9a-f]{16}$/);
  assert.equal(hello.body.queue, '');
  assert.equal(hello.body.updatedBy, 'sue');
  assert.equal(hello.body.text, 'Hi {customer.name}, hello', 'stored as written');
  const refund = await api('/canned', { method: 'POST', token: sue, json: body('refund', { queue: 'billing' }) });
  assert.equal(refund.status, 201, refund.text);
  const general = await api('/canned', { method: 'POST', token: ada, json: body('wait', { queue: 'general' }) });
  assert.equal(general.status, 201, general.text);

  // Validation: each a 400 naming the problem; the same code in the same queue a 409.
  const bad = async (json, pattern, token = sue) => {
    const r = await api('/canned', { method: 'POST', token, json });
    assert.equal(r.status, 400, `${JSON.stringify(json)}: ${r.text}`);
    assert.equal(r.body.error.code, 'BadArgument');
    assert.match(r.body.error.message, pattern);
  };
  await bad(body('Hello'), /code must be/);
  await bad(body('a'.repeat(33)), /code must be/);
  await bad(body('ok', { queue: 'nowhere' }), /queue "nowhere" is not a queue/);
  await bad(body('ok', { colour: 'red' }), /unknown field "colour"/);
  await bad(body('ok', { title: '' }), /title is required/);
  await bad(body('ok', { title: 'x'.repeat(101) }), /title is longer than 100/);
  await bad(body('ok', { title: 'two\nlines' }), /control characters/);
  await bad(body('ok', { text: '   ' }), /text is required/);
  await bad(body('ok', { text: 'é'.repeat(4001) }), /longer than 4000/);
  await bad(body('ok', { queue: 7 }), /queue must be a string/);
  const notJson = await api('/canned', { method: 'POST', token: sue, body: '{"code":' });
  assert.equal(notJson.status, 400);
  const dup = await api('/canned', { method: 'POST', token: sue, json: body('hello') });
  assert.equal(dup.status, 409, dup.text);
  assert.match(dup.body.error.message, /already used in the global responses/);
  // The same code in another queue is fine.
  const other = await api('/canned', { method: 'POST', token: sue, json: body('hello', { queue: 'billing' }) });
  assert.equal(other.status, 201, other.text);

  // Lists: alice serves general only (no billing skill), bob both, sue sees all.
  const codes = async (token) => (await api('/canned', { token })).body.canned.map((c) => `${c.queue}/${c.code}`);
  assert.deepEqual(await codes(alice), ['/hello', 'general/wait']);
  assert.deepEqual(await codes(bob), ['/hello', 'billing/hello', 'billing/refund', 'general/wait']);
  assert.deepEqual(await codes(sue), ['/hello', 'billing/hello', 'billing/refund', 'general/wait']);
  assert.equal((await api('/canned', { token: alice })).body.max, 500);

  // Update: agents 403; unknown id 404; malformed id 400; a clash 409; then the change.
  const id = refund.body.id;
  assert.equal((await api(`/canned/${id}`, { method: 'PUT', token: bob, json: body('refund') })).status, 403);
  assert.equal((await api('/canned/cr_0000000000000000', { method: 'PUT', token: sue, json: body('zz') })).status, 404);
  assert.equal((await api('/canned/CR_not-ours', { method: 'PUT', token: sue, json: body('zz') })).status, 400);
  assert.equal((await api(`/canned/${id}`, { method: 'PUT', token: sue, json: body('hello', { queue: 'billing' }) })).status, 409);
  const moved = await api(`/canned/${id}`, {
    method: 'PUT', token: ada, json: { queue: '', code: 'refund', title: 'Refunds', text: 'Refunds take {context.days} days.' },
  });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.queue, '');
  assert.equal(moved.body.updatedBy, 'ada');
  assert.equal(moved.body.created, refund.body.created);
  assert.deepEqual(await codes(alice), ['/hello', '/refund', 'general/wait']);

  // Delete: agents 403, then gone; again 404.
  assert.equal((await api(`/canned/${id}`, { method: 'DELETE', token: alice })).status, 403);
  assert.equal((await api(`/canned/${id}`, { method: 'DELETE', token: sue })).status, 200);
  assert.equal((await api(`/canned/${id}`, { method: 'DELETE', token: sue })).status, 404);
  assert.equal((await api('/canned/nope', { method: 'DELETE', token: sue })).status, 400);
  assert.deepEqual(await codes(alice), ['/hello', 'general/wait']);

  // Audited.
  const audit = await api('/audit?limit=1000', { token: sue });
  const actions = audit.body.entries.filter((e) => e.action.startsWith('canned.'))
    .map((e) => `${e.actor}:${e.action}:${e.detail.code ?? ''}`);
  assert.deepEqual(actions, ['sue:canned.create:hello', 'sue:canned.create:refund', 'ada:canned.create:wait',
                             'sue:canned.create:hello', 'ada:canned.update:refund', 'sue:canned.delete:']);
});

test('canned responses: at most 500', async () => {
  const sue = await login('sue');
  const have = (await api('/canned', { token: sue })).body.canned.length;
  for (let start = have; start < 500; start += 25) {
    const batch = [];
    for (let i = start; i < Math.min(start + 25, 500); i++) {
      batch.push(api('/canned', { method: 'POST', token: sue, json: body(`bulk-${i}`) }));
    }
    for (const r of await Promise.all(batch)) {
      assert.equal(r.status, 201, r.text);
    }
  }
  const full = await api('/canned', { method: 'POST', token: sue, json: body('one-more') });
  assert.equal(full.status, 409, full.text);
  assert.match(full.body.error.message, /already 500 canned responses/);
  assert.equal((await api('/canned', { token: sue })).body.canned.length, 500);
});

test('wrap-up dispositions: refused when required and missing, stored with the handoff, counted', async () => {
  const alice = await login('alice');
  const sue = await login('sue');
  const s = agentStream(server, alice);
  await waitUntil(() => s.messages.find((m) => m.type === 'hello'), 10000, 'hello');
  assert.equal((await api('/presence', { method: 'PUT', token: alice, json: { presence: 'available' } })).status, 200);
  const conv = await newConversation(server);
  const id = conv.conversationId;
  await postActivity(server, conv, userMessage(conv, 'talk to an agent'));
  const offer = await waitUntil(() => s.messages.find((m) => m.type === 'offer' && m.conversationId === id),
                                10000, 'the offer');
  assert.equal((await api(`/offers/${id}/accept`, { method: 'POST', token: alice, json: { offerId: offer.offerId } })).status, 200);
  const detail = await api(`/conversations/${id}`, { token: alice });
  assert.equal(detail.body.queue, 'general');
  assert.deepEqual(detail.body.dispositions, ['solved', 'call-back']);
  assert.equal(detail.body.dispositionRequired, true);

  // Not in wrap-up yet: the hub refuses whatever the body.
  const early = await api(`/conversations/${id}/wrapup`, { method: 'POST', token: alice, json: { disposition: 'solved' } });
  assert.ok(early.status === 409 || early.status === 404, early.text);
  assert.equal((await api(`/conversations/${id}/end`, { method: 'POST', token: alice, json: { mode: 'bot' } })).status, 200);
  await waitUntil(() => s.messages.find((m) => m.type === 'wrap_up' && m.conversationId === id), 10000, 'wrap_up');

  const wrap = (json, token = alice) => api(`/conversations/${id}/wrapup`, { method: 'POST', token, json });
  const missing = await wrap(undefined);
  assert.equal(missing.status, 400, missing.text);
  assert.match(missing.body.error.message, /queue 'general' requires one \(solved, call-back\)/);
  const unknown = await wrap({ disposition: 'refund-issued' });
  assert.equal(unknown.status, 400, unknown.text);
  assert.match(unknown.body.error.message, /'refund-issued' is not one of queue 'general'/);
  assert.equal((await wrap({ disposition: 'solved', extra: 1 })).status, 400);
  assert.equal((await wrap({ disposition: 'solved', note: 'n'.repeat(1001) })).status, 400);
  assert.equal((await wrap({ disposition: 'solved' }, sue)).status >= 400, true, 'not the supervisor\'s wrap-up');
  // Still in wrap-up after the refusals: nothing was recorded.
  assert.equal((await handoffs(server, id)).at(-1).outcome?.wrapUp, undefined);

  const done = await wrap({ disposition: 'solved', note: 'Refund sent, customer happy ✓' });
  assert.equal(done.status, 200, done.text);
  const record = (await handoffs(server, id)).at(-1);
  assert.equal(record.outcome.outcome, 'completed');
  assert.equal(record.outcome.wrapUp.agent, 'alice');
  assert.equal(record.outcome.wrapUp.disposition, 'solved');
  assert.equal(record.outcome.wrapUp.note, 'Refund sent, customer happy ✓');
  assert.match(record.outcome.wrapUp.at, /^\d{4}-\d\d-\d\dT/);
  // The wrap-up is over: a second one is refused by the hub.
  assert.ok((await wrap({ disposition: 'solved' })).status >= 400);

  // The survey the customer answers afterwards is stored beside it.
  const texts = async () => botTexts((await readAll(server, conv)).activities);
  await waitUntil(async () => (await texts()).includes('Did that answer your question?'), 10000, 'the survey');
  await postActivity(server, conv, userMessage(conv, 'yes'));
  await waitUntil(async () => (await texts()).some((t) => /rate your experience/.test(t)), 10000, 'rating question');
  await postActivity(server, conv, userMessage(conv, '4'));
  const both = await waitUntil(async () => {
    const h = (await handoffs(server, id)).at(-1);
    return h.outcome.survey ? h : null;
  }, 10000, 'the survey in the record');
  assert.deepEqual(both.outcome.survey, { resolved: true, rating: 4 });
  assert.equal(both.outcome.wrapUp.disposition, 'solved');

  // A supervisor's view of the finished conversation shows it.
  const archived = await api(`/conversations/${id}`, { token: sue });
  assert.equal(archived.status, 200, archived.text);
  assert.equal(archived.body.wrapUp.disposition, 'solved');

  // Counted in analytics, by queue and agent too; agents may not read it.
  const summary = await request(`${server.base}/api/analytics/summary`, { auth: sue });
  assert.equal(summary.status, 200, summary.text);
  assert.deepEqual(summary.body.handoffs.byDisposition, { solved: 1 });
  const byQueue = await request(`${server.base}/api/analytics/summary?queue=billing`, { auth: sue });
  assert.deepEqual(byQueue.body.handoffs.byDisposition, {});
  const byAgent = await request(`${server.base}/api/analytics/summary?agent=alice`, { auth: sue });
  assert.deepEqual(byAgent.body.handoffs.byDisposition, { solved: 1 });
  assert.equal((await request(`${server.base}/api/analytics/summary`, { auth: alice })).status, 403);
  s.ws.close();
});
