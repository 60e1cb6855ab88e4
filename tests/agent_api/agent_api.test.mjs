// The agent API (docs/AGENT_API.md) against the real `baton serve`: sessions and every error
// status, presence, a handoff from a Direct Line customer to an agent's WebSocket and back to the
// bot (survey stored), notes that never reach the customer, transfer to a queue, the supervisor
// view with monitor and force-close, and the audit log. Customers use plain fetch (tests/lib).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  bin, root, contoso, Server, request, newConversation, postActivity, userMessage, readAll, handoffs,
  botTexts, logged, storeArgs, waitUntil, webRequire,
} from '../lib/serve.mjs';

const WebSocket = webRequire('ws');

const PASSWORDS = { alice: 'alice-pass-1', bob: 'bob-pass-22', sue: 'sue-pass-333', ada: 'ada-pass-4444' };
let server;

function agentCli(args, input = '') {
  const r = spawnSync(bin, ['agent', ...args, '--data', server.dataDir,
                            ...storeArgs(server.dataDir)],
                      { encoding: 'utf8', cwd: root, input, timeout: 30000 });
  assert.equal(r.status, 0, `baton agent ${args.join(' ')}: ${r.stderr}`);
  return r;
}

function api(path, { method = 'GET', token, json, body } = {}) {
  return request(`${server.base}/api/agent${path}`, { method, auth: token, json, body });
}

async function login(id, password = PASSWORDS[id]) {
  const r = await api('/login', { method: 'POST', json: { agentId: id, password } });
  assert.equal(r.status, 200, r.text);
  return r.body.token;
}

