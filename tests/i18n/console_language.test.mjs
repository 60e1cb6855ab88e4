// The agent console's languages in headless Chromium (Debian's /usr/bin/chromium via playwright-core)
// against a real `baton serve`: a browser whose language is German shows the console in German
// from the login form on (labels, presence names, connection state, Intl dates); an agent in an
// English browser switches to German in the top bar, the page reloads in German and stays German
// across a reload (the setting is kept in localStorage), and "Browser's language" brings English
// back. Screenshots are saved in $BATON_TEST_OUTPUT (else $TMPDIR; paths printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STEP_MS, waitText } from '../lib/browser.mjs';
import { ConsoleSuite, PASSWORD } from '../lib/console.mjs';

const suite = new ConsoleSuite('console-language', {
  agents: [{ id: 'sam', name: 'Sam Super', role: 'supervisor', capacity: 1 }],
});
before(() => suite.start());
after(() => suite.stop());

async function logIn(page) {
  await page.getByTestId('login-id').fill('sam');
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('presence-select').waitFor({ timeout: STEP_MS });
}

const text = (page, testid) => page.getByTestId(testid).textContent();

test('a German browser gets the console in German', { timeout: 90000 }, async () => {
  const { chromium, server } = suite;
  await suite.run('console-language-de-browser', async () => {
    const { page } = await chromium.openPage('de-browser', `${server.base}/agent/`,
                                             { locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    await page.getByTestId('login-submit').waitFor({ timeout: STEP_MS });
    assert.equal(await text(page, 'login-submit'), 'Anmelden');
    assert.equal(await page.locator('label[for="login-password"]').textContent(), 'Passwort');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
    assert.equal(await page.title(), 'Baton-Agentenkonsole');
    await suite.shot(page, 'de-browser-login');
    await logIn(page);
    await waitText(page.getByTestId('connection-status'), /^Verbunden$/);
    assert.equal(await text(page, 'logout'), 'Abmelden');
    assert.equal(await text(page, 'view-workspace'), 'Unterhaltungen');
    assert.equal(await text(page, 'view-analytics'), 'Auswertung');
    assert.equal(await text(page, 'view-search'), 'Suche');
    assert.equal(await text(page, 'notifications-toggle'), 'Benachrichtigungen einschalten');
    assert.equal(await page.getByTestId('presence-select').locator('option[value="available"]').textContent(),
                 'Verfügbar');
    await waitText(page.getByTestId('no-offers'), /^Keine Angebote$/);
    // The supervisor view: German headings and an Intl time in the German format (HH:MM:SS).
    await page.getByTestId('view-supervisor').click();
    await waitText(page.getByTestId('sup-updated'), /^Aktualisiert \d{2}:\d{2}:\d{2}$/);
    await waitText(page.getByTestId('supervisor-view').locator('caption'), /^Warteschlangen$/);
    await waitText(page.getByTestId('canned-admin').locator('caption'), /^Textbausteine$/);
    await suite.shot(page, 'de-browser-supervisor');
    // The search view (new with the history): its labels and the outcomes in German.
    await page.getByTestId('view-search').click();
    await waitText(page.getByTestId('search-scope'), /^Alle Unterhaltungen\.$/);
    assert.equal(await text(page, 'search-submit'), 'Suchen');
    assert.equal(await page.getByTestId('search-outcome').locator('option[value="completed"]').textContent(),
                 'abgeschlossen');
    assert.equal(await page.getByTestId('language-select').inputValue(), '', 'following the browser');
  });
});

test('an agent switches the console to German and back; the choice is kept', { timeout: 90000 }, async () => {
  const { chromium, server } = suite;
  await suite.run('console-language-switch', async () => {
    const { page } = await chromium.openPage('switch', `${server.base}/agent/`, { locale: 'en-US' });
    await page.getByTestId('login-submit').waitFor({ timeout: STEP_MS });
    assert.equal(await text(page, 'login-submit'), 'Log in');
    await logIn(page);
    await waitText(page.getByTestId('connection-status'), /^Connected$/);
    assert.equal(await text(page, 'logout'), 'Log out');
    await suite.shot(page, 'switch-english');

    // Choosing Deutsch reloads the page in German; the session survives the reload.
    await Promise.all([page.waitForEvent('load'), page.getByTestId('language-select').selectOption('de')]);
    await page.getByTestId('presence-select').waitFor({ timeout: STEP_MS });
    await waitText(page.getByTestId('connection-status'), /^Verbunden$/);
    assert.equal(await text(page, 'logout'), 'Abmelden');
    assert.equal(await text(page, 'view-workspace'), 'Unterhaltungen');
    assert.equal(await page.getByTestId('presence-select').locator('option[value="away"]').textContent(),
                 'Abwesend');
    assert.equal(await page.getByTestId('language-select').inputValue(), 'de');
    assert.equal(await page.evaluate(() => localStorage.getItem('baton.agent.language')), 'de');
    await suite.shot(page, 'switch-german');

    // Kept across a reload, in the login form too after logging out.
    await page.reload();
    await waitText(page.getByTestId('connection-status'), /^Verbunden$/);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-submit').waitFor({ timeout: STEP_MS });
    assert.equal(await text(page, 'login-submit'), 'Anmelden');
    assert.equal(await page.getByTestId('login-language-select').inputValue(), 'de');

    // Back to the browser's language: English.
    await Promise.all([page.waitForEvent('load'),
                       page.getByTestId('login-language-select').selectOption('')]);
    await page.getByTestId('login-submit').waitFor({ timeout: STEP_MS });
    assert.equal(await text(page, 'login-submit'), 'Log in');
    assert.equal(await page.evaluate(() => localStorage.getItem('baton.agent.language')), null);
  });
});
