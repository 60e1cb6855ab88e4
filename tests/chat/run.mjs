// Runs `baton chat BOT --json` with the given input and returns its stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = process.env.BATON_ROOT ?? join(here, '..', '..');
const bin = process.env.BATON_BIN ?? join(root, 'build', 'baton');

export function runChat(botPath, input) {
  const r = spawnSync(bin, ['chat', join(root, botPath), '--json'], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `baton chat failed: ${r.stderr}`);
  return r.stdout;
}