// One agent console socket, opened with the session token in the Authorization header (as a
// server-side client does; browsers use a ticket): records every message, resolves waits on them.
class Stream {
  constructor(token) {
    this.messages = [];
    this.waiters = new Set();
    this.ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/agent/stream`,
                            { headers: { Authorization: `Bearer ${token}` } });
    this.ws.on('message', (data) => {
      const text = data.toString();
      if (text.length === 0) {
        return;  // keep-alive
      }
      this.messages.push(JSON.parse(text));
      for (const w of [...this.waiters]) {
        w();
      }
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
    }));
  }

  waitFor(pred, what, ms = 10000, from = 0) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).find(pred);
        if (found) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  send(obj) {
    this.ws.send(JSON.stringify(obj));
  }

  close() {
    this.ws.close();
  }
}

async function customerTexts(conv) {
  return botTexts((await readAll(server, conv)).activities);
}

// A customer who asks for an agent; resolves with the offer `stream` receives for it.
async function escalate(stream) {
  const conv = await newConversation(server);
  const from = stream.messages.length;
  const r = await postActivity(server, conv, userMessage(conv, 'talk to an agent'));
  assert.equal(r.status, 200, r.text);
  const offer = await stream.waitFor(
    (m) => m.type === 'offer' && m.conversationId === conv.conversationId, 'an offer', 10000, from);
  return { conv, offer };
}

before(async () => {
  server = new Server();
  // Agents exist before the server starts (and `agent add` also works while it runs).
  spawnSync(bin, ['agent', 'add', 'alice', '--name', 'Alice Agent', '--capacity', '3',
                  '--password-stdin', '--data', server.dataDir, ...storeArgs(server.dataDir)],
            { input: `${PASSWORDS.alice}\n`, encoding: 'utf8' });
  spawnSync(bin, ['agent', 'add', 'bob', '--name', 'Bob', '--password-stdin', '--data',
                  server.dataDir, ...storeArgs(server.dataDir)], { input: `${PASSWORDS.bob}\n`, encoding: 'utf8' });
  spawnSync(bin, ['agent', 'add', 'sue', '--role', 'supervisor', '--password-stdin', '--data',
                  server.dataDir, ...storeArgs(server.dataDir)], { input: `${PASSWORDS.sue}\n`, encoding: 'utf8' });
  spawnSync(bin, ['agent', 'add', 'ada', '--role', 'admin', '--password-stdin', '--data',
                  server.dataDir, ...storeArgs(server.dataDir)], { input: `${PASSWORDS.ada}\n`, encoding: 'utf8' });
  await server.start();
});

after(async () => {
  await server?.cleanup();
});

test('login: a token and the agent; the same 401 for a wrong password and an unknown id', async () => {
  const ok = await api('/login', { method: 'POST', json: { agentId: 'alice', password: PASSWORDS.alice } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(typeof ok.body.token, 'string');
  assert.equal(ok.body.expiresIn, 43200);
  assert.deepEqual(ok.body.agent, {
    id: 'alice', displayName: 'Alice Agent', role: 'agent', skills: [], capacity: 3,
  });
  const wrong = await api('/login', { method: 'POST', json: { agentId: 'alice', password: 'nope-nope' } });
  const unknown = await api('/login', { method: 'POST', json: { agentId: 'mallory', password: 'nope-nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual(wrong.body, unknown.body);
  assert.equal(wrong.body.error.code, 'Unauthorized');
  const key = readFileSync(join(server.dataDir, 'agent-session-key'), 'utf8');
  assert.ok(key.trim().length >= 40, 'the session key file was created');
});

test('errors: 400 malformed, 401 missing/forged token, 404, 413, 403 supervisor-only', async () => {
  const malformed = await api('/login', { method: 'POST', body: '{"agentId":', json: undefined });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'BadArgument');
  const missing = await api('/me');
  assert.equal(missing.status, 401);
  assert.equal(missing.body.error.code, 'Unauthorized');
  const token = await login('alice');
  const forged = await api('/me', { token: `${token.slice(0, -3)}AAA` });
  assert.equal(forged.status, 401);
  const garbage = await api('/conversations', { token: 'not-a-token' });
  assert.equal(garbage.status, 401);
  const unknown = await api('/conversations/no-such-conversation', { token });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'NotFound');
  const big = await api('/presence', { method: 'PUT', token, body: JSON.stringify({ presence: 'x'.repeat(70000) }) });
  assert.equal(big.status, 413);
  const badJson = await api('/presence', { method: 'PUT', token, body: '{nope' });
  assert.equal(badJson.status, 400);
  const badPresence = await api('/presence', { method: 'PUT', token, json: { presence: 'asleep' } });
  assert.equal(badPresence.status, 400);
  const supervisor = await api('/supervisor', { token });
  assert.equal(supervisor.status, 403);
  assert.equal(supervisor.body.error.code, 'Forbidden');
  const audit = await api('/audit', { token });
  assert.equal(audit.status, 403);
  // The stream: a forged ticket, a forged bearer, and a real session token in the URL (which the
  // server no longer reads there) are all refused before the upgrade.
  for (const [query, headers] of [['?ticket=forged', {}], ['', { Authorization: 'Bearer forged' }],
                                  [`?token=${encodeURIComponent(token)}`, {}]]) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/agent/stream${query}`, { headers });
    const refused = await new Promise((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => {});
    });
    assert.equal(refused, 401, query);
  }
});

// Ten attempts a minute per agent id: a burst of ten, then one more every six seconds. Password
// checks are slow on purpose, so on a busy machine the attempts after the burst may have earned
// one (CI did); the test allows exactly what the elapsed time earns.
test('login attempts are rate limited per agent id (429 with Retry-After)', async () => {
  const started = Date.now();
  const attempt = (i) => api('/login', { method: 'POST', json: { agentId: 'bruteforced', password: `guess-${i}` } });
  const statuses = [];
  for (let i = 0; i < 10; ++i) {
    statuses.push((await attempt(i)).status);
  }
  assert.deepEqual(statuses, Array(10).fill(401));
  let refused;
  for (let i = 10; !refused; ++i) {
    const r = await attempt(i);
    if (r.status === 429) {
      refused = r;
      break;
    }
    assert.equal(r.status, 401, r.text);
    const earned = Math.floor((Date.now() - started) / 6000);
    assert.ok(i - 10 < earned, `attempt ${i + 1} was not refused ${Date.now() - started} ms in`);
  }
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.equal(refused.body.error.code, 'TooManyRequests');
  assert.equal((await attempt(99)).status, 429, 'refused again at once');
  // Another id from the same address is not affected.
  assert.equal((await api('/login', { method: 'POST', json: { agentId: 'alice', password: PASSWORDS.alice } })).status, 200);
});

