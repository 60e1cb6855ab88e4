// scripts/check-modules.mjs against the real tree (the include graph matches docs/ARCHITECTURE.md)
// and against small fixture trees, so that a forbidden include, a stale table line and a module
// listed out of order each fail it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.env.BATON_ROOT;
const script = join(root, 'scripts/check-modules.mjs');

function run(dir) {
  const r = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function fixture(table, files) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-modules-'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs/ARCHITECTURE.md'),
    `# A\n\n## Modules and dependencies\n\n\`\`\`\n${table}\n\`\`\`\n\n## Next\n`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'src', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  return dir;
}

test('the real tree matches its table', () => {
  const r = run(root);
  assert.equal(r.status, 0, r.out);
});

test('a table that matches passes', () => {
  const dir = fixture('core   base (depends on nothing)\nengine runs things  → core',
    { 'core/a.hpp': '#pragma once\n', 'engine/e.cpp': '#include "core/a.hpp"\n#include "engine/e.hpp"\n' });
  try {
    assert.equal(run(dir).status, 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('an include the table does not allow fails, naming the file', () => {
  const dir = fixture('core   base (depends on nothing)\nengine runs things  → core',
    { 'core/a.cpp': '#include "engine/e.hpp"\n', 'engine/e.cpp': '#include "core/a.hpp"\n' });
  try {
    const r = run(dir);
    assert.equal(r.status, 1);
    assert.match(r.out, /src\/core\/a\.cpp: core includes engine/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a declared dependency that no file uses fails (the table is stale)', () => {
  const dir = fixture('core   base (depends on nothing)\nstore  rows  → core\nengine runs  → store, core',
    { 'core/a.hpp': '', 'store/s.cpp': '#include "core/a.hpp"\n', 'engine/e.cpp': '#include "core/a.hpp"\n' });
  try {
    const r = run(dir);
    assert.equal(r.status, 1);
    assert.match(r.out, /engine → store, but no file of engine includes store/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a dependency listed below its user fails', () => {
  const dir = fixture('engine runs  → core\ncore   base (depends on nothing)',
    { 'core/a.hpp': '', 'engine/e.cpp': '#include "core/a.hpp"\n' });
  try {
    const r = run(dir);
    assert.equal(r.status, 1);
    assert.match(r.out, /core is listed after engine/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
