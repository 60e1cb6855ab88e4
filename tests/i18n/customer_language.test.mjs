// The customer's notices in their own language on the real `baton serve` (docs/HUB.md "Texts and
// languages"): customers are the official DirectLineJS client (tests/lib/dlclient.mjs), the agent
// drives the agent API (tests/lib/agentclient.mjs). The bot is examples/contoso (English); its
// hub.yaml gives a French joined text of its own and leaves the rest to the built-in texts.
// A customer whose client starts the conversation in German hears the German queue, joined and
// left notices; one writing in French hears the hub.yaml's French joined text and the built-in
// French closed text; one without a locale hears English.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '../lib/dlclient.mjs';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { contoso, directLineJs, generateToken, Server } from '../lib/serve.mjs';

const HUB_YAML = `
hub:
  default_queue: general
  texts:
    joined:
      fr: "{agent} est avec vous."
  queues:
    - name: general
`;

let server;
let botDir;
let alice;

before(async () => {
  botDir = mkdtempSync(join(tmpdir(), 'baton-i18n-bot-'));
  cpSync(contoso, botDir, { recursive: true });
  writeFileSync(join(botDir, 'hub.yaml'), HUB_YAML);
  server = new Server({ bot: botDir });
  await addAgent(server.dataDir, { id: 'alice', name: 'Alice Martin', capacity: 3 });
  await server.start();
  alice = new AgentClient(server);
  await alice.login('alice');
  await alice.connect();
  await alice.setPresence('available');
});

after(async () => {
  alice?.close();
  await server?.stop();
  rmSync(botDir, { recursive: true, force: true });
});

// A customer on DirectLineJS; `startLocale` goes in conversationStartProperties (the body of
// POST /conversations), `messageLocale` on each message ('' = none).
async function customer(userId, { startLocale, messageLocale = '' } = {}) {
  const { ConnectionStatus } = directLineJs();
  const { token } = await generateToken(server, userId);
  const options = { domain: server.domain, token, webSocket: true };
  if (startLocale) {
    options.conversationStartProperties = { locale: startLocale };
  }
  const client = new Client(options, userId);
  await client.waitForStatus(ConnectionStatus.Online);
  const say = (text) => client.send({
    type: 'message', text, from: { id: userId, role: 'user' },
    ...(messageLocale ? { locale: messageLocale } : {}),
  });
  return { client, say };
}

const botSaid = (text) => (a) => a.type === 'message' && a.from?.role === 'bot' && a.text === text;

// Alice accepts the offer of `client`'s conversation.
async function acceptOffer(client, from) {
  const offer = await alice.waitFor(
    (m) => m.type === 'offer' && m.conversationId === client.conversationId, 10000, from);
  await alice.ok('POST', `/offers/${encodeURIComponent(offer.conversationId)}/accept`,
                 { offerId: offer.offerId });
  return offer.conversationId;
}

test('a customer whose client starts in German hears the German joined and left notices',
     { timeout: 60000 }, async () => {
  const { client, say } = await customer('u-de', { startLocale: 'de-DE', messageLocale: 'de-DE' });
  try {
    const from = alice.messages.length;
    await say('talk to an agent');
    const id = await acceptOffer(client, from);
    await client.waitFor(botSaid('Alice Martin ist dem Chat beigetreten.'),
                         { what: 'the German joined notice' });
    await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/messages`, { text: 'Hallo!' });
    await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/end`, { mode: 'bot' });
    await client.waitFor(botSaid('Alice Martin hat den Chat verlassen.'),
                         { what: 'the German left notice' });
    await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/wrapup`);
    const texts = client.activities.filter((a) => a.type === 'message' && a.from?.role === 'bot')
      .map((a) => a.text);
    assert.ok(!texts.includes('Alice Martin joined the chat.'), texts.join(' | '));
    assert.ok(!texts.includes('Alice Martin left the chat.'), texts.join(' | '));
  } finally {
    client.end();
  }
});

test("a customer writing in French hears hub.yaml's French joined text and the built-in closed " +
     'text', { timeout: 60000 }, async () => {
  const { client, say } = await customer('u-fr', { messageLocale: 'fr-FR' });
  try {
    const from = alice.messages.length;
    await say('talk to an agent');
    const id = await acceptOffer(client, from);
    await client.waitFor(botSaid('Alice Martin est avec vous.'), { what: "hub.yaml's French text" });
    await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/end`, { mode: 'close' });
    await client.waitFor(botSaid('Cette conversation est terminée. Merci !'),
                         { what: 'the built-in French closed text' });
    await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/wrapup`);
  } finally {
    client.end();
  }
});

test('a customer without a locale hears the bot language, English', { timeout: 60000 }, async () => {
  const { client, say } = await customer('u-en');
  try {
    const from = alice.messages.length;
    await say('talk to an agent');
    const id = await acceptOffer(client, from);
    await client.waitFor(botSaid('Alice Martin joined the chat.'), { what: 'the English joined notice' });
    await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/end`, { mode: 'bot' });
    await client.waitFor(botSaid('Alice Martin left the chat.'), { what: 'the English left notice' });
    await alice.ok('POST', `/conversations/${encodeURIComponent(id)}/wrapup`);
  } finally {
    client.end();
  }
});
