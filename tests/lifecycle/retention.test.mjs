// Retention (`baton serve --retain`, docs/DEPLOY.md) against the real binary, both stores: with a
// three-second window swept every second, conversations with the bot or closed and idle past the
// window go; one the customer keeps using, one waiting in a queue and one with an agent stay,
// however old; old audit records go. Then handoff records alone: ended ones go, open ones stay.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  Server, handoffs, logged, newConversation, postActivity, request, sleep, userMessage, waitUntil,
} from '../lib/serve.mjs';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';

let server;

before(async () => {
  server = new Server({ args: ['--retain', 'conversations=3s,audit=3s', '--retention-interval', '1s'] });
  await addAgent(server.dataDir, { id: 'alice', capacity: 1 });
  await addAgent(server.dataDir, { id: 'ada', role: 'admin' });
  await server.start();
});

after(async () => {
  await server?.cleanup();
});

function status(conv) {
  return request(`${server.domain}/conversations/${encodeURIComponent(conv.conversationId)}/activities`,
                 { auth: conv.token }).then((r) => r.status);
}

test('retention deletes what is idle past the window and nobody holds, and nothing else', async () => {
  const firstAdmin = new AgentClient(server);
  await firstAdmin.login('ada');
  const firstLoginBy = Date.now() + 1;  // the first login's audit record is older than this
  const alice = new AgentClient(server);
  await alice.login('alice');
  await alice.connect();
  await alice.setPresence('available');

  const withBot = await newConversation(server);
  assert.equal((await postActivity(server, withBot, userMessage(withBot, 'where is my order'))).status, 200);
  const closed = await newConversation(server);
  let from = alice.messages.length;
  assert.equal((await postActivity(server, closed, userMessage(closed, 'talk to an agent'))).status, 200);
  let offer = await alice.waitFor((m) => m.type === 'offer' && m.conversationId === closed.conversationId, 10000, from);
  await alice.ok('POST', `/offers/${closed.conversationId}/accept`, { offerId: offer.offerId });
  await alice.ok('POST', `/conversations/${closed.conversationId}/end`, { mode: 'close' });
  await alice.ok('POST', `/conversations/${closed.conversationId}/wrapup`);
  const withAgent = await newConversation(server);
  from = alice.messages.length;
  assert.equal((await postActivity(server, withAgent, userMessage(withAgent, 'talk to an agent'))).status, 200);
  offer = await alice.waitFor((m) => m.type === 'offer' && m.conversationId === withAgent.conversationId, 10000, from);
  await alice.ok('POST', `/offers/${withAgent.conversationId}/accept`, { offerId: offer.offerId });
  const queued = await newConversation(server);
  assert.equal((await postActivity(server, queued, userMessage(queued, 'talk to an agent'))).status, 200);
  const active = await newConversation(server);

  // The active customer writes every half second while the others sit idle.
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const r = await postActivity(server, active, userMessage(active, 'still here'));
      assert.equal(r.status, 200, r.text);
      await sleep(500);
    }
  })();
  await waitUntil(async () => (await status(withBot)) === 404 && (await status(closed)) === 404,
                  20000, 'the idle bot conversation and the closed one to be deleted');
  await logged(server, /retention: deleted [1-9]\d* conversations/);
  for (const kept of [withAgent, queued, active]) {
    assert.equal(await status(kept), 200, `${kept.conversationId} is kept`);
  }
  // The agent still works the one she holds.
  await alice.ok('POST', `/conversations/${withAgent.conversationId}/messages`, { text: 'still with you' });
  writing = false;
  await writer;

  // Old audit records go: the first logins' records (alice's and ada's) leave, later ones stay.
  const ada = new AgentClient(server);
  await ada.login('ada');
  const entries = await waitUntil(async () => {
    const audit = await ada.ok('GET', '/audit?limit=1000');
    return audit.entries.every((e) => Date.parse(e.time) > firstLoginBy) && audit.entries;
  }, 10000, 'the audit records of the first logins to be deleted');
  assert.ok(entries.some((e) => e.action === 'login' && e.actor === 'ada'), 'the new login stays');
  alice.close();
});

// `--retain handoffs=…`: handoff records ended before the window go, the conversations stay and
// carry on, and a handoff still with an agent keeps its record however old.
test('handoff records ended past the window go; their conversations and open handoffs stay', async () => {
  const own = new Server({ args: ['--retain', 'handoffs=3s', '--retention-interval', '1s'] });
  try {
    await addAgent(own.dataDir, { id: 'bea', capacity: 2 });
    await own.start();
    const bea = new AgentClient(own);
    await bea.login('bea');
    await bea.connect();
    await bea.setPresence('available');

    const returned = await newConversation(own);
    let from = bea.messages.length;
    assert.equal((await postActivity(own, returned, userMessage(returned, 'talk to an agent'))).status, 200);
    const first = await bea.waitFor((m) => m.type === 'offer' && m.conversationId === returned.conversationId, 10000, from);
    await bea.ok('POST', `/offers/${returned.conversationId}/accept`, { offerId: first.offerId });
    await bea.ok('POST', `/conversations/${returned.conversationId}/end`, { mode: 'bot' });
    await bea.ok('POST', `/conversations/${returned.conversationId}/wrapup`);
    const queued = await newConversation(own);
    from = bea.messages.length;
    assert.equal((await postActivity(own, queued, userMessage(queued, 'talk to an agent'))).status, 200);
    const second = await bea.waitFor((m) => m.type === 'offer' && m.conversationId === queued.conversationId, 10000, from);
    await bea.ok('POST', `/offers/${queued.conversationId}/accept`, { offerId: second.offerId });
    assert.equal((await handoffs(own, returned.conversationId)).length, 1);
    assert.equal((await handoffs(own, queued.conversationId)).length, 1);

    await waitUntil(async () => (await handoffs(own, returned.conversationId)).length === 0,
                    20000, 'the ended handoff record to be deleted');
    await logged(own, /retention: deleted 0 conversations .* [1-9]\d* handoff records/);
    const stillThere = await request(
      `${own.domain}/conversations/${encodeURIComponent(returned.conversationId)}/activities`, { auth: returned.token });
    assert.equal(stillThere.status, 200, 'the conversation stays');
    assert.ok(stillThere.body.activities.some((a) => a.text === 'talk to an agent'), 'with its activities');
    const open = await handoffs(own, queued.conversationId);
    assert.deepEqual(open.map((h) => h.status), ['accepted'], 'the open one stays');
    // The customer carries on with the bot.
    assert.equal((await postActivity(own, returned, userMessage(returned, 'where is my order'))).status, 200);
    bea.close();
  } finally {
    await own.cleanup();
  }
});
