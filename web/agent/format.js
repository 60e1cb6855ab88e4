// Figures for people, for the Analytics view: pure functions of their arguments (no DOM), so they
// run under Node too. A figure the server sends as null (nothing to divide, no data) shows as "–".
// `locale` is a BCP 47 tag; undefined means the browser's (the console passes i18n.js's locale()).
import { t } from './i18n.js';

export const NONE = '–';

const missing = (x) => x === null || x === undefined || Number.isNaN(Number(x));

// 1234 → "1,234" (en-US).
export function formatCount(n, locale) {
  return missing(n) ? NONE : new Intl.NumberFormat(locale).format(Number(n));
}

// A share in [0, 1] as a percentage with at most one decimal: 0.3333 → "33.3%", 1 → "100%".
export function formatRate(x, locale) {
  if (missing(x)) {
    return NONE;
  }
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(Number(x));
}

// An average rating out of 5 with one decimal: 4.5 → "4.5", 5 → "5.0".
export function formatRating(x, locale) {
  if (missing(x)) {
    return NONE;
  }
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    .format(Number(x));
}

// A duration in milliseconds: "< 0.1 s", "0.4 s", "12 s" (one decimal under 10 s), "2 min 5 s",
// "1 h 5 min".
export function formatMs(ms, locale) {
  if (missing(ms)) {
    return NONE;
  }
  const value = Math.max(0, Number(ms));
  if (value > 0 && value < 50) {
    return `< ${new Intl.NumberFormat(locale).format(0.1)} s`;
  }
  if (value < 10000) {
    const s = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value / 1000);
    return `${s} s`;
  }
  const seconds = Math.round(value / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return s === 0 ? `${m} min` : `${m} min ${s} s`;
  }
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

// "YYYY-MM-DD" of a Date in local time (the value of an <input type="date">).
export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// The default range: the 7 days up to and including `now`'s day, as date-input values.
export function defaultRange(now = new Date()) {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6);
  return { from: isoDate(from), to: isoDate(now) };
}

const DAY_MS = 24 * 3600 * 1000;
// Ranges up to this long are charted by the hour, longer ones by the day.
export const HOURLY_UP_TO_MS = 2 * DAY_MS;

// Two date-input values (whole local days, `to` included) as the API's range: {from, to} ISO-8601
// instants (local midnight of `fromDate`, local midnight after `toDate`) and the chart interval
// ("hour" up to two days, else "day"). {error} when a date is malformed or `to` is before `from`.
export function apiRange(fromDate, toDate) {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(fromDate ?? '') || !day.test(toDate ?? '')) {
    return { error: t('an.chooseDates') };
  }
  const from = new Date(`${fromDate}T00:00:00`);
  const last = new Date(`${toDate}T00:00:00`);
  if (Number.isNaN(from.getTime()) || Number.isNaN(last.getTime())) {
    return { error: t('an.chooseDates') };
  }
  if (last < from) {
    return { error: t('an.endBeforeStart') };
  }
  const to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    interval: to - from <= HOURLY_UP_TO_MS ? 'hour' : 'day',
  };
}

// A chart label for a series point starting at `iso`: hours in local time ("Dec 6, 14:00"), days
// as the UTC day the server summed ("Dec 6").
export function formatBucket(iso, interval, locale) {
  const start = new Date(iso);
  if (Number.isNaN(start.getTime())) {
    return '';
  }
  if (interval === 'day') {
    return start.toLocaleDateString(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  }
  return start.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit',
                                    minute: '2-digit', hourCycle: 'h23' });
}
