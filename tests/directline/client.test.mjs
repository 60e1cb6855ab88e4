// Conformance of `baton serve` with the OFFICIAL botframework-directlinejs client (docs/PROTOCOLS.md
// §1, §7, §8), once over the WebSocket stream and once in polling mode, on the Contoso bot:
// greeting, send → echo → reply, the store-hours question with quick replies, reconnect with a
// watermark, and an escalation whose handoff record carries the va_* context while the customer
// never sees handoff events.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Client } from '../lib/dlclient.mjs';
import {
  startServer, generateToken, postActivity, readAll, handoffs, request, userMessage, waitUntil, botTexts,
  sequenceOf, sleep, directLineJs, makeDataDir,
} from '../lib/serve.mjs';

const GREETING = "Hi! I'm the Contoso virtual assistant.";
const ASK_STORE = 'Which store are you asking about?';

let server;
let agent;
before(async () => {
  // An available agent who never answers: escalations wait in the hub (queued, or offered to
  // it) instead of taking the "nobody online" path at once. Its stream stays open so the hub
  // does not set it offline.
  const dataDir = makeDataDir();
  await addAgent(dataDir, { id: 'waiting-agent', skills: ['billing'], capacity: 10 });
  server = await startServer({ dataDir });
  server.ownsDataDir = true;  // removed by cleanup()
  agent = new AgentClient(server);
  await agent.login('waiting-agent');
  await agent.connect();
  await agent.setPresence('available');
});
after(async () => {
  agent?.close();
  const exit = await server.cleanup();
  void exit;
});

const titles = (a) => (a.suggestedActions?.actions ?? []).map((x) => x.title);
const isBotMessage = (text) => (a) => a.type === 'message' && a.from?.role === 'bot' &&
  typeof a.text === 'string' && a.text.startsWith(text);

// Invariants every activity a customer receives must satisfy (docs/PROTOCOLS.md §1.6, §7.12, §8.7).
function assertCustomerView(client, conversationId, { polling }) {
  const ids = new Set();
  for (const a of client.activities) {
    assert.ok(a.id, `every activity has an id: ${JSON.stringify(a)}`);
    assert.ok(!ids.has(a.id), `duplicate activity id ${a.id}`);
    ids.add(a.id);
    if (a.type === 'typing') {
      assert.ok(!polling, 'typing is WebSocket only');
      continue;  // ephemeral: not necessarily sequenced
    }
    assert.match(a.id, new RegExp(`^${conversationId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\|\\d{7}$`));
    assert.equal(typeof a.timestamp, 'string', `timestamp is a string: ${a.id}`);
    assert.match(a.timestamp, /Z$/, `timestamp is UTC: ${a.timestamp}`);
    assert.equal(a.conversation?.id, conversationId);
    assert.notEqual(a.type, 'trace', `no trace activities for customers: ${a.id}`);
    assert.notEqual(a.type, 'handoff', `no handoff activities for customers: ${a.id}`);
    assert.ok(!(a.type === 'event' && /^handoff\./.test(a.name ?? '')),
              `customers never receive handoff.* events: ${JSON.stringify(a)}`);
    if (a.type === 'message' && a.from?.role === 'bot') {
      assert.ok(a.from.id && a.from.name, `bot messages carry from.id and from.name: ${a.id}`);
    }
  }
  // Each frame carries its activities in sequence order, but DirectLineJS emits a frame's
  // activities one by one on an async scheduler and merges frames concurrently, so two frames that
  // arrive a few ms apart (a turn's replies, then the hub's queue-position text) may interleave.
  // What the client must get: every activity once, none twice.
  const seqs = client.activities.filter((a) => a.type !== 'typing').map(sequenceOf);
  assert.equal(new Set(seqs).size, seqs.length, `no activity twice: ${seqs}`);
}

