// Which attachment URLs the console links and previews (web/agent/transcript.js: ownFileUrl,
// previewable) under Node: only this conversation's stored files, in exactly the form the server
// issues them, rebuilt on the page's own origin.
// Run: node --test web/tests/files.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownFileUrl, previewable } from '../agent/transcript.js';

const BASE = 'https://chat.example.com/v3/directline/conversations/';
const ORIGIN = 'https://console.internal:3978';
const CONV = 'Ab3_-defGhijKlmnOpq123';
const NAME = 'ZyXwVuTsRqPoNmLkJiHg_-';
const own = (url, conv = CONV) => ownFileUrl(url, conv, BASE, ORIGIN);

test('this conversation\'s stored files are linked on the page\'s origin', () => {
  assert.equal(own(`${BASE}${CONV}/files/${NAME}`),
               `${ORIGIN}/v3/directline/conversations/${CONV}/files/${NAME}`);
  assert.equal(own(`${BASE}${CONV}/files/${NAME}.png`),
               `${ORIGIN}/v3/directline/conversations/${CONV}/files/${NAME}.png`);
  assert.equal(own(`${BASE}${CONV}/files/${NAME}.tar12345`)?.endsWith('.tar12345'), true);
});

test('anything else is not a link', () => {
  const refused = [
    'https://evil.example/x.png',
    `https://evil.example/v3/directline/conversations/${CONV}/files/${NAME}`,  // same path, other host
    `http://chat.example.com/v3/directline/conversations/${CONV}/files/${NAME}`,  // other scheme
    `${BASE}OtherConversation12345/files/${NAME}`,  // another conversation's file
    `${BASE}${CONV}/files/${NAME}?x=1`,
    `${BASE}${CONV}/files/${NAME}#x`,
    `${BASE}${CONV}/files/short`,
    `${BASE}${CONV}/files/${NAME}.ct`,  // the type record, never a file
    `${BASE}${CONV}/files/${NAME}.toolongext`,
    `${BASE}${CONV}/files/../${NAME}`,
    `${BASE}${CONV}/files/${NAME}/x`,
    `${BASE}${CONV}/files/%2e%2e`,
    `javascript:alert(1)//${BASE}${CONV}/files/${NAME}`,
    `${BASE.toUpperCase()}${CONV}/files/${NAME}`,
    '', null, undefined, 42, {},
  ];
  for (const url of refused) {
    assert.equal(own(url), null, String(url));
  }
  assert.equal(own(`${BASE}${CONV}/files/${NAME}`, 'a/b'), null, 'a bad conversation id');
  assert.equal(own(`${BASE}${CONV}/files/${NAME}`, null), null);
  assert.equal(ownFileUrl(`${BASE}${CONV}/files/${NAME}`, CONV, '', ORIGIN), null, 'no filesBase yet');
});

test('previews: raster images only', () => {
  for (const t of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'IMAGE/PNG']) {
    assert.equal(previewable(t), true, t);
  }
  for (const t of ['image/svg+xml', 'text/html', 'application/pdf', 'image/png; x', '', undefined]) {
    assert.equal(previewable(t), false, String(t));
  }
});
