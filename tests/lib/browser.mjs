// Headless Chromium for the black-box suites (Debian's /usr/bin/chromium driven by playwright-core;
// $CHROMIUM overrides the path): pages that record their console and errors, the agent console's
// login and common locators. On failure a suite calls `reportFailure` for screenshots and logs.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webRequire } from './serve.mjs';

// The flags this machine needs: no sandbox as root, and no background connections (the network is
// closed, so they would only fail).
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                              '--disable-background-networking', '--disable-component-update',
                              '--disable-sync'];
export const STEP_MS = 15000;

export class Chromium {
  static async launch() {
    const { chromium } = webRequire('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
    });
    return new Chromium(browser);
  }

  constructor(browser) {
    this.browser = browser;
    this.pages = [];  // every page opened since the last closePages(), for failure screenshots
  }

  // A page in a fresh context at `url` (which must answer 200). Each entry keeps the page's console
  // lines (`log`), its uncaught errors and dialogs (`errors`) and its CSP violations (`violations`).
  // `contextOptions` go to playwright's newContext (e.g. locale, timezoneId, viewport,
  // permissions), but for `initScript`: a function run in every page before its own scripts.
  async openPage(label, url, contextOptions = {}) {
    const { initScript, ...options } = contextOptions;
    const context = await this.browser.newContext(options);
    if (initScript) {
      await context.addInitScript(initScript);
    }
    const page = await context.newPage();
    const entry = { label, context, page, log: [], errors: [], violations: [] };
    page.on('console', (m) => {
      entry.log.push(`${m.type()}: ${m.text()}`);
      if (/Content Security Policy/i.test(m.text())) {
        entry.violations.push(m.text());
      }
    });
    page.on('pageerror', (e) => {
      entry.log.push(`pageerror: ${e.message}`);
      entry.errors.push(e.message);
    });
    page.on('dialog', (d) => {
      entry.log.push(`dialog: ${d.message()}`);
      entry.errors.push(`dialog: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    this.pages.push(entry);
    const res = await page.goto(url);
    assert.equal(res.status(), 200, `${url} answers 200`);
    return entry;
  }

  // An agent logged into /agent in its own browser context; `available` sets the presence;
  // `context`: options of the browser context (openPage).
  async openConsole(server, agentId, password, { available = true, context = {} } = {}) {
    const entry = await this.openPage(agentId, `${server.base}/agent/`, context);
    const { page } = entry;
    await page.getByTestId('login-id').fill(agentId);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('presence-select').waitFor({ timeout: STEP_MS });
    await waitText(page.getByTestId('connection-status'), /Connected/);
    if (available) {
      await setPresence(page, 'available');
    }
    return page;
  }

  // Screenshots of every page of the failed test (paths printed) with their logs, and the tail of
  // the server's log.
  async reportFailure(name, server) {
    for (const p of this.pages) {
      const shot = join(tmpdir(), `baton-${name}-${p.label}-${Date.now()}.png`);
      await p.page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.log(`${name}: ${p.label}: screenshot ${shot}\n${p.log.join('\n')}`);
    }
    if (server) {
      console.log(`${name}: server stderr (tail):\n${server.stderr.slice(-3000)}`);
    }
  }

  async closePages() {
    for (const p of this.pages) {
      await p.context.close().catch(() => {});
    }
    this.pages.length = 0;
  }

  async close() {
    await this.browser.close();
  }
}

export async function setPresence(page, presence) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/agent/presence'));
  await page.getByTestId('presence-select').selectOption(presence);
  const res = await answered;
  assert.equal(res.status(), 200, `PUT presence ${presence}`);
}

export async function waitText(locator, re, ms = STEP_MS) {
  await locator.filter({ hasText: re }).first().waitFor({ timeout: ms });
}

export const offerFor = (page, id) => page.locator(`[data-testid="offer"][data-conversation-id="${id}"]`);
export const convPanel = (page, id, mode = 'agent') =>
  page.locator(`[data-testid="conversation"][data-conversation-id="${id}"][data-mode="${mode}"]`);
export const tabFor = (page, id, mode = 'agent') =>
  page.locator(`[data-testid="conv-tab"][data-conversation-id="${id}"][data-mode="${mode}"]`);

// The first offer shown in a console: its conversation id.
export async function anyOffer(page) {
  const offer = page.getByTestId('offer').first();
  await offer.waitFor({ timeout: STEP_MS });
  return offer.getAttribute('data-conversation-id');
}

// Accepts the offer of conversation `id` and opens its panel.
export async function accept(page, id) {
  await offerFor(page, id).getByTestId('offer-accept').click();
  await tabFor(page, id).waitFor({ timeout: STEP_MS });
  await tabFor(page, id).click();
  await convPanel(page, id).getByTestId('handover-divider').waitFor({ timeout: STEP_MS });
}
