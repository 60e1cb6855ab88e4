// Notifications and unread counts in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core) against a real `baton serve`. The agent's browser context has the
// notifications permission granted; an init script wraps window.Notification to record every
// notification the page creates, and lets the test say whether the page has the focus (as a tab
// in the background would not). Checked: nothing while the alerts are off; after "Enable
// notifications" a desktop notification and a beep for a new offer while the tab is not focused;
// for a customer's message in a background conversation a notification (sender and text), a beep
// and an unread badge counting the messages, which clears when the agent opens that conversation;
// the page title counts pending offers plus unread messages;
// nothing for a message in the conversation on screen while the tab has the focus. Screenshots in
// $BATON_TEST_OUTPUT (else $TMPDIR; paths printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STEP_MS, accept, anyOffer, offerFor, tabFor } from '../lib/browser.mjs';
import { ConsoleSuite, PASSWORD } from '../lib/console.mjs';
import { newConversation, postActivity, userMessage, waitUntil } from '../lib/serve.mjs';

const suite = new ConsoleSuite('notifications-e2e', { agents: [{ id: 'alice', name: 'Alice Martin', capacity: 2 }] });
before(() => suite.start());
after(() => suite.stop());

// Runs in the page before its scripts: records notifications (still creating the real one when
// the browser can), counts permission requests, and puts document.hasFocus under the test's
// control (window.__focused).
function recordNotifications() {
  window.__notifications = [];
  window.__permissionRequests = 0;
  window.__focused = true;
  const Real = window.Notification;
  class Recorded {
    constructor(title, options = {}) {
      window.__notifications.push({ title, body: options.body ?? '', tag: options.tag ?? '' });
      try {
        this.real = new Real(title, options);
      } catch {
        this.real = null;
      }
    }

    close() {
      this.real?.close();
    }

    static get permission() {
      return Real.permission;
    }

    static requestPermission(...args) {
      window.__permissionRequests += 1;
      return Real.requestPermission(...args);
    }
  }
  window.Notification = Recorded;
  document.hasFocus = () => window.__focused;
}

const recorded = (page) => page.evaluate(() => window.__notifications);
const beeps = (page) => page.evaluate(() => window.batonConsole.alerts.beeps);
const setFocused = (page, focused) => page.evaluate((f) => { window.__focused = f; }, focused);
const badge = (page, id) => tabFor(page, id).getByTestId('unread');

