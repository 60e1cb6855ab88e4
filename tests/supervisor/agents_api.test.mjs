// Agent management over the agent API (docs/AGENT_API.md, "Agents") against the real
// `baton serve`: an admin lists, adds, changes (name, role, skills, capacity), resets the password
// of and removes agents; a supervisor may only set another agent's presence; an agent may do
// none of it; disable / enable (login refused, session and stream end, out of the hub). Every 400 (fields checked by the same rules as `baton agent`), 401, 403, 404, 409;
// the changes reach logins, sessions, the hub's routing and `baton agent list`, and are audited.
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { AgentClient, startWithAgents } from '../lib/agentclient.mjs';
import { bin, request, storeArgs, waitUntil } from '../lib/serve.mjs';

let server;
let ada;  // admin
let sue;  // supervisor
let alice;  // agent

before(async () => {
  server = await startWithAgents([{ id: 'ada', name: 'Ada Admin', role: 'admin' },
                                  { id: 'sue', name: 'Sue Super', role: 'supervisor' },
                                  { id: 'alice', name: 'Alice Agent' }]);
  ada = new AgentClient(server);
  await ada.login('ada');
  sue = new AgentClient(server);
  await sue.login('sue');
  alice = new AgentClient(server);
  await alice.login('alice');
});

after(async () => {
  for (const c of [ada, sue, alice]) {
    c?.close();
  }
  await server?.cleanup();
});

test('rights: admins manage agents, supervisors set presence only, agents nothing', async () => {
  const calls = [
    ['GET', '/agents'], ['POST', '/agents', { id: 'x1', password: 'password-123' }],
    ['PATCH', '/agents/alice', { capacity: 2 }], ['PUT', '/agents/alice/password', { password: 'password-999' }],
    ['DELETE', '/agents/alice'],
  ];
  for (const [method, path, json] of calls) {
    for (const who of [alice, sue]) {
      const r = await who.call(method, path, json);
      assert.equal(r.status, 403, `${who.agentId} ${method} ${path}: ${r.text}`);
      assert.equal(r.body.error.code, 'Forbidden');
    }
    const anonymous = await request(`${server.base}/api/agent${path}`, { method, json });
    assert.equal(anonymous.status, 401, `${method} ${path} without a token`);
  }
  const presence = await alice.call('PUT', '/agents/sue/presence', { presence: 'available' });
  assert.equal(presence.status, 403, presence.text);
  const list = await ada.ok('GET', '/agents');
  assert.deepEqual(list.agents.map((a) => a.id), ['ada', 'alice', 'sue']);
  const a = list.agents.find((x) => x.id === 'alice');
  assert.deepEqual({ ...a, created: undefined, updated: undefined }, {
    id: 'alice', displayName: 'Alice Agent', role: 'agent', skills: [], capacity: 2, disabled: false,
    created: undefined, updated: undefined,
  });
  assert.match(a.created, /Z$/);
  assert.ok(!JSON.stringify(list).includes('argon2'), 'no password hash leaves the server');
});

test('add: validation with clear 400s, 409 for an existing id, then the new agent logs in', async () => {
  const bad = [
    [{ password: 'password-123' }, /id is required/],
    [{ id: 'bob' }, /password is required/],
    [{ id: 'b o b', password: 'password-123' }, /invalid agent id/],
    [{ id: 'x'.repeat(65), password: 'password-123' }, /1 to 64/],
    [{ id: 'bob', password: 'short' }, /password too short: use at least 8 characters/],
    [{ id: 'bob', password: 'password-123', role: 'boss' }, /invalid role 'boss'/],
    [{ id: 'bob', password: 'password-123', capacity: 0 }, /capacity: a whole number from 1 to 1000/],
    [{ id: 'bob', password: 'password-123', capacity: 1001 }, /capacity/],
    [{ id: 'bob', password: 'password-123', capacity: '2' }, /capacity/],
    [{ id: 'bob', password: 'password-123', skills: 'billing' }, /skills: an array of strings/],
    [{ id: 'bob', password: 'password-123', skills: ['a\u0007'] }, /invalid skills/],
    [{ id: 'bob', password: 'password-123', displayName: '' }, /invalid name/],
    [{ id: 'bob', password: 'password-123', displayName: 'x'.repeat(201) }, /invalid name/],
    [{ id: 'bob', password: 'password-123', passwordHash: 'x' }, /passwordHash: not a field/],
  ];
  for (const [json, message] of bad) {
    const r = await ada.call('POST', '/agents', json);
    assert.equal(r.status, 400, `${JSON.stringify(json)}: ${r.text}`);
    assert.equal(r.body.error.code, 'BadArgument');
    assert.match(r.body.error.message, message);
  }
  const notJson = await request(`${server.base}/api/agent/agents`, { method: 'POST', auth: ada.token, body: '{nope' });
  assert.equal(notJson.status, 400);

  const added = await ada.call('POST', '/agents', {
    id: 'bob', displayName: 'Bob Builder', role: 'agent', skills: ['Billing', 'german', 'billing'],
    capacity: 3, password: 'bob-password-1',
  });
  assert.equal(added.status, 200, added.text);
  assert.deepEqual({ ...added.body.agent, created: undefined, updated: undefined }, {
    id: 'bob', displayName: 'Bob Builder', role: 'agent', skills: ['billing', 'german'], capacity: 3,
    disabled: false, created: undefined, updated: undefined,
  });
  const again = await ada.call('POST', '/agents', { id: 'bob', password: 'bob-password-1' });
  assert.equal(again.status, 409, again.text);

  // The new agent logs in at once, and the hub routes to it (the supervisor view lists it).
  const bob = new AgentClient(server);
  const me = await bob.login('bob', 'bob-password-1');
  assert.equal(me.agent.displayName, 'Bob Builder');
  await bob.connect();
  await bob.setPresence('available');
  const view = await sue.ok('GET', '/supervisor');
  const inHub = view.agents.find((a) => a.id === 'bob');
  assert.equal(inHub.capacity, 3);
  assert.equal(inHub.presence, 'available');
  bob.close();

  // `baton agent list` reads the same records.
  const cli = spawnSync(bin, ['agent', 'list', '--json', '--data', server.dataDir, ...storeArgs(server.dataDir)],
                        { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout).find((a) => a.id === 'bob').skills, ['billing', 'german']);
});

