// `cmake --install` and the systemd unit (deploy/, docs/DEPLOY.md): install into a temp prefix,
// check the layout, verify the unit and the sysusers entry with systemd's own tools, then start
// the installed binary exactly as the unit's ExecStart would (its Environment= defaults, an
// /etc/default/baton override) from a directory away from the source tree, and check that it
// serves its web pages from the installed tree.
//
// Environment: BATON_BUILD_DIR (the configured build tree), BATON_ROOT (the sources).
import { spawnSync } from 'node:child_process';
import {
  accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { logged, root, Server, request, webRequire } from '../lib/serve.mjs';

const buildDir = process.env.BATON_BUILD_DIR ?? join(root, 'build');
let work;
let prefix;

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 60000, ...options });
  assert.equal(r.error, undefined, `${command}: ${r.error}`);
  return r;
}

// systemd's command-line expansion of ExecStart: "${NAME}" is one word, "$NAME" splits on spaces.
function execStartArgv(unit, environment) {
  const line = unit.split('\n').find((l) => l.startsWith('ExecStart='));
  assert.ok(line, 'the unit has an ExecStart=');
  const words = [];
  for (const word of line.slice('ExecStart='.length).trim().split(/\s+/)) {
    const braced = /^\$\{(\w+)\}$/.exec(word);
    const bare = /^\$(\w+)$/.exec(word);
    if (braced) {
      words.push(environment[braced[1]] ?? '');
    } else if (bare) {
      words.push(...(environment[bare[1]] ?? '').split(/\s+/).filter((w) => w.length > 0));
    } else {
      assert.doesNotMatch(word, /\$/, `unexpanded variable in ExecStart word ${word}`);
      words.push(word);
    }
  }
  return words;
}

