// A full disk under load (docs/DEPLOY.md, "When storage fails"): `baton serve --data` on a small
// tmpfs is filled while customers are sending. Meanwhile writes answer 503 `Unavailable` with
// Retry-After (not 502: the bot did not fail), /healthz answers 503 with the reason, and the
// supervisor view says so; the free-space warning comes first. Once space is freed the server
// takes writes again by itself, without a restart; after a kill -9 and a restart every acknowledged
// message is there. Mounting a tmpfs needs root (as CI runs); elsewhere the test is skipped.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Server, logged, newConversation, postActivity, readAll, request, sleep, userMessage,
         waitUntil } from '../lib/serve.mjs';

const root = process.getuid?.() === 0;
const mountPoint = mkdtempSync(join(tmpdir(), 'baton-full-disk-'));
let mounted = false;
const servers = [];

after(async () => {
  for (const s of servers) {
    await s.stop();
  }
  if (mounted) {
    execFileSync('umount', [mountPoint]);
  }
  rmSync(mountPoint, { recursive: true, force: true });
});

function freeBytes(dir) {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

test('a full disk answers 503 with a reason, passes by itself, and loses nothing acknowledged',
     { skip: root ? false : 'mounting a tmpfs needs root', timeout: 120000 }, async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0700', 'tmpfs', mountPoint]);
  mounted = true;
  const data = join(mountPoint, 'data');
  const args = ['--disk-warning', '2M', '--session-rate-limit', '0', '--rate-limit', '100000'];
  await addAgent(data, { id: 'sam', role: 'supervisor', password: 'supervisor-1' });
  let server = new Server({ dataDir: data, args });
  servers.push(server);
  await server.start();
  const customers = await Promise.all(Array.from({ length: 4 }, () => newConversation(server)));
  // Logged in before: a login is audited, so it needs the disk too.
  const sam = new AgentClient(server);
  await sam.login('sam', 'supervisor-1');

  // Leave about 1 MiB: the warning comes first, then the disk fills under the customers' turns.
  const filler = join(mountPoint, 'filler');
  writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(mountPoint) - 1024 * 1024)));
  await logged(server, /disk: the store's disk has .* free \(warning below 2 MiB\)/);
  const warned = await request(`${server.base}/healthz`);
  assert.equal(warned.status, 200);
  assert.match(warned.body.warnings?.[0] ?? '', /free \(warning below 2 MiB\)/);

  const acknowledged = new Set();
  const refusals = [];
  let sending = true;
  const text = 'x'.repeat(2000);
  const senders = customers.map(async (conv, c) => {
    for (let i = 0; sending; ++i) {
      const body = `${c}-${i} ${text}`;
      const r = await postActivity(server, conv, userMessage(conv, body));
      if (r.status === 200) {
        acknowledged.add(body);
      } else {
        refusals.push({ status: r.status, code: r.body?.error?.code, retry: r.headers.get('retry-after') });
        await sleep(20);
      }
    }
  });
  try {
    await waitUntil(() => refusals.length >= 5, 60000, 'the disk to fill up');
    for (const r of refusals) {
      assert.equal(r.status, 503, JSON.stringify(r));
      assert.equal(r.code, 'Unavailable');
      assert.match(r.retry ?? '', /^\d+$/);
    }
    const health = await request(`${server.base}/healthz`);
    assert.equal(health.status, 503);
    assert.equal(health.body.status, 'unavailable');
    assert.match(health.body.reason, /full/);
    await logged(server, /store: not taking writes: .*full/);
    const view = await sam.ok('GET', '/supervisor');
    assert.equal(view.service.ready, false);
    assert.match(view.service.reason, /full/);
  } finally {
    sending = false;
    await Promise.all(senders);
  }

  // Space comes back: writes resume by themselves, without a restart.
  unlinkSync(filler);
  await waitUntil(async () => (await request(`${server.base}/healthz`)).status === 200, 20000,
                  '/healthz to be ready again');
  await logged(server, /store: writes are accepted again/);
  for (let i = 0; i < 20; ++i) {
    const conv = customers[i % customers.length];
    const body = `after ${i} ${text}`;
    const r = await postActivity(server, conv, userMessage(conv, body));
    assert.equal(r.status, 200, r.text);
    acknowledged.add(body);
  }

  await server.kill9();
  server = new Server({ dataDir: data, args });
  servers.push(server);
  await server.start();
  const stored = new Set();
  for (const conv of customers) {
    const { activities } = await readAll(server, conv, '0', server.secret);
    for (const a of activities) {
      if (a.from?.role === 'user') {
        stored.add(a.text);
      }
    }
  }
  const lost = [...acknowledged].filter((t) => !stored.has(t));
  assert.deepEqual(lost.map((t) => t.slice(0, 10)), [], `${lost.length} of ${acknowledged.size} acknowledged messages lost`);
  assert.ok(acknowledged.size > 20);
});
