// Customers must not be able to write staff lines into the agent console: events named like the
// server's own (a `baton.note` "internal note", a `handoff.status` "Handoff completed") are refused
// by Direct Line, and whatever a customer does send is rendered as the customer's, because the
// console decides how to draw a line from the sender the server assigned, never from the activity's
// name or `from` fields. Attachment links in the console only ever point at this server's files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient, addAgent } from '../lib/agentclient.mjs';
import { Chromium, STEP_MS, accept, anyOffer, convPanel, waitText } from '../lib/browser.mjs';
import { newConversation, postActivity, request, startServer, userMessage } from '../lib/serve.mjs';

const PASSWORD = 'forged-lines-1';
let server;
let chromium;

before(async () => {
  server = await startServer();
  await server.stop();
  await addAgent(server.dataDir, { id: 'alice', name: 'Alice', password: PASSWORD, capacity: 3 });
  await server.start();
  chromium = await Chromium.launch();
});

after(async () => {
  await chromium?.close();
  await server?.cleanup();
});

const FORGED_NOTE = {
  type: 'event', name: 'baton.note', from: { name: 'Boss' },
  value: { text: 'Supervisor approved: refund $500' },
};

test('Direct Line refuses customer events named like the server\'s own, in any case', async () => {
  const conv = await newConversation(server);
  for (const name of ['baton.note', 'handoff.status', 'handoff.initiate', 'Baton.Note',
                      'HANDOFF.status', 'baton.variables']) {
    for (const auth of [conv.token, server.secret]) {
      const r = await postActivity(server, conv, { ...FORGED_NOTE, name }, auth);
      assert.equal(r.status, 400, `${name}: ${r.text}`);
      assert.equal(r.body.error.code, 'BadArgument', r.text);
    }
  }
  // Names merely containing the words are the customer's own business.
  assert.equal((await postActivity(server, conv, { ...FORGED_NOTE, name: 'my.baton.note' })).status,
               200);
});

test('customer attachment URLs must be http(s)', async () => {
  const conv = await newConversation(server);
  for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
                     'file:///etc/passwd', 'vbscript:x', '//evil.example/x', 'not a url']) {
    const r = await postActivity(server, conv, userMessage(conv, 'see', {
      attachments: [{ contentType: 'image/png', contentUrl: url, name: 'x.png' }],
    }));
    assert.equal(r.status, 400, `${url}: ${r.text}`);
    assert.match(r.body.error.message, /attachments\[0\]\.contentUrl/);
  }
  const ok = await postActivity(server, conv, userMessage(conv, 'see', {
    attachments: [{ contentType: 'image/png', contentUrl: 'https://cdn.example.com/x.png', name: 'x.png' }],
  }));
  assert.equal(ok.status, 200, ok.text);
});

test('what a customer sends shows as the customer\'s in the console, never as a note or system line',
     { timeout: 90000 }, async () => {
  try {
    const alice = await chromium.openConsole(server, 'alice', PASSWORD);
    const conv = await newConversation(server);
    assert.equal((await postActivity(server, conv, userMessage(conv, 'talk to an agent'))).status, 200);
    const id = await anyOffer(alice);
    assert.equal(id, conv.conversationId);
    await accept(alice, id);
    const panel = convPanel(alice, id);

    // With the secret a sender may name any `from`; the server still marks it as the customer's.
    const posted = [
      await postActivity(server, conv, userMessage(conv, 'Supervisor approved: refund $500', {
        from: { id: 'agent:boss', name: 'Boss', role: 'bot' },
      }), server.secret),
      await postActivity(server, conv, { type: 'event', name: 'note', from: { name: 'Boss' },
                                         value: { text: 'Internal: customer verified' } }),
      await postActivity(server, conv, userMessage(conv, 'my file', {
        attachments: [{ contentType: 'text/html', contentUrl: 'https://evil.example/phish.html',
                        name: 'invoice.html' }],
      })),
    ];
    for (const r of posted) {
      assert.equal(r.status, 200, r.text);
    }
    const customer = panel.getByTestId('transcript-customer');
    await waitText(customer, /Supervisor approved: refund \$500/);
    await waitText(customer, /Internal: customer verified/);
    await waitText(customer, /invoice\.html/);
    for (const testid of ['transcript-note', 'transcript-agent', 'transcript-system']) {
      const forged = panel.getByTestId(testid).filter({ hasText: /refund \$500|customer verified/ });
      assert.equal(await forged.count(), 0, `a customer's line rendered as ${testid}`);
    }
    // The foreign link is text, not a link.
    assert.equal(await panel.getByTestId('attachment-link').count(), 0);

    // The API says the same.
    const agent = new AgentClient(server);
    await agent.login('alice', PASSWORD);
    const detail = await agent.ok('GET', `/conversations/${encodeURIComponent(id)}`);
    const forgedEntries = detail.transcript.filter((e) =>
      /refund \$500|customer verified/.test(JSON.stringify(e.activity)));
    assert.equal(forgedEntries.length, 2);
    for (const e of forgedEntries) {
      assert.equal(e.sender, 'customer');
      assert.equal(e.internal, false);
      assert.notEqual(e.kind, 'note');
    }

    // A real note from the agent is still a note.
    await agent.ok('POST', `/conversations/${encodeURIComponent(id)}/notes`, { text: 'real note' });
    await waitText(panel.getByTestId('transcript-note'), /real note/);

    // An uploaded file is this server's: its link is shown.
    const form = new FormData();
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
    const up = await fetch(`${server.domain}/conversations/${encodeURIComponent(id)}/upload?userId=${conv.userId}`,
                           { method: 'POST', headers: { Authorization: `Bearer ${conv.token}` }, body: form });
    assert.equal(up.status, 200, await up.text());
    const link = panel.getByTestId('attachment-link');
    await link.first().waitFor({ timeout: STEP_MS });
    const href = await link.first().getAttribute('href');
    assert.ok(href.startsWith(`${server.base}/v3/directline/conversations/${id}/files/`), href);
    const file = await request(href);
    assert.equal(file.text, 'hello');
  } catch (err) {
    await chromium.reportFailure('forged-lines', server);
    throw err;
  } finally {
    await chromium.closePages();
  }
});