for (const mode of ['websocket', 'polling']) {
  const webSocket = mode === 'websocket';

  describe(`DirectLineJS (${mode})`, () => {
    test('greeting, send → echo → reply, store hours question with quick replies', async () => {
      const { ConnectionStatus } = directLineJs();
      const userId = `u-${mode}-1`;
      const { token } = await generateToken(server, userId);
      const client = new Client({ domain: server.domain, token, webSocket }, userId);
      try {
        await client.waitForStatus(ConnectionStatus.Online);
        const greeting = await client.waitFor(isBotMessage(GREETING), { what: 'the greeting' });
        assert.deepEqual(titles(greeting),
                         ['Store hours', 'Return an item', 'Order status', 'Pay my bill']);
        // Web Chat posts startConversation on connect: the greeting must not run twice.
        await client.send({ type: 'event', name: 'startConversation', from: { id: userId } });

        const sent = await client.say('what are your store hours', userId);
        assert.match(sent.id, /\|\d{7}$/, `POST activities returns the stored id: ${sent.id}`);
        const echo = await client.waitFor((a) => a.channelData?.clientActivityID === sent.clientActivityID,
                                          { what: 'the echo' });
        assert.equal(echo.id, sent.id, 'the echo carries the id POST returned');
        assert.equal(echo.type, 'message');
        assert.equal(echo.text, 'what are your store hours');
        assert.equal(echo.from?.id, userId);
        assert.equal(echo.channelId, 'directline', 'channelId is rewritten to directline');

        const question = await client.waitFor(isBotMessage(ASK_STORE), { what: 'the store question' });
        assert.ok(sequenceOf(question) > sequenceOf(echo), 'the reply follows the echo');
        assert.equal(question.replyToId, sent.id, 'the reply points at the customer message');
        assert.deepEqual(titles(question), ['Bellevue', 'Redmond', 'Seattle']);
        // Click a quick reply: post what the button carries (imBack → its value as text).
        const button = question.suggestedActions.actions[0];
        const answer = await client.say(button.value ?? button.title, userId);
        const hours = await client.waitFor(isBotMessage('Our Bellevue store is open 9am to 8pm'),
                                           { what: 'the store hours answer' });
        assert.equal(hours.replyToId, answer.id);
        const more = await client.waitFor(isBotMessage('Anything else I can help with?'));
        assert.deepEqual(titles(more), ['Return an item', 'Order status']);

        await sleep(300);
        const greetings = client.activities.filter(isBotMessage(GREETING));
        assert.equal(greetings.length, 1, 'the greeting runs exactly once');
        assertCustomerView(client, client.conversationId, { polling: !webSocket });
      } finally {
        client.end();
      }
    });

    test('reconnect with a watermark gets exactly the missed activities', async () => {
      const { ConnectionStatus } = directLineJs();
      const userId = `u-${mode}-2`;
      const { token } = await generateToken(server, userId);
      const first = new Client({ domain: server.domain, token, webSocket }, userId);
      let conv;
      let watermark;
      try {
        await first.waitForStatus(ConnectionStatus.Online);
        const sent = await first.say('when does the store open', userId);
        await first.replyTo(sent.id);
        await sleep(300);  // let the stream settle so the watermark covers everything shown
        watermark = first.watermark;
        assert.match(String(watermark), /^\d+$/, `the watermark is a decimal sequence: ${watermark}`);
        conv = { conversationId: first.conversationId, token: first.token, userId };
      } finally {
        first.end();
      }
      const lastSeq = Math.max(...first.activities.filter((a) => a.type !== 'typing').map(sequenceOf));
  assert.equal(String(lastSeq), watermark,
                   'the watermark is the sequence number of the last activity received');

      // While nobody listens: answer the question and ask something else.
      for (const text of ['Redmond', 'where is my order']) {
        const r = await postActivity(server, conv, userMessage(conv, text));
        assert.equal(r.status, 200, r.text);
      }
      const missed = await waitUntil(async () => {
        const all = (await readAll(server, conv, watermark)).activities;
        return all.some(isBotMessage('What is your order number?')) ? all : null;
      }, 10000, 'the bot to answer while disconnected');
      const expected = missed.filter((a) => a.type !== 'typing').map((a) => a.id);
      assert.ok(expected.length >= 5, `echoes and replies were stored: ${expected}`);

      const second = new Client({
        domain: server.domain, token: conv.token, conversationId: conv.conversationId, watermark,
        webSocket,
      });
      try {
        await second.waitFor(isBotMessage('What is your order number?'), { what: 'the missed reply' });
        await sleep(webSocket ? 300 : 600);
        const got = second.activities.filter((a) => a.type !== 'typing').map((a) => a.id);
        assert.deepEqual(got, expected, 'exactly the activities after the watermark, in order');
        assert.ok(second.activities.filter((a) => a.type !== 'typing')
          .every((a) => sequenceOf(a) > Number(watermark)), 'nothing at or before the watermark');
        // The dialog continues on the new connection.
        const sent = await second.say('CN123456', userId);
        await second.waitFor(isBotMessage('What email address did you order with?'), { from: 0 });
        assert.ok(sent.id);
      } finally {
        second.end();
      }
    });

    test('escalation: handoff record with the va_* context, no handoff events to the customer', async () => {
      const { ConnectionStatus } = directLineJs();
      const userId = `u-${mode}-3`;
      const { token } = await generateToken(server, userId);
      const client = new Client({ domain: server.domain, token, webSocket }, userId);
      try {
        await client.waitForStatus(ConnectionStatus.Online);
        await client.waitFor(isBotMessage(GREETING));
        let sent = await client.say('what are your store hours', userId);
        await client.replyTo(sent.id);
        sent = await client.say('Seattle', userId);
        await client.waitFor(isBotMessage('Anything else I can help with?'));
        sent = await client.say('talk to an agent', userId);
        await client.waitFor(isBotMessage("I'll get someone from our team to help."),
                             { what: 'the handover text' });
        const conversationId = client.conversationId;
        const records = await waitUntil(async () => {
          const list = await handoffs(server, conversationId);
          return list.length ? list : null;
        }, 10000, 'the handoff record');
        assert.equal(records.length, 1, 'one escalation, one record');
        const h = records[0];
        assert.ok(h.id, 'the record has an id');
        assert.equal(h.conversationId, conversationId);
        assert.equal(h.reason, 'requested', 'an escalation phrase is a requested handoff');
        assert.equal(h.queue, 'general');
        assert.ok(h.status, 'the record has a status');
        assert.ok(h.created, 'the record has a creation time');
        const ctx = h.request?.context ?? {};
        assert.equal(ctx.va_ConversationId, conversationId);
        assert.equal(ctx.va_BotId, 'contoso-store');
        assert.equal(ctx.va_Language, 'en-us');
        assert.equal(ctx.va_Scope, 'bot');
        assert.ok(Array.isArray(ctx.va_Topics) && ctx.va_Topics.includes('Store hours'),
                  `va_Topics: ${JSON.stringify(ctx.va_Topics)}`);
        assert.ok(Array.isArray(ctx.va_Phrases) && ctx.va_Phrases.includes('what are your store hours'),
                  `va_Phrases: ${JSON.stringify(ctx.va_Phrases)}`);
        assert.equal(ctx.StoreLocation, 'Seattle', 'user variables are merged into the context');
        assert.match(h.request.agentMessage, /^Escalated by the bot/);
        assert.equal(ctx.va_AgentMessage, h.request.agentMessage);
        const transcript = h.request.transcript ?? [];
        assert.ok(transcript.some((a) => a.text === 'what are your store hours'),
                  'the transcript holds the customer messages');
        assert.ok(transcript.some((a) => a.text === ASK_STORE), 'and the bot messages');
        assert.equal(h.request.transcriptTruncated, false, 'a short conversation is there whole');

        const state = await request(`${server.base}/api/conversations/${encodeURIComponent(conversationId)}`,
                                    { auth: server.secret });
        assert.equal(state.status, 200, state.text);
        assert.equal(state.body.id, conversationId);
        assert.ok(['queued', 'offered'].includes(state.body.ownership),
                  `a handoff leaves the conversation waiting for an agent: ${state.body.ownership}`);
        assert.equal(typeof state.body.epoch, 'number');

        await sleep(webSocket ? 300 : 600);  // anything leaking would have arrived by now
        assertCustomerView(client, conversationId, { polling: !webSocket });
        // The bot's side is paused: the customer's next message is stored (echoed) all the same.
        sent = await client.say('hello? anyone there?', userId);
        await client.waitFor((a) => a.id === sent.id, { what: 'the echo while queued' });
      } finally {
        client.end();
      }
    });
  });
}

