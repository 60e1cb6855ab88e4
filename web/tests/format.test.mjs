// The Analytics view's figures for people (web/agent/format.js) under Node: nulls, rounding,
// units, locales, and the date range sent to the API. Run: node --test web/tests/format.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NONE, apiRange, defaultRange, formatBucket, formatCount, formatMs, formatRate, formatRating, isoDate,
} from '../agent/format.js';

test('null, undefined and NaN figures show as a dash', () => {
  for (const f of [formatCount, formatRate, formatRating, formatMs]) {
    assert.equal(f(null, 'en-US'), NONE);
    assert.equal(f(undefined, 'en-US'), NONE);
    assert.equal(f(Number.NaN, 'en-US'), NONE);
  }
  assert.equal(NONE, '–');
});

test('counts, rates and ratings', () => {
  assert.equal(formatCount(0, 'en-US'), '0');
  assert.equal(formatCount(1234567, 'en-US'), '1,234,567');
  assert.equal(formatCount(1234567, 'de-DE'), '1.234.567');
  assert.equal(formatRate(0, 'en-US'), '0%');
  assert.equal(formatRate(1, 'en-US'), '100%');
  assert.equal(formatRate(1 / 3, 'en-US'), '33.3%');
  assert.equal(formatRate(0.667, 'en-US'), '66.7%');
  assert.match(formatRate(0.5, 'fr-FR'), /^50\s%$/);  // a no-break space, narrow or not by ICU
  assert.equal(formatRating(5, 'en-US'), '5.0');
  assert.equal(formatRating(4.25, 'en-US'), '4.3');
  assert.equal(formatRating(4.5, 'de-DE'), '4,5');
});

test('durations pick their unit', () => {
  assert.equal(formatMs(0, 'en-US'), '0 s');
  assert.equal(formatMs(12, 'en-US'), '< 0.1 s');
  assert.equal(formatMs(12, 'de-DE'), '< 0,1 s');
  assert.equal(formatMs(50, 'en-US'), '0.1 s');
  assert.equal(formatMs(400, 'en-US'), '0.4 s');
  assert.equal(formatMs(1500, 'en-US'), '1.5 s');
  assert.equal(formatMs(9960, 'en-US'), '10 s');
  assert.equal(formatMs(12400, 'en-US'), '12 s');
  assert.equal(formatMs(60000, 'en-US'), '1 min');
  assert.equal(formatMs(125000, 'en-US'), '2 min 5 s');
  assert.equal(formatMs(3600000, 'en-US'), '1 h');
  assert.equal(formatMs(3900000, 'en-US'), '1 h 5 min');
  assert.equal(formatMs(-5, 'en-US'), '0 s');
});

test('the default range is the last 7 days including today', () => {
  assert.deepEqual(defaultRange(new Date(2026, 11, 6, 15, 30)), { from: '2026-11-30', to: '2026-12-06' });
  assert.deepEqual(defaultRange(new Date(2026, 0, 3, 0, 0)), { from: '2025-12-28', to: '2026-01-03' });
  assert.equal(isoDate(new Date(2026, 1, 9)), '2026-02-09');
});

test('a date range becomes whole local days and an interval', () => {
  const day = apiRange('2026-12-06', '2026-12-06');
  assert.equal(day.from, new Date(2026, 11, 6).toISOString());
  assert.equal(day.to, new Date(2026, 11, 7).toISOString());
  assert.equal(day.interval, 'hour');
  assert.equal(apiRange('2026-12-05', '2026-12-06').interval, 'hour');
  const week = apiRange('2026-11-30', '2026-12-06');
  assert.equal(week.interval, 'day');
  assert.equal(week.to, new Date(2026, 11, 7).toISOString());
  assert.match(apiRange('2026-12-07', '2026-12-06').error, /before the start/);
  assert.match(apiRange('', '2026-12-06').error, /start and an end/);
  assert.match(apiRange('2026-12-06T00:00', '2026-12-06').error, /start and an end/);
  assert.match(apiRange('2026-13-45', '2026-12-06').error, /start and an end/);
});

test('chart labels: days as the UTC day summed, hours in local time', () => {
  assert.equal(formatBucket('2026-12-06T00:00:00.000Z', 'day', 'en-US'), 'Dec 6');
  const hour = new Date(2026, 11, 6, 14).toISOString();
  assert.equal(formatBucket(hour, 'hour', 'en-US'), 'Dec 6, 14:00');
  assert.equal(formatBucket('not a time', 'hour', 'en-US'), '');
});
