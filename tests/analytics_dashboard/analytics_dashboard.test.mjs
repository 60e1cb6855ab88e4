// The console's Analytics view end to end in headless Chromium (Debian's /usr/bin/chromium driven
// by playwright-core) against a real `baton serve --session-timeout 2s` (port 0, temp data dir, a
// copy of examples/contoso). Four sessions with known outcomes are made on Direct Line REST, with
// an agent on the Agent API taking the escalated one; once they have ended a supervisor opens
// Analytics and the tiles, tables, filters and CSV download are checked against exact figures; an
// agent neither sees the view nor may read the API. A full-page screenshot of the dashboard is
// saved to $TMPDIR (path printed) whether the test passes or not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Chromium, STEP_MS, waitText } from '../lib/browser.mjs';
import {
  botTexts, contoso, makeDataDir, newConversation, postActivity, readAll, request, startServer,
  userMessage, waitUntil,
} from '../lib/serve.mjs';

const PASSWORD = 'correct-horse-1';
const AGENTS = [
  { id: 'alice', name: 'Alice Martin', role: 'agent', skills: [], capacity: 2 },
  { id: 'bob', name: 'Bob Stone', role: 'agent', skills: ['billing'], capacity: 2 },
  { id: 'sam', name: 'Sam Super', role: 'supervisor', skills: [], capacity: 1 },
];
const HUB = `hub:
  default_queue: general
  missed_offers_before_away: 0
  defaults:
    offer_timeout: 30s
  queues:
    - name: billing
      skills: [billing]
    - name: general
`;
// Numbers as an en-US reader sees them, whatever the machine's locale.
const CONTEXT = { locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1360, height: 900 } };

let server;
let botDir;
let chromium;
let sam;  // the supervisor on the API, to wait for the sessions' ends

before(async () => {
  botDir = mkdtempSync(join(tmpdir(), 'baton-analytics-bot-'));
  cpSync(contoso, botDir, { recursive: true });
  writeFileSync(join(botDir, 'hub.yaml'), HUB);
  const dataDir = makeDataDir('baton-analytics-');
  for (const a of AGENTS) {
    await addAgent(dataDir, { ...a, password: PASSWORD });
  }
  server = await startServer({ bot: botDir, dataDir,
                               args: ['--session-rate-limit', '0', '--session-timeout', '2s'] });
  chromium = await Chromium.launch();
  sam = new AgentClient(server);
  await sam.login('sam', PASSWORD);
});

