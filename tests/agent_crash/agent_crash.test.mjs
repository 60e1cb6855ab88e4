// Crash test of the engagement hub: `kill -9` with conversations queued,
// offered and active, restart on the same data dir, and check
//  - queue order is kept (supervisor view positions, where the hub counts an offered conversation
//    as part of its queue; and the first slot that frees is offered the head of the queue);
//  - the pending offer is offered again to the same agent, with a fresh timeout, and can be
//    accepted;
//  - the active conversation is still with its agent, who can send to the customer and receives
//    the customer's messages;
//  - every message acknowledged before the kill (customer and agent) is stored;
//  - presence is kept.
// Set-up: agents alice and bob (capacity 1, skill `general`), supervisor sue (no skill, so never
// offered anything); a copy of the Contoso bot whose hub.yaml has one `general` queue needing that
// skill and a long offer timeout (so no offer expires during the test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Server, makeDataDir, newConversation, postActivity, readAll, userMessage, waitUntil,
} from '../lib/serve.mjs';
import { AgentClient, addAgent, botWithHub } from './agents.mjs';

const SECRET = 'agent-crash-secret-42';
const PASSWORD = 'correct horse battery';
const ESCALATE = 'talk to an agent';
const HUB = `hub:
  default_queue: general
  missed_offers_before_away: 0
  defaults:
    offer_timeout: 10m
  queues:
    - name: general
      skills: [general]
    - name: billing
      skills: [general]
`;

const offerFor = (conv) => (m) => m.type === 'offer' && m.conversationId === conv.conversationId;
const assignedFor = (conv) => (m) => m.type === 'assigned' && m.conversationId === conv.conversationId;

// Posts a customer message and returns its id (asserting the 200).
async function customerSays(server, conv, text) {
  const r = await postActivity(server, conv, userMessage(conv, text));
  assert.equal(r.status, 200, `customer message "${text}": ${r.text}`);
  return { id: r.body.id, text };
}

async function agentSays(agent, conv, text) {
  const r = await agent.call('POST', `/conversations/${encodeURIComponent(conv.conversationId)}/messages`,
                             { text });
  assert.equal(r.status, 200, `${agent.agentId} sends "${text}": ${r.text}`);
  return { id: r.body.id, text };
}

async function supervisorView(sue) {
  const r = await sue.call('GET', '/supervisor');
  assert.equal(r.status, 200, `supervisor view: ${r.text}`);
  return r.body;
}

const summaryOf = (view, conv) => view.conversations.find((c) => c.id === conv.conversationId);

async function presenceOf(agent) {
  const r = await agent.call('GET', '/me');
  assert.equal(r.status, 200, `${agent.agentId} /me: ${r.text}`);
  return r.body.presence;
}

// Waits until the customer's transcript holds a bot-side message with `text`.
function customerSees(server, conv, text) {
  return waitUntil(async () => (await readAll(server, conv)).activities
    .some((a) => a.type === 'message' && a.text === text), 10000, `"${text}" in ${conv.conversationId}`);
}