test('login addresses: X-Forwarded-For is believed only from a --trusted-proxy', async () => {
  const loginFrom = (base, forwardedFor) => request(`${base}/api/agent/login`, {
    method: 'POST', json: { agentId: 'sue', password: PASSWORDS.sue },
    headers: { 'X-Forwarded-For': forwardedFor },
  });
  const lastLoginAddress = async (base, token) => {
    const audit = await request(`${base}/api/agent/audit?limit=1000`, { auth: token });
    assert.equal(audit.status, 200, audit.text);
    return audit.body.entries.filter((e) => e.action === 'login').at(-1).detail.address;
  };
  // This server trusts nobody: a client that writes the header is still 127.0.0.1.
  const spoofed = await loginFrom(server.base, '203.0.113.7');
  assert.equal(spoofed.status, 200, spoofed.text);
  assert.equal(await lastLoginAddress(server.base, spoofed.body.token), '127.0.0.1');

  // Behind a proxy on loopback, the client is the nearest hop the proxy did not add itself
  // (198.51.100.1 is what the client wrote; the proxy appended 203.0.113.7).
  const proxied = new Server({ args: ['--trusted-proxy', '127.0.0.0/8'] });
  try {
    spawnSync(bin, ['agent', 'add', 'sue', '--role', 'supervisor', '--password-stdin', '--data',
                    proxied.dataDir, ...storeArgs(proxied.dataDir)], { input: `${PASSWORDS.sue}\n`, encoding: 'utf8' });
    await proxied.start();
    const r = await loginFrom(proxied.base, '198.51.100.1, 203.0.113.7');
    assert.equal(r.status, 200, r.text);
    assert.equal(await lastLoginAddress(proxied.base, r.body.token), '203.0.113.7');
    await logged(proxied, /client addresses from X-Forwarded-For behind 127\.0\.0\.0\/8/);
  } finally {
    await proxied.cleanup();
  }
});

test('logout revokes the token; passwd and remove invalidate sessions', async () => {
  const token = await login('bob');
  assert.equal((await api('/me', { token })).status, 200);
  const out = await api('/logout', { method: 'POST', token });
  assert.equal(out.status, 204);
  assert.equal((await api('/me', { token })).status, 401);

  agentCli(['add', 'temp.agent', '--password-stdin'], 'temp-pass-1\n');
  const temp = await waitUntil(async () => {
    const r = await api('/login', { method: 'POST', json: { agentId: 'temp.agent', password: 'temp-pass-1' } });
    return r.status === 200 ? r.body.token : null;
  }, 5000, 'temp.agent can log in');
  agentCli(['passwd', 'temp.agent', '--password-stdin'], 'temp-pass-2\n');
  assert.equal((await api('/conversations', { token: temp })).status, 401, 'old password session');
  const temp2 = await login('temp.agent', 'temp-pass-2');
  agentCli(['remove', 'temp.agent']);
  assert.equal((await api('/conversations', { token: temp2 })).status, 401, 'removed agent');
});

