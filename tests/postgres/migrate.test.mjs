// `baton store migrate` round trip: a SQLite deployment with conversations in every state (with the
// bot mid-dialog, queued, offered, with an agent, closed) moves to PostgreSQL, and
// `baton serve --store` continues it: every conversation is in the state it was, a customer who
// reconnects with its watermark gets exactly the activities it missed, and the agent still owns
// its chat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { databaseFor, pgCluster, pgStoreFor } from '../lib/pgcluster.mjs';
import {
  Server, bin, botTexts, makeDataDir, newConversation, postActivity, readAll, userMessage,
  waitUntil,
} from '../lib/serve.mjs';

const ids = (activities) => activities.map((a) => a.id);

test('store migrate: every conversation state carries over and serve --store continues them',
     { timeout: 120000 }, async () => {
  const dataDir = makeDataDir('baton-migrate-');
  let server = null;
  const agents = [];
  try {
    await addAgent(dataDir, { id: 'alice', capacity: 2 });
    await addAgent(dataDir, { id: 'sue', role: 'supervisor' });
    server = await new Server({ dataDir }).start();  // SQLite in dataDir
    const alice = new AgentClient(server);
    agents.push(alice);
    await alice.login('alice');
    await alice.connect();
    await alice.setPresence('available');
    const sue = new AgentClient(server);
    await sue.login('sue');

    const escalate = async (user) => {
      const conv = await newConversation(server, user);
      const r = await postActivity(server, conv, userMessage(conv, 'talk to an agent'));
      assert.equal(r.status, 200, r.text);
      return conv;
    };
    const offerFor = (conv) => alice.waitFor(
      (m) => m.type === 'offer' && m.conversationId === conv.conversationId, 10000);

    // Closed: accepted, then ended by the agent with mode close, wrap-up done.
    const closed = await escalate('u-closed');
    await alice.ok('POST', `/offers/${closed.conversationId}/accept`,
                   { offerId: (await offerFor(closed)).offerId });
    await alice.ok('POST', `/conversations/${closed.conversationId}/end`, { mode: 'close' });
    await alice.ok('POST', `/conversations/${closed.conversationId}/wrapup`);
    // With an agent.
    const withAgent = await escalate('u-agent');
    await alice.ok('POST', `/offers/${withAgent.conversationId}/accept`,
                   { offerId: (await offerFor(withAgent)).offerId });
    await alice.ok('POST', `/conversations/${withAgent.conversationId}/messages`,
                   { text: 'Alice here, before the move' });
    // Offered (not answered) — alice's capacity of 2 is then taken — and queued behind it.
    const offered = await escalate('u-offered');
    await offerFor(offered);
    const queued = await escalate('u-queued');
    // With the bot, in the middle of a question.
    const withBot = await newConversation(server, 'u-bot');
    let r = await postActivity(server, withBot, userMessage(withBot, 'what are your store hours'));
    assert.equal(r.status, 200, r.text);
    await waitUntil(async () => botTexts((await readAll(server, withBot)).activities)
      .includes('Which store are you asking about?'), 10000, 'the store question');
    const seen = await readAll(server, withBot);  // the customer's watermark

    const conversations = { closed, withAgent, offered, queued, withBot };
    const stateOf = async (conv) => {
      const detail = await sue.ok('GET', `/conversations/${encodeURIComponent(conv.conversationId)}`);
      return detail.state;
    };
    const before = {};
    await waitUntil(async () => (await stateOf(queued)) === 'waiting', 10000, 'the queued state');
    for (const [name, conv] of Object.entries(conversations)) {
      before[name] = await stateOf(conv);
    }
    assert.equal(before.withAgent, 'assigned');
    assert.equal(before.offered, 'offered');
    assert.equal(before.queued, 'waiting');
    // Activities the customer has not read yet.
    r = await postActivity(server, withBot, userMessage(withBot, 'Bellevue'));
    assert.equal(r.status, 200, r.text);
    await waitUntil(async () => botTexts((await readAll(server, withBot, seen.watermark)).activities)
      .some((t) => t?.startsWith('Our Bellevue store')), 10000, 'the answer');
    const missed = ids((await readAll(server, withBot, seen.watermark)).activities);
    alice.close();
    assert.equal((await server.stop()).code, 0);

    const store = pgStoreFor(dataDir);
    const migrated = spawnSync(bin, ['store', 'migrate', '--from', dataDir, '--to', store],
                               { encoding: 'utf8', timeout: 60000 });
    assert.equal(migrated.status, 0, migrated.stderr);
    for (const table of ['conversations', 'activities', 'handoffs', 'conversation_events',
                         'agents', 'hub_log', 'audit_log']) {
      assert.match(migrated.stdout, new RegExp(`${table}\\s+[1-9]\\d* rows`), migrated.stdout);
    }
    assert.match(migrated.stdout, /meta\s+\d+ rows/);
    // The store's own record of each conversation's owner came along.
    const rows = pgCluster().sql('SELECT id, ownership, closed FROM conversations ORDER BY id',
                                 databaseFor(dataDir));
    const owner = new Map(rows.split('\n').map((line) => {
      const [id, ownership, isClosed] = line.split('|');
      return [id, `${ownership}${isClosed === 't' ? ' (closed)' : ''}`];
    }));
    assert.equal(owner.get(withBot.conversationId), 'bot');
    assert.equal(owner.get(closed.conversationId), 'closed (closed)');
    assert.equal(owner.get(withAgent.conversationId), 'agent');
    assert.equal(owner.get(offered.conversationId), 'offered');
    assert.equal(owner.get(queued.conversationId), 'queued');
    // A second run refuses the now non-empty target.
    const again = spawnSync(bin, ['store', 'migrate', '--from', dataDir, '--to', store],
                            { encoding: 'utf8', timeout: 60000 });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /not empty/);
    // From now on only PostgreSQL holds the conversations.
    renameSync(join(dataDir, 'baton.db'), join(dataDir, 'baton.db.migrated'));

    server = await new Server({ dataDir, args: ['--store', store] }).start();
    assert.ok(!existsSync(join(dataDir, 'baton.db')), 'serve --store does not use SQLite');
    const sue2 = new AgentClient(server);
    await sue2.login('sue');
    const after = {};
    for (const [name, conv] of Object.entries(conversations)) {
      const detail = await sue2.ok('GET', `/conversations/${encodeURIComponent(conv.conversationId)}`);
      after[name] = detail.state;
    }
    assert.deepEqual(after, before, 'every conversation is where it was');

    const reconnected = await readAll(server, withBot, seen.watermark);
    assert.deepEqual(ids(reconnected.activities), missed, 'exactly the missed activities');

    const alice2 = new AgentClient(server);
    agents.push(alice2);
    await alice2.login('alice');
    await alice2.connect();
    const hello = alice2.messages.find((m) => m.type === 'hello');
    assert.ok(hello.conversations.some((c) => c.id === withAgent.conversationId),
              `alice still owns her chat: ${JSON.stringify(hello.conversations)}`);
    await alice2.ok('POST', `/conversations/${withAgent.conversationId}/messages`,
                    { text: 'Alice here, after the move' });
    await waitUntil(async () => (await readAll(server, withAgent)).activities
      .some((a) => a.text === 'Alice here, after the move'), 10000, "the agent's message");
    assert.equal((await server.stop()).code, 0);
  } finally {
    for (const a of agents) {
      a.close();
    }
    await server?.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
