// End to end in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): the agent
// console at /agent against a real `baton serve` (port 0, temp data dir, agents created with
// `baton agent add`), customers in Web Chat (the test page at /) or on Direct Line REST.
// Two servers: A with the usual 30 s offer timeout, B with a 3 s one (offer timeout → re-offer);
// the unsupported-channel test starts its own (hub.yaml live_chat_channels: [msteams]).
// On failure each open page gets a screenshot in $TMPDIR (paths printed) with its console log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient, startWithAgents } from '../lib/agentclient.mjs';
import {
  Chromium, STEP_MS, accept, anyOffer, convPanel, offerFor, setPresence, tabFor, waitText,
} from '../lib/browser.mjs';
import {
  botTexts, handoffs, newConversation, postActivity, readAll, userMessage, waitUntil,
} from '../lib/serve.mjs';

const PASSWORD = 'correct-horse-1';
const AGENTS = [
  { id: 'alice', name: 'Alice Martin', role: 'agent', skills: [], capacity: 3 },
  { id: 'bob', name: 'Bob Stone', role: 'agent', skills: ['billing'], capacity: 3 },
  { id: 'sam', name: 'Sam Super', role: 'supervisor', skills: [], capacity: 1 },
];

function hubYaml(offerTimeout, extra = '') {
  return `hub:
${extra}  default_queue: general
  missed_offers_before_away: 0
  defaults:
    offer_timeout: ${offerTimeout}
    position_update_interval: 1s
  queues:
    - name: billing
      skills: [billing]
    - name: general
`;
}

// A server on a copy of examples/contoso with its own hub.yaml.
function serverWithAgents(offerTimeout, extra = '') {
  // Every customer of these tests comes from 127.0.0.1: the per-address session limit is off.
  return startWithAgents(AGENTS, {
    password: PASSWORD, prefix: 'baton-agent-e2e-', hub: hubYaml(offerTimeout, extra),
    args: ['--session-rate-limit', '0'],
  });
}

let chromium;
let serverA;
let serverB;

before(async () => {
  [serverA, serverB] = await Promise.all([serverWithAgents('30s'), serverWithAgents('3s')]);
  chromium = await Chromium.launch();
});

after(async () => {
  await chromium?.close();
  for (const s of [serverA, serverB]) {
    if (s) {
      await s.cleanup();
    }
  }
});

// Runs `body`, and on failure saves screenshots of every page of the test and prints logs.
async function scenario(name, server, body) {
  try {
    await body();
  } catch (err) {
    await chromium.reportFailure(`agent-e2e-${name}`, server);
    throw err;
  } finally {
    await chromium.closePages();
    await everyoneOffline(server);
  }
}

// Sets every test agent offline (presence survives between tests on one server).
// Each agent is logged in once per server for this (logins are rate-limited per agent id, and the
// consoles log in too).
async function everyoneOffline(server) {
  server.offliners ??= new Map();
  for (const a of AGENTS) {
    try {
      if (!server.offliners.has(a.id)) {
        const c = new AgentClient(server);
        await c.login(a.id, PASSWORD);
        server.offliners.set(a.id, c);
      }
      await server.offliners.get(a.id).setPresence('offline');
    } catch {
      // A failing server is reported by the test itself.
    }
  }
}

const openPage = (label, url) => chromium.openPage(label, url);
const openConsole = (server, agentId, options) =>
  chromium.openConsole(server, agentId, PASSWORD, options);

// A customer on Direct Line REST: says things and waits for bot texts.
async function restCustomer(server) {
  const conv = await newConversation(server);
  return {
    conv,
    id: conv.conversationId,
    say: async (text) => {
      const r = await postActivity(server, conv, userMessage(conv, text));
      assert.ok(r.status === 200 || r.status === 201, `post "${text}": ${r.status} ${r.text}`);
    },
    typing: () => postActivity(server, conv, { type: 'typing', from: { id: conv.userId, role: 'user' } }),
    waitBot: (re, ms = STEP_MS) => waitUntil(async () => {
      const { activities } = await readAll(server, conv);
      return botTexts(activities).find((t) => re.test(t ?? ''));
    }, ms, `a bot text matching ${re}`),
    texts: async () => botTexts((await readAll(server, conv)).activities),
  };
}