test('handoff: offer → accept → messages both ways → notes stay internal → back to the bot → survey stored', async () => {
  const token = await login('alice');
  const stream = new Stream(token);
  const hello = await stream.waitFor((m) => m.type === 'hello', 'hello');
  assert.equal(hello.agent.id, 'alice');
  assert.ok(Array.isArray(hello.offers) && Array.isArray(hello.conversations));
  const presence = await api('/presence', { method: 'PUT', token, json: { presence: 'available' } });
  assert.equal(presence.status, 200);
  assert.deepEqual(presence.body, { presence: 'available' });

  const { conv, offer } = await escalate(stream);
  const id = conv.conversationId;
  assert.equal(offer.queue, 'general');
  assert.ok(offer.offerId !== undefined && offer.expiresAt);

  const me = await api('/me', { token });
  assert.equal(me.status, 200);
  assert.ok(me.body.offers.some((o) => o.conversationId === id), JSON.stringify(me.body));
  // Transfer targets for any agent: every queue, every other agent with its presence.
  assert.ok(me.body.queues.includes('general'), JSON.stringify(me.body.queues));
  const others = Object.fromEntries(me.body.agents.map((a) => [a.id, a]));
  assert.equal(others.alice, undefined, 'never yourself');
  assert.deepEqual(others.bob, { id: 'bob', displayName: 'Bob', presence: others.bob?.presence });
  assert.ok(['offline', 'available', 'busy', 'away'].includes(others.bob.presence));
  assert.equal(others.sue?.id, 'sue');
  assert.deepEqual(stream.messages.find((m) => m.type === 'hello').queues, me.body.queues,
                   'the hello carries them too');

  const accepted = await api(`/offers/${encodeURIComponent(id)}/accept`, {
    method: 'POST', token, json: { offerId: offer.offerId },
  });
  assert.equal(accepted.status, 200, accepted.text);
  assert.deepEqual(accepted.body, { conversationId: id });
  await stream.waitFor((m) => m.type === 'assigned' && m.conversationId === id, 'assigned');
  const stale = await api(`/offers/${encodeURIComponent(id)}/accept`, {
    method: 'POST', token, json: { offerId: offer.offerId },
  });
  assert.equal(stale.status, 409, stale.text);
  assert.equal(stale.body.error.code, 'Conflict');

  // Another agent may not read it.
  const bob = await login('bob');
  const forbidden = await api(`/conversations/${encodeURIComponent(id)}`, { token: bob });
  assert.equal(forbidden.status, 403, forbidden.text);
  const bobSend = await api(`/conversations/${encodeURIComponent(id)}/messages`, {
    method: 'POST', token: bob, json: { text: 'not mine' },
  });
  assert.ok([403, 409].includes(bobSend.status), bobSend.text);

  // The transcript: the bot part, then the live part.
  const detail = await api(`/conversations/${encodeURIComponent(id)}`, { token });
  assert.equal(detail.status, 200, detail.text);
  assert.equal(detail.body.state, 'assigned');
  assert.equal(detail.body.agent, 'alice');
  assert.ok(detail.body.handoffSeq > 0);
  const entries = detail.body.transcript;
  assert.ok(entries.some((e) => e.sender === 'customer' && e.activity.text === 'talk to an agent' && e.part === 'bot'));
  assert.ok(entries.some((e) => e.internal && e.activity.name === 'handoff.initiate'));
  assert.match(detail.body.agentMessage, /Escalated by the bot/);

  // Agent → customer.
  const sent = await api(`/conversations/${encodeURIComponent(id)}/messages`, {
    method: 'POST', token, json: { text: 'Hi, I am Alice. How can I help?' },
  });
  assert.equal(sent.status, 200, sent.text);
  assert.ok(sent.body.id.startsWith(id));
  const typing = await api(`/conversations/${encodeURIComponent(id)}/typing`, { method: 'POST', token });
  assert.equal(typing.status, 204, typing.text);
  const seen = await waitUntil(async () => {
    const all = (await readAll(server, conv)).activities;
    return all.find((a) => a.text === 'Hi, I am Alice. How can I help?');
  }, 5000, "the agent's message at the customer");
  assert.equal(seen.from.id, 'agent:alice');
  assert.equal(seen.from.name, 'Alice Agent');
  assert.equal(seen.from.role, 'bot');

  // Customer → agent, on the stream.
  const mark = stream.messages.length;
  await postActivity(server, conv, userMessage(conv, 'My order 42 is late'));
  const live = await stream.waitFor((m) => m.type === 'activity' && m.conversationId === id &&
                                       m.entry.activity?.text === 'My order 42 is late',
                                    "the customer's message on the stream", 10000, mark);
  assert.equal(live.entry.sender, 'customer');
  assert.equal(live.entry.part, 'live');
  assert.equal(live.entry.internal, false);

  // A note: internal, never at the customer.
  const note = await api(`/conversations/${encodeURIComponent(id)}/notes`, {
    method: 'POST', token, json: { text: 'SECRET-NOTE customer is a VIP' },
  });
  assert.equal(note.status, 200, note.text);
  const afterNote = await api(`/conversations/${encodeURIComponent(id)}`, { token });
  const noteEntry = afterNote.body.transcript.find((e) => e.activity?.name === 'baton.note');
  assert.ok(noteEntry && noteEntry.internal, JSON.stringify(afterNote.body.transcript.slice(-3)));
  const customerView = JSON.stringify((await readAll(server, conv)).activities);
  assert.ok(!customerView.includes('SECRET-NOTE'), 'the note never reaches the customer');

  const badEnd = await api(`/conversations/${encodeURIComponent(id)}/end`, {
    method: 'POST', token, json: { mode: 'later' },
  });
  assert.equal(badEnd.status, 400);
  const ended = await api(`/conversations/${encodeURIComponent(id)}/end`, {
    method: 'POST', token, json: { mode: 'bot' },
  });
  assert.equal(ended.status, 200, ended.text);
  await stream.waitFor((m) => m.type === 'wrap_up' && m.conversationId === id, 'wrap_up');
  await waitUntil(async () => (await customerTexts(conv)).includes('Did that answer your question?'),
                  10000, 'the survey question');
  await postActivity(server, conv, userMessage(conv, 'yes'));
  await waitUntil(async () => (await customerTexts(conv)).some((t) => /rate your experience/.test(t)),
                  10000, 'the rating question');
  await postActivity(server, conv, userMessage(conv, '5'));
  const records = await waitUntil(async () => {
    const hs = await handoffs(server, id);
    return hs.at(-1)?.outcome?.survey ? hs : null;
  }, 10000, 'the survey answers in the handoff record');
  const outcome = records.at(-1).outcome;
  assert.equal(outcome.outcome, 'completed');
  assert.equal(outcome.agent, 'alice');
  assert.deepEqual(outcome.survey, { resolved: true, rating: 5 });

  const wrapped = await api(`/conversations/${encodeURIComponent(id)}/wrapup`, { method: 'POST', token });
  assert.equal(wrapped.status, 200, wrapped.text);
  stream.close();
  await stream.closed;
});