after(async () => {
  await chromium?.close();
  if (server) {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  if (botDir) {
    rmSync(botDir, { recursive: true, force: true });
  }
});

// A customer on Direct Line REST.
async function customer() {
  const conv = await newConversation(server);
  return {
    id: conv.conversationId,
    say: async (text) => {
      const r = await postActivity(server, conv, userMessage(conv, text));
      assert.ok(r.status === 200 || r.status === 201, `post "${text}": ${r.status} ${r.text}`);
    },
    waitBot: (re) => waitUntil(async () => {
      const { activities } = await readAll(server, conv);
      return botTexts(activities).find((t) => re.test(t ?? ''));
    }, STEP_MS, `a bot text matching ${re}`),
  };
}

// The four sessions: unengaged (greeting only), abandoned (Store hours, then silence), resolved
// with CSAT 5 (Goodbye and the survey), escalated (Pay bill → billing, bob accepts and closes).
async function makeSessions() {
  const greeting = await customer();
  await greeting.say('hi');
  await greeting.waitBot(/Contoso virtual assistant/);

  const quiet = await customer();
  await quiet.say('what are your store hours');
  await quiet.waitBot(/Which store/);

  const happy = await customer();
  await happy.say('bye');
  await happy.waitBot(/Did that answer your question/);
  await happy.say('yes');
  await happy.waitBot(/rate your experience/);
  await happy.say('5');
  await happy.waitBot(/Thanks for your feedback/);

  const bob = new AgentClient(server);
  await bob.login('bob', PASSWORD);
  await bob.connect();
  await bob.setPresence('available');
  const payer = await customer();
  await payer.say('I want to pay my bill');
  const offer = await bob.waitFor((m) => m.type === 'offer' && m.conversationId === payer.id);
  assert.equal(offer.queue, 'billing');
  await bob.ok('POST', `/offers/${encodeURIComponent(payer.id)}/accept`, { offerId: offer.offerId });
  await bob.waitFor((m) => m.type === 'assigned' && m.conversationId === payer.id);
  await bob.ok('POST', `/conversations/${encodeURIComponent(payer.id)}/end`, { mode: 'close' });
  await bob.ok('POST', `/conversations/${encodeURIComponent(payer.id)}/wrapup`);
  await bob.setPresence('offline');
  bob.close();
}

const summaryUrl = () => `${server.base}/api/analytics/summary`;

// The dashboard's tile `metric`: {value, detail}.
async function tile(page, metric) {
  const t = page.locator(`[data-testid="an-tile"][data-metric="${metric}"]`);
  return { value: await t.getByTestId('an-tile-value').textContent(),
           detail: await t.getByTestId('an-tile-detail').textContent() };
}

// The cells of the rows of a table body, as text.
async function rows(page, testid) {
  return page.getByTestId(testid).locator('tr').evaluateAll(
    (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
}

// Waits for the view to finish the load that `action` (a filter change) started, in `state`.
async function settled(page, action, state = 'ready') {
  const answered = page.waitForResponse((r) => r.url().includes('/api/analytics/summary'));
  await action();
  await answered;
  await page.locator(`[data-testid="analytics-view"][data-state="${state}"]`).waitFor({ timeout: STEP_MS });
}

function parseCsv(text) {
  const lines = text.trim().split(/\r\n/);
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1])
      .slice(0, header.length).map((c) => (c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c));
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

test('a supervisor reads the sessions in Analytics; filters, CSV; agents see nothing', { timeout: 120000 },
     async () => {
  let page;
  try {
    await makeSessions();
    // Sessions end 2 s after their last activity (the sweep runs every second) or when closed.
    const summary = await waitUntil(async () => {
      const r = await request(summaryUrl(), { auth: sam.token });
      assert.equal(r.status, 200, r.text);
      return r.body.sessions.total === 4 ? r.body : null;
    }, 20000, 'the four sessions to end');
    assert.deepEqual(summary.sessions,
                     { total: 4, engaged: 3, unengaged: 1, resolved: 1, escalated: 1, abandoned: 1 });

    // The library is served from a fixed route of Baton; the console's CSP still allows only the
    // server's own scripts and styles, nothing inline, no eval.
    const lib = await fetch(`${server.base}/agent/vendor/chart.umd.js`);
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get('content-type'), /javascript/);
    assert.equal(lib.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await lib.text(), /Chart\.js v4\./);
    const csp = (await fetch(`${server.base}/agent/`)).headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'; style-src 'self'; /);
    assert.doesNotMatch(csp, /unsafe-(inline|eval)/);

    page = await chromium.openConsole(server, 'sam', PASSWORD, { available: false, context: CONTEXT });
    const entry = chromium.pages.find((p) => p.page === page);
    await page.getByTestId('view-analytics').click();
    await page.locator('[data-testid="analytics-view"][data-state="ready"]').waitFor({ timeout: STEP_MS });

    assert.deepEqual(await tile(page, 'sessions'), { value: '4', detail: '3 engaged · 1 unengaged' });
    assert.deepEqual(await tile(page, 'resolution'), { value: '33.3%', detail: '1 resolved of 3 engaged' });
    assert.deepEqual(await tile(page, 'escalation'), { value: '33.3%', detail: '1 escalated' });
    assert.deepEqual(await tile(page, 'abandon'), { value: '33.3%', detail: '1 abandoned' });
    assert.deepEqual(await tile(page, 'csat'), { value: '5.0 / 5', detail: 'rated by 1 of 1 asked (100%)' });
    assert.deepEqual(await tile(page, 'handoffs'), { value: '1', detail: '1 accepted · 100% within 20 s' });

    // Ranked by escalation rate, then sessions, then name.
    assert.deepEqual(await rows(page, 'an-topics'), [
      ['Pay bill', '1', '100%', '0%', '0%'],
      ['Goodbye', '1', '0%', '100%', '0%'],
      ['Store hours', '1', '0%', '0%', '100%'],
    ]);
    const [queue] = await rows(page, 'an-queues');
    assert.deepEqual([queue[0], queue[1], queue[2], queue[3], queue[7], queue[8]],
                     ['billing', '1', '1', '0', '100%', '100%']);
    for (const wait of queue.slice(4, 7)) {
      assert.match(wait, /^(< 0\.1|\d+(\.\d)?) s$/, 'first waits in seconds');
    }
    const [agent, ...others] = await rows(page, 'an-agents');
    assert.deepEqual([agent[0], agent[1], agent[4], agent[5], agent[6]], ['bob', '1', '1', '0', '0']);
    assert.match(agent[2], /^(< 0\.1|\d+(\.\d)?) s$/, 'handle time');
    assert.match(agent[3], /^\d+(\.\d)?%$/, 'utilisation');
    assert.ok(others.every((r) => r[0] !== 'bob'));

    // Both charts are drawn, by the hour for a range of a day or two, by the day for the week.
    const points = (id) => page.getByTestId(id).getAttribute('data-points');
    assert.equal(await points('an-chart-outcomes'), '7');
    assert.equal(await points('an-chart-queue'), '7');
    assert.equal(await page.evaluate(() => typeof window.Chart), 'function');

    // The dashboard as a person sees it.
    const shot = join(process.env.TMPDIR ?? tmpdir(), `baton-analytics-dashboard-${Date.now()}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`analytics dashboard: screenshot ${shot}`);

    // CSV of the whole range: one row per session, as the summary counts them.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('an-csv').click()]);
    assert.match(download.suggestedFilename(),
                 /^baton-sessions-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = parseCsv(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(csv.map((r) => r.outcome).sort(), ['abandoned', 'escalated', 'resolved', 'unengaged']);
    const escalated = csv.find((r) => r.outcome === 'escalated');
    assert.deepEqual([escalated.topic, escalated.escalation_reason, escalated.queue, escalated.agent],
                     ['Pay bill', 'explicit', 'billing', 'bob']);
    assert.match(escalated.wait_ms, /^\d+$/);
    const resolved = csv.find((r) => r.outcome === 'resolved');
    assert.deepEqual([resolved.topic, resolved.csat_rating, resolved.csat_resolved], ['Goodbye', '5', 'yes']);
    assert.equal(csv.find((r) => r.outcome === 'abandoned').topic, 'Store hours');

    // A topic: its one session; the handoff figures carry no topic, so they are zero.
    await settled(page, () => page.getByTestId('an-topic').selectOption('Store hours'));
    assert.deepEqual(await tile(page, 'sessions'), { value: '1', detail: '1 engaged · 0 unengaged' });
    assert.deepEqual(await tile(page, 'abandon'), { value: '100%', detail: '1 abandoned' });
    assert.deepEqual(await tile(page, 'escalation'), { value: '0%', detail: '0 escalated' });
    assert.deepEqual(await tile(page, 'csat'), { value: '–', detail: 'rated by 0 of 0 asked (–)' });
    assert.deepEqual(await tile(page, 'handoffs'), { value: '0', detail: '0 accepted · – within 20 s' });
    assert.deepEqual(await rows(page, 'an-topics'), [['Store hours', '1', '0%', '0%', '100%']]);
    // The topic list keeps every topic seen, so another can be picked.
    assert.deepEqual(await page.getByTestId('an-topic').locator('option').allTextContents(),
                     ['All topics', 'Goodbye', 'Pay bill', 'Store hours']);

    // A queue: the escalated session and its handoff.
    await settled(page, () => page.getByTestId('an-topic').selectOption(''));
    await settled(page, () => page.getByTestId('an-queue').selectOption('billing'));
    assert.deepEqual(await tile(page, 'sessions'), { value: '1', detail: '1 engaged · 0 unengaged' });
    assert.deepEqual(await tile(page, 'escalation'), { value: '100%', detail: '1 escalated' });
    assert.deepEqual(await tile(page, 'handoffs'), { value: '1', detail: '1 accepted · 100% within 20 s' });
    const [billingOnly] = await Promise.all([page.waitForEvent('download'),
                                             page.getByTestId('an-csv').click()]);
    const filtered = parseCsv(readFileSync(await billingOnly.path(), 'utf8'));
    assert.deepEqual(filtered.map((r) => [r.outcome, r.queue]), [['escalated', 'billing']]);

    // A day: charted by the hour (24 points).
    const today = await page.getByTestId('an-to').inputValue();
    await settled(page, () => page.getByTestId('an-from').fill(today));
    assert.equal(await points('an-chart-outcomes'), '24');
    assert.deepEqual(await tile(page, 'sessions'), { value: '1', detail: '1 engaged · 0 unengaged' });

    // An end before the start is refused in the page, without a request.
    await settled(page, () => page.getByTestId('an-queue').selectOption(''));
    await page.getByTestId('an-to').fill('2020-01-07');
    await waitText(page.getByTestId('an-error'), /end date is before the start/);

    // A week long ago: nothing, and every rate a dash.
    await settled(page, () => page.getByTestId('an-from').fill('2020-01-01'));
    assert.equal(await page.getByTestId('an-error').isVisible(), false);
    assert.deepEqual(await tile(page, 'sessions'), { value: '0', detail: '0 engaged · 0 unengaged' });
    for (const metric of ['resolution', 'escalation', 'abandon', 'csat']) {
      assert.equal((await tile(page, metric)).value, '–', metric);
    }
    assert.deepEqual(await rows(page, 'an-topics'), [['No data for this range']]);

    // The server's refusal (over 3 years) is shown as it said it.
    await settled(page, () => page.getByTestId('an-to').fill(today), 'error');
    await waitText(page.getByTestId('an-error'), /at most 3 years/);

    assert.deepEqual(entry.violations, [], 'no CSP violation');
    assert.deepEqual(entry.errors, [], 'no page error');

    // An agent: no view switch, no Analytics, the library never loaded, and 403 from the API.
    const alice = await chromium.openConsole(server, 'alice', PASSWORD,
                                             { available: false, context: CONTEXT });
    const aliceEntry = chromium.pages.find((p) => p.page === alice);
    const loaded = [];
    alice.on('request', (r) => loaded.push(r.url()));
    assert.equal(await alice.getByTestId('view-analytics').isVisible(), false);
    assert.equal(await alice.getByTestId('analytics-view').isVisible(), false);
    assert.equal(await alice.evaluate(() => typeof window.Chart), 'undefined');
    assert.ok(!loaded.some((u) => u.includes('chart.umd.js')));
    const aliceToken = await alice.evaluate(() => sessionStorage.getItem('baton.agent.token'));
    for (const path of ['summary', 'timeseries?metric=sessions', 'sessions.csv']) {
      const r = await request(`${server.base}/api/analytics/${path}`, { auth: aliceToken });
      assert.equal(r.status, 403, path);
      assert.equal(r.body.error.code, 'Forbidden', path);
    }
    assert.deepEqual(aliceEntry.errors, []);
  } catch (err) {
    await chromium.reportFailure('analytics-dashboard', server);
    throw err;
  } finally {
    await chromium.closePages();
  }
});
