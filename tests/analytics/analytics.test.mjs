// Analytics through the real binary (docs/ANALYTICS.md), on either store: seven known sessions with
// a six-second session timeout (short, but long enough that a loaded machine does not split a
// session between two steps) — unengaged, resolved with CSAT, abandoned, escalated to an agent
// and surveyed, escalated with nobody online, cancelled in the queue, transferred — and the exact
// figures of the summary, the CSV that adds up to it, the series, `baton report`, and who may read
// them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import {
  Server, bin, newConversation, postActivity, request, sleep, storeArgs, userMessage, waitUntil,
} from '../lib/serve.mjs';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';

let server;
let alice;
let bob;
let sam;

before(async () => {
  server = new Server({ args: ['--session-timeout', '6s'] });
  await addAgent(server.dataDir, { id: 'alice', capacity: 2 });
  await addAgent(server.dataDir, { id: 'bob', capacity: 1 });
  await addAgent(server.dataDir, { id: 'sam', role: 'supervisor' });
  await server.start();
});

after(async () => {
  for (const a of [alice, bob, sam]) {
    a?.close();
  }
  await server?.cleanup();
});

async function agent(id) {
  const a = new AgentClient(server);
  await a.login(id);
  await a.connect();
  return a;
}

async function say(conv, text) {
  const r = await postActivity(server, conv, userMessage(conv, text));
  assert.equal(r.status, 200, `${text}: ${r.text}`);
}

async function offerFor(a, conv, from) {
  return a.waitFor((m) => m.type === 'offer' && m.conversationId === conv.conversationId, 10000, from);
}

function analytics(path, token) {
  return request(`${server.base}/api/analytics/${path}`, { auth: token });
}