// Before the kill: c1 active with alice, c2 offered to bob (unanswered), c3 and c4 waiting.
async function buildScene(server, s) {
  s.alice = new AgentClient(server, 'alice', PASSWORD);
  await s.alice.login();
  await s.alice.connect();
  await s.alice.setPresence('available');
  s.c1 = await newConversation(server, 'u-crash-1');
  s.acked.push([s.c1, await customerSays(server, s.c1, ESCALATE)]);
  const offer1 = await s.alice.waitFor(offerFor(s.c1), 10000, 'the offer of c1');
  const accepted = await s.alice.call('POST', `/offers/${encodeURIComponent(s.c1.conversationId)}/accept`,
                                      { offerId: offer1.offerId });
  assert.equal(accepted.status, 200, `alice accepts c1: ${accepted.text}`);
  await s.alice.waitFor(assignedFor(s.c1), 10000, 'assigned c1');
  s.acked.push([s.c1, await customerSays(server, s.c1, 'my parcel never arrived')]);
  const hello = await agentSays(s.alice, s.c1, 'Hello, this is Alice. Let me check that for you.');
  s.acked.push([s.c1, hello]);
  await customerSees(server, s.c1, hello.text);

  s.bob = new AgentClient(server, 'bob', PASSWORD);
  await s.bob.login();
  await s.bob.connect();
  await s.bob.setPresence('available');
  s.c2 = await newConversation(server, 'u-crash-2');
  s.acked.push([s.c2, await customerSays(server, s.c2, ESCALATE)]);
  s.offer2 = await s.bob.waitFor(offerFor(s.c2), 10000, 'the offer of c2');

  s.sue = new AgentClient(server, 'sue', PASSWORD);
  await s.sue.login();
  s.c3 = await newConversation(server, 'u-crash-3');
  s.acked.push([s.c3, await customerSays(server, s.c3, ESCALATE)]);
  await waitUntil(async () => summaryOf(await supervisorView(s.sue), s.c3)?.state === 'waiting',
                  10000, 'c3 waiting');
  s.c4 = await newConversation(server, 'u-crash-4');
  s.acked.push([s.c4, await customerSays(server, s.c4, ESCALATE)]);
  await waitUntil(async () => summaryOf(await supervisorView(s.sue), s.c4)?.state === 'waiting',
                  10000, 'c4 waiting');
  s.acked.push([s.c3, await customerSays(server, s.c3, 'still waiting here')]);
  s.acked.push([s.c1, await customerSays(server, s.c1, 'order number 4711')]);
}

function assertSceneView(view, s, when) {
  const c1 = summaryOf(view, s.c1);
  const c2 = summaryOf(view, s.c2);
  const c3 = summaryOf(view, s.c3);
  const c4 = summaryOf(view, s.c4);
  assert.equal(c1?.state, 'assigned', `${when}: c1 assigned: ${JSON.stringify(c1)}`);
  assert.equal(c1.agent, 'alice', `${when}: c1 is alice's`);
  assert.equal(c2?.state, 'offered', `${when}: c2 offered: ${JSON.stringify(c2)}`);
  assert.equal(c2.offeredTo, 'bob', `${when}: c2 offered to bob`);
  assert.equal(c3?.state, 'waiting', `${when}: c3 waiting: ${JSON.stringify(c3)}`);
  assert.equal(c4?.state, 'waiting', `${when}: c4 waiting: ${JSON.stringify(c4)}`);
  // The hub counts the offered conversation as part of the queue: c2, c3, c4 are 1, 2, 3.
  assert.deepEqual([c2.position, c3.position, c4.position], [1, 2, 3],
                   `${when}: queue order c2, c3, c4`);
}

