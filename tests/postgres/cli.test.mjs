// The command line around PostgreSQL: --store and BATON_STORE for `baton agent`, clear errors for
// a value that is no connection string, an unreachable server (host and database named, the
// password never) and a migration without a source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { pgCluster } from '../lib/pgcluster.mjs';
import { bin, contoso, makeDataDir, root } from '../lib/serve.mjs';

function baton(args, { input = '', env = {} } = {}) {
  return spawnSync(bin, args, { encoding: 'utf8', cwd: root, input, timeout: 30000,
                                env: { ...process.env, ...env } });
}

test('agent commands keep agents in PostgreSQL with --store or BATON_STORE', () => {
  const data = makeDataDir('baton-pgcli-');
  try {
    const store = pgCluster().database('cli_agents');
    let r = baton(['agent', 'add', 'alice', '--password-stdin', '--data', data, '--store', store],
                  { input: 'alice-pass-1\n' });
    assert.equal(r.status, 0, r.stderr);
    r = baton(['agent', 'list', '--json', '--data', data], { env: { BATON_STORE: store } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).map((a) => a.id), ['alice']);
    // Nothing went to SQLite in the data directory.
    r = baton(['agent', 'list', '--json', '--data', data], { env: { BATON_STORE: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('serve --store: not a connection string is a usage error; an unreachable server names host '
     + 'and database, never the password', () => {
  const data = makeDataDir('baton-pgcli-');
  try {
    let r = baton(['serve', contoso, '--listen', '127.0.0.1:0', '--data', data, '--store',
                   'not-a-connection-string']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--store must be a PostgreSQL connection string/);
    r = baton(['serve', contoso, '--listen', '127.0.0.1:0', '--data', data],
              { env: { BATON_STORE: 'postgresql://baton:s3cret-pw@127.0.0.1:1/nowhere' } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /127\.0\.0\.1:1\/nowhere/);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret/);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('store migrate: a missing source and a bad target are clear errors', () => {
  const data = makeDataDir('baton-pgcli-');
  try {
    let r = baton(['store', 'migrate', '--from', data, '--to', pgCluster().database('cli_empty')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no SQLite store at .*baton\.db/);
    r = baton(['store', 'migrate', '--from', data, '--to', 'elsewhere']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--to must be a PostgreSQL connection string/);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
