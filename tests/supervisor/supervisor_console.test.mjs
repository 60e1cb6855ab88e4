// The console's supervisor interventions end to end in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core) against a real `baton serve`: a Web Chat customer
// (the test page at /) talks to alice in her console; sam, a supervisor, monitors the
// conversation, whispers (alice sees it, the customer's Web Chat never does), barges in (the
// customer sees his message) and takes it over (alice is told). Then ada, an admin, adds an agent
// in the console's agent management, who logs in at once; sam sets that agent's presence. Last,
// sam assigns a waiting conversation to alice from its monitor tab. Screenshots of every page are saved
// in $BATON_TEST_OUTPUT (else $TMPDIR) whether the test passes or not (paths printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { STEP_MS, convPanel, setPresence, tabFor, waitText } from '../lib/browser.mjs';
import { ConsoleSuite, PASSWORD, webChatHandedTo } from '../lib/console.mjs';
import { newConversation, postActivity, userMessage, waitUntil } from '../lib/serve.mjs';

const suite = new ConsoleSuite('supervisor-console', {
  agents: [{ id: 'alice', name: 'Alice Martin', capacity: 3 },
           { id: 'sam', name: 'Sam Super', role: 'supervisor', capacity: 2 },
           { id: 'ada', name: 'Ada Admin', role: 'admin' }],
});
before(() => suite.start());
after(() => suite.stop());

// Runs a test's `body` with every page screenshotted at its end, passed or not.
function scenario(name, body) {
  return suite.run(`supervisor-${name}`, () => body(suite), { always: () => suite.shotAll(name) });
}

test('a supervisor whispers, barges in and takes over from the console', { timeout: 120000 },
     () => scenario('intervene', async ({ chromium, server }) => {
  const alice = await chromium.openConsole(server, 'alice', PASSWORD);
  const { chat, id, panel } = await webChatHandedTo(chromium, server, alice);
  await panel.getByTestId('composer-input').fill('Hi, Alice here.');
  await panel.getByTestId('composer-input').press('Enter');
  await chat.getByText('Hi, Alice here.').first().waitFor({ timeout: STEP_MS });

  // sam monitors the conversation from the supervisor view.
  const sam = await chromium.openConsole(server, 'sam', PASSWORD, { available: false });
  await sam.getByTestId('view-supervisor').click();
  const row = sam.locator(`[data-testid="sup-conversation"][data-conversation-id="${id}"]`);
  await row.waitFor({ timeout: STEP_MS });
  await row.getByTestId('sup-monitor').click();
  const monitor = convPanel(sam, id, 'monitor');
  await waitText(monitor.getByTestId('transcript-agent'), /Alice here/);
  const box = monitor.getByTestId('intervene-input');

  // Whisper: alice sees it styled as a whisper; the customer never does.
  await box.fill('psst: offer the voucher');
  const whispered = sam.waitForResponse((r) => r.url().endsWith('/whisper'));
  await monitor.getByTestId('sup-whisper').click();
  assert.equal((await whispered).status(), 200);
  await waitText(panel.getByTestId('transcript-whisper'), /psst: offer the voucher/);
  await waitText(panel.getByTestId('transcript-whisper'), /Sam Super/);
  await waitText(monitor.getByTestId('transcript-whisper'), /psst/);
  assert.equal(await box.inputValue(), '', 'the box is cleared once sent');

  // Barge: the customer sees sam's message in Web Chat; the whisper is still nowhere there.
  await box.fill('Sam here, the supervisor. Happy to help.');
  await monitor.getByTestId('sup-barge').click();
  await chat.getByText('Sam here, the supervisor. Happy to help.').first().waitFor({ timeout: STEP_MS });
  await waitText(panel.getByTestId('transcript-agent'), /Sam here/);
  await waitText(panel.getByTestId('transcript-agent'), /Sam Super/);
  assert.equal(await chat.getByText(/psst/).count(), 0, 'the customer never sees the whisper');
  await suite.shotAll('intervene-after-barge');

  // Take over: sam owns it and writes as himself; alice's tab says it left her.
  await monitor.getByTestId('sup-take-over').click();
  const mine = convPanel(sam, id, 'agent');
  await mine.getByTestId('composer-input').waitFor({ timeout: STEP_MS });
  await waitUntil(async () => (await tabFor(alice, id).getAttribute('data-state')) === 'left',
                  STEP_MS, "alice's tab to say the conversation left her");
  await waitText(alice.getByTestId('notice'), /taken over/);
  await mine.getByTestId('composer-input').fill('I will finish this one myself.');
  await mine.getByTestId('composer-input').press('Enter');
  await chat.getByText('I will finish this one myself.').first().waitFor({ timeout: STEP_MS });
  assert.equal(await chat.getByText(/psst/).count(), 0, 'the customer never sees the whisper');
  for (const p of chromium.pages) {
    assert.deepEqual(p.errors, [], `${p.label}: no page errors`);
    assert.deepEqual(p.violations, [], `${p.label}: no CSP violations`);
  }
}));