test('kill -9 with conversations queued, offered and active: the hub comes back as it was',
     { timeout: 90000 }, async () => {
  const dataDir = makeDataDir('baton-agent-crash-');
  const botDir = botWithHub(mkdtempSync(join(tmpdir(), 'baton-agent-crash-bot-')), HUB);
  addAgent(dataDir, 'alice', { name: 'Alice', skills: ['general'], capacity: 1, password: PASSWORD });
  addAgent(dataDir, 'bob', { name: 'Bob', skills: ['general'], capacity: 1, password: PASSWORD });
  addAgent(dataDir, 'sue', { name: 'Sue', role: 'supervisor', capacity: 1, password: PASSWORD });
  const args = ['--rate-limit', '1000000'];
  let server = await new Server({ dataDir, secret: SECRET, args, bot: botDir }).start();
  const s = { acked: [] };
  try {
    await buildScene(server, s);
    assertSceneView(await supervisorView(s.sue), s, 'before the kill');
    const presence = { alice: await presenceOf(s.alice), bob: await presenceOf(s.bob) };
    await server.kill9();
    s.alice.close();
    s.bob.close();

    server = await new Server({ dataDir, secret: SECRET, args, bot: botDir }).start();
    for (const agent of [s.alice, s.bob, s.sue]) {
      agent.server = server;
      await agent.login();
    }
    assertSceneView(await supervisorView(s.sue), s, 'after the restart');
    assert.equal(await presenceOf(s.alice), presence.alice, 'alice keeps her presence');
    assert.equal(await presenceOf(s.bob), presence.bob, 'bob keeps his presence');

    // Nothing acknowledged before the kill is lost.
    for (const [conv, { id, text }] of s.acked) {
      const { activities } = await readAll(server, conv, '0');
      const stored = activities.find((a) => a.id === id);
      assert.ok(stored, `acknowledged ${id} ("${text}") is stored after kill -9`);
      assert.equal(stored.text, text);
    }

    // The pending offer comes back to bob with a fresh timeout, and he can take it.
    const bobHello = await s.bob.connect();
    const inHello = bobHello.offers?.find((o) => o.conversationId === s.c2.conversationId);
    const reoffer = inHello ?? await s.bob.waitFor(offerFor(s.c2), 10000, 'the re-issued offer of c2');
    console.log(`agent_crash: the re-issued offer came ${inHello ? "in bob's hello" : 'as an offer message'}` +
                ` (offerId ${s.offer2.offerId} → ${reoffer.offerId})`);
    assert.ok(Date.parse(reoffer.expiresAt) > Date.parse(s.offer2.expiresAt),
              `a fresh timeout: ${reoffer.expiresAt} after ${s.offer2.expiresAt}`);
    const took = await s.bob.call('POST', `/offers/${encodeURIComponent(s.c2.conversationId)}/accept`,
                                  { offerId: reoffer.offerId });
    assert.equal(took.status, 200, `bob accepts the re-issued offer: ${took.text}`);
    await s.bob.waitFor(assignedFor(s.c2), 10000, 'assigned c2');

    // alice still owns c1: she sees it, can write to the customer and hears from them.
    const aliceHello = await s.alice.connect();
    assert.ok(aliceHello.conversations?.some((c) => c.id === s.c1.conversationId && c.state === 'assigned'),
              `alice's hello lists c1 as hers: ${JSON.stringify(aliceHello.conversations)}`);
    const after = await agentSays(s.alice, s.c1, 'Found it: it ships today.');
    await customerSees(server, s.c1, after.text);
    await customerSays(server, s.c1, 'thank you');
    await s.alice.waitFor((m) => m.type === 'activity' && m.conversationId === s.c1.conversationId &&
                          m.entry?.activity?.text === 'thank you', 10000, "the customer's message");

    // The head of the queue gets the first free slot: alice closes c1, then is offered c3, not c4.
    const c1Path = `/conversations/${encodeURIComponent(s.c1.conversationId)}`;
    assert.equal((await s.alice.call('POST', `${c1Path}/end`, { mode: 'close' })).status, 200);
    assert.equal((await s.alice.call('POST', `${c1Path}/wrapup`, {})).status, 200);
    const next = await s.alice.waitFor((m) => m.type === 'offer', 10000, 'the next offer');
    assert.equal(next.conversationId, s.c3.conversationId, 'the queue head (c3) is offered first');
    const view = await supervisorView(s.sue);
    assert.equal(summaryOf(view, s.c3)?.position, 1, 'c3 (offered) heads the queue');
    assert.equal(summaryOf(view, s.c4)?.position, 2, 'c4 moves up behind it');

    s.alice.close();
    s.bob.close();
    const exit = await server.stop();
    assert.equal(exit.code, 0, `graceful shutdown exits 0: ${JSON.stringify(exit)}`);
  } finally {
    s.alice?.close();
    s.bob?.close();
    await server.kill9();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(botDir, { recursive: true, force: true });
  }
});