test('change, password reset, supervisor-set presence and remove', async () => {
  const bob = new AgentClient(server);
  await bob.login('bob', 'bob-password-1');
  await bob.connect();

  for (const [json, message] of [[{}, /nothing to change/], [{ id: 'zed' }, /not a field/],
                                 [{ password: 'password-123' }, /not a field/], [{ role: 'root' }, /invalid role/],
                                 [{ capacity: -1 }, /capacity/]]) {
    const r = await ada.call('PATCH', '/agents/bob', json);
    assert.equal(r.status, 400, `${JSON.stringify(json)}: ${r.text}`);
    assert.match(r.body.error.message, message);
  }
  assert.equal((await ada.call('PATCH', '/agents/nobody', { capacity: 2 })).status, 404);
  assert.equal((await ada.call('PATCH', '/agents/b%20b', { capacity: 2 })).status, 400);
  const self = await ada.call('PATCH', '/agents/ada', { role: 'agent' });
  assert.equal(self.status, 409, 'an admin cannot demote itself');

  const changed = await ada.ok('PATCH', '/agents/bob', { capacity: 5, skills: ['billing'], role: 'supervisor' });
  assert.equal(changed.agent.capacity, 5);
  assert.equal(changed.agent.role, 'supervisor');
  await waitUntil(async () => (await sue.ok('GET', '/supervisor')).agents.find((a) => a.id === 'bob')?.capacity === 5,
                  5000, 'the hub to know the new capacity');
  const bobMe = await bob.ok('GET', '/me');
  assert.equal(bobMe.agent.role, 'supervisor', 'the role applies to the open session');
  assert.equal((await bob.call('GET', '/supervisor')).status, 200);

  // A supervisor sets another agent's presence; the agent's stream says so.
  for (const json of [{}, { presence: 'sleeping' }]) {
    const r = await sue.call('PUT', '/agents/bob/presence', json);
    assert.equal(r.status, 400, r.text);
  }
  assert.equal((await sue.call('PUT', '/agents/nobody/presence', { presence: 'away' })).status, 404);
  const from = bob.messages.length;
  const set = await sue.ok('PUT', '/agents/bob/presence', { presence: 'away' });
  assert.deepEqual(set, { agentId: 'bob', presence: 'away' });
  const told = await bob.waitFor((m) => m.type === 'presence', 5000, from);
  assert.equal(told.presence, 'away');

  // Password reset: 204, the old session and password stop working, the new one logs in.
  for (const json of [{}, { password: 'short' }, { password: 7 }]) {
    assert.equal((await ada.call('PUT', '/agents/bob/password', json)).status, 400);
  }
  assert.equal((await ada.call('PUT', '/agents/nobody/password', { password: 'password-123' })).status, 404);
  const reset = await ada.call('PUT', '/agents/bob/password', { password: 'bob-password-2' });
  assert.equal(reset.status, 204, reset.text);
  assert.equal((await bob.call('GET', '/me')).status, 401, 'the old session ends');
  assert.equal((await request(`${server.base}/api/agent/login`, { method: 'POST',
    json: { agentId: 'bob', password: 'bob-password-1' } })).status, 401);
  await bob.login('bob', 'bob-password-2');

  // Remove: 204, the agent's session ends, removing again is 404, an admin cannot remove itself.
  assert.equal((await ada.call('DELETE', '/agents/ada')).status, 409);
  const removed = await ada.call('DELETE', '/agents/bob');
  assert.equal(removed.status, 204, removed.text);
  assert.equal((await bob.call('GET', '/me')).status, 401);
  assert.equal((await ada.call('DELETE', '/agents/bob')).status, 404);
  bob.close();

  const audit = await ada.ok('GET', '/audit?limit=1000');
  const actions = audit.entries.filter((e) => e.action.startsWith('agent.'))
    .map((e) => `${e.actor} ${e.action} ${e.detail.agentId}`);
  assert.deepEqual(actions, ['ada agent.add bob', 'ada agent.update bob', 'sue agent.presence bob',
                             'ada agent.password_reset bob', 'ada agent.remove bob']);
  const update = audit.entries.find((e) => e.action === 'agent.update');
  assert.deepEqual(update.detail.fields, ['role', 'skills', 'capacity']);
});