test('transfer to a queue, supervisor view, monitor, force-close and the audit log', async () => {
  const alice = await login('alice');
  const bob = await login('bob');
  const sue = await login('sue');
  const aliceStream = new Stream(alice);
  const bobStream = new Stream(bob);
  const sueStream = new Stream(sue);
  await Promise.all([aliceStream, bobStream, sueStream].map((s) => s.waitFor((m) => m.type === 'hello', 'hello')));
  assert.equal((await api('/presence', { method: 'PUT', token: bob, json: { presence: 'away' } })).status, 200);
  assert.equal((await api('/presence', { method: 'PUT', token: alice, json: { presence: 'available' } })).status, 200);

  const { conv, offer } = await escalate(aliceStream);
  const id = conv.conversationId;
  const accepted = await api(`/offers/${encodeURIComponent(id)}/accept`, {
    method: 'POST', token: alice, json: { offerId: offer.offerId },
  });
  assert.equal(accepted.status, 200, accepted.text);

  // Alice steps away (no new offers), bob comes back; alice transfers to the general queue.
  assert.equal((await api('/presence', { method: 'PUT', token: alice, json: { presence: 'away' } })).status, 200);
  assert.equal((await api('/presence', { method: 'PUT', token: bob, json: { presence: 'available' } })).status, 200);
  const badTransfer = await api(`/conversations/${encodeURIComponent(id)}/transfer`, {
    method: 'POST', token: alice, json: { queue: 'general', agentId: 'bob' },
  });
  assert.equal(badTransfer.status, 400);
  const mark = bobStream.messages.length;
  const transferred = await api(`/conversations/${encodeURIComponent(id)}/transfer`, {
    method: 'POST', token: alice, json: { queue: 'general', note: 'order question' },
  });
  assert.equal(transferred.status, 200, transferred.text);
  await aliceStream.waitFor((m) => m.type === 'unassigned' && m.conversationId === id, 'unassigned');
  const bobOffer = await bobStream.waitFor((m) => m.type === 'offer' && m.conversationId === id,
                                           "bob's offer", 10000, mark);
  const bobAccept = await api(`/offers/${encodeURIComponent(id)}/accept`, {
    method: 'POST', token: bob, json: { offerId: String(bobOffer.offerId) },
  });
  assert.equal(bobAccept.status, 200, bobAccept.text);
  const aliceNow = await api(`/conversations/${encodeURIComponent(id)}`, { token: alice });
  assert.equal(aliceNow.status, 403, 'alice no longer sees it');

  // The supervisor sees queues, agents and every conversation.
  const view = await api('/supervisor', { token: sue });
  assert.equal(view.status, 200, view.text);
  assert.ok(view.body.queues.some((q) => q.name === 'general' && 'estimatedWaitMs' in q));
  const bobStatus = view.body.agents.find((a) => a.id === 'bob');
  assert.ok(bobStatus && bobStatus.conversations.includes(id), JSON.stringify(view.body.agents));
  assert.ok(view.body.conversations.some((c) => c.id === id && c.agent === 'bob'));

  const sueRead = await api(`/conversations/${encodeURIComponent(id)}`, { token: sue });
  assert.equal(sueRead.status, 200, 'a supervisor reads every conversation');
  assert.equal(sueRead.body.transferNote, 'order question');

  // Monitor: sue gets the conversation's activities.
  sueStream.send({ type: 'monitor', conversationId: id });
  await sueStream.waitFor((m) => m.type === 'monitoring' && m.conversationId === id, 'monitoring');
  const sueMark = sueStream.messages.length;
  await postActivity(server, conv, userMessage(conv, 'are you still there?'));
  await sueStream.waitFor((m) => m.type === 'activity' && m.conversationId === id &&
                              m.entry.activity?.text === 'are you still there?', 'monitored activity',
                          10000, sueMark);
  sueStream.send({ type: 'dance' });
  await sueStream.waitFor((m) => m.type === 'error' && m.error.code === 'BadArgument', 'an error message');
  bobStream.send({ type: 'monitor', conversationId: id });
  await bobStream.waitFor((m) => m.type === 'error' && m.error.code === 'Forbidden', 'monitor refused');

  // Force close: agents may not, supervisors may.
  const notAllowed = await api(`/conversations/${encodeURIComponent(id)}/close`, { method: 'POST', token: bob });
  assert.equal(notAllowed.status, 403);
  const closed = await api(`/conversations/${encodeURIComponent(id)}/close`, { method: 'POST', token: sue });
  assert.equal(closed.status, 200, closed.text);
  await bobStream.waitFor((m) => m.type === 'unassigned' && m.conversationId === id, 'bob unassigned');
  const late = await api(`/conversations/${encodeURIComponent(id)}/messages`, {
    method: 'POST', token: bob, json: { text: 'too late' },
  });
  assert.ok([403, 409].includes(late.status), late.text);

  // The audit log has the reads, the monitor, the force-close and the logins.
  const audit = await api(`/audit?conversationId=${encodeURIComponent(id)}`, { token: sue });
  assert.equal(audit.status, 200, audit.text);
  const actions = audit.body.entries.map((e) => `${e.actor}:${e.action}`);
  assert.ok(actions.includes('sue:transcript.read'), actions.join(','));
  assert.ok(actions.includes('sue:conversation.monitor'), actions.join(','));
  assert.ok(actions.includes('sue:conversation.force_close'), actions.join(','));
  const all = await api('/audit?limit=1000', { token: sue });
  assert.ok(all.body.entries.some((e) => e.action === 'login' && e.actor === 'sue'));
  assert.ok(all.body.entries.some((e) => e.action === 'transcript.read' && e.actor === 'alice'));
  const paged = await api(`/audit?after=${all.body.entries[0].position}&limit=1`, { token: sue });
  assert.equal(paged.body.entries.length, 1);
  assert.ok(paged.body.entries[0].position > all.body.entries[0].position);
  assert.equal((await api('/audit?after=x', { token: sue })).status, 400);

  for (const s of [aliceStream, bobStream, sueStream]) {
    s.close();
  }
});

