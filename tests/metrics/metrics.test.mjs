// Prometheus's GET /metrics of the real `baton serve` (docs/DEPLOY.md, "Metrics"): parsed with a
// real exposition-format parser (parse-prometheus-text-format, pinned in web/package-lock.json),
// the naming rules checked on every family, and the counters moving by exactly what a scenario
// did: Direct Line customers, one handoff declined by one agent and accepted by another, one
// cancelled in the queue. Then where it is served: nowhere without an option; behind a token on
// the public listener; on its own listener, nothing but /metrics.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  Server, request, newConversation, postActivity, userMessage, logged, webRequire, waitUntil,
} from '../lib/serve.mjs';
import { addAgent, AgentClient } from '../lib/agentclient.mjs';

const parsePrometheus = webRequire('parse-prometheus-text-format');

const METRICS_LINE = /metrics: listening on http:\/\/127\.0\.0\.1:(\d+)\/metrics/;

// The families by name: {type, help, samples: [{labels, value | buckets, count, sum}]}.
async function scrape(url, headers = {}) {
  const r = await fetch(url, { headers });
  assert.equal(r.status, 200, await r.clone().text());
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  const families = new Map();
  for (const f of parsePrometheus(text)) {  // throws on any line it cannot read
    assert.ok(!families.has(f.name), `${f.name} appears twice`);
    families.set(f.name, { type: f.type, help: f.help, samples: f.metrics });
  }
  return { text, families };
}

// One sample's value (a number) in a counter or gauge family, chosen by its labels.
function value(scraped, name, labels = {}) {
  const family = scraped.families.get(name);
  assert.ok(family, `no family ${name}`);
  const sample = family.samples.find((s) =>
    Object.entries(labels).every(([k, v]) => (s.labels ?? {})[k] === v) &&
    Object.keys(s.labels ?? {}).length === Object.keys(labels).length);
  assert.ok(sample, `no ${name} ${JSON.stringify(labels)}`);
  return Number(sample.value);
}

function histogram(scraped, name) {
  const family = scraped.families.get(name);
  assert.ok(family && family.type === 'HISTOGRAM', `no histogram ${name}`);
  assert.equal(family.samples.length, 1);
  const h = family.samples[0];
  return { count: Number(h.count), sum: Number(h.sum), buckets: h.buckets };
}

// Prometheus's naming rules (prometheus.io/docs/practices/naming) as Baton applies them.
function checkNames(scraped) {
  assert.ok(scraped.families.size >= 12, `only ${scraped.families.size} families`);
  for (const [name, f] of scraped.families) {
    assert.match(name, /^baton_[a-z][a-z0-9_]*$/, name);
    assert.ok(f.help.length > 0, `${name} has no HELP`);
    if (f.type === 'COUNTER') {
      assert.match(name, /_total$/, `counter ${name}`);
    } else {
      assert.doesNotMatch(name, /_total$/, `${f.type} ${name}`);
    }
    if (f.type === 'HISTOGRAM') {
      assert.match(name, /_(seconds|batches)$/, `histogram ${name} names its unit`);
      const h = f.samples[0];
      assert.equal(h.buckets['+Inf'], h.count, `${name}: +Inf bucket is the count`);
      // The parser keeps buckets in an object (whose key order is not the text's): by bound.
      const bounds = Object.keys(h.buckets).map((k) => (k === '+Inf' ? Infinity : Number(k)))
        .sort((a, b) => a - b);
      assert.equal(bounds.at(-1), Infinity);
      const counts = bounds.map((b) => Number(h.buckets[b === Infinity ? '+Inf' : String(b)]));
      assert.deepEqual(counts, [...counts].sort((a, b) => a - b), `${name} buckets cumulative`);
    }
    assert.doesNotMatch(name, /milli|micro|_ms$|_us$|minutes|hours/, `${name}: base units`);
    for (const s of f.samples) {
      for (const label of Object.keys(s.labels ?? {})) {
        assert.ok(['result', 'kind', 'queue', 'presence'].includes(label),
                  `${name}: label ${label} (no per-conversation or per-user labels)`);
      }
    }
  }
}

function delta(before, afterwards, name, labels) {
  return value(afterwards, name, labels) - value(before, name, labels);
}

let server;
let metricsUrl;
const agents = [];

before(async () => {
  server = new Server({ args: ['--metrics-listen', '127.0.0.1:0', '--log-level', 'info'] });
  await addAgent(server.dataDir, { id: 'alice', capacity: 2 });
  await addAgent(server.dataDir, { id: 'bob', capacity: 2 });
  await server.start();
  const port = (await logged(server, METRICS_LINE)) && METRICS_LINE.exec(server.stderr)[1];
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
});

after(async () => {
  for (const a of agents) {
    a.close();
  }
  await server?.cleanup();
});

async function agent(id) {
  const a = new AgentClient(server);
  await a.login(id, 'password-123');
  await a.connect();
  agents.push(a);
  return a;
}

async function say(conv, text) {
  const r = await postActivity(server, conv, userMessage(conv, text));
  assert.equal(r.status, 200, r.text);
}

