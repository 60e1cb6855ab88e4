// Attacks on the upload files of `baton serve` (docs/SECURITY.md): hostile file URLs must never open
// anything outside DATA/uploads/<conversation>/ — above all not the store's database, whose POSIX
// locks a stray open()+close() in the same process would drop (fcntl locks belong to the process
// and die with any of its descriptors to the file) — and `baton agent ...` on the data directory of
// a running server must never remove the server's WAL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { bin, newConversation, postActivity, readAll, root, startServer,
         userMessage } from '../lib/serve.mjs';

const servers = [];
after(async () => {
  for (const s of servers) {
    await s.cleanup();
  }
});

// The POSIX locks `pid` holds right now, one line each ("POSIX ADVISORY READ <pid> <dev>:<inode> ...").
function locksOf(pid) {
  return readFileSync('/proc/locks', 'utf8').split('\n')
    .filter((line) => line.split(/\s+/).includes(String(pid)))
    .map((line) => line.replace(/^\d+:\s*/, '').replace(/\s+/g, ' ').trim())
    .sort();
}

// One raw GET with the target exactly as given (no client-side normalisation of "..").
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk) => { data += chunk; });
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : 0, text: data });
    });
  });
}

// Targets an attacker would try: the database and its WAL/SHM through "..", encoded or not, other
// files of the data directory, the content-type sidecars, separators inside one segment.
function hostileTargets(conversationId) {
  const files = '/v3/directline/conversations';
  const targets = [];
  for (const up of ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '.', '%2e']) {
    for (const name of ['baton.db', 'baton.db-wal', 'baton.db-shm', 'directline-secret',
                        'agent-session-key', 'evil', 'uploads']) {
      targets.push(`${files}/${up}/files/${name}`);
    }
  }
  targets.push(
    `${files}/uploads/files/..%2fbaton.db`,
    `${files}/x/files/..%2f..%2fbaton.db`,
    `${files}/%2e%2e%2f%2e%2e/files/baton.db`,
    `${files}/..%2f/files/baton.db`,
    `${files}/${conversationId}/files/..%2f..%2fbaton.db`,
    `${files}/${conversationId}/files/%2e%2e`,
    `${files}/${conversationId}/files/.`,
    `${files}/${conversationId}/files/x.ct`,
    `${files}/${conversationId}%2f..%2f..%2f/files/baton.db`,
    `${files}/${conversationId}/files/%00`,
    `${files}/${conversationId}/files/a%00.png`,
    `${files}/../../files/baton.db`,
    `${files}/./files/baton.db`,
  );
  return targets;
}

test('hostile file URLs answer 404 and leave every lock on the database held', async () => {
  const server = await startServer();
  servers.push(server);
  // A file the old code served: any DATA/<name> with <name>.ct beside it.
  writeFileSync(join(server.dataDir, 'evil'), 'not an upload\n');
  writeFileSync(join(server.dataDir, 'evil.ct'), 'text/plain\n');
  const conv = await newConversation(server);
  assert.equal((await postActivity(server, conv, userMessage(conv, 'hello'))).status, 200);

  const before = locksOf(server.pid);
  assert.ok(before.length > 0, 'the server holds locks on its database');
  for (const target of hostileTargets(conv.conversationId)) {
    const r = await rawGet(server.port, target);
    assert.ok(r.status === 404 || r.status === 400, `${target}: ${r.status}\n${r.text.slice(0, 300)}`);
    assert.doesNotMatch(r.text, /not an upload|SQLite format/, target);
  }
  assert.deepEqual(locksOf(server.pid), before, 'a lock on the database was dropped');

  // The server still serves the customer.
  assert.equal((await postActivity(server, conv, userMessage(conv, 'store hours'))).status, 200);
});

// Runs `baton agent ...` on `data` with `input` on stdin.
function agentCli(data, args, input = '') {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['agent', ...args, '--data', data], { cwd: root });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    proc.on('error', reject);
    proc.on('close', (status) => resolve({ status, stderr }));
    proc.stdin.end(input);
  });
}

test('agent passwd beside a busy server keeps its WAL; kill -9 loses no acknowledged message',
     async () => {
  const server = await startServer();
  servers.push(server);
  const data = server.dataDir;
  let r = await agentCli(data, ['add', 'carol', '--password', 'carol-secret-1']);
  assert.equal(r.status, 0, r.stderr);

  const conv = await newConversation(server);
  // Hostile reads first: with the old file handler they dropped the server's locks, after which
  // the CLI took itself for the database's last user and deleted the live WAL on close.
  for (const target of hostileTargets(conv.conversationId).slice(0, 7)) {
    await rawGet(server.port, target);
  }

  const acknowledged = [];
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; ++i) {
      const text = `message ${i}`;
      const posted = await postActivity(server, conv, userMessage(conv, text));
      if (posted.status === 200) {
        acknowledged.push(text);
      }
    }
  })();
  const wal = join(data, 'baton.db-wal');
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(existsSync(wal), 'the server writes through a WAL');
    const inode = statSync(wal).ino;
    for (let i = 0; i < 5; ++i) {
      r = await agentCli(data, ['passwd', 'carol', '--password', `carol-secret-${i + 2}`]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(wal), `agent passwd #${i + 1} removed the server's WAL`);
      assert.equal(statSync(wal).ino, inode, `agent passwd #${i + 1} replaced the server's WAL`);
    }
  } finally {
    writing = false;
    await writer;
  }
  assert.ok(acknowledged.length > 0);
  await server.kill9();

  const again = await startServer({ dataDir: data });
  servers.push(again);
  const all = await readAll(again, conv, '0', again.secret);
  const texts = new Set(all.activities.filter((a) => a.from?.role === 'user').map((a) => a.text));
  for (const text of acknowledged) {
    assert.ok(texts.has(text), `acknowledged "${text}" was lost`);
  }
  r = await agentCli(data, ['list', '--json']);
  assert.equal(r.status, 0, r.stderr);
});
