// Crash test: `kill -9` the server while conversations are sending messages concurrently through the
// Direct Line HTTP API, restart it on the same data dir, and check:
//  - every ACKNOWLEDGED activity (HTTP 200 with an id) is in its conversation, with its text;
//  - watermarks continue (new activities get higher sequence numbers, none reused);
//  - a dialog waiting for an answer resumes (answer after the restart → the next step);
//  - the greeting does not run again, and bot replies only point at stored activities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  Server, makeDataDir, newConversation, postActivity, readAll, userMessage, waitUntil, botTexts,
  sequenceOf, sleep,
} from '../lib/serve.mjs';

const CONVERSATIONS = Number(process.env.CRASH_CONVERSATIONS ?? 24);
const MIN_ACKED = Number(process.env.CRASH_MIN_ACKED ?? 3000);
const SECRET = 'crash-test-secret-42';

test('kill -9 under load: acknowledged messages survive, watermarks continue, dialogs resume',
     { timeout: 120000 }, async () => {
  const dataDir = makeDataDir('baton-crash-');
  // A generous rate limit: the load must not be throttled.
  // One process plays every customer: the per-address limits are off.
  const args = ['--rate-limit', '1000000', '--session-rate-limit', '0'];
  let server = await new Server({ dataDir, secret: SECRET, args }).start();
  try {
    // A conversation left in the middle of a question.
    const dialog = await newConversation(server, 'u-dialog');
    let r = await postActivity(server, dialog, userMessage(dialog, 'what are your store hours'));
    assert.equal(r.status, 200, r.text);
    await waitUntil(async () => botTexts((await readAll(server, dialog)).activities)
      .includes('Which store are you asking about?'), 10000, 'the store question');

    const convs = await Promise.all(Array.from({ length: CONVERSATIONS },
                                               (_, i) => newConversation(server, `u-load-${i}`)));
    const acked = new Map(convs.map((c) => [c.conversationId, []]));  // id → text, in ack order
    let ackCount = 0;
    let stop = false;
    const sender = async (conv) => {
      for (let k = 0; !stop; ++k) {
        const text = `load ${conv.userId} #${k}`;
        let res;
        try {
          res = await postActivity(server, conv, userMessage(conv, text));
        } catch {
          return;  // the server is gone: nothing more can be acknowledged
        }
        if (res.status === 200 && res.body?.id) {
          acked.get(conv.conversationId).push({ id: res.body.id, text });
          ++ackCount;
        } else if (!stop) {
          await sleep(5);
        }
      }
    };
    const senders = convs.map(sender);
    // (Generous: a shared CI machine under the parallel suite can be several times slower.)
    await waitUntil(() => ackCount >= MIN_ACKED, 60000, `${MIN_ACKED} acknowledged messages`);
    await server.kill9();
    stop = true;
    await Promise.all(senders);
    console.log(`crash: killed after ${ackCount} acknowledged messages over ${CONVERSATIONS} conversations`);

    const restartStart = Date.now();
    server = await new Server({ dataDir, secret: SECRET, args }).start();
    console.log(`crash: restart to ready ${Date.now() - restartStart} ms`);

    for (const conv of convs) {
      const { activities } = await readAll(server, conv, '0');
      const byId = new Map(activities.map((a) => [a.id, a]));
      assert.equal(byId.size, activities.length, 'ids are unique');
      for (const { id, text } of acked.get(conv.conversationId)) {
        const stored = byId.get(id);
        assert.ok(stored, `acknowledged ${id} ("${text}") is stored after kill -9`);
        assert.equal(stored.text, text, `stored ${id} holds what was sent`);
      }
      const seqs = activities.map(sequenceOf);
      for (let i = 1; i < seqs.length; ++i) {
        assert.ok(seqs[i] > seqs[i - 1], `sequence numbers increase: ${seqs.slice(i - 1, i + 1)}`);
      }
      for (const a of activities) {
        if (a.from?.role === 'bot' && a.replyToId) {
          assert.ok(byId.has(a.replyToId), `reply ${a.id} points at a stored activity`);
        }
      }
      const maxSeq = Math.max(...seqs);
      const res = await postActivity(server, conv, userMessage(conv, 'one more message'));
      assert.equal(res.status, 200, res.text);
      assert.ok(sequenceOf(res.body) > maxSeq,
                `watermarks continue: ${res.body.id} after seq ${maxSeq}`);
      const after = await readAll(server, conv, String(maxSeq));
      assert.equal(after.activities[0]?.id, res.body.id, 'the new message is the next activity');
      assert.ok(Number(after.watermark) > maxSeq, 'the watermark moved past the old one');
    }

    // Greeting ran once per conversation, restart or not.
    const sample = await readAll(server, convs[0], '0');
    assert.equal(botTexts(sample.activities).filter((t) => t?.startsWith("Hi! I'm the Contoso")).length, 1,
                 'the greeting does not run again after the restart');

    // The dialog resumes at its pending question.
    r = await postActivity(server, dialog, userMessage(dialog, 'Bellevue'));
    assert.equal(r.status, 200, r.text);
    await waitUntil(async () => botTexts((await readAll(server, dialog)).activities)
      .some((t) => t?.startsWith('Our Bellevue store is open 9am to 8pm')), 10000,
                    'the dialog to resume at its question after kill -9');
    const exit = await server.stop();
    assert.equal(exit.code, 0, `graceful shutdown exits 0: ${JSON.stringify(exit)}`);
  } finally {
    await server.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
