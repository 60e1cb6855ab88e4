// A customer's history and the search in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core) against a real `baton serve`: a returning customer (the same user id on the
// official DirectLineJS client, two conversations) — the agent who gets the second one sees the
// first in the context panel's History and opens it read-only; a supervisor searches the ended
// conversations by a word the customer wrote and opens what it finds. Screenshots of each step
// are saved in $BATON_TEST_OUTPUT (else $TMPDIR; paths printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STEP_MS, tabFor, waitText } from '../lib/browser.mjs';
import { ConsoleSuite, PASSWORD, dlCustomerHandedTo } from '../lib/console.mjs';

const suite = new ConsoleSuite('history-e2e', {
  hub: `hub:
  default_queue: general
  missed_offers_before_away: 0
  queues:
    - name: general
      dispositions: [solved, call-back]
`,
  agents: [{ id: 'alice', name: 'Alice Martin', role: 'agent', capacity: 2 },
           { id: 'sam', name: 'Sam Super', role: 'supervisor', capacity: 1 }],
});
before(() => suite.start());
after(() => suite.stop());

// A conversation of `userId` (named Dana) on DirectLineJS that asks for an agent; alice accepts it.
const escalated = (alice, userId) => dlCustomerHandedTo(suite.server, alice, userId, { name: 'Dana' });

test('a returning customer: the agent sees and opens the first conversation in History; ' +
     'a supervisor finds it by text', { timeout: 150000 }, async () => {
  const { chromium, server } = suite;
  const customers = [];
  await suite.run('history-e2e', async () => {
    const alice = await chromium.openConsole(server, 'alice', PASSWORD);
    const userId = `dl_returning_${Date.now()}`;

    // The first conversation: the customer writes about an order; alice closes and wraps it up.
    const first = await escalated(alice, userId);
    customers.push(first.customer);
    await first.say('My order ORD-777 never arrived');
    const panel1 = first.panel;
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
    const panel2 = second.panel;
    const item = panel2.locator(`[data-testid="history-item"][data-conversation-id="${first.id}"]`);
    await item.waitFor({ timeout: STEP_MS });
    assert.equal(await panel2.getByTestId('history-item').count(), 1);
    assert.match(await item.textContent(), /general · alice · completed · solved/);
    await suite.shot(alice, 'history-1-context-panel');

    // Opened read-only: the old transcript, how it ended, no reply box.
    await item.click();
    const viewer = alice.getByTestId('history-viewer');
    await viewer.waitFor({ state: 'visible', timeout: STEP_MS });
    await waitText(viewer.getByTestId('history-transcript').getByTestId('transcript-customer'), /ORD-777/);
    assert.equal(await viewer.getByTestId('history-agent').textContent(), 'alice');
    assert.equal(await viewer.getByTestId('history-disposition').textContent(), 'solved');
    assert.equal(await viewer.getByTestId('history-user').textContent(), userId);
    assert.equal(await viewer.getByTestId('composer-input').count(), 0, 'read-only');
    await suite.shot(alice, 'history-2-viewer');
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
    await suite.shot(sam, 'history-3-search');
    await row.getByTestId('search-open').click();
    const samViewer = sam.getByTestId('history-viewer');
    await waitText(samViewer.getByTestId('history-transcript').getByTestId('transcript-customer'), /ORD-777/);
    await suite.shot(sam, 'history-4-search-opened');

    // A search that finds nothing says so; agents only see the search of their own.
    await samViewer.getByTestId('history-close').click();
    await search.getByTestId('search-q').fill('no such words');
    await search.getByTestId('search-submit').click();
    await waitText(search.getByTestId('search-status'), /Nothing found/);
    await alice.getByTestId('view-search').click();
    await waitText(alice.getByTestId('search-scope'), /you handled/);
    assert.equal(await alice.getByTestId('search-agent').isVisible(), false);
    assert.equal(await alice.getByTestId('view-supervisor').isVisible(), false);
  }, { always: () => customers.forEach((c) => c.end()) });
});