test('pay bill: planned handover with a Cancel quick reply; Cancel gives the conversation back to the bot', async () => {
  const { ConnectionStatus } = directLineJs();
  const userId = 'u-paybill';
  const { token } = await generateToken(server, userId);
  const client = new Client({ domain: server.domain, token, webSocket: true }, userId);
  try {
    await client.waitForStatus(ConnectionStatus.Online);
    await client.waitFor(isBotMessage(GREETING));
    const sent = await client.say('I want to pay my bill', userId);
    await client.waitFor(isBotMessage('Payments are handled by our billing team.'));
    const offer = await client.waitFor((a) => a.from?.role === 'bot' && a.replyToId === sent.id &&
                                         titles(a).includes('Cancel'),
                                       { what: 'the Cancel quick reply' });
    assert.ok(offer.text, 'the handover text carries the quick reply');
    const conversationId = client.conversationId;
    const [h] = await waitUntil(async () => {
      const list = await handoffs(server, conversationId);
      return list.length ? list : null;
    }, 10000, 'the handoff record');
    assert.equal(h.reason, 'explicit', 'a handover node is an explicit handoff');
    assert.equal(h.queue, 'billing');
    assert.equal(h.request.agentMessage, 'Customer wants to pay a bill.');
    assert.match(JSON.stringify(h.request.routing ?? {}), /billing/, 'routing carries the skill');
    assert.equal(h.request.context.va_LastTopic, 'Pay bill');
    const conversationUrl = `${server.base}/api/conversations/${encodeURIComponent(conversationId)}`;
    const queued = (await request(conversationUrl, { auth: server.secret })).body;
    assert.ok(['queued', 'offered'].includes(queued.ownership), queued.ownership);

    const button = offer.suggestedActions.actions.find((x) => x.title === 'Cancel');
    await client.say(button.value ?? button.title, userId);
    await client.waitFor(isBotMessage("OK, I've cancelled the request. Anything else?"),
                         { what: 'the cancellation' });
    const back = (await request(conversationUrl, { auth: server.secret })).body;
    assert.equal(back.ownership, 'bot', 'a cancelled handoff gives the conversation back to the bot');
    assert.ok(back.epoch > queued.epoch, `every ownership change bumps the epoch: ${queued.epoch} → ${back.epoch}`);
    const [after] = await handoffs(server, conversationId);
    assert.match(String(after.status), /cancel/i, `the record shows the cancellation: ${after.status}`);
    // The bot answers again.
    const again = await client.say('what are your store hours', userId);
    await client.replyTo(again.id);
    assertCustomerView(client, conversationId, { polling: false });
  } finally {
    client.end();
  }
});

