// Golden tests of `baton chat --json`: each scenario in tests/chat/scenarios/NAME.txt is a bot path
// (first line, "# bot: examples/..."), then customer lines and hub commands. The binary's output
// (one activity per line, deterministic clock and ids) must equal NAME.jsonl byte for byte.
// Regenerate after a deliberate change with UPDATE_GOLDEN=1, and review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChat } from './run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scenarios = join(here, 'scenarios');

for (const file of readdirSync(scenarios).filter((f) => f.endsWith('.txt')).sort()) {
  test(`chat golden: ${file}`, () => {
    const text = readFileSync(join(scenarios, file), 'utf8');
    const [first, ...lines] = text.split('\n');
    const bot = first.replace(/^#\s*bot:\s*/, '').trim();
    const output = runChat(bot, lines.join('\n'));
    const golden = join(scenarios, file.replace(/\.txt$/, '.jsonl'));
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(golden, output);
    }
    assert.ok(existsSync(golden), `missing golden file ${golden} (run with UPDATE_GOLDEN=1)`);
    assert.equal(output, readFileSync(golden, 'utf8'));
    for (const line of output.trim().split('\n')) {
      const a = JSON.parse(line);
      assert.ok(a.type && a.id && a.timestamp, `every activity is stamped: ${line}`);
    }
  });
}
