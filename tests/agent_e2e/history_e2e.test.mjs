// A customer's history and the search in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core) against a real `baton serve`: a returning customer (the same user id on the
// official DirectLineJS client, two conversations) — the agent who gets the second one sees the
// first in the context panel's History and opens it read-only; a supervisor searches the ended
// conversations by a word the customer wrote and opens what it finds. Screenshots of each step
// are saved in $BATON_TEST_OUTPUT (else $TMPDIR; paths printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAgent } from '../lib/agentclient.mjs';
import { Chromium, STEP_MS, accept, anyOffer, convPanel, tabFor, waitText } from '../lib/browser.mjs';
import { Client } from '../lib/dlclient.mjs';
import { contoso, generateToken, makeDataDir, startServer } from '../lib/serve.mjs';

const PASSWORD = 'correct-horse-1';
const OUTPUT = process.env.BATON_TEST_OUTPUT ?? join(process.env.TMPDIR ?? tmpdir(), 'baton-history-e2e');
let chromium;
let server;
let botDir;

async function shot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  const path = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`history e2e: screenshot ${path}`);
}

before(async () => {
  botDir = mkdtempSync(join(tmpdir(), 'baton-history-e2e-bot-'));
  cpSync(contoso, botDir, { recursive: true });
  writeFileSync(join(botDir, 'hub.yaml'), `hub:
  default_queue: general
  missed_offers_before_away: 0
  queues:
    - name: general
      dispositions: [solved, call-back]
`);
  const dataDir = makeDataDir('baton-history-e2e-');
  await addAgent(dataDir, { id: 'alice', name: 'Alice Martin', role: 'agent', capacity: 2, password: PASSWORD });
  await addAgent(dataDir, { id: 'sam', name: 'Sam Super', role: 'supervisor', capacity: 1, password: PASSWORD });
  server = await startServer({ bot: botDir, dataDir, args: ['--session-rate-limit', '0'] });
  chromium = await Chromium.launch();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
  if (server) {
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  rmSync(botDir, { recursive: true, force: true });
});

// A conversation of `userId` on DirectLineJS that asks for an agent; alice accepts it.
async function escalated(alice, userId) {
  const { token } = await generateToken(server, userId);
  const customer = new Client({ domain: server.domain, token, webSocket: true }, userId);
  await customer.waitForStatus(2 /* Online */, STEP_MS).catch(() => {});
  const say = (text) => customer.send({ type: 'message', text, from: { id: userId, name: 'Dana', role: 'user' },
                                        locale: 'en-US' });
  await say('talk to an agent');
  const id = await anyOffer(alice);
  await accept(alice, id);
  return { customer, say, id };
}

test('a returning customer: the agent sees and opens the first conversation in History; ' +
     'a supervisor finds it by text', { timeout: 150000 }, async () => {
  const customers = [];
  try {
    const alice = await chromium.openConsole(server, 'alice', PASSWORD);
    const userId = `dl_returning_${Date.now()}`;

    // The first conversation: the customer writes about an order; alice closes and wraps it up.
    const first = await escalated(alice, userId);
    customers.push(first.customer);
    await first.say('My order ORD-777 never arrived');
    const panel1 = convPanel(alice, first.id);
    await waitText(panel1.getByTestId('transcript-customer'), /ORD-777/);
    // A first-time customer: nothing in History.
    await panel1.getByTestId('history-none').waitFor({ timeout: STEP_MS });
    await panel1.getByTestId('end-close').click();
    const form = panel1.getByTestId('wrapup-form');
    await form.waitFor({ timeout: STEP_MS });
    await form.getByTestId('wrapup-disposition').selectOption('solved');
    await form.getByTestId('wrapup-done').click();
    await tabFor(alice, first.id).waitFor({ state: 'detached', timeout: STEP_MS });

    // The same customer comes back: History lists the first conversation with how it ended.
    const second = await escalated(alice, userId);
    customers.push(second.customer);
    assert.notEqual(second.id, first.id);
    const panel2 = convPanel(alice, second.id);
    const item = panel2.locator(`[data-testid="history-item"][data-conversation-id="${first.id}"]`);
    await item.waitFor({ timeout: STEP_MS });
    assert.equal(await panel2.getByTestId('history-item').count(), 1);
    assert.match(await item.textContent(), /general · alice · completed · solved/);
    await shot(alice, 'history-1-context-panel');

    // Opened read-only: the old transcript, how it ended, no reply box.
    await item.click();
    const viewer = alice.getByTestId('history-viewer');
    await viewer.waitFor({ state: 'visible', timeout: STEP_MS });
    await waitText(viewer.getByTestId('history-transcript').getByTestId('transcript-customer'), /ORD-777/);
    assert.equal(await viewer.getByTestId('history-agent').textContent(), 'alice');
    assert.equal(await viewer.getByTestId('history-disposition').textContent(), 'solved');
    assert.equal(await viewer.getByTestId('history-user').textContent(), userId);
    assert.equal(await viewer.getByTestId('composer-input').count(), 0, 'read-only');
    await shot(alice, 'history-2-viewer');
    await viewer.getByTestId('history-close').click();
    await viewer.waitFor({ state: 'hidden', timeout: STEP_MS });

    // A supervisor searches the ended conversations for the order number, any case.
    const sam = await chromium.openConsole(server, 'sam', PASSWORD, { available: false });
    await sam.getByTestId('view-search').click();
    const search = sam.getByTestId('search-view');
    await search.waitFor({ timeout: STEP_MS });
    await waitText(search.getByTestId('search-scope'), /All conversations/);
    await search.getByTestId('search-q').fill('ord-777');
    await search.getByTestId('search-submit').click();
    const row = search.locator(`[data-testid="search-result"][data-conversation-id="${first.id}"]`);
    await row.waitFor({ timeout: STEP_MS });
    assert.equal(await search.getByTestId('search-result').count(), 1, 'the second conversation has not ended');
    assert.match(await row.textContent(), new RegExp(`${userId}.*general.*alice.*completed.*solved`));
    await shot(sam, 'history-3-search');
    await row.getByTestId('search-open').click();
    const samViewer = sam.getByTestId('history-viewer');
    await waitText(samViewer.getByTestId('history-transcript').getByTestId('transcript-customer'), /ORD-777/);
    await shot(sam, 'history-4-search-opened');

    // A search that finds nothing says so; agents only see the search of their own.
    await samViewer.getByTestId('history-close').click();
    await search.getByTestId('search-q').fill('no such words');
    await search.getByTestId('search-submit').click();
    await waitText(search.getByTestId('search-status'), /Nothing found/);
    await alice.getByTestId('view-search').click();
    await waitText(alice.getByTestId('search-scope'), /you handled/);
    assert.equal(await alice.getByTestId('search-agent').isVisible(), false);
    assert.equal(await alice.getByTestId('view-supervisor').isVisible(), false);
  } catch (err) {
    await chromium.reportFailure('history-e2e', server);
    throw err;
  } finally {
    for (const c of customers) {
      c.end();
    }
    await chromium.closePages();
  }
});
