// The customer's paths on the real `baton serve` (docs/HUB.md "Availability, per routed queue",
// "Waiting for an agent", "Agent affinity"): customers are the official DirectLineJS client
// (tests/lib/dlclient.mjs), agents drive the agent API (tests/lib/agentclient.mjs). The bot is
// examples/contoso with its own hub.yaml: billing is always closed, general waits for an agent,
// and affinity is on.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '../lib/dlclient.mjs';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { contoso, directLineJs, generateToken, handoffs, Server } from '../lib/serve.mjs';

const HUB_YAML = `
hub:
  default_queue: general
  affinity_window: 10m
  defaults:
    offer_timeout: 30s
  queues:
    - name: billing
      skills: [billing]
      hours:
        time_zone: UTC
        weekly:
          daily: closed
      texts:
        unavailable: "Billing is closed now; we open on Monday at 8."
    - name: general
      wait_for_agent: true
      max_wait: 10m
      texts:
        waiting_for_agent: "All our agents are offline. When one becomes available, we'll connect you."
`;

let server;
let botDir;
const agents = [];

before(async () => {
  botDir = mkdtempSync(join(tmpdir(), 'baton-paths-bot-'));
  cpSync(contoso, botDir, { recursive: true });
  writeFileSync(join(botDir, 'hub.yaml'), HUB_YAML);
  server = new Server({ bot: botDir });
  await addAgent(server.dataDir, { id: 'alice', name: 'Alice', skills: ['billing'], capacity: 1 });
  await addAgent(server.dataDir, { id: 'bob', name: 'Bob', capacity: 1 });
  await server.start();
});

after(async () => {
  for (const a of agents) {
    a.close();
  }
  await server?.stop();
  rmSync(botDir, { recursive: true, force: true });
});

async function agent(id) {
  const a = new AgentClient(server);
  agents.push(a);
  await a.login(id);
  await a.connect();
  return a;
}

async function customer(userId) {
  const { ConnectionStatus } = directLineJs();
  const { token } = await generateToken(server, userId);
  const client = new Client({ domain: server.domain, token, webSocket: true }, userId);
  await client.waitForStatus(ConnectionStatus.Online);
  return client;
}

const botSaid = (text) => (a) => a.type === 'message' && a.from?.role === 'bot' && a.text === text;
const botTexts = (client) => client.activities
  .filter((a) => a.type === 'message' && a.from?.role === 'bot').map((a) => a.text);

let bob;

test('a wait-for-agent queue holds the customer; an agent who logs in later gets the offer', async () => {
  const client = await customer('u-waiting');
  try {
    await client.say('talk to an agent', 'u-waiting');
    await client.waitFor(botSaid(
      "All our agents are offline. When one becomes available, we'll connect you."),
    { what: 'the waiting-for-agent text' });
    bob = await agent('bob');
    const from = bob.messages.length;
    await bob.setPresence('available');
    const offer = await bob.waitFor(
      (m) => m.type === 'offer' && m.conversationId === client.conversationId, 10000, from);
    assert.equal(offer.queue, 'general');
    await bob.ok('POST', `/offers/${encodeURIComponent(offer.conversationId)}/accept`,
                 { offerId: offer.offerId });
    await client.waitFor(botSaid('Bob joined the chat.'), { what: 'the joined notice' });
    await bob.ok('POST', `/conversations/${encodeURIComponent(offer.conversationId)}/end`,
                 { mode: 'close' });
    await bob.ok('POST', `/conversations/${encodeURIComponent(offer.conversationId)}/wrapup`);
  } finally {
    client.end();
  }
});

test('a closed queue says its own text at once and the bot reads the reason', async () => {
  // bob is online: the hub is not empty; the billing queue is closed.
  const client = await customer('u-billing');
  try {
    const sent = await client.say('I want to pay my bill', 'u-billing');
    await client.waitFor(botSaid(
      'Our billing team is closed right now. You can pay online at contoso.example/pay any time.'),
    { what: "the bot's out_of_hours branch" });
    const texts = botTexts(client);
    assert.ok(texts.includes('Billing is closed now; we open on Monday at 8.'), texts.join(' | '));
    assert.ok(!texts.includes("I'm connecting you with a billing specialist now."), texts.join(' | '));
    assert.ok(!texts.includes('Let\'s send you to an available agent.'), texts.join(' | '));
    // All in the customer's own turn, in order: the queue's text, then the reason's branch.
    const replies = client.activities.filter((a) => a.replyToId === sent.id && a.type === 'message')
      .map((a) => a.text);
    assert.deepEqual(replies.slice(-2), [
      'Billing is closed now; we open on Monday at 8.',
      'Our billing team is closed right now. You can pay online at contoso.example/pay any time.',
    ]);
    const [h] = await handoffs(server, client.conversationId);
    assert.equal(h.status, 'unavailable');
  } finally {
    client.end();
  }
});

test("a returning customer is offered first to the agent who last helped them", async () => {
  const alice = await agent('alice');
  await alice.setPresence('available');
  const userId = 'u-returning';
  // First visit: whoever the strategy picks (the agent idle longest) takes it.
  const first = await customer(userId);
  let helper;
  let other;
  try {
    await first.say('talk to an agent', userId);
    const offered = await Promise.race([
      bob.waitFor((m) => m.type === 'offer' && m.conversationId === first.conversationId)
        .then((o) => ({ o, a: bob, b: alice })),
      alice.waitFor((m) => m.type === 'offer' && m.conversationId === first.conversationId)
        .then((o) => ({ o, a: alice, b: bob })),
    ]);
    helper = offered.a;
    other = offered.b;
    const id = encodeURIComponent(first.conversationId);
    await helper.ok('POST', `/offers/${id}/accept`, { offerId: offered.o.offerId });
    await helper.ok('POST', `/conversations/${id}/end`, { mode: 'close' });
    await helper.ok('POST', `/conversations/${id}/wrapup`);
  } finally {
    first.end();
  }
  // The helper just freed up, the other agent has been idle longer: without affinity the other
  // would get the next handoff. The same user comes back in a new conversation.
  const second = await customer(userId);
  try {
    const fromOther = other.messages.length;
    await second.say('talk to an agent', userId);
    const offer = await helper.waitFor(
      (m) => m.type === 'offer' && m.conversationId === second.conversationId);
    assert.equal(offer.queue, 'general');
    assert.ok(!other.messages.slice(fromOther).some(
      (m) => m.type === 'offer' && m.conversationId === second.conversationId),
    'the other agent was not offered it');
    // A different customer gets the strategy's pick: the other agent.
    const stranger = await customer('u-stranger');
    try {
      await stranger.say('talk to an agent', 'u-stranger');
      await other.waitFor((m) => m.type === 'offer' && m.conversationId === stranger.conversationId);
    } finally {
      stranger.end();
    }
  } finally {
    second.end();
  }
});
