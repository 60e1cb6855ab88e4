// PostgreSQL goes away under load (`pg_ctl stop -m immediate`, what clients see when the server
// crashes) and comes back while customers keep sending through Direct Line. Checks:
//  - during the outage posts fail with 503 ServiceUnavailable (or 502 for the few whose COMMIT was
//    outstanding when the connection broke: their fate is unknown, so they are not acknowledged);
//  - once PostgreSQL is back, Baton serves again by itself (no restart);
//  - every acknowledged message is stored once, with its text; nothing is stored twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { pgCluster, pgStoreFor } from '../lib/pgcluster.mjs';
import {
  Server, makeDataDir, newConversation, postActivity, readAll, sleep, userMessage, waitUntil,
} from '../lib/serve.mjs';

const CONVERSATIONS = 12;

test('PostgreSQL stops and starts under load: 503 meanwhile, nothing acknowledged lost, no '
     + 'duplicate, service resumes by itself', { timeout: 120000 }, async () => {
  const dataDir = makeDataDir('baton-outage-');
  const cluster = pgCluster();
  const store = pgStoreFor(dataDir);
  const server = await new Server({ dataDir, args: ['--store', store, '--rate-limit', '1000000'] })
    .start();
  try {
    const convs = await Promise.all(Array.from({ length: CONVERSATIONS },
                                               (_, i) => newConversation(server, `u-out-${i}`)));
    const acked = new Map(convs.map((c) => [c.conversationId, []]));
    const statuses = { before: new Map(), during: new Map(), after: new Map() };
    let phase = 'before';
    let stop = false;
    const sender = async (conv) => {
      for (let k = 0; !stop; ++k) {
        const text = `outage ${conv.userId} #${k}`;
        const at = phase;
        const res = await postActivity(server, conv, userMessage(conv, text));
        statuses[at].set(res.status, (statuses[at].get(res.status) ?? 0) + 1);
        if (res.status === 200 && res.body?.id) {
          acked.get(conv.conversationId).push({ id: res.body.id, text });
        } else {
          await sleep(20);
        }
      }
    };
    const senders = convs.map(sender);
    await sleep(1500);
    const ackedBefore = [...acked.values()].reduce((n, list) => n + list.length, 0);
    assert.ok(ackedBefore > 0, 'messages were acknowledged before the outage');

    cluster.stopImmediately();
    phase = 'during';
    await sleep(2500);
    const failed = [...statuses.during].filter(([s]) => s !== 200)
      .reduce((n, [, count]) => n + count, 0);
    cluster.restart();
    phase = 'after';
    // Baton reconnects by itself: acknowledgements resume.
    const ackedAtRestart = [...acked.values()].reduce((n, list) => n + list.length, 0);
    await waitUntil(() => [...acked.values()].reduce((n, list) => n + list.length, 0) >
                          ackedAtRestart + CONVERSATIONS, 30000, 'acknowledgements after the restart');
    stop = true;
    await Promise.all(senders);
    const summary = (m) => JSON.stringify(Object.fromEntries(m));
    console.log(`outage: before ${summary(statuses.before)}, during ${summary(statuses.during)}, `
                + `after ${summary(statuses.after)}`);
    assert.ok(failed > 0, 'posts failed while PostgreSQL was down');
    for (const [status] of statuses.during) {
      assert.ok([200, 502, 503].includes(status), `status ${status} during the outage`);
    }
    assert.ok((statuses.during.get(503) ?? 0) > 0, '503 ServiceUnavailable during the outage');

    for (const conv of convs) {
      const { activities } = await readAll(server, conv, '0');
      const byId = new Map(activities.map((a) => [a.id, a]));
      assert.equal(byId.size, activities.length, 'ids are unique');
      const texts = activities.filter((a) => a.from?.role === 'user').map((a) => a.text);
      assert.equal(new Set(texts).size, texts.length, 'no message is stored twice');
      for (const { id, text } of acked.get(conv.conversationId)) {
        assert.equal(byId.get(id)?.text, text, `acknowledged ${id} ("${text}") is stored`);
      }
    }
    assert.equal((await server.stop()).code, 0);
  } finally {
    await server.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