// Environment= lines of the unit, then the EnvironmentFile's assignments over them (systemd's order).
function unitEnvironment(unit, environmentFile) {
  const env = {};
  for (const line of unit.split('\n')) {
    const m = /^Environment=(\w+)=(.*)$/.exec(line);
    if (m) {
      env[m[1]] = m[2];
    }
  }
  for (const line of environmentFile.split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line.trim());
    if (m) {
      env[m[1]] = m[2];
    }
  }
  return env;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'baton-install-'));
  prefix = join(work, 'prefix');
  const r = run('cmake', ['--install', buildDir, '--prefix', prefix]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

test('the install puts the binary, web pages, example bots, unit and user where they belong', () => {
  accessSync(join(prefix, 'bin', 'baton'), constants.X_OK);
  const web = join(prefix, 'share', 'baton', 'web');
  for (const file of ['test-page/index.html', 'agent/index.html', 'agent/app.js', 'agent/console.css']) {
    assert.deepEqual(readFileSync(join(web, file)), readFileSync(join(root, 'web', file)), file);
  }
  for (const bundle of ['node_modules/botframework-webchat/dist/webchat.js',
                        'node_modules/chart.js/dist/chart.umd.js']) {
    assert.equal(statSync(join(web, bundle)).size, statSync(join(root, 'web', bundle)).size, bundle);
  }
  assert.throws(() => statSync(join(web, 'agent', 'README.md')), /ENOENT/, 'only what is served');
  for (const bot of ['contoso/bot.yaml', 'contoso/hub.yaml', 'kundendienst/bot.yaml']) {
    statSync(join(prefix, 'share', 'baton', 'examples', bot));
  }
  statSync(join(prefix, 'share', 'doc', 'baton', 'DEPLOY.md'));
  const check = run(join(prefix, 'bin', 'baton'), ['check', join(prefix, 'share', 'baton', 'examples', 'contoso')]);
  assert.equal(check.status, 0, check.stdout + check.stderr);

  const unit = readFileSync(join(prefix, 'lib', 'systemd', 'system', 'baton.service'), 'utf8');
  assert.doesNotMatch(unit, /@\w+@/, 'every placeholder filled in');
  assert.match(unit, new RegExp(`^ExecStart=${prefix}/bin/baton serve `, 'm'));
  assert.match(unit, new RegExp(`^Environment=BATON_BOT=${prefix}/share/baton/examples/contoso$`, 'm'));
  assert.match(unit, /^Type=notify$/m);
  const nofile = Number(/^LimitNOFILE=(\d+)$/m.exec(unit)?.[1]);
  assert.ok(nofile >= 50000 + 1000, `LimitNOFILE=${nofile} holds 50,000 conversations`);
});

test('systemd accepts the unit and creates the user from the sysusers entry', () => {
  const unit = join(prefix, 'lib', 'systemd', 'system', 'baton.service');
  const verify = run('systemd-analyze', ['verify', unit]);
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal(verify.stderr.trim(), '', 'no warnings about the unit');

  const sysroot = join(work, 'sysroot');
  mkdirSync(join(sysroot, 'etc'), { recursive: true });
  const users = run('systemd-sysusers', [`--root=${sysroot}`, join(prefix, 'lib', 'sysusers.d', 'baton.conf')]);
  assert.equal(users.status, 0, users.stderr);
  const passwd = readFileSync(join(sysroot, 'etc', 'passwd'), 'utf8');
  assert.match(passwd, /^baton:x:\d+:\d+:Baton virtual agent:\/var\/lib\/baton:\/usr\/sbin\/nologin$/m);
  assert.match(readFileSync(join(sysroot, 'etc', 'group'), 'utf8'), /^baton:x:\d+:/m);
});

test("the unit's ExecStart serves from the installed tree, settings from /etc/default/baton", async () => {
  const unit = readFileSync(join(prefix, 'lib', 'systemd', 'system', 'baton.service'), 'utf8');
  const secret = 'install-test-secret-0123456789';
  // What an operator writes in /etc/default/baton (baton.default shows these names).
  const defaults = readFileSync(join(prefix, 'share', 'baton', 'baton.default'), 'utf8');
  for (const name of ['BATON_BOT', 'BATON_LISTEN', 'BATON_ARGS', 'BATON_DIRECTLINE_SECRET']) {
    assert.match(defaults, new RegExp(`^#${name}=`, 'm'), `baton.default documents ${name}`);
  }
  const environment = unitEnvironment(unit, [
    'BATON_LISTEN=127.0.0.1:0',
    `BATON_ARGS=--trusted-proxy 127.0.0.1 --secret ${secret} --threads 2`,
  ].join('\n'));
  const argv = execStartArgv(unit, environment);
  assert.equal(argv[0], join(prefix, 'bin', 'baton'));
  // The state directory is /var/lib/baton under systemd; here a temp one.
  const dataDir = join(work, 'data');
  const at = argv.indexOf('/var/lib/baton');
  assert.ok(at > 0 && argv[at - 1] === '--data', argv.join(' '));
  argv[at] = dataDir;

  const cwd = join(work, 'elsewhere');
  mkdirSync(cwd);
  const server = new Server({ binary: argv[0], argv: argv.slice(1), dataDir, secret, cwd });
  try {
    await server.start();
    // The log (stderr) may arrive after the ready line (stdout).
    await logged(server, new RegExp(`web pages from ${prefix}/share/baton/web\\b`));
    await logged(server, new RegExp(`serving bot 'contoso-store' from ${prefix}/share/baton/examples/contoso`));
    await logged(server, /client addresses from X-Forwarded-For behind 127\.0\.0\.1/);

    const page = await request(`${server.base}/`);
    assert.equal(page.status, 200);
    assert.match(page.text, /\/webchat\/webchat\.js/);
    const bundle = await fetch(`${server.base}/webchat/webchat.js`);
    assert.equal(bundle.status, 200);
    assert.equal((await bundle.arrayBuffer()).byteLength,
                 statSync(join(root, 'web', 'node_modules/botframework-webchat/dist/webchat.js')).size);
    const consolePage = await request(`${server.base}/agent/`);
    assert.equal(consolePage.status, 200);
    assert.match(consolePage.text, /\/agent\/app\.js/);
    const charts = await fetch(`${server.base}/agent/vendor/chart.umd.js`);
    assert.equal(charts.status, 200);
    assert.equal((await charts.arrayBuffer()).byteLength,
                 statSync(join(root, 'web', 'node_modules/chart.js/dist/chart.umd.js')).size);

    const conversation = await request(`${server.domain}/conversations`, { method: 'POST', auth: secret });
    assert.equal(conversation.status, 201, conversation.text);
    statSync(join(dataDir, 'baton.db'));
  } finally {
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, server.stderr);
  }
});

