// Black-box tests of `baton agent add|list|remove|passwd` (docs/AGENT_API.md, "Managing agents"): the
// round trip, every error with its exit code and one-line message, passwords from a flag or
// standard input (never printed), and that it works while `baton serve` runs on the same data dir.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, makeDataDir, root, startServer, request } from '../lib/serve.mjs';

// Runs `baton agent ...args` on `data`; `input` goes to stdin (default: nothing, closed).
function agent(data, args, input = '') {
  const argv = ['agent', ...args];
  if (data) {
    argv.push('--data', data);
  }
  return spawnSync(bin, argv, { encoding: 'utf8', cwd: root, input, timeout: 30000 });
}

// Async variant, for commands run concurrently with each other or with a server.
function agentAsync(data, args, input = '') {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['agent', ...args, '--data', data], { cwd: root });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    proc.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    proc.on('error', reject);
    // 'close', not 'exit': only then has all of stdout and stderr been read.
    proc.on('close', (status) => resolve({ status, stdout, stderr }));
    proc.stdin.end(input);
  });
}

function listJson(data) {
  const r = agent(data, ['list', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// An error: the exit code, nothing on stdout, exactly one line on stderr matching `message`.
function assertError(r, status, message) {
  assert.equal(r.status, status, `exit ${r.status}; stdout: ${r.stdout}; stderr: ${r.stderr}`);
  if (status === 1) {
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
}

const dirs = [];
after(() => {
  for (const dir of dirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function freshDir() {
  const dir = makeDataDir('baton-agent-');
  dirs.push(dir);
  return dir;
}

test('add, list, passwd and remove round trip', () => {
  const data = freshDir();
  let r = agent(data, ['add', 'alice', '--name', 'Alice Adams', '--role', 'supervisor',
                       '--skills', 'Billing, de,billing', '--capacity', '3',
                       '--password', 'alice-secret-1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /added agent alice/);
  r = agent(data, ['add', 'bob.b@example-1'], 'bob-secret-12\n');
  assert.equal(r.status, 0, r.stderr);

  assert.deepEqual(listJson(data), [
    { id: 'alice', displayName: 'Alice Adams', role: 'supervisor', skills: ['billing', 'de'],
      capacity: 3, disabled: false },
    { id: 'bob.b@example-1', displayName: 'bob.b@example-1', role: 'agent', skills: [],
      capacity: 1, disabled: false },
  ]);

  r = agent(data, ['list']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^ID\s+NAME\s+ROLE\s+SKILLS\s+CAPACITY$/);
  assert.match(lines[1], /^alice\s+Alice Adams\s+supervisor\s+billing,de\s+3$/);
  assert.match(lines[2], /^bob\.b@example-1\s+bob\.b@example-1\s+agent\s+-\s+1$/);
  // Columns line up.
  assert.equal(lines[1].indexOf('supervisor'), lines[0].indexOf('ROLE'));

  r = agent(data, ['passwd', 'alice', '--password-stdin'], 'a new password\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /alice/);
  // Changing the password keeps everything else.
  assert.equal(listJson(data)[0].displayName, 'Alice Adams');

  // disable / enable: the record stays, listed as disabled.
  r = agent(data, ['disable', 'alice']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /disabled agent alice/);
  assert.deepEqual(listJson(data).map((a) => [a.id, a.disabled]),
                   [['alice', true], ['bob.b@example-1', false]]);
  assert.match(agent(data, ['list']).stdout, /alice\s+Alice Adams\s+supervisor \(disabled\)/);
  assertError(agent(data, ['disable', 'nobody']), 1, /unknown agent nobody/);
  r = agent(data, ['enable', 'alice']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /enabled agent alice/);
  assert.equal(listJson(data)[0].disabled, false);

  r = agent(data, ['remove', 'alice']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /removed agent alice/);
  assert.deepEqual(listJson(data).map((a) => a.id), ['bob.b@example-1']);
  r = agent(data, ['remove', 'bob.b@example-1']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(listJson(data), []);
  r = agent(data, ['list']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /no agents/);
});

test('the data directory is created when missing', () => {
  const parent = freshDir();
  const data = join(parent, 'a', 'b');
  const r = agent(data, ['add', 'carol', '--password', 'carol-password']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(data, 'baton.db')));
  assert.deepEqual(listJson(data).map((a) => a.id), ['carol']);
});

test('a password or its hash is never printed', () => {
  const data = freshDir();
  const secret = 'very-secret-passphrase';
  const outputs = [
    agent(data, ['add', 'dave', '--password', secret]),
    agent(data, ['passwd', 'dave'], `${secret}-2\n`),
    agent(data, ['list']),
    agent(data, ['list', '--json']),
    agent(data, ['add', 'dave', '--password', secret]),
  ];
  for (const r of outputs) {
    const all = r.stdout + r.stderr;
    assert.doesNotMatch(all, /very-secret/);
    assert.doesNotMatch(all, /argon2/);
  }
  assert.deepEqual(Object.keys(listJson(data)[0]).sort(),
                   ['capacity', 'disabled', 'displayName', 'id', 'role', 'skills']);
});

test('passwords from stdin: one line, newline stripped, CRLF too', () => {
  const data = freshDir();
  // Only the first line is the password; its trailing newline is not part of it. Login is the
  // API's business; here we check the length rule sees the stripped line.
  let r = agent(data, ['add', 'erin'], '1234567\n');
  assertError(r, 1, /password too short: use at least 8 characters/);
  r = agent(data, ['add', 'erin'], '1234567\r\n');
  assertError(r, 1, /password too short/);
  r = agent(data, ['add', 'erin'], '12345678\nsecond line ignored\n');
  assert.equal(r.status, 0, r.stderr);
  r = agent(data, ['add', 'frank', '--password-stdin'], 'no-newline-at-end');
  assert.equal(r.status, 0, r.stderr);
  // Eight characters, not eight bytes.
  r = agent(data, ['add', 'gina'], 'pässwör\n');
  assertError(r, 1, /password too short/);
  r = agent(data, ['add', 'gina'], 'pässwörd\n');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(listJson(data).map((a) => a.id), ['erin', 'frank', 'gina']);
});

test('duplicate add is refused and keeps the existing agent', () => {
  const data = freshDir();
  assert.equal(agent(data, ['add', 'alice', '--name', 'First', '--password', 'password-1']).status, 0);
  const r = agent(data, ['add', 'alice', '--name', 'Second', '--password', 'password-2']);
  assertError(r, 1, /^baton agent: agent alice exists \(use passwd to change the password\)$/);
  assert.equal(listJson(data)[0].displayName, 'First');
  // Checked before the password is asked for: no stdin needed to learn it.
  assertError(agent(data, ['add', 'alice']), 1, /agent alice exists/);
});

test('unknown agents: remove and passwd fail with exit 1', () => {
  const data = freshDir();
  assertError(agent(data, ['remove', 'nobody']), 1, /unknown agent nobody/);
  assertError(agent(data, ['passwd', 'nobody', '--password', 'password-1']), 1,
              /unknown agent nobody/);
});

test('bad ids, roles, capacities, names and passwords: one clear line, exit 1', () => {
  const data = freshDir();
  const cases = [
    [['add', 'al ice', '--password', 'password-1'], /invalid agent id 'al ice'/],
    [['add', 'a/b', '--password', 'password-1'], /invalid agent id/],
    [['add', 'x'.repeat(65), '--password', 'password-1'], /invalid agent id .*1 to 64/],
    [['add', 'bob', '--role', 'root', '--password', 'password-1'],
     /invalid role 'root': use agent, supervisor or admin/],
    [['add', 'bob', '--role', 'Agent', '--password', 'password-1'], /invalid role/],
    [['add', 'bob', '--capacity', '0', '--password', 'password-1'],
     /invalid capacity '0': use a whole number from 1 to 1000/],
    [['add', 'bob', '--capacity', 'lots', '--password', 'password-1'], /invalid capacity 'lots'/],
    [['add', 'bob', '--capacity', '2.5', '--password', 'password-1'], /invalid capacity/],
    [['add', 'bob', '--capacity', '1001', '--password', 'password-1'], /invalid capacity/],
    [['add', 'bob', '--capacity', '-1', '--password', 'password-1'], /invalid capacity/],
    [['add', 'bob', '--name', '', '--password', 'password-1'], /invalid name/],
    [['add', 'bob', '--name', 'a\u0007b', '--password', 'password-1'], /invalid name/],
    [['add', 'bob', '--password', 'short'], /password too short/],
    [['add', 'bob', '--password', ''], /password too short/],
    [['add', 'bob', '--password', 'p'.repeat(4097)], /password too long/],
    [['remove', 'bad id'], /invalid agent id/],
    [['passwd', 'bob', '--password', 'short'], /unknown agent bob/],
  ];
  for (const [args, message] of cases) {
    assertError(agent(data, args), 1, message);
  }
  // Nothing was written by any of them.
  assert.deepEqual(listJson(data), []);
  // A short password for an existing agent is refused and the old one stays.
  assert.equal(agent(data, ['add', 'bob', '--password', 'password-1']).status, 0);
  assertError(agent(data, ['passwd', 'bob', '--password', 'short']), 1, /password too short/);
  assertError(agent(data, ['passwd', 'bob']), 1, /no password/);  // empty stdin
});

test('the longest id and every allowed character work', () => {
  const data = freshDir();
  const id = `Az09._@-${'q'.repeat(56)}`;
  assert.equal(id.length, 64);
  const r = agent(data, ['add', id, '--role', 'admin', '--password', 'password-1']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(listJson(data).map((a) => [a.id, a.role]), [[id, 'admin']]);
});

test('usage errors exit 2', () => {
  const data = freshDir();
  for (const args of [
    [],                                                   // no agent subcommand
    ['add'],                                              // missing id
    ['remove'],
    ['passwd'],
    ['frobnicate'],
    ['add', 'bob', '--password', 'password-1', '--password-stdin'],
    ['add', 'bob', '--password', 'password-1', '--no-such-flag'],
    ['list', 'extra'],
  ]) {
    const r = agent(data, args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}; ${r.stderr}`);
  }
  assert.equal(agent(null, ['--help']).status, 0);
});

test('a data path that is not a directory is an error, not a crash', () => {
  const parent = freshDir();
  const file = join(parent, 'file');
  writeFileSync(file, 'x');
  assertError(agent(file, ['list']), 1, /cannot open/);
  const junk = freshDir();
  writeFileSync(join(junk, 'baton.db'), 'x'.repeat(8192));
  assertError(agent(junk, ['add', 'bob', '--password', 'password-1']), 1, /not a database/);
});

test('concurrent adds on one data dir all land', async () => {
  const data = freshDir();
  const ids = Array.from({ length: 6 }, (_, i) => `agent${i}`);
  const results = await Promise.all(ids.map((id) => agentAsync(data, ['add', id], `${id}-password\n`)));
  for (const r of results) {
    assert.equal(r.status, 0, r.stderr);
  }
  assert.deepEqual(listJson(data).map((a) => a.id), ids);
});

test('works while baton serve runs on the same data dir', async () => {
  const data = freshDir();
  assert.equal(agent(data, ['add', 'before', '--password', 'password-1']).status, 0);
  const server = await startServer({ dataDir: data });
  try {
    let r = await agentAsync(data, ['add', 'during', '--skills', 'billing'], 'password-2\n');
    assert.equal(r.status, 0, r.stderr);
    r = await agentAsync(data, ['passwd', 'before'], 'password-3\n');
    assert.equal(r.status, 0, r.stderr);
    r = await agentAsync(data, ['list', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).map((a) => a.id), ['before', 'during']);
    r = await agentAsync(data, ['remove', 'before']);
    assert.equal(r.status, 0, r.stderr);
    // The server kept working meanwhile.
    const token = await request(`${server.domain}/tokens/generate`, {
      method: 'POST', auth: server.secret, json: { user: { id: 'dl_u1' } },
    });
    assert.equal(token.status, 200, token.text);
    assert.equal(server.proc.exitCode, null);
  } finally {
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, server.stderr);
  }
  assert.deepEqual(listJson(data).map((a) => a.id), ['during']);
});
