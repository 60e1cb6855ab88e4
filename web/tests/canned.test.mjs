// Canned responses' placeholders and `/` search (web/agent/canned_fill.js) under Node.
// Run: node --test web/tests/canned.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPlaceholders, searchCanned, slashQuery } from '../agent/canned_fill.js';

test('placeholders are filled from the customer, the agent and the context', () => {
  const values = { customerName: 'Dana', agentName: 'Alice', context: { va_Language: 'en', days: 5 } };
  assert.equal(fillPlaceholders('Hi {customer.name}, {agent.name} here ({context.va_Language}, {context.days} days)', values),
               'Hi Dana, Alice here (en, 5 days)');
});

test('unknown or empty placeholders stay visible as written', () => {
  const values = { customerName: '', agentName: 'Alice', context: {} };
  assert.equal(fillPlaceholders('{customer.name} {context.missing} {order.id} {agent.name}', values),
               '{customer.name} {context.missing} {order.id} Alice');
  // Inherited properties are not context variables.
  assert.equal(fillPlaceholders('{context.constructor}', { context: {} }), '{context.constructor}');
  // A value is inserted as text once: braces in it are not filled again.
  assert.equal(fillPlaceholders('{customer.name}', { customerName: '{agent.name}', agentName: 'x' }),
               '{agent.name}');
});

test('the slash query is the word after a slash at the caret', () => {
  assert.deepEqual(slashQuery('/ref', 4), { start: 0, query: 'ref' });
  assert.deepEqual(slashQuery('hello /re', 9), { start: 6, query: 're' });
  assert.deepEqual(slashQuery('/', 1), { start: 0, query: '' });
  assert.equal(slashQuery('and/or', 6), null);
  assert.equal(slashQuery('/refund now', 11), null);
});

test('search ranks code prefixes first and caps the list', () => {
  const list = [
    { code: 'thanks', title: 'Thank you', text: 'Thanks for your refund request', queue: '' },
    { code: 'refund', title: 'Refund policy', text: 'Refunds take 5 days', queue: 'billing' },
    { code: 'late', title: 'Late refund', text: 'Sorry', queue: '' },
  ];
  assert.deepEqual(searchCanned(list, 'ref').map((c) => c.code), ['refund', 'late', 'thanks']);
  assert.deepEqual(searchCanned(list, 'REF', 1).map((c) => c.code), ['refund']);
  assert.deepEqual(searchCanned(list, 'zzz'), []);
});
