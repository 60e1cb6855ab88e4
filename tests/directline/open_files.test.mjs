// `baton serve` started with a low soft open-file limit (Debian's default is 1,024) still holds
// more connections than that limit: it raises its soft limit to the hard one at startup, logs it,
// and a new customer is still served with all the other connections open.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { logged, startServer, request } from '../lib/serve.mjs';

const SOFT = 256;
const HELD = 600;  // well past SOFT: without the raise, accept fails at about 250

let server;
const sockets = [];
after(async () => {
  for (const s of sockets) {
    s.destroy();
  }
  await server?.cleanup();
});

function openFilesLimit(pid) {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/);
  return { soft, hard };
}

test(`a soft limit of ${SOFT} is raised; ${HELD} connections held and a new one served`, async () => {
  // One address holds them all: the per-address cap (tested in tests/security) is off here.
  server = await startServer({ prefix: ['prlimit', `--nofile=${SOFT}:`, '--'],
                              args: ['--max-connections-per-address', '0'] });
  const limits = openFilesLimit(server.pid);
  assert.equal(limits.soft, limits.hard, `soft limit raised to the hard one: ${JSON.stringify(limits)}`);
  await logged(server, new RegExp(`open-file limit raised from ${SOFT} to ${limits.soft}`));
  let closed = 0;
  await Promise.all(Array.from({ length: HELD }, () => new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', resolve);
    s.on('error', reject);
    s.on('close', () => { closed += 1; });
    sockets.push(s);
  })));
  // Every connection must be accepted, not only queued in the kernel's backlog: the server answers
  // a request on the last one.
  const last = sockets[sockets.length - 1];
  const answer = await new Promise((resolve, reject) => {
    let data = '';
    const timer = setTimeout(() => reject(new Error(`no answer on connection ${HELD}`)), 10000);
    last.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\r\n\r\n')) {
        clearTimeout(timer);
        resolve(data);
      }
    });
    last.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
  assert.match(answer, /^HTTP\/1\.1 200/);
  const r = await request(`${server.base}/healthz`);
  assert.equal(r.status, 200);
  assert.equal(closed, 0, 'no held connection was dropped');
  assert.equal(server.proc.exitCode, null);
});