test('offers and background messages notify (sound, desktop); unread badges count and clear',
     { timeout: 120000 }, async () => {
  const { chromium, server } = suite;
  await suite.run('notifications-e2e', async () => {
    const alice = await chromium.openConsole(server, 'alice', PASSWORD, {
      context: { permissions: ['notifications'], initScript: recordNotifications },
    });
    const toggle = alice.getByTestId('notifications-toggle');
    assert.equal(await toggle.getAttribute('data-state'), 'off');
    await setFocused(alice, false);

    // Alerts off: an offer arrives silently.
    const one = await newConversation(server);
    assert.equal((await postActivity(server, one, userMessage(one, 'talk to an agent'))).status, 200);
    assert.equal(await anyOffer(alice), one.conversationId);
    assert.deepEqual(await recorded(alice), []);
    assert.equal(await beeps(alice), 0);
    // The page title counts the pending offer, and drops it once accepted.
    await waitUntil(async () => (await alice.title()) === '(1) Baton agent console', STEP_MS, 'the offer in the title');
    await accept(alice, one.conversationId);
    await waitUntil(async () => (await alice.title()) === 'Baton agent console', STEP_MS, 'no count in the title');

    // The agent turns them on (a click: the gesture the permission and the sound need).
    await toggle.click();
    await waitUntil(async () => (await toggle.getAttribute('data-state')) === 'on', STEP_MS, 'alerts on');
    assert.equal(await alice.evaluate(() => Notification.permission), 'granted');

    // A new offer while the tab is not focused: a notification and a beep.
    const two = await newConversation(server);
    assert.equal((await postActivity(server, two, userMessage(two, 'talk to an agent'))).status, 200);
    await offerFor(alice, two.conversationId).waitFor({ timeout: STEP_MS });
    await waitUntil(async () => (await recorded(alice)).length === 1, STEP_MS, 'the offer notification');
    const [offered] = await recorded(alice);
    assert.equal(offered.title, 'New conversation offered');
    assert.equal(offered.tag, `offer:${two.conversationId}`);
    assert.match(offered.body, /Queue general/);
    assert.equal(await beeps(alice), 1);
    await accept(alice, two.conversationId);  // conversation two is now on screen

    // Two messages in conversation one (in the background): two notifications, a badge of 2.
    for (const text of ['first question', 'second <b>question</b>']) {
      assert.equal((await postActivity(server, one, userMessage(one, text, {
        from: { id: one.userId, name: 'Dana', role: 'user' },
      }))).status, 200);
    }
    await waitUntil(async () => (await badge(alice, one.conversationId).textContent().catch(() => '')) === '2',
                    STEP_MS, 'an unread badge of 2 on conversation one');
    await waitUntil(async () => (await recorded(alice)).length === 3, STEP_MS, 'two message notifications');
    const messages = (await recorded(alice)).slice(1);
    assert.deepEqual(messages.map((n) => [n.title, n.body, n.tag]), [
      ['New message from Dana', 'first question', `message:${one.conversationId}`],
      ['New message from Dana', 'second <b>question</b>', `message:${one.conversationId}`],
    ]);
    assert.equal(await beeps(alice), 3);
    assert.equal(await badge(alice, two.conversationId).count(), 0, 'the conversation on screen has no badge');
    assert.equal(await alice.title(), '(2) Baton agent console');
    await suite.shot(alice, 'notifications-1-unread-badge');

    // With the focus on the page, a message in the conversation on screen does not alert.
    await setFocused(alice, true);
    assert.equal((await postActivity(server, two, userMessage(two, 'seen at once'))).status, 200);
    await tabFor(alice, two.conversationId).waitFor();
    await waitUntil(async () => (await alice.getByTestId('message-text').allTextContents()).includes('seen at once'),
                    STEP_MS, 'the message on screen');
    assert.equal((await recorded(alice)).length, 3);
    assert.equal(await beeps(alice), 3);
    // A message in the background conversation beeps, but a focused page gets no desktop notification.
    assert.equal((await postActivity(server, one, userMessage(one, 'third'))).status, 200);
    await waitUntil(async () => (await badge(alice, one.conversationId).textContent().catch(() => '')) === '3',
                    STEP_MS, 'the badge at 3');
    assert.equal(await beeps(alice), 4);
    assert.equal((await recorded(alice)).length, 3);

    // Opening conversation one clears its badge.
    await tabFor(alice, one.conversationId).click();
    await badge(alice, one.conversationId).waitFor({ state: 'detached', timeout: STEP_MS });
    assert.equal(await alice.title(), 'Baton agent console');
    await suite.shot(alice, 'notifications-2-cleared');

    // The choice is kept: after a reload the alerts are still on; turning them off stops them.
    await alice.reload();
    await alice.getByTestId('presence-select').waitFor({ timeout: STEP_MS });
    assert.equal(await alice.getByTestId('notifications-toggle').getAttribute('data-state'), 'on');
    await alice.getByTestId('notifications-toggle').click();
    assert.equal(await alice.getByTestId('notifications-toggle').getAttribute('data-state'), 'off');
    assert.equal(await alice.evaluate(() => window.__permissionRequests), 0,
                 'the permission was granted already: not asked again');
    for (const p of chromium.pages) {
      assert.deepEqual(p.errors, [], `${p.label}: no page errors`);
      assert.deepEqual(p.violations, [], `${p.label}: no CSP violations`);
    }
  });
});
