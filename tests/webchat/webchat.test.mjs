// The official Web Chat widget, served by `baton serve` at `/`, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core): greeting before typing, a typed message, the bot's
// reply with quick replies, a click on one, an escalation with its handover text. The page must
// never show or log "No renderer for ..." (raw handoff/trace activities) nor a failed send.
// On failure a screenshot is saved to a temp path (printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, webRequire } from '../lib/serve.mjs';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                       '--disable-background-networking', '--disable-component-update',
                       '--disable-sync'];
const STEP_MS = 15000;

let server;
let context;
let profileDir;
before(async () => {
  server = await startServer();
  const { chromium } = webRequire('playwright-core');
  profileDir = mkdtempSync(join(tmpdir(), 'baton-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
  });
});
after(async () => {
  await context?.close();
  rmSync(profileDir, { recursive: true, force: true });
  await server.cleanup();
});

test('Web Chat: greeting, reply with quick replies, click, escalation handover text',
     { timeout: 90000 }, async () => {
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  const failedRequests = [];
  page.on('requestfailed', (r) => failedRequests.push(`${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().includes('/v3/directline/')) {
      failedRequests.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
    }
  });
  const transcript = page.locator('.webchat__basic-transcript').first();
  // Web Chat renders markdown with typographic quotes (I'm → I’m): match apostrophes loosely.
  const botSays = (text) => page.getByText(
    new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['’]"))).first();
  const quickReply = (name) =>
    page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name });
  try {
    const res = await page.goto(server.base + '/');
    assert.equal(res.status(), 200);
    // The greeting shows before the customer types (startConversation on connect).
    await botSays("Hi! I'm the Contoso virtual assistant").waitFor({ timeout: STEP_MS });
    await quickReply('Store hours').waitFor({ timeout: STEP_MS });

    const input = page.locator('[data-id="webchat-sendbox-input"]');
    await input.fill('what are your store hours');
    await input.press('Enter');
    await botSays('Which store are you asking about?').waitFor({ timeout: STEP_MS });
    const redmond = quickReply('Redmond');
    await redmond.waitFor({ timeout: STEP_MS });
    await redmond.click();
    await botSays('Our Redmond store is open 9am to 8pm').waitFor({ timeout: STEP_MS });
    await botSays('Anything else I can help with?').waitFor({ timeout: STEP_MS });

    await input.fill('talk to an agent');
    await input.press('Enter');
    await botSays("I'll get someone from our team to help.").waitFor({ timeout: STEP_MS });
    // Every send is confirmed (echo with its clientActivityID): no "Sending"/"Send failed" left.
    await page.waitForFunction(() => !/Sending|Send failed/.test(document.body.innerText),
                               null, { timeout: STEP_MS });
    await page.waitForTimeout(1000);  // a leaked raw handoff event would render by now

    const text = await transcript.innerText();
    assert.ok(!/No renderer/i.test(text), `no "No renderer" in the transcript:\n${text}`);
    assert.ok(!/Send failed/i.test(text), `no failed sends:\n${text}`);
    const greetings = await page.locator('.webchat__basic-transcript__activity')
      .filter({ hasText: /Contoso virtual assistant/ }).count();
    assert.equal(greetings, 1, 'one greeting');
    const noRenderer = consoleLines.filter((l) => /No renderer/i.test(l));
    assert.deepEqual(noRenderer, [], 'no "No renderer" in the console');
    const errors = consoleLines.filter((l) => l.startsWith('pageerror'));
    assert.deepEqual(errors, [], 'no uncaught page errors');
    assert.deepEqual(failedRequests, [], 'no failed Direct Line requests');
  } catch (err) {
    const shot = join(tmpdir(), `baton-webchat-failure-${Date.now()}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.log(`webchat: screenshot saved to ${shot}`);
    console.log(`webchat: console:\n${consoleLines.join('\n')}`);
    console.log(`webchat: server stderr (tail):\n${server.stderr.slice(-3000)}`);
    throw err;
  } finally {
    await page.close();
  }
});

// The customer's attach button in Web Chat: the widget reads the picked files back through blob:
// URLs (and makes image thumbnails in a blob: worker) before DirectLineJS posts them to
// /upload, so the page's Content-Security-Policy must let it; the upload then comes back as the
// customer's activity with this server's file links.
test('Web Chat: files picked with the attach button are uploaded', { timeout: 90000 }, async () => {
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  const uploads = [];
  page.on('response', (r) => {
    if (r.url().includes('/upload')) uploads.push(`${r.request().method()} ${r.status()}`);
  });
  try {
    assert.equal((await page.goto(server.base + '/')).status(), 200);
    await page.getByText(/Contoso virtual assistant/).first().waitFor({ timeout: STEP_MS });
    // A 1×1 PNG and a text file, picked together.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await page.locator('input[type="file"]').first().setInputFiles([
      { name: 'receipt.png', mimeType: 'image/png', buffer: png },
      { name: 'order.txt', mimeType: 'text/plain', buffer: Buffer.from('order 12345\n') },
    ]);
    // Web Chat stages the files (sendAttachmentOn "send") until the customer presses Send.
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(() => document.querySelectorAll('a[href*="/files/"]').length >= 1
                                     || /Send failed/.test(document.body.innerText),
                               null, { timeout: STEP_MS });
    const text = await page.locator('.webchat__basic-transcript').first().innerText();
    assert.ok(!/Send failed/i.test(text), `no failed send:\n${text}`);
    assert.deepEqual(uploads, ['POST 200'], 'one upload, accepted');
    const links = await page.locator('a[href*="/files/"], img[src*="/files/"]').evaluateAll(
      (els) => els.map((e) => new URL(e.href ?? e.src).pathname));
    assert.ok(links.some((p) => /^\/v3\/directline\/conversations\/[^/]+\/files\/[^/]+$/.test(p)),
              `the attachment links to this server's copy: ${links}`);
    const refused = consoleLines.filter((l) => /Content Security Policy|Refused to/i.test(l));
    assert.deepEqual(refused, [], 'nothing refused by the page policy');
  } catch (err) {
    const shot = join(tmpdir(), `baton-webchat-upload-failure-${Date.now()}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.log(`webchat: screenshot saved to ${shot}\nconsole:\n${consoleLines.join('\n')}`);
    throw err;
  } finally {
    await page.close();
  }
});