test('export: an admin gets every conversation of one customer, with uploads; audited; others 403', async () => {
  const user = `u-export-${Math.random().toString(36).slice(2)}`;
  const first = await newConversation(server, user);
  const second = await newConversation(server, user);
  const other = await newConversation(server);
  assert.equal((await postActivity(server, first, userMessage(first, 'my order 4711 is late'))).status, 200);
  assert.equal((await postActivity(server, other, userMessage(other, 'someone else entirely'))).status, 200);
  const form = new FormData();
  form.append('activity', new Blob([JSON.stringify({
    type: 'message', text: 'my receipt', from: { id: user, role: 'user' },
    attachments: [{ contentType: 'text/plain', name: 'receipt.txt' }],
  })], { type: 'application/vnd.microsoft.activity' }), 'blob');
  form.append('file', new Blob(['receipt bytes'], { type: 'text/plain' }), 'receipt.txt');
  const uploaded = await fetch(`${server.domain}/conversations/${encodeURIComponent(second.conversationId)}` +
                               `/upload?userId=${encodeURIComponent(user)}`, {
    method: 'POST', headers: { Authorization: `Bearer ${second.token}` }, body: form,
  });
  assert.equal(uploaded.status, 200, await uploaded.text());

  const ada = await login('ada');
  const path = `/customers/${encodeURIComponent(user)}/export`;
  for (const id of ['alice', 'sue']) {
    const refused = await api(path, { token: await login(id) });
    assert.equal(refused.status, 403, `${id}: ${refused.text}`);
    assert.equal(refused.body.error.code, 'Forbidden');
  }
  assert.equal((await api(path)).status, 401);
  assert.equal((await api(`/customers/${'u'.repeat(257)}/export`, { token: ada })).status, 400);
  assert.equal((await api('/customers/a%0Ab/export', { token: ada })).status, 400);

  const exported = await api(path, { token: ada });
  assert.equal(exported.status, 200, exported.text);
  assert.equal(exported.body.userId, user);
  const ids = exported.body.conversations.map((c) => c.id);
  assert.deepEqual(ids, [first.conversationId, second.conversationId].sort());
  const texts = exported.body.conversations.flatMap((c) => c.activities.map((a) => a.text));
  assert.ok(texts.includes('my order 4711 is late'), JSON.stringify(texts));
  assert.ok(texts.includes('my receipt'));
  assert.ok(!exported.text.includes('someone else entirely'), "nothing of another customer");
  const withFile = exported.body.conversations.find((c) => c.id === second.conversationId);
  assert.equal(withFile.uploads.length, 1);
  assert.equal(withFile.uploads[0].contentType, 'text/plain');
  assert.equal(withFile.uploads[0].size, 'receipt bytes'.length);
  const served = await fetch(new URL(withFile.uploads[0].path, server.base));
  assert.equal(await served.text(), 'receipt bytes', 'the path serves the file');

  // The CLI prints the same document, while the server runs on the same store.
  const cli = spawnSync(bin, ['data', 'export', '--user', user, '--data', server.dataDir,
                              ...storeArgs(server.dataDir)], { encoding: 'utf8', cwd: root, timeout: 30000 });
  assert.equal(cli.status, 0, cli.stderr);
  const printed = JSON.parse(cli.stdout);
  assert.deepEqual(printed.conversations, exported.body.conversations);
  const badUser = spawnSync(bin, ['data', 'export', '--user', '', '--data', server.dataDir,
                                  ...storeArgs(server.dataDir)], { encoding: 'utf8', cwd: root });
  assert.equal(badUser.status, 2, badUser.stderr);
  if (!storeArgs(server.dataDir).length) {
    const missing = join(server.dataDir, 'no-such-dir');
    const typo = spawnSync(bin, ['data', 'export', '--user', user, '--data', missing],
                           { encoding: 'utf8', cwd: root });
    assert.equal(typo.status, 1, typo.stderr);
    assert.match(typo.stderr, /no store at/);
    assert.equal(spawnSync('test', ['-e', missing]).status, 1, 'nothing created there');
  }

  const nobody = await api('/customers/nobody-at-all/export', { token: ada });
  assert.equal(nobody.status, 200);
  assert.deepEqual(nobody.body.conversations, []);

  const audit = await api('/audit?limit=1000', { token: ada });
  const entry = audit.body.entries.find((e) => e.action === 'customer.export' && e.detail.userId === user);
  assert.ok(entry, JSON.stringify(audit.body.entries.slice(-3)));
  assert.equal(entry.actor, 'ada');
  assert.equal(entry.detail.conversations, 2);
  assert.ok(audit.body.entries.some((e) => e.action === 'customer.export' && e.actor === 'cli' &&
                                            e.detail.userId === user), 'the CLI is audited too');
});