function runReport(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['report', '--data', server.dataDir, ...storeArgs(server.dataDir), ...args],
                       { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => { stdout += c; });
    proc.stderr.on('data', (c) => { stderr += c; });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('seven known sessions give the exact summary, CSV, series and report', async () => {
  alice = await agent('alice');
  bob = await agent('bob');
  sam = new AgentClient(server);
  await sam.login('sam');
  await alice.setPresence('available');
  await bob.setPresence('busy');  // online, takes no offers

  // S1: the greeting only.
  const s1 = await newConversation(server);
  await say(s1, 'hi');

  // S2: a topic, then the survey at the end: resolved, rated 5.
  const s2 = await newConversation(server);
  await say(s2, 'what are your store hours');
  await say(s2, 'Seattle');
  await say(s2, 'bye');
  await say(s2, 'yes');
  await say(s2, '5');

  // S3: a question left unanswered: abandoned.
  const s3 = await newConversation(server);
  await say(s3, 'where is my order');

  // S4: escalated to alice, back to the bot, surveyed: rated 4.
  const s4 = await newConversation(server);
  let from = alice.messages.length;
  await say(s4, 'talk to an agent');
  let offer = await offerFor(alice, s4, from);
  await alice.ok('POST', `/offers/${s4.conversationId}/accept`, { offerId: offer.offerId });
  await alice.ok('POST', `/conversations/${s4.conversationId}/messages`, { text: 'Hello, Alice here.' });
  await alice.ok('POST', `/conversations/${s4.conversationId}/end`, { mode: 'bot' });
  await alice.ok('POST', `/conversations/${s4.conversationId}/wrapup`);
  await say(s4, 'yes');
  await say(s4, '4');

  // S6: waiting in the queue (alice away, bob busy: online, nobody offered), then cancelled.
  await alice.setPresence('away');
  const s6 = await newConversation(server);
  await say(s6, 'talk to an agent');
  await sleep(300);
  await say(s6, 'cancel');

  // S5: nobody online: the bot's offline path at once.
  await bob.setPresence('offline');
  await alice.setPresence('offline');
  await sleep(300);  // the hub tells the engine nobody is online
  const s5 = await newConversation(server);
  await say(s5, 'talk to an agent');

  // S7: alice takes it and transfers it to bob, who closes it.
  await alice.setPresence('available');
  await sleep(300);
  const s7 = await newConversation(server);
  from = alice.messages.length;
  await say(s7, 'talk to an agent');
  offer = await offerFor(alice, s7, from);
  await alice.ok('POST', `/offers/${s7.conversationId}/accept`, { offerId: offer.offerId });
  await bob.setPresence('available');
  from = bob.messages.length;
  await alice.ok('POST', `/conversations/${s7.conversationId}/transfer`, { agentId: 'bob' });
  offer = await offerFor(bob, s7, from);
  await bob.ok('POST', `/offers/${s7.conversationId}/accept`, { offerId: offer.offerId });
  await bob.ok('POST', `/conversations/${s7.conversationId}/end`, { mode: 'close' });
  await bob.ok('POST', `/conversations/${s7.conversationId}/wrapup`);

  // Every session ends: by the conversation's end or after six idle seconds.
  const summary = await waitUntil(async () => {
    const r = await analytics('summary', sam.token);
    assert.equal(r.status, 200, r.text);
    return r.body.sessions.total === 7 && r.body;
  }, 20000, 'seven ended sessions');

  assert.deepEqual(summary.sessions,
                   { total: 7, engaged: 6, unengaged: 1, resolved: 1, escalated: 4, abandoned: 1 });
  const near = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-9,
                                               `${actual} ≠ ${expected}`);
  near(summary.rates.engagement, 6 / 7);
  near(summary.rates.resolution, 1 / 6);
  near(summary.rates.escalation, 4 / 6);
  near(summary.rates.abandon, 1 / 6);
  assert.deepEqual(summary.csat, {
    asked: 2, responses: 2, responseRate: 1, average: 4.5,
    distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 1 }, resolvedYes: 2, resolvedNo: 0,
  });
  const h = summary.handoffs;
  assert.deepEqual(h.byReason, { requested: 4 });
  assert.equal(h.total, 4, 'three queued, one unavailable');
  assert.equal(h.accepted, 2, 'the transfer is not a second first acceptance');
  assert.equal(h.cancelled, 1);
  assert.equal(h.unavailable, 1);
  assert.equal(h.timedOut, 0);
  assert.equal(h.abandoned, 0);
  assert.equal(h.transfers, 1);
  assert.equal(h.offers, 3);
  assert.equal(h.offersDeclined, 0);
  assert.equal(h.offersExpired, 0);
  assert.ok(h.firstWaitMs.avg >= 0 && h.firstWaitMs.avg < 20000, JSON.stringify(h.firstWaitMs));
  assert.ok(h.firstWaitMs.p50 > 0 && h.firstWaitMs.p90 >= h.firstWaitMs.p50);
  near(h.serviceLevel20s, 2 / 3);  // both accepted within 20 s, of the three that left the queue
  near(h.serviceLevel60s, 2 / 3);
  assert.ok(h.handleTimeMs.avg > 0);
  assert.deepEqual(summary.topics.map((t) => [t.topic, t.sessions, t.resolutionRate, t.abandonRate]),
                   [['Goodbye', 1, 1, 0], ['Order status', 1, 0, 1]]);
  const byAgent = Object.fromEntries(summary.agents.map((a) => [a.id, a]));
  assert.equal(byAgent.alice.handled, 2);
  assert.equal(byAgent.bob.handled, 1);
  assert.ok(byAgent.alice.utilisation > 0, 'alice held conversations while online');
  assert.ok(byAgent.alice.presenceMs.away > 0, 'her away time is measured');
  const general = summary.queues.find((q) => q.queue === 'general');
  assert.equal(general.handoffs, 4);
  assert.equal(general.accepted, 2);

  // Filters: a topic keeps the bot's figures of that topic; a queue those routed there.
  const goodbye = (await analytics('summary?topic=Goodbye', sam.token)).body;
  assert.equal(goodbye.sessions.total, 1);
  assert.equal(goodbye.sessions.resolved, 1);
  assert.equal(goodbye.handoffs.total, 0);
  const queue = (await analytics('summary?queue=general', sam.token)).body;
  assert.equal(queue.sessions.escalated, 4);
  assert.equal(queue.sessions.total, 4);

  // The CSV adds up to the summary.
  const csv = await analytics('sessions.csv', sam.token);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'conversation,session,start,end,outcome,topic,escalation_reason,queue,agent,'
                         + 'wait_ms,csat_rating,csat_resolved');
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.equal(rows.length, 7);
  const outcomes = {};
  for (const r of rows) {
    outcomes[r[4]] = (outcomes[r[4]] ?? 0) + 1;
  }
  assert.deepEqual(outcomes, { unengaged: 1, resolved: 1, abandoned: 1, escalated: 4 });
  const row = (conv) => rows.find((r) => r[0] === `"${conv.conversationId}"`);
  assert.deepEqual(row(s4).slice(4, 9), ['escalated', '""', 'requested', '"general"', '"alice"']);
  assert.deepEqual(row(s4).slice(10), ['4', 'yes']);
  assert.equal(row(s7)[8], '"bob"', 'the last agent');
  assert.equal(row(s5)[8], '""', 'nobody took it');
  assert.deepEqual(row(s2).slice(10), ['5', 'yes']);
  assert.equal(row(s1)[5], '""');
  for (const conv of [s1, s2, s3, s4, s5, s6, s7]) {
    assert.ok(row(conv), `a row for ${conv.conversationId}`);
  }
  const onlyGoodbye = await analytics('sessions.csv?topic=Goodbye', sam.token);
  assert.equal(onlyGoodbye.text.trim().split('\r\n').length, 2);

  // The series: one point per hour, adding up to the sessions.
  const series = await analytics('timeseries?metric=sessions&interval=hour', sam.token);
  assert.equal(series.status, 200, series.text);
  assert.equal(series.body.points.length, 7 * 24 + 1);
  assert.equal(series.body.points.reduce((n, p) => n + p.value, 0), 7);

  // `baton report` beside the running server: the same figures.
  const report = await runReport(['--json']);
  assert.equal(report.code, 0, report.stderr);
  const printed = JSON.parse(report.stdout);
  assert.deepEqual(printed.sessions, summary.sessions);
  assert.deepEqual(printed.csat, summary.csat);
  const text = await runReport([]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Sessions\s+7\s+engaged 6/);
  assert.match(text.stdout, /Goodbye/);
});

test('analytics are for supervisors and admins, and bad queries are named', async () => {
  const r = await analytics('summary', alice.token);
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'Forbidden');
  assert.equal((await analytics('sessions.csv', alice.token)).status, 403);
  assert.equal((await analytics('summary', undefined)).status, 401);
  assert.equal((await analytics('summary', 'forged.token')).status, 401);
  const bad = [
    ['summary?from=yesterday', 'from'],
    ['summary?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
    ['summary?from=2000-01-01T00:00:00Z', '3 years'],
    ['timeseries?metric=nonsense', 'metric'],
    ['timeseries?metric=sessions&interval=week', 'interval'],
  ];
  for (const [path, word] of bad) {
    const answer = await analytics(path, sam.token);
    assert.equal(answer.status, 400, `${path}: ${answer.text}`);
    assert.match(answer.body.error.message, new RegExp(word), path);
  }
  const report = await runReport(['--from', 'yesterday']);
  assert.equal(report.code, 2);
  assert.match(report.stderr, /from/);
});