// The names in a systemd system call set ("@system-service"), nested sets expanded.
function syscallSet(name, seen = new Set()) {
  const r = run('systemd-analyze', ['syscall-filter', name]);
  assert.equal(r.status, 0, r.stderr);
  const names = new Set();
  for (const line of r.stdout.split('\n').slice(1)) {
    const word = line.replace(/#.*/, '').trim();
    if (word.startsWith('@')) {
      if (!seen.has(word)) {
        seen.add(word);
        for (const n of syscallSet(word, seen)) {
          names.add(n);
        }
      }
    } else if (word) {
      names.add(word);
    }
  }
  return names;
}

test("every system call serve makes is in the unit's SystemCallFilter", async () => {
  const unit = readFileSync(join(prefix, 'lib', 'systemd', 'system', 'baton.service'), 'utf8');
  const filter = /^SystemCallFilter=(.+)$/m.exec(unit)?.[1].trim().split(/\s+/) ?? [];
  assert.ok(filter.length > 0 && filter.every((f) => !f.startsWith('~')), 'an allow list');
  const allowed = new Set(filter.flatMap((f) => [...syscallSet(f)]));
  assert.ok(allowed.has('read') && allowed.has('epoll_wait'), 'the set expanded');

  // Under strace, one file per thread: the server, the engine, the store's writer and checkpointer,
  // the password pool. The work touches each: Direct Line REST and WebSocket, an upload, an agent
  // login, the static pages, a graceful stop that flushes the store.
  const traces = join(work, 'strace');
  mkdirSync(traces);
  const secret = 'syscall-test-secret-0123456789';
  const dataDir = join(work, 'syscall-data');
  const server = new Server({
    prefix: ['strace', '-f', '-ff', '-qq', '-o', join(traces, 't')],
    binary: join(prefix, 'bin', 'baton'), dataDir, secret, cwd: work,
    argv: ['serve', join(prefix, 'share', 'baton', 'examples', 'contoso'), '--listen', '127.0.0.1:0',
           '--data', dataDir, '--secret', secret],
  });
  try {
    await server.start(60000);
    const conv = (await request(`${server.domain}/conversations`, { method: 'POST', auth: secret })).body;
    const WebSocket = webRequire('ws');
    const ws = new WebSocket(conv.streamUrl);
    const frames = [];
    ws.on('message', (data) => frames.push(data.toString()));
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    const posted = await request(`${server.domain}/conversations/${conv.conversationId}/activities`, {
      method: 'POST', auth: conv.token, json: { type: 'message', from: { id: 'u1' }, text: 'talk to an agent' },
    });
    assert.equal(posted.status, 200, posted.text);
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'hello.txt');
    const upload = await fetch(`${server.domain}/conversations/${conv.conversationId}/upload?userId=u1`,
                               { method: 'POST', headers: { Authorization: `Bearer ${conv.token}` }, body: form });
    assert.equal(upload.status, 200);
    const login = await request(`${server.base}/api/agent/login`, {
      method: 'POST', json: { agentId: 'nobody', password: 'not-a-password' },
    });
    assert.equal(login.status, 401);
    assert.equal((await request(`${server.base}/`)).status, 200);
    assert.equal((await fetch(`${server.base}/webchat/webchat.js`)).status, 200);
    const deadline = Date.now() + 10000;
    while (!frames.some((f) => f.includes('agent')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    ws.close();
  } finally {
    // SIGTERM to strace would detach it and leave the server running: stop the traced server
    // itself (the thread whose trace starts with the execve); strace then exits with its code.
    const main = readdirSync(traces).find((f) => readFileSync(join(traces, f), 'utf8').startsWith('execve('));
    assert.ok(main, 'the main thread is traced');
    const pid = Number(main.split('.').at(-1));
    process.kill(pid, 'SIGTERM');
    let timer;
    const stopped = await Promise.race([
      server.exit,
      new Promise((resolve) => { timer = setTimeout(() => resolve({ code: 'no exit in 30 s' }), 30000); }),
    ]);
    clearTimeout(timer);
    if (stopped.code === 'no exit in 30 s') {
      process.kill(pid, 'SIGKILL');
    }
    assert.equal(stopped.code, 0, server.stderr);
  }
  const used = new Set();
  for (const file of readdirSync(traces)) {
    for (const m of readFileSync(join(traces, file), 'utf8').matchAll(/^([a-z_0-9]+)\(/gm)) {
      used.add(m[1]);
    }
  }
  assert.ok(used.has('epoll_wait') && used.has('fdatasync'), [...used].join(' '));
  const refused = [...used].filter((name) => !allowed.has(name)).sort();
  assert.deepEqual(refused, [], `system calls outside ${filter.join(' ')}`);
});
