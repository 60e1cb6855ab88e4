// The console's languages: every string the console shows comes from one catalogue per language
// (i18n_en.js, i18n_de.js) through t(key, params). The language is the console's setting (kept
// in localStorage; "" = follow the browser), else the first of the browser's languages
// (navigator.languages) that has a catalogue, else English. Dates and numbers are formatted with
// Intl in locale(): the browser's own tag for the chosen language when it has one ("de-AT"),
// else the language ("de").
//
// Applied when the page loads: the static page by translateDocument(), everything built later by
// calling t() as it is built. Changing the setting reloads the page (the session survives in
// sessionStorage), so nothing is left in the old language. Runs under Node too (no navigator or
// localStorage there: English).
import { de } from './i18n_de.js';
import { en } from './i18n_en.js';

export { de, en };

export const CATALOGUES = { en, de };
// Each language named in itself, for the picker.
export const LANGUAGE_NAMES = { en: 'English', de: 'Deutsch' };
export const STORAGE_KEY = 'baton.agent.language';

const primary = (tag) => String(tag ?? '').toLowerCase().split(/[-_]/)[0];

// The language to use: `setting` when it names a catalogue, else the first of `preferred` (BCP 47
// tags, the browser's order) whose primary language has one, else 'en'. Pure.
export function chooseLanguage(setting, preferred = []) {
  if (Object.hasOwn(CATALOGUES, setting ?? '')) {
    return setting;
  }
  for (const tag of preferred ?? []) {
    if (Object.hasOwn(CATALOGUES, primary(tag))) {
      return primary(tag);
    }
  }
  return 'en';
}

// The Intl locale for `language`: the first of `preferred` in that language, else `language`.
export function localeFor(language, preferred = []) {
  return (preferred ?? []).find((tag) => primary(tag) === language) ?? language;
}

function browserLanguages() {
  if (typeof navigator === 'undefined') {
    return [];
  }
  return navigator.languages?.length ? [...navigator.languages] : [navigator.language].filter(Boolean);
}

// The stored setting: 'en', 'de', ... or '' (follow the browser).
export function languageSetting() {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY) ?? '';
    return Object.hasOwn(CATALOGUES, value) ? value : '';
  } catch {
    return '';  // storage disabled
  }
}

let current = chooseLanguage(languageSetting(), browserLanguages());
let currentLocale = localeFor(current, browserLanguages());

// The language in use ('en', 'de').
export function language() {
  return current;
}

// The Intl locale in use ("de-DE", "en-GB", or the language).
export function locale() {
  return currentLocale;
}

// Stores `value` ('' = follow the browser) and switches to what it gives.
export function setLanguageSetting(value) {
  const setting = Object.hasOwn(CATALOGUES, value ?? '') ? value : '';
  try {
    if (setting) {
      globalThis.localStorage?.setItem(STORAGE_KEY, setting);
    } else {
      globalThis.localStorage?.removeItem(STORAGE_KEY);
    }
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  current = chooseLanguage(setting, browserLanguages());
  currentLocale = localeFor(current, browserLanguages());
}

// The text of `key` in the current language (else English, else the key itself), with each
// {name} replaced by params[name]; a placeholder without a value stays as written.
export function t(key, params = {}) {
  const text = CATALOGUES[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (
    params[name] === undefined || params[name] === null ? whole : String(params[name])));
}

// A presence in words ('available' → "Available"); an unknown one as sent.
export function presenceLabel(presence) {
  const labels = {
    available: t('presence.available'), busy: t('presence.busy'), away: t('presence.away'),
    offline: t('presence.offline'),
  };
  return labels[presence] ?? presence ?? '';
}

// A role in words; an unknown one as sent.
export function roleLabel(role) {
  const labels = { agent: t('role.agent'), supervisor: t('role.supervisor'), admin: t('role.admin') };
  return labels[role] ?? role ?? '';
}

// Translates the static page: an element's text from data-i18n="key", attributes from
// data-i18n-attr="attribute:key attribute:key" (e.g. aria-label, placeholder, title); the
// document's lang and title.
export function translateDocument(doc = document) {
  doc.documentElement.lang = current;
  for (const node of doc.querySelectorAll('[data-i18n]')) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of doc.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.trim().split(/\s+/)) {
      const [attribute, key] = pair.split(':');
      if (attribute && key) {
        node.setAttribute(attribute, t(key));
      }
    }
  }
  doc.title = t('app.title');
}