test('serve: one server per data directory; a second one exits 1 and says why', async () => {
  const second = spawnSync(bin, ['serve', contoso, '--listen', '127.0.0.1:0', '--data', server.dataDir,
                                 '--secret', server.secret, ...storeArgs(server.dataDir)],
                           { encoding: 'utf8', cwd: root, timeout: 30000 });
  assert.equal(second.status, 1, second.stderr);
  assert.match(second.stderr, /a baton serve is running on .* \(one server per data directory\)/);
  assert.doesNotMatch(second.stdout, /listening/);
  assert.equal((await api('/me', { token: await login('alice') })).status, 200, 'the first one serves on');
});

test('serve: a broken hub.yaml prints its diagnostics and exits 1 before listening', async () => {
  const bot = mkdtempSync(join(tmpdir(), 'baton-bad-hub-'));
  try {
    cpSync(contoso, bot, { recursive: true });
    writeFileSync(join(bot, 'hub.yaml'), 'hub:\n  queues:\n    - name: general\n      strategy: telepathy\n');
    const data = mkdtempSync(join(tmpdir(), 'baton-bad-hub-data-'));
    const r = spawnSync(bin, ['serve', bot, '--listen', '127.0.0.1:0', '--data', data],
                        { encoding: 'utf8', cwd: root, timeout: 30000 });
    rmSync(data, { recursive: true, force: true });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /hub\.yaml:\d+:\d+: error/);
    assert.doesNotMatch(r.stdout, /listening/);
  } finally {
    rmSync(bot, { recursive: true, force: true });
  }
});