test('POST /conversations: 201 new, 200 when the token already started it; token and streamUrl', async () => {
  const userId = 'u-rest-1';
  const generated = await generateToken(server, userId);
  assert.ok(generated.conversationId && generated.token && generated.expires_in > 0,
            JSON.stringify(generated));
  const first = await request(`${server.domain}/conversations`, {
    method: 'POST', auth: generated.token, json: { user: { id: userId } },
  });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.conversationId, generated.conversationId,
               'the pre-assigned conversation id of the token');
  assert.ok(first.body.token, 'a usable token (DLJS adopts it)');
  assert.ok(first.body.expires_in > 0);
  assert.match(first.body.streamUrl, /^ws:\/\/127\.0\.0\.1:\d+\/v3\/directline\/conversations\/.+\/stream\?/);
  const again = await request(`${server.domain}/conversations`, {
    method: 'POST', auth: generated.token, json: { user: { id: userId } },
  });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.conversationId, generated.conversationId);

  const reconnect = await request(
    `${server.domain}/conversations/${encodeURIComponent(generated.conversationId)}?watermark=1`,
    { auth: first.body.token });
  assert.equal(reconnect.status, 200, reconnect.text);
  assert.ok(reconnect.body.token);
  assert.match(reconnect.body.streamUrl, /watermark=1/, 'the fresh streamUrl embeds the watermark');

  const refreshed = await request(`${server.domain}/tokens/refresh`, {
    method: 'POST', auth: first.body.token,
  });
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.equal(refreshed.body.conversationId, generated.conversationId);
  assert.ok(refreshed.body.token && refreshed.body.expires_in > 0);
  const conv = { conversationId: generated.conversationId, userId, token: refreshed.body.token };
  const posted = await postActivity(server, conv, userMessage(conv, 'hi'));
  assert.equal(posted.status, 200, `the refreshed token works: ${posted.text}`);

  const session = await request(`${server.domain}/session/getsessionid`, { auth: refreshed.body.token });
  assert.equal(session.status, 200, session.text);
  assert.equal(typeof session.body.sessionId, 'string');

  const health = await request(`${server.base}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(health.body, { status: 'ok' });
});

test('CORS preflight allows the headers DLJS sends', async () => {
  const res = await fetch(`${server.domain}/conversations`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://example.test',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type,x-ms-bot-agent',
    },
  });
  assert.ok(res.status === 200 || res.status === 204, `preflight status ${res.status}`);
  assert.ok(res.headers.get('access-control-allow-origin'), 'Access-Control-Allow-Origin');
  const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
  for (const h of ['authorization', 'content-type', 'x-ms-bot-agent']) {
    assert.ok(allowed === '*' || allowed.includes(h), `allows ${h}: ${allowed}`);
  }
  const methods = (res.headers.get('access-control-allow-methods') ?? '').toUpperCase();
  assert.ok(methods.includes('POST') && methods.includes('GET'), `allows GET, POST: ${methods}`);
});

test('upload: multipart activity + file → 200 {id}, echoed with a contentUrl serving the bytes', async () => {
  const generated = await generateToken(server, 'u-upload');
  const started = await request(`${server.domain}/conversations`, {
    method: 'POST', auth: generated.token, json: { user: { id: 'u-upload' } },
  });
  assert.equal(started.status, 201, started.text);
  const conv = { conversationId: started.body.conversationId, token: started.body.token, userId: 'u-upload' };
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
  const form = new FormData();
  const clientActivityID = 'c-upload-1';
  // What DLJS sends (docs/PROTOCOLS.md §1.2): the activity part without contentUrl, then one file part.
  form.append('activity', new Blob([JSON.stringify({
    type: 'message', text: 'my receipt', from: { id: 'u-upload', role: 'user' },
    channelData: { clientActivityID },
    attachments: [{ contentType: 'application/octet-stream', name: 'receipt.bin' }],
  })], { type: 'application/vnd.microsoft.activity' }), 'blob');
  form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'receipt.bin');
  const res = await fetch(`${server.domain}/conversations/${encodeURIComponent(conv.conversationId)}` +
                          '/upload?userId=u-upload', {
    method: 'POST', headers: { Authorization: `Bearer ${conv.token}` }, body: form,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const { id } = JSON.parse(text);
  assert.match(id, /\|\d{7}$/);
  const stored = (await readAll(server, conv)).activities.find((a) => a.id === id);
  assert.ok(stored, 'the uploaded activity is in the conversation');
  assert.equal(stored.text, 'my receipt');
  assert.equal(stored.channelData?.clientActivityID, clientActivityID);
  assert.equal(stored.attachments?.length, 1);
  const attachment = stored.attachments[0];
  assert.equal(attachment.name, 'receipt.bin');
  assert.ok(attachment.contentUrl, 'the server set a contentUrl');
  // Web Chat loads it with a plain <img src>/<a href>: no Authorization header.
  const file = await fetch(new URL(attachment.contentUrl, server.base));
  assert.equal(file.status, 200);
  assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes, 'the file is served back unchanged');
});

test('greeting: once, however many startConversation events arrive', async () => {
  const generated = await generateToken(server);
  const started = await request(`${server.domain}/conversations`, {
    method: 'POST', auth: generated.token, json: { user: {} },
  });
  assert.equal(started.status, 201, started.text);
  const conv = { conversationId: started.body.conversationId, token: started.body.token, userId: 'u-x' };
  const greeted = (acts) => botTexts(acts).filter((t) => t?.startsWith(GREETING)).length;
  for (let i = 0; i < 2; ++i) {
    const r = await postActivity(server, conv, { type: 'event', name: 'startConversation', from: { id: 'u-x' } });
    assert.equal(r.status, 200, r.text);
  }
  await waitUntil(async () => greeted((await readAll(server, conv)).activities) > 0, 10000,
                  'the greeting after startConversation');
  await sleep(300);
  assert.equal(greeted((await readAll(server, conv)).activities), 1, 'the greeting runs once');
});