test('an admin adds an agent in the console, who then logs in; a supervisor sets its presence',
     { timeout: 120000 }, () => scenario('agents', async ({ chromium, server }) => {
  const ada = await chromium.openConsole(server, 'ada', PASSWORD, { available: false });
  await ada.getByTestId('view-supervisor').click();
  const admin = ada.getByTestId('agents-admin');
  await admin.waitFor({ state: 'visible', timeout: STEP_MS });
  await admin.locator('[data-testid="adm-agent"][data-agent-id="alice"]').waitFor({ timeout: STEP_MS });
  await admin.getByTestId('adm-add-id').fill('carol');
  await admin.getByTestId('adm-add-name').fill('Carol New');
  await admin.getByTestId('adm-add-skills').fill('Billing, german');
  await admin.getByTestId('adm-add-capacity').fill('2');
  await admin.getByTestId('adm-add-password').fill('carol-password-1');
  const added = ada.waitForResponse((r) => r.url().endsWith('/api/agent/agents') && r.request().method() === 'POST');
  await admin.getByTestId('adm-add-submit').click();
  assert.equal((await added).status(), 200);
  const row = admin.locator('[data-testid="adm-agent"][data-agent-id="carol"]');
  await row.waitFor({ timeout: STEP_MS });
  assert.equal(await row.getByTestId('adm-skills').inputValue(), 'billing, german');
  assert.equal(await row.getByTestId('adm-name').inputValue(), 'Carol New');

  // A bad password is refused with the server's reason.
  await admin.getByTestId('adm-add-id').fill('dave');
  await admin.getByTestId('adm-add-password').fill('short');
  await ada.evaluate(() => { document.querySelector('[data-testid="adm-add-password"]').removeAttribute('minlength'); });
  await admin.getByTestId('adm-add-submit').click();
  await waitText(ada.getByTestId('notice'), /password too short/);

  // carol logs in to her own console at once.
  const carol = await chromium.openConsole(server, 'carol', 'carol-password-1', { available: false });
  await waitText(carol.getByTestId('connection-status'), /Connected/);

  // sam (a supervisor) sees no agent management, and sets carol's presence.
  const sam = await chromium.openConsole(server, 'sam', PASSWORD, { available: false });
  await sam.getByTestId('view-supervisor').click();
  const carolRow = sam.locator('[data-testid="sup-agent"][data-agent-id="carol"]');
  await carolRow.waitFor({ timeout: STEP_MS });
  assert.equal(await sam.getByTestId('agents-admin').isVisible(), false, 'admins only');
  await carolRow.getByTestId('sup-agent-set-presence').selectOption('available');
  await waitUntil(async () => (await carol.getByTestId('presence-select').inputValue()) === 'available',
                  STEP_MS, "carol's console to show the presence sam set");
  await waitText(carolRow.getByTestId('sup-agent-presence'), /available/i);

  // ada disables carol: carol's console is sent back to the login form, her row says disabled;
  // enabled again, the row says so too.
  const own = admin.locator('[data-testid="adm-agent"][data-agent-id="ada"]');
  assert.equal(await own.getByTestId('adm-toggle-disabled').count(), 0, 'no Disable on your own row');
  const toggle = row.getByTestId('adm-toggle-disabled');
  assert.equal(await toggle.textContent(), 'Disable');
  const disabling = ada.waitForResponse((r) => r.url().endsWith('/agents/carol/disable'));
  await toggle.click();
  assert.equal((await disabling).status(), 200);
  await waitUntil(async () => (await row.getAttribute('data-disabled')) === 'true', STEP_MS, 'the row disabled');
  await row.getByTestId('adm-disabled-badge').waitFor({ timeout: STEP_MS });
  await carol.getByTestId('login-id').waitFor({ state: 'visible', timeout: STEP_MS });
  await suite.shotAll('agents-disabled');
  const enabling = ada.waitForResponse((r) => r.url().endsWith('/agents/carol/enable'));
  await row.getByTestId('adm-toggle-disabled').click();
  assert.equal((await enabling).status(), 200);
  await waitUntil(async () => (await row.getAttribute('data-disabled')) === 'false', STEP_MS, 'the row enabled');
  await suite.shotAll('agents-done');
  for (const p of chromium.pages) {
    assert.deepEqual(p.violations, [], `${p.label}: no CSP violations`);
  }
}));

test('a supervisor assigns a waiting conversation to a chosen agent from the console',
     { timeout: 120000 }, () => scenario('assign', async ({ chromium, server }) => {
  const alice = await chromium.openConsole(server, 'alice', PASSWORD, { available: false });
  await setPresence(alice, 'busy');  // online, but no offers: the customer waits
  const conv = await newConversation(server);
  const said = await postActivity(server, conv, userMessage(conv, 'talk to an agent'));
  assert.equal(said.status, 200, said.text);
  const id = conv.conversationId;

  const sam = await chromium.openConsole(server, 'sam', PASSWORD, { available: false });
  await sam.getByTestId('view-supervisor').click();
  const row = sam.locator(`[data-testid="sup-conversation"][data-conversation-id="${id}"]`);
  // Waiting, or offered to carol (set available by the previous test): either may be assigned.
  await waitUntil(async () => (await row.count()) === 1 &&
                              ['waiting', 'offered'].includes(await row.getAttribute('data-state')),
                  STEP_MS, 'the conversation unassigned in the supervisor view');
  await row.getByTestId('sup-monitor').click();
  const monitor = convPanel(sam, id, 'monitor');
  await monitor.getByTestId('assign-kind').selectOption('agent');
  await monitor.getByTestId('assign-target').fill('alice');
  await monitor.getByTestId('assign-note').fill('a regular customer');
  const assigned = sam.waitForResponse((r) => r.url().endsWith('/assign'));
  await monitor.getByTestId('assign-submit').click();
  assert.equal((await assigned).status(), 200);
  await tabFor(alice, id).waitFor({ timeout: STEP_MS });
  await tabFor(alice, id).click();
  await convPanel(alice, id).getByTestId('composer-input').waitFor({ timeout: STEP_MS });
  await waitText(convPanel(alice, id).getByTestId('ctx-transfer-note'), /a regular customer/);
  await suite.shotAll('assign-done');
}));
