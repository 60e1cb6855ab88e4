// Canned responses and wrap-up dispositions in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core) against a real `baton serve`: a supervisor adds a canned response in the
// Supervisor view; an agent types `/` in the reply box, searches, inserts it filled with the
// customer's name, its own and a context value, and sends it; the customer, on the official
// DirectLineJS client, receives it; then the agent ends the conversation and finishes the wrap-up,
// refused without a disposition (the queue requires one), accepted with one and a note, which the
// handoff record keeps. Screenshots of each step are saved in $BATON_TEST_OUTPUT (else $TMPDIR;
// paths printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STEP_MS, tabFor, waitText } from '../lib/browser.mjs';
import { ConsoleSuite, PASSWORD, dlCustomerHandedTo } from '../lib/console.mjs';
import { handoffs, waitUntil } from '../lib/serve.mjs';

const suite = new ConsoleSuite('canned-e2e', {
  hub: `hub:
  default_queue: general
  missed_offers_before_away: 0
  queues:
    - name: billing
      skills: [billing]
    - name: general
      dispositions: [solved, call-back]
      disposition_required: true
`,
  agents: [{ id: 'alice', name: 'Alice Martin', role: 'agent', capacity: 2 },
           { id: 'sam', name: 'Sam Super', role: 'supervisor', capacity: 1 }],
});
before(() => suite.start());
after(() => suite.stop());

test('a supervisor adds a canned response, an agent inserts it with / and the customer gets it; ' +
     'the wrap-up needs a disposition', { timeout: 120000 }, async () => {
  const { chromium, server } = suite;
  let customer;
  await suite.run('canned-e2e', async () => {
    // The supervisor adds a global canned response in the Supervisor view.
    const sam = await chromium.openConsole(server, 'sam', PASSWORD, { available: false });
    await sam.getByTestId('view-supervisor').click();
    const admin = sam.getByTestId('canned-admin');
    await admin.waitFor({ timeout: STEP_MS });
    await admin.getByTestId('canned-code').fill('greet');
    await admin.getByTestId('canned-title').fill('Greeting');
    await admin.getByTestId('canned-text').fill(
      'Hello {customer.name}, I am {agent.name}. Bot language: {context.va_Language}. {order.id}');
    await admin.getByTestId('canned-save').click();
    await waitText(admin.getByTestId('canned-row'), /greet/);
    // A bad code is refused by the server; the form says why and keeps the text.
    await admin.getByTestId('canned-code').fill('thanks');
    await admin.getByTestId('canned-title').fill('Thanks');
    await admin.getByTestId('canned-text').fill('Thank you for waiting, {customer.name}.');
    await admin.getByTestId('canned-save').click();
    await waitText(admin.getByTestId('canned-row'), /thanks/);
    assert.equal(await admin.getByTestId('canned-row').count(), 2);
    await suite.shot(sam, 'canned-1-supervisor-list');

    // A customer on DirectLineJS, with a name, asks for an agent.
    const alice = await chromium.openConsole(server, 'alice', PASSWORD);
    const handed = await dlCustomerHandedTo(server, alice, `dl_canned_${Date.now()}`, { name: 'Dana' });
    customer = handed.customer;
    const { id, panel } = handed;
    const composer = panel.getByTestId('composer-input');

    // `/` opens the list; typing searches it; Enter inserts the filled text.
    await composer.click();
    await composer.pressSequentially('/');
    const picker = panel.getByTestId('canned-picker');
    await picker.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal(await picker.getByTestId('canned-option').count(), 2, 'both responses listed');
    await composer.pressSequentially('gre');
    await waitUntil(async () => (await picker.getByTestId('canned-option').count()) === 1, STEP_MS, 'one match');
    assert.equal(await picker.getByTestId('canned-option').getAttribute('data-code'), 'greet');
    await suite.shot(alice, 'canned-2-picker');
    await composer.press('Enter');
    await picker.waitFor({ state: 'hidden', timeout: STEP_MS });
    const inserted = await composer.inputValue();
    assert.match(inserted, /^Hello Dana, I am Alice Martin\. Bot language: en-us\. \{order\.id\}$/);
    assert.ok(!inserted.includes('{context.'), `the context value is filled: ${inserted}`);
    // The unknown placeholder stays visible; the agent removes it before sending.
    await composer.fill(inserted.replace(' {order.id}', ''));
    const sent = await composer.inputValue();
    await composer.press('Enter');
    const got = await customer.waitFor((a) => a.type === 'message' && a.text === sent,
                                       { ms: STEP_MS, what: 'the canned answer at the customer' });
    assert.equal(got.from.name, 'Alice Martin');
    await waitText(panel.getByTestId('transcript-agent'), /Hello Dana, I am Alice Martin/);
    // Escape closes the list without inserting anything.
    await composer.pressSequentially('/th');
    await picker.waitFor({ state: 'visible', timeout: STEP_MS });
    await composer.press('Escape');
    await picker.waitFor({ state: 'hidden', timeout: STEP_MS });
    assert.equal(await composer.inputValue(), '/th');
    await composer.fill('');

    // Wrap-up: Done without a disposition is refused (the queue requires one), then accepted.
    await panel.getByTestId('end-close').click();
    const form = panel.getByTestId('wrapup-form');
    await form.waitFor({ timeout: STEP_MS });
    const options = await form.getByTestId('wrapup-disposition').locator('option').allTextContents();
    assert.deepEqual(options.slice(1), ['solved', 'call-back']);
    // The browser's own check stops an empty required select; the server refuses it too.
    const refused = await alice.evaluate(async (conversation) => {
      const res = await fetch(`/api/agent/conversations/${encodeURIComponent(conversation)}/wrapup`, {
        method: 'POST', headers: { Authorization: `Bearer ${sessionStorage.getItem('baton.agent.token')}` },
      });
      return res.status;
    }, id);
    assert.ok(refused === 400 || refused === 401, `wrap-up without a disposition: ${refused}`);
    await form.getByTestId('wrapup-disposition').selectOption('call-back');
    await form.getByTestId('wrapup-note').fill('Customer wants a call on Monday');
    await suite.shot(alice, 'canned-3-wrapup');
    await form.getByTestId('wrapup-done').click();
    await tabFor(alice, id).waitFor({ state: 'detached', timeout: STEP_MS });
    const record = await waitUntil(async () => (await handoffs(server, id)).at(-1)?.outcome?.wrapUp, STEP_MS,
                                   'the wrap-up in the handoff record');
    assert.equal(record.disposition, 'call-back');
    assert.equal(record.note, 'Customer wants a call on Monday');
    assert.equal(record.agent, 'alice');
    await suite.shot(alice, 'canned-4-done');
  }, { always: () => customer?.end() });
});
