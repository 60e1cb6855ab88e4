// The console's catalogues (web/agent/i18n*.js) under Node: every key the console uses (t('key')
// in web/agent/*.js, data-i18n / data-i18n-attr in index.html) is in every catalogue, every
// catalogue has the same keys with the same placeholders and none the console does not use, and
// the language is picked from the setting, then the browser's languages, then English.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  CATALOGUES, LANGUAGE_NAMES, chooseLanguage, en, language, localeFor, t,
} from '../agent/i18n.js';

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'agent');
const scripts = readdirSync(agentDir).filter((f) => f.endsWith('.js'));
const source = (file) => readFileSync(join(agentDir, file), 'utf8');

// Keys used by the code: t('key' ...) calls, and the static page's attributes.
function usedKeys() {
  const keys = new Map();  // key → first file using it
  const add = (key, file) => {
    if (!keys.has(key)) {
      keys.set(key, file);
    }
  };
  for (const file of scripts) {
    for (const m of source(file).matchAll(/\bt\(\s*'([^']+)'/g)) {
      add(m[1], file);
    }
  }
  const html = source('index.html');
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    add(m[1], 'index.html');
  }
  for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) {
    for (const pair of m[1].trim().split(/\s+/)) {
      add(pair.split(':')[1], 'index.html');
    }
  }
  return keys;
}

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the scan finds the console texts', () => {
  const keys = usedKeys();
  assert.ok(keys.size > 250, `only ${keys.size} keys found`);
  assert.equal(keys.get('login.submit'), 'index.html');
  assert.equal(keys.get('offers.accept'), 'offers.js');
});

test('every key the console uses is in every catalogue', () => {
  const keys = usedKeys();
  for (const [name, catalogue] of Object.entries(CATALOGUES)) {
    const missing = [...keys].filter(([key]) => !Object.hasOwn(catalogue, key))
      .map(([key, file]) => `${key} (${file})`);
    assert.deepEqual(missing, [], `missing in ${name}`);
  }
});

test('no key is computed: t() is always called with a literal', () => {
  for (const file of scripts.filter((f) => f !== 'i18n.js')) {  // i18n.js: t() itself
    const computed = [...source(file).matchAll(/\bt\(\s*[^'\s)]/g)].map((m) => m[0]);
    assert.deepEqual(computed, [], file);
  }
});

test('the catalogues have the same keys, none unused, with the same placeholders', () => {
  const keys = usedKeys();
  const english = Object.keys(en).sort();
  const unused = english.filter((key) => !keys.has(key));
  assert.deepEqual(unused, [], 'keys no code uses');
  for (const [name, catalogue] of Object.entries(CATALOGUES)) {
    assert.deepEqual(Object.keys(catalogue).sort(), english, `${name} has other keys than en`);
    for (const [key, text] of Object.entries(catalogue)) {
      assert.equal(typeof text, 'string', `${name}.${key}`);
      assert.notEqual(text.trim(), '', `${name}.${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(en[key]), `${name}.${key} placeholders`);
    }
  }
  assert.deepEqual(Object.keys(LANGUAGE_NAMES).sort(), Object.keys(CATALOGUES).sort());
});

test('the German catalogue is German, not English copied', () => {
  const same = Object.keys(en).filter((key) => CATALOGUES.de[key] === en[key]);
  // Words both languages write alike: names of things (Bot, Agent, System, CSAT…), lone
  // placeholders, and the like.
  assert.ok(same.length < Object.keys(en).length / 10, `too many identical texts: ${same.join(', ')}`);
  assert.equal(CATALOGUES.de['offers.accept'], 'Annehmen');
  assert.equal(CATALOGUES.de['login.submit'], 'Anmelden');
});

test('the language: the setting, else the first browser language with a catalogue, else en', () => {
  assert.equal(chooseLanguage('de', ['en-US']), 'de');
  assert.equal(chooseLanguage('', ['de-AT', 'en']), 'de');
  assert.equal(chooseLanguage('', ['fr-FR', 'de_CH', 'en']), 'de');
  assert.equal(chooseLanguage('', ['fr-FR', 'it']), 'en');
  assert.equal(chooseLanguage('xx', ['DE']), 'de');  // an unknown setting is ignored
  assert.equal(chooseLanguage(undefined, undefined), 'en');
  assert.equal(chooseLanguage('__proto__', []), 'en');
  assert.equal(localeFor('de', ['en-US', 'de-AT']), 'de-AT');
  assert.equal(localeFor('de', ['en-US']), 'de');
});

test('t() fills placeholders and falls back to English, then the key', () => {
  assert.equal(language(), 'en');  // Node has no browser languages nor a stored setting
  assert.equal(t('offers.left', { seconds: 7 }), '7 s left');
  assert.equal(t('offers.left'), '{seconds} s left', 'a missing value stays as written');
  assert.equal(t('no.such.key'), 'no.such.key');
  assert.equal(t('canned.textPlaceholder'), en['canned.textPlaceholder'], 'dotted braces are not placeholders');
});