test('Web Chat customer ↔ agent console: offer, accept, messages both ways, note, return to bot, survey',
     { timeout: 90000 }, () => scenario('main', serverA, async () => {
  const alice = await openConsole(serverA, 'alice');
  const { page: chat } = await openPage('customer', `${serverA.base}/`);
  const botSays = (text) => chat.getByText(
    new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['’]"))).first();
  const input = chat.locator('[data-id="webchat-sendbox-input"]');
  const customerSays = async (text) => {
    await input.fill(text);
    await input.press('Enter');
  };
  await botSays("Hi! I'm the Contoso virtual assistant").waitFor({ timeout: STEP_MS });
  await customerSays('talk to an agent');
  await botSays("I'll get someone from our team to help.").waitFor({ timeout: STEP_MS });

  // The offer, with a live countdown, queue and the bot's private message.
  const id = await anyOffer(alice);
  const offer = offerFor(alice, id);
  await waitText(offer.getByTestId('offer-countdown'), /^\d+ s left$/);
  const first = Number(await offer.getByTestId('offer-countdown').getAttribute('data-seconds'));
  assert.ok(first > 0 && first <= 30, `countdown ${first} s within the 30 s timeout`);
  assert.equal(await offer.getByTestId('offer-queue').textContent(), 'general');
  await waitText(offer.getByTestId('offer-agent-message'), /Escalated by the bot/);
  await accept(alice, id);

  // The whole transcript: bot part (customer's request, bot texts), divider, then live.
  const panel = convPanel(alice, id);
  const customerLines = panel.getByTestId('transcript-customer');
  await waitText(customerLines, /talk to an agent/);
  await waitText(panel.getByTestId('transcript-bot'), /Contoso virtual assistant/);
  assert.equal(await panel.getByTestId('handover-divider').count(), 1, 'one handover divider');
  const order = await panel.getByTestId('transcript').evaluate((ol) =>
    [...ol.children].map((li) => `${li.dataset.testid}:${li.dataset.part ?? ''}`));
  const divider = order.indexOf('handover-divider:');
  assert.ok(divider > 0, `divider after the bot part: ${order}`);
  assert.ok(order.slice(0, divider).every((o) => !o.endsWith(':live')), `bot part first: ${order}`);
  assert.equal(await panel.getByTestId('ctx-queue').textContent(), 'general');
  await waitText(panel.getByTestId('ctx-agent-message'), /Escalated by the bot/);
  assert.notEqual(await panel.getByTestId('ctx-reason').textContent(), '—', 'a reason is shown');
  const greetingBg = await panel.getByTestId('transcript-bot').first().evaluate((n) => getComputedStyle(n).backgroundColor);
  const customerBg = await customerLines.first().evaluate((n) => getComputedStyle(n).backgroundColor);
  assert.notEqual(greetingBg, customerBg, 'customer messages look different from bot messages');

  // Agent → customer, with typing sent while the agent types.
  const composer = panel.getByTestId('composer-input');
  const typingPosted = alice.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/typing'));
  await composer.pressSequentially('Hi, this is Alice. How can I help?', { delay: 5 });
  await typingPosted;
  await composer.press('Enter');
  await botSays('Hi, this is Alice. How can I help?').waitFor({ timeout: STEP_MS });
  await waitText(panel.getByTestId('transcript-agent'), /this is Alice/);

  // Customer → agent: shown live after the divider, as a customer message.
  await customerSays('My order CN123456 is late');
  await waitText(customerLines, /My order CN123456 is late/);
  const lastCustomerPart = await customerLines.last().getAttribute('data-part');
  assert.equal(lastCustomerPart, 'live');

  // An internal note: styled as internal in the console, never shown to the customer.
  await composer.fill('Customer seems upset — be kind');
  await panel.getByTestId('send-note').click();
  await waitText(panel.getByTestId('transcript-note'), /be kind/);
  await composer.fill('Your parcel leaves today.');
  await composer.press('Enter');
  await botSays('Your parcel leaves today.').waitFor({ timeout: STEP_MS });
  assert.ok(!/be kind/.test(await chat.locator('body').innerText()), 'the note never reaches Web Chat');

  // Return to bot: wrap-up in the console, the survey for the customer.
  await panel.getByTestId('end-bot').click();
  await panel.getByTestId('wrapup-done').waitFor({ timeout: STEP_MS });
  assert.equal(await tabFor(alice, id).getAttribute('data-state'), 'wrap_up');
  await botSays('Did that answer your question?').waitFor({ timeout: STEP_MS });
  await customerSays('yes');
  await botSays('How would you rate your experience').waitFor({ timeout: STEP_MS });
  await customerSays('5');
  await botSays('Thanks for your feedback').waitFor({ timeout: STEP_MS });
  await panel.getByTestId('wrapup-done').click();
  await tabFor(alice, id).waitFor({ state: 'detached', timeout: STEP_MS });

  const records = await waitUntil(async () => {
    const list = await handoffs(serverA, id);
    const last = list.at(-1);
    const outcome = typeof last?.outcome_json === 'string' ? JSON.parse(last.outcome_json || '{}')
      : (last?.outcome ?? last?.outcome_json ?? {});
    return outcome?.survey ? outcome : null;
  }, STEP_MS, 'the survey answers in the handoff outcome');
  assert.equal(records.outcome, 'completed');
  assert.equal(records.agent, 'alice');
  assert.deepEqual(records.survey, { resolved: true, rating: 5 });
  for (const p of chromium.pages) {
    assert.deepEqual(p.errors, [], `${p.label}: no page errors`);
  }
}));

test('decline → the second agent gets the offer', { timeout: 60000 }, () => scenario('decline', serverA, async () => {
  const alice = await openConsole(serverA, 'alice');
  const bob = await openConsole(serverA, 'bob', { available: false });
  const customer = await restCustomer(serverA);
  await customer.say('talk to an agent');
  await offerFor(alice, customer.id).waitFor({ timeout: STEP_MS });
  await setPresence(bob, 'available');
  await offerFor(alice, customer.id).getByTestId('offer-decline').click();
  await offerFor(alice, customer.id).waitFor({ state: 'detached', timeout: STEP_MS });
  await offerFor(bob, customer.id).waitFor({ timeout: STEP_MS });
  await accept(bob, customer.id);
  const panel = convPanel(bob, customer.id);
  await panel.getByTestId('composer-input').fill('Bob here.');
  await panel.getByTestId('composer-input').press('Enter');
  await customer.waitBot(/^Bob here\.$/);
  // Close (not back to the bot): wrap-up, then done.
  await panel.getByTestId('end-close').click();
  await panel.getByTestId('wrapup-done').click();
  await tabFor(bob, customer.id).waitFor({ state: 'detached', timeout: STEP_MS });
  assert.equal(await offerFor(alice, customer.id).count(), 0, 'alice never got it back');
}));

test('the stream reconnects with backoff and catches up on what it missed',
     { timeout: 60000 }, () => scenario('reconnect', serverA, async () => {
  const alice = await openConsole(serverA, 'alice');
  const customer = await restCustomer(serverA);
  await customer.say('talk to an agent');
  await offerFor(alice, customer.id).waitFor({ timeout: STEP_MS });
  await accept(alice, customer.id);
  // Drop the socket and hold the reconnect while the customer writes.
  await alice.evaluate(() => {
    const { stream } = window.batonConsole;
    stream.stopped = true;
    stream.socket.close();
  });
  await waitUntil(async () => !(await alice.evaluate(() => window.batonConsole.stream.isOpen)), STEP_MS,
                  'the socket to close');
  await customer.say('sent while the agent was offline');
  await alice.evaluate(() => {
    const { stream } = window.batonConsole;
    stream.stopped = false;
    stream.scheduleReconnect();
  });
  await waitText(alice.getByTestId('connection-status'), /Reconnecting/);
  await waitText(alice.getByTestId('connection-status'), /Connected/);
  const panel = convPanel(alice, customer.id);
  await waitText(panel.getByTestId('transcript-customer'), /sent while the agent was offline/);
  // Live again: a new message arrives over the new socket.
  await customer.say('and after');
  await waitText(panel.getByTestId('transcript-customer'), /and after/);
  await panel.getByTestId('end-close').click();
  await panel.getByTestId('wrapup-done').click();
}));

test('transfer to another queue with a note', { timeout: 60000 }, () => scenario('transfer', serverA, async () => {
  const alice = await openConsole(serverA, 'alice');
  const bob = await openConsole(serverA, 'bob', { available: false });
  const customer = await restCustomer(serverA);
  await customer.say('talk to an agent');
  await offerFor(alice, customer.id).waitFor({ timeout: STEP_MS });
  await accept(alice, customer.id);
  await setPresence(bob, 'available');
  const panel = convPanel(alice, customer.id);
  await panel.getByTestId('transfer-open').click();
  await panel.getByTestId('transfer-kind').selectOption('queue');
  // The queues come from `me` (alice is no supervisor and was never offered billing).
  await panel.getByTestId('transfer-pick').locator('option[value="billing"]').waitFor({ state: 'attached', timeout: STEP_MS });
  await panel.getByTestId('transfer-pick').selectOption('billing');
  assert.equal(await panel.getByTestId('transfer-target').inputValue(), 'billing');
  await panel.getByTestId('transfer-note').fill('Wants a refund for <b>CN123456</b>');
  await panel.getByTestId('transfer-submit').click();
  // Alice loses it; Bob (billing) is offered it as a transfer, with the note.
  await waitUntil(async () => (await tabFor(alice, customer.id).getAttribute('data-state')) === 'left',
                  STEP_MS, 'alice\'s tab to show the conversation left her');
  const offer = offerFor(bob, customer.id);
  await offer.waitFor({ timeout: STEP_MS });
  assert.equal(await offer.getByTestId('offer-queue').textContent(), 'billing');
  // The note reaches Bob before he accepts (as text, not HTML).
  await waitText(offer.getByTestId('offer-note'), /refund for <b>CN123456<\/b>/);
  await accept(bob, customer.id);
  const bobPanel = convPanel(bob, customer.id);
  await waitText(bobPanel.getByTestId('ctx-transfer-note'), /refund for <b>CN123456<\/b>/);
  assert.equal(await bobPanel.getByTestId('ctx-queue').textContent(), 'billing');
  await waitText(bobPanel.getByTestId('transcript-customer'), /talk to an agent/);
  await bobPanel.getByTestId('end-bot').click();
  await customer.waitBot(/Did that answer your question\?/);
  await bobPanel.getByTestId('wrapup-done').click();
}));

test('transfer to an agent: the offer shows the note; the first agent keeps it until accepted',
     { timeout: 60000 }, () => scenario('transfer-agent', serverA, async () => {
  const bob = await openConsole(serverA, 'bob');
  const alice = await openConsole(serverA, 'alice', { available: false });
  const customer = await restCustomer(serverA);
  await customer.say('talk to an agent');
  await offerFor(bob, customer.id).waitFor({ timeout: STEP_MS });
  await accept(bob, customer.id);
  await setPresence(alice, 'available');
  const panel = convPanel(bob, customer.id);
  await panel.getByTestId('transfer-open').click();
  await panel.getByTestId('transfer-kind').selectOption('agent');
  const pick = panel.getByTestId('transfer-pick');
  await pick.locator('option[value="alice"]').waitFor({ state: 'attached', timeout: STEP_MS });
  assert.equal(await pick.locator('option[value="bob"]').count(), 0, 'never yourself');
  await waitUntil(async () => /Alice Martin \(alice\), available/i.test(
    await pick.locator('option[value="alice"]').textContent()), STEP_MS, 'alice listed with her presence');
  await pick.selectOption('alice');
  await panel.getByTestId('transfer-note').fill('Asked twice about <script>x</script> delivery');
  await panel.getByTestId('transfer-submit').click();
  const offer = offerFor(alice, customer.id);
  await offer.waitFor({ timeout: STEP_MS });
  await waitText(offer.getByTestId('offer-note'), /Asked twice about <script>x<\/script> delivery/);
  assert.equal(await tabFor(bob, customer.id).getAttribute('data-state'), 'assigned', 'bob keeps it meanwhile');
  await accept(alice, customer.id);
  await waitUntil(async () => (await tabFor(bob, customer.id).getAttribute('data-state')) === 'left',
                  STEP_MS, 'bob\'s tab to show the conversation left him');
  await convPanel(alice, customer.id).getByTestId('end-close').click();
  await convPanel(alice, customer.id).getByTestId('wrapup-done').click();
}));

test('cancel while waiting withdraws the offer', { timeout: 60000 }, () => scenario('cancel', serverA, async () => {
  const bob = await openConsole(serverA, 'bob');
  const customer = await restCustomer(serverA);
  await customer.say('I want to pay my bill');
  await customer.waitBot(/connecting you with a billing specialist/);
  const offer = offerFor(bob, customer.id);
  await offer.waitFor({ timeout: STEP_MS });
  await waitText(offer.getByTestId('offer-agent-message'), /Customer wants to pay a bill/);
  await customer.say('Cancel');
  await customer.waitBot(/I've cancelled the request/);
  await offer.waitFor({ state: 'detached', timeout: STEP_MS });
  await waitText(bob.getByTestId('notice'), /cancelled/i);
}));

test('customer HTML/script shows as text; typing indicator; supervisor monitor and force-close',
     { timeout: 60000 }, () => scenario('html', serverA, async () => {
  const alice = await openConsole(serverA, 'alice');
  const customer = await restCustomer(serverA);
  await customer.say('talk to an agent');
  await offerFor(alice, customer.id).waitFor({ timeout: STEP_MS });
  await accept(alice, customer.id);
  const panel = convPanel(alice, customer.id);

  await customer.typing();
  await panel.getByTestId('customer-typing').waitFor({ state: 'visible', timeout: STEP_MS });
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
  await customer.say(evil);
  const line = panel.getByTestId('transcript-customer').filter({ hasText: '<script>' });
  await line.waitFor({ timeout: STEP_MS });
  assert.equal(await line.getByTestId('message-text').textContent(), evil, 'shown exactly as typed');
  assert.equal(await panel.getByTestId('transcript').locator('img, script, b').count(), 0,
               'no element from the message');
  assert.equal(await alice.evaluate(() => window.__pwned), undefined, 'no script ran');

  // A supervisor sees the queues, the agents and the conversation, monitors it and force-closes.
  const sam = await openConsole(serverA, 'sam', { available: false });
  await sam.getByTestId('view-supervisor').click();
  await sam.locator('[data-testid="sup-queue"][data-queue="general"]').waitFor({ timeout: STEP_MS });
  await waitText(sam.locator('[data-testid="sup-agent"][data-agent-id="alice"]').getByTestId('sup-agent-load'), /^1 \/ 3$/);
  const row = sam.locator(`[data-testid="sup-conversation"][data-conversation-id="${customer.id}"]`);
  await row.waitFor({ timeout: STEP_MS });
  await row.getByTestId('sup-monitor').click();
  const monitor = convPanel(sam, customer.id, 'monitor');
  await waitText(monitor.getByTestId('transcript-customer'), /<script>/);
  assert.equal(await monitor.getByTestId('composer-input').count(), 0, 'monitoring is read-only');
  await customer.say('are you still there?');
  await waitText(monitor.getByTestId('transcript-customer'), /are you still there/);
  const forceClose = monitor.getByTestId('force-close');
  await forceClose.click();  // arms it
  assert.equal(await forceClose.textContent(), 'Click again to confirm');
  await alice.waitForTimeout(300);
  assert.equal(await tabFor(alice, customer.id).getAttribute('data-state'), 'assigned', 'one click closes nothing');
  await forceClose.click();
  await waitUntil(async () => ['left', 'wrap_up'].includes(await tabFor(alice, customer.id).getAttribute('data-state')),
                  STEP_MS, 'alice\'s conversation to end after the force-close');
  assert.equal(await sam.evaluate(() => window.__pwned), undefined, 'no script ran for the supervisor');
  for (const p of chromium.pages) {
    assert.deepEqual(p.errors, [], `${p.label}: no page errors`);
  }
}));

test('no agent online → the unavailable path at once', { timeout: 30000 }, () => scenario('offline', serverB, async () => {
  const customer = await restCustomer(serverB);
  await customer.say('talk to an agent');
  // The flow resumes with `unavailable` at once: the Escalate topic's else branch.
  await customer.waitBot(/nobody can take your chat right now/i, 5000);
  // The bot knew nobody was online: its agents-offline text, never the agents-online one.
  const texts = await customer.texts();
  assert.ok(texts.includes('There are no agents available at this time. Our team is online 8am to 8pm.'),
            `the agents-offline text: ${JSON.stringify(texts)}`);
  assert.ok(!texts.includes("Let's send you to an available agent."), `no agents-online text: ${JSON.stringify(texts)}`);
}));

test('offer timeout → re-offered to the next agent', { timeout: 60000 }, () => scenario('timeout', serverB, async () => {
  const alice = await openConsole(serverB, 'alice');
  const bob = await openConsole(serverB, 'bob', { available: false });
  const customer = await restCustomer(serverB);
  await customer.say('talk to an agent');
  const offer = offerFor(alice, customer.id);
  await offer.waitFor({ timeout: STEP_MS });
  const seconds = Number(await offer.getByTestId('offer-countdown').getAttribute('data-seconds'));
  assert.ok(seconds >= 1 && seconds <= 3, `a 3 s countdown, got ${seconds}`);
  await setPresence(bob, 'available');
  // Alice lets it expire: it leaves her console and goes to Bob.
  await offer.waitFor({ state: 'detached', timeout: 8000 });
  await waitText(alice.getByTestId('notice'), /expired/i);
  await offerFor(bob, customer.id).waitFor({ timeout: 8000 });
  await accept(bob, customer.id);
  await convPanel(bob, customer.id).getByTestId('end-close').click();
  await convPanel(bob, customer.id).getByTestId('wrapup-done').click();
}));

// A server whose hub.yaml allows live chat on Teams only: Web Chat (Direct Line) is unsupported.
test('unsupported channel → the unsupported text at once, no offer', { timeout: 60000 }, async () => {
  const server = await serverWithAgents('30s', '  live_chat_channels: [msteams]\n');
  try {
    await scenario('unsupported', server, async () => {
      const alice = new AgentClient(server);
      await alice.login('alice', PASSWORD);
      await alice.connect();
      await alice.setPresence('available');
      const { page: chat } = await openPage('customer', `${server.base}/`);
      const input = chat.locator('[data-id="webchat-sendbox-input"]');
      await chat.getByText(/Contoso virtual assistant/).first().waitFor({ timeout: STEP_MS });
      await input.fill('talk to an agent');
      await input.press('Enter');
      await chat.getByText('Sorry, live chat is not available on this channel.').first().waitFor({ timeout: STEP_MS });
      await chat.getByText(/nobody can take your chat right now/).first().waitFor({ timeout: STEP_MS });
      assert.equal(await chat.getByText("Let's send you to an available agent.").count(), 0);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(alice.messages.filter((m) => m.type === 'offer'), [], 'no offer reaches agents');
      alice.close();
    });
  } finally {
    await server.cleanup();
  }
});
