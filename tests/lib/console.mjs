// The fixture of the agent console's Chromium suites (tests/agent_e2e, tests/i18n,
// tests/supervisor): one `baton serve` whose agents exist before it starts (on a copy of
// examples/contoso with its own hub.yaml when the suite gives one), one headless Chromium,
// screenshots in $BATON_TEST_OUTPUT, and the customers these tests begin with: one on the official
// DirectLineJS client or in Web Chat (the test page at /) who asks for an agent, accepted in an
// agent's console.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWithAgents } from './agentclient.mjs';
import { Chromium, STEP_MS, accept, anyOffer, convPanel } from './browser.mjs';
import { Client } from './dlclient.mjs';
import { generateToken } from './serve.mjs';

// The password of the suites' agents unless they name their own.
export const PASSWORD = 'correct-horse-1';

export class ConsoleSuite {
  // `name`: the suite's, in its temp directories (baton-NAME-...), its screenshot directory when
  // $BATON_TEST_OUTPUT is unset ($TMPDIR/baton-NAME) and its log lines. `agents`: addAgent's
  // options, PASSWORD for those without a password. `hub`: the hub.yaml of a copy of
  // examples/contoso the server runs (startWithAgents), else examples/contoso itself.
  constructor(name, { agents = [], hub } = {}) {
    this.name = name;
    this.agents = agents;
    this.hub = hub;
    this.output = process.env.BATON_TEST_OUTPUT ?? join(process.env.TMPDIR ?? tmpdir(), `baton-${name}`);
    this.server = null;
    this.chromium = null;
  }

  // For `before`: the server with its agents (every customer of these tests comes from
  // 127.0.0.1: the per-address session limit is off) and the browser.
  async start() {
    this.server = await startWithAgents(this.agents, {
      password: PASSWORD, prefix: `baton-${this.name}-`, hub: this.hub, args: ['--session-rate-limit', '0'],
    });
    this.chromium = await Chromium.launch();
  }

  // For `after`: closes the browser, stops the server and removes its data and bot copy.
  async stop() {
    await this.chromium?.close();
    await this.server?.cleanup();
  }

  // A full-page screenshot of `page` as OUTPUT/`label`.png (the path printed).
  async shot(page, label) {
    mkdirSync(this.output, { recursive: true });
    const path = join(this.output, `${label}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`${this.name}: screenshot ${path}`);
  }

  // Screenshots of every open page as OUTPUT/`label`-PAGE.png, whatever fails (paths printed).
  async shotAll(label) {
    mkdirSync(this.output, { recursive: true });
    for (const p of this.chromium.pages) {
      const path = join(this.output, `${label}-${p.label}.png`);
      await p.page.screenshot({ path, fullPage: true }).catch(() => {});
      console.log(`${this.name}: screenshot ${path}`);
    }
  }

  // Runs a test's `body`; on failure reports its pages and the server's log as `label` and
  // rethrows; `always` (if given) runs after it either way, before every page is closed.
  async run(label, body, { always } = {}) {
    try {
      await body();
    } catch (err) {
      await this.chromium.reportFailure(label, this.server);
      throw err;
    } finally {
      await always?.();
      await this.chromium.closePages();
    }
  }
}

// A customer `userId` on the official DirectLineJS client (over its WebSocket, with a token from
// tokens/generate) who says "talk to an agent"; the agent's console `page` is offered that
// conversation and accepts it. `name`: the customer's name on every message it says.
// Returns {customer, say(text), id, panel}: the client (the caller ends it), the conversation's
// id and the agent's panel of it.
export async function dlCustomerHandedTo(server, page, userId, { name } = {}) {
  const { token } = await generateToken(server, userId);
  const customer = new Client({ domain: server.domain, token, webSocket: true }, userId);
  const from = name === undefined ? { id: userId, role: 'user' } : { id: userId, name, role: 'user' };
  const say = (text) => customer.send({ type: 'message', text, from, locale: 'en-US' });
  await customer.waitForStatus(2 /* Online */, STEP_MS).catch(() => {});
  await say('talk to an agent');
  const id = await anyOffer(page);
  assert.equal(id, customer.conversationId, 'the offer is this customer\'s conversation');
  await accept(page, id);
  return { customer, say, id, panel: convPanel(page, id) };
}

// A customer in Web Chat (the test page at /, a new page `customer` of `chromium`) who waits for
// the bot's welcome and types "talk to an agent"; the agent's console `page` accepts the offer.
// Returns {chat, id, panel}: the customer's page, the conversation's id, the agent's panel of it.
export async function webChatHandedTo(chromium, server, page) {
  const { page: chat } = await chromium.openPage('customer', `${server.base}/`);
  const input = chat.locator('[data-id="webchat-sendbox-input"]');
  await chat.getByText(/Contoso virtual assistant/).first().waitFor({ timeout: STEP_MS });
  await input.fill('talk to an agent');
  await input.press('Enter');
  const id = await anyOffer(page);
  await accept(page, id);
  return { chat, id, panel: convPanel(page, id) };
}