test('the counters move with the scenario, and every family follows the naming rules', async () => {
  const first = await scrape(metricsUrl);
  checkNames(first);
  assert.equal(value(first, 'baton_agents', { presence: 'offline' }), 2);

  const alice = await agent('alice');
  await alice.setPresence('available');
  const bob = await agent('bob');
  await bob.setPresence('busy');  // online, so alice's decline does not bring the offer back to her

  // Customer 1: two turns; offered to alice, who declines; bob becomes available and accepts.
  const c1 = await newConversation(server);
  await say(c1, 'hello');
  await say(c1, 'talk to an agent');
  const offer = await alice.waitFor((m) => m.type === 'offer' && m.conversationId === c1.conversationId);
  await alice.ok('POST', `/offers/${encodeURIComponent(c1.conversationId)}/decline`,
                 { offerId: offer.offerId });
  await bob.setPresence('available');
  const bobOffer = await bob.waitFor((m) => m.type === 'offer' && m.conversationId === c1.conversationId);
  await bob.ok('POST', `/offers/${encodeURIComponent(c1.conversationId)}/accept`,
               { offerId: bobOffer.offerId });
  await bob.waitFor((m) => m.type === 'assigned' && m.conversationId === c1.conversationId);

  // Customer 2 waits (both agents busy: online, no offers), is seen in the queue, cancels.
  await alice.setPresence('busy');
  await bob.setPresence('busy');
  const c2 = await newConversation(server);
  await say(c2, 'talk to an agent');
  const waiting = await waitUntil(async () => {
    const s = await scrape(metricsUrl);
    return value(s, 'baton_queue_waiting', { queue: 'general' }) === 1 ? s : null;
  }, 10000, 'customer 2 in the general queue');
  assert.equal(value(waiting, 'baton_agents', { presence: 'busy' }), 2);
  assert.equal(value(waiting, 'baton_agents', { presence: 'offline' }), 0);
  assert.equal(value(waiting, 'baton_connections', { kind: 'websocket' }), 2, 'the two consoles');
  assert.ok(value(waiting, 'baton_queue_longest_wait_seconds', { queue: 'general' }) >= 0);
  await say(c2, 'cancel');

  const last = await waitUntil(async () => {
    const s = await scrape(metricsUrl);
    return value(s, 'baton_handoffs_total', { result: 'cancelled' }) === 1 ? s : null;
  }, 10000, 'the cancel to be counted');
  checkNames(last);
  assert.equal(delta(first, last, 'baton_turns_total'), 4, 'four customer activities');
  assert.equal(histogram(last, 'baton_turn_duration_seconds').count -
               histogram(first, 'baton_turn_duration_seconds').count, 4);
  assert.ok(histogram(last, 'baton_turn_duration_seconds').sum > 0);
  assert.deepEqual(
    Object.fromEntries(['accepted', 'cancelled', 'unavailable', 'timed_out', 'abandoned']
      .map((r) => [r, delta(first, last, 'baton_handoffs_total', { result: r })])),
    { accepted: 1, cancelled: 1, unavailable: 0, timed_out: 0, abandoned: 0 });
  assert.deepEqual(
    Object.fromEntries(['made', 'accepted', 'declined', 'expired', 'rescinded']
      .map((r) => [r, delta(first, last, 'baton_offers_total', { result: r })])),
    { made: 2, accepted: 1, declined: 1, expired: 0, rescinded: 0 });
  assert.equal(value(last, 'baton_queue_waiting', { queue: 'general' }), 0);
  assert.ok(value(last, 'baton_conversations_loaded') >= 2);
  const commits = histogram(last, 'baton_store_commit_duration_seconds');
  const sizes = histogram(last, 'baton_store_commit_batches');
  assert.ok(commits.count > histogram(first, 'baton_store_commit_duration_seconds').count);
  assert.equal(sizes.count, commits.count, 'one size per commit');
  assert.ok(delta(first, last, 'baton_store_batches_total', { result: 'committed' }) >= 4);
  assert.equal(value(last, 'baton_store_batches_total', { result: 'failed' }), 0);
});

test('the metrics listener serves /metrics only', async () => {
  const base = metricsUrl.replace(/\/metrics$/, '');
  for (const path of ['/', '/healthz', '/v3/directline/conversations', '/metricsx']) {
    const r = await request(`${base}${path}`);
    assert.equal(r.status, 404, path);
    assert.equal(r.body.error.code, 'NotFound');
  }
  const post = await request(`${base}/metrics`, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
});

test('without a token file /metrics is not on the public listener', async () => {
  const r = await request(`${server.base}/metrics`);
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'NotFound');
});

test('behind a token on the public listener: 401 without the right token; nothing listens without --metrics-listen', async () => {
  const tokened = new Server();
  const file = join(tokened.dataDir, 'metrics-token');
  tokened.args = ['--metrics-token-file', file];
  writeFileSync(file, 'the-scrapers-token-0123456789\n', { mode: 0o600 });
  try {
    await tokened.start();
    assert.doesNotMatch(tokened.stderr, METRICS_LINE, 'no metrics listener without the flag');
    await logged(tokened, /metrics: GET \/metrics on the public listener/);
    assert.doesNotMatch(tokened.stderr, /the-scrapers-token/, 'the token is never logged');
    const url = `${tokened.base}/metrics`;
    for (const headers of [{}, { Authorization: 'Bearer wrong' },
                           { Authorization: 'Bearer the-scrapers-token-012345678' },
                           { Authorization: 'Basic dGhlLXNjcmFwZXJzLXRva2Vu' }]) {
      const r = await request(url, { headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.body.error.code, 'Unauthorized');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    }
    const ok = await scrape(url, { Authorization: 'Bearer the-scrapers-token-0123456789' });
    checkNames(ok);
    assert.equal(value(ok, 'baton_turns_total'), 0);
  } finally {
    await tokened.cleanup();
  }
});

test('a missing token file is created with a random token', async () => {
  const fresh = new Server();
  const file = join(fresh.dataDir, 'new-metrics-token');
  fresh.args = ['--metrics-token-file', file];
  try {
    await fresh.start();
    const token = readFileSync(file, 'utf8').trim();
    assert.ok(token.length >= 32);
    await scrape(`${fresh.base}/metrics`, { Authorization: `Bearer ${token}` });
  } finally {
    await fresh.cleanup();
  }
});