test('disable and enable: admins only; a disabled agent is logged out, refused, out of the hub, listed', async () => {
  const carolAdded = await ada.call('POST', '/agents', { id: 'carol', password: 'carol-password-1' });
  assert.equal(carolAdded.status, 200, carolAdded.text);
  assert.equal(carolAdded.body.agent.disabled, false);
  const carol = new AgentClient(server);
  await carol.login('carol', 'carol-password-1');
  await carol.connect();
  await carol.setPresence('available');
  await waitUntil(async () => (await sue.ok('GET', '/supervisor')).agents.some((a) => a.id === 'carol'),
                  5000, 'carol in the hub');

  // Rights: agents and supervisors are refused before anything changes; unknown ids are 404.
  for (const verb of ['disable', 'enable']) {
    for (const who of [alice, sue, carol]) {
      const r = await who.call('POST', `/agents/carol/${verb}`);
      assert.equal(r.status, 403, `${who.agentId} ${verb}: ${r.text}`);
    }
    assert.equal((await request(`${server.base}/api/agent/agents/carol/${verb}`, { method: 'POST' })).status, 401);
    assert.equal((await ada.call('POST', `/agents/nobody/${verb}`)).status, 404);
    assert.equal((await ada.call('POST', `/agents/b%20b/${verb}`)).status, 400);
  }
  assert.equal((await carol.call('GET', '/me')).status, 200, 'still logged in after the refusals');
  const self = await ada.call('POST', '/agents/ada/disable');
  assert.equal(self.status, 409, 'an admin cannot disable itself');

  // Disable: the session ends at once, the stream closes, the hub forgets the agent.
  const closed = new Promise((resolve) => carol.socket.once('close', (code, reason) => resolve([code, reason.toString()])));
  const disabled = await ada.ok('POST', '/agents/carol/disable');
  assert.equal(disabled.agent.disabled, true);
  assert.deepEqual(await closed, [4001, 'disabled']);
  const me = await carol.call('GET', '/me');
  assert.equal(me.status, 401);
  assert.match(me.body.error.message, /disabled/);
  await waitUntil(async () => !(await sue.ok('GET', '/supervisor')).agents.some((a) => a.id === 'carol'),
                  5000, 'carol to leave the hub (no offers)');

  // The right password is refused with 403 (a wrong one stays 401); the record is listed.
  const refused = await request(`${server.base}/api/agent/login`, { method: 'POST',
    json: { agentId: 'carol', password: 'carol-password-1' } });
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.body.error.message, /disabled/);
  assert.equal((await request(`${server.base}/api/agent/login`, { method: 'POST',
    json: { agentId: 'carol', password: 'wrong-password-1' } })).status, 401);
  const listed = (await ada.ok('GET', '/agents')).agents.find((a) => a.id === 'carol');
  assert.equal(listed.disabled, true);
  assert.equal(listed.displayName, 'carol', 'the record stays');
  assert.equal((await ada.ok('GET', '/agents')).agents.find((a) => a.id === 'alice').disabled, false);
  const cli = spawnSync(bin, ['agent', 'list', '--json', '--data', server.dataDir, ...storeArgs(server.dataDir)],
                        { encoding: 'utf8' });
  assert.equal(JSON.parse(cli.stdout).find((a) => a.id === 'carol').disabled, true);

  // Enable: logs in again and is back in the hub.
  const enabled = await ada.ok('POST', '/agents/carol/enable');
  assert.equal(enabled.agent.disabled, false);
  await carol.login('carol', 'carol-password-1');
  await carol.connect();
  await waitUntil(async () => (await sue.ok('GET', '/supervisor')).agents.some((a) => a.id === 'carol'),
                  5000, 'carol back in the hub');
  carol.close();

  const audit = await ada.ok('GET', '/audit?limit=1000');
  const actions = audit.entries.filter((e) => e.detail?.agentId === 'carol' && e.action.startsWith('agent.'))
    .map((e) => `${e.actor} ${e.action}`);
  assert.deepEqual(actions, ['ada agent.add', 'ada agent.disable', 'ada agent.enable']);
});
