// Black-box tests of `baton check`: exit codes, the file:line:col format, the exact report for a
// bot with one of each common mistake (tests/check/broken) and for a bot with one of each
// trigger-phrase warning (tests/check/understanding), `--strict`, and `baton nlu-eval --bot`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env.BATON_ROOT ?? join(here, '..', '..');
const bin = process.env.BATON_BIN ?? join(root, 'build', 'baton');

function check(...paths) {
  return spawnSync(bin, ['check', ...paths], { encoding: 'utf8', cwd: root });
}

test('the examples pass with exit code 0', () => {
  const r = check('examples/contoso', 'examples/kundendienst');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /: error: /);
});

test('a broken bot reports every problem at its position and exits 1', () => {
  const r = check('tests/check/broken');
  assert.equal(r.status, 1);
  const diagnostics = r.stdout.split('\n').filter((l) => /: (error|warning): /.test(l));
  for (const line of diagnostics) {
    assert.match(line, /^tests\/check\/broken\/bot\.yaml:\d+:\d+: (error|warning): \S/);
  }
  const expected = readFileSync(join(here, 'broken', 'expected.txt'), 'utf8').trim().split('\n');
  assert.deepEqual(diagnostics, expected);
});

test('invalid YAML syntax is reported with its position', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-check-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'bot:\n  id: x\n  name: [unclosed\n');
  const r = check(file);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `, 'm'));
});

test('binary garbage does not crash the checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-check-'));
  const file = join(dir, 'garbage.yaml');
  writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96, 0x0a, 0x3a, 0x3a]));
  const r = check(file);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /: error: /);
});

test('a missing path is an error, not a crash', () => {
  const r = check('no/such/bot');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /no\/such\/bot.*error/);
});

test('trigger-phrase warnings: each kind at its phrase, and they do not fail check', () => {
  const r = check('tests/check/understanding');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const diagnostics = r.stdout.split('\n').filter((l) => /: (error|warning): /.test(l));
  const expected = readFileSync(join(here, 'understanding', 'expected.txt'), 'utf8').trim().split('\n');
  assert.deepEqual(diagnostics, expected);
  assert.match(r.stdout, /^understanding: 0 errors, 5 warnings$/m);
});

test('--strict makes warnings errors', () => {
  const r = spawnSync(bin, ['check', '--strict', 'tests/check/understanding'], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^understanding: 5 errors, 0 warnings$/m);
  assert.doesNotMatch(r.stdout, /: warning: /);
  // Bots without warnings still pass: the examples are written to have none.
  const clean = spawnSync(bin, ['check', '--strict', 'examples/contoso', 'examples/kundendienst'], { encoding: 'utf8', cwd: root });
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
});

test('nlu-eval --bot prints held-out accuracy per topic and the most confused pairs', () => {
  const r = spawnSync(bin, ['nlu-eval', '--bot', 'tests/check/understanding'], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^bot understanding \(en\): held-out accuracy: [\d.]+ % \(\d+ of 16 phrases/m);
  assert.match(r.stdout, /^Order status +4 +25\.0 % +2 +1$/m);
  assert.match(r.stdout, /^  Order status -> Cancel order: 1, "where is my order"$/m);
  const missing = spawnSync(bin, ['nlu-eval', '--bot', 'no/such/bot'], { encoding: 'utf8', cwd: root });
  assert.equal(missing.status, 1);
});

test('missing word vectors are a warning that says how to get them', () => {
  const r = spawnSync(bin, ['check', 'tests/check/understanding'], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, BATON_WORD_VECTORS_DIR: '/nonexistent' },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^tests\/check\/understanding\/bot\.yaml:\d+:\d+: warning: trigger phrases are matched without word vectors: cannot open \/nonexistent\/en\.bin \(the build writes it from web\/node_modules: run scripts\/setup\.sh, then build\)$/m,
  );
});

test('a missing thesaurus is a warning that names the package', () => {
  const r = spawnSync(bin, ['check', 'tests/check/understanding'], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, BATON_MYTHES_DIR: '/nonexistent' },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^tests\/check\/understanding\/bot\.yaml:\d+:\d+: warning: trigger phrases are matched without synonyms: cannot open thesaurus \/nonexistent\/th_en_US_v2\.dat \(install the Debian package mythes-en-us, as scripts\/setup\.sh does\)$/m,
  );
});
