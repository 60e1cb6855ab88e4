// Files both ways in headless Chromium (Debian's /usr/bin/chromium via playwright-core) against a
// real `baton serve`: a customer on the official DirectLineJS client asks for an agent and uploads
// an image and a text file (Direct Line's upload, with the customer's token); the agent's console
// shows the image as a preview (loaded from this server) and both as links, while attachments
// naming foreign URLs, or this server's files of another conversation, stay plain text; the agent
// sends a file with the reply box's Attach button; the customer receives the attachment
// {contentType, contentUrl, name} and downloads exactly the bytes sent. Then a Web Chat customer
// (the test page) sees the agent's file under its name, linking to this server's copy. Screenshots in
// $BATON_TEST_OUTPUT (else $TMPDIR; paths printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { STEP_MS, waitText } from '../lib/browser.mjs';
import { ConsoleSuite, PASSWORD, dlCustomerHandedTo, webChatHandedTo } from '../lib/console.mjs';
import { newConversation, postActivity, waitUntil } from '../lib/serve.mjs';

const suite = new ConsoleSuite('files-e2e', { agents: [{ id: 'alice', name: 'Alice Martin', capacity: 2 }] });
before(() => suite.start());
after(() => suite.stop());

// A real PNG (stripes, `w`×`h`, RGB), so the console's preview has something to draw.
function stripesPng(w = 96, h = 48) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; ++k) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) {
      c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8;  // bit depth
  header[9] = 2;  // RGB
  const rows = [];
  for (let y = 0; y < h; ++y) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; ++x) {
      const blue = Math.floor(x / 12) % 2 === 0;
      row.set(blue ? [30, 90, 200] : [240, 180, 20], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
                        chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))),
                        chunk('IEND', Buffer.alloc(0))]);
}

// Direct Line's upload as DirectLineJS sends it: an `activity` part and one `file` part per file.
async function upload(conversationId, token, userId, files) {
  const form = new FormData();
  form.append('activity', new Blob([JSON.stringify({ type: 'message', from: { id: userId, role: 'user' } })],
                                   { type: 'application/vnd.microsoft.activity' }));
  for (const f of files) {
    form.append('file', new Blob([f.bytes], { type: f.type }), f.name);
  }
  const res = await fetch(`${suite.server.domain}/conversations/${encodeURIComponent(conversationId)}/upload?userId=${userId}`,
                          { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  assert.equal(res.status, 200, await res.text());
}

test('a customer\'s image is previewed in the console; the agent\'s file reaches the customer intact',
     { timeout: 120000 }, async () => {
  const { chromium, server } = suite;
  let customer;
  await suite.run('files-e2e', async () => {
    const alice = await chromium.openConsole(server, 'alice', PASSWORD);
    const userId = `dl_files_${Date.now()}`;
    const handed = await dlCustomerHandedTo(server, alice, userId);
    customer = handed.customer;
    const { id, panel } = handed;

    // The customer uploads an image and a text file.
    const png = stripesPng();
    await upload(id, customer.token, userId, [
      { bytes: png, type: 'image/png', name: 'stripes.png' },
      { bytes: Buffer.from('order 1234\n'), type: 'text/plain', name: 'order.txt' },
    ]);
    const image = panel.getByTestId('attachment-image');
    await image.waitFor({ timeout: STEP_MS });
    await waitUntil(() => image.evaluate((img) => img.complete && img.naturalWidth === 96), STEP_MS,
                    'the preview to load from the server');
    const links = panel.getByTestId('attachment-link');
    await waitUntil(async () => (await links.count()) === 2, STEP_MS, 'both files linked');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const prefix = `${server.base}/v3/directline/conversations/${id}/files/`;
    for (const href of hrefs) {
      assert.ok(href.startsWith(prefix), href);
    }
    assert.equal(await image.getAttribute('src'), hrefs[0]);
    assert.deepEqual(Buffer.from(await (await fetch(hrefs[0])).arrayBuffer()), png);
    assert.equal(await (await fetch(hrefs[1])).text(), 'order 1234\n');
    await suite.shot(alice, 'files-1-customer-upload-preview');

    // Attachments that are not this conversation's stored files stay text: a foreign image, and a
    // real file of this server that belongs to another conversation.
    const other = await newConversation(server);
    await upload(other.conversationId, other.token, other.userId,
                 [{ bytes: png, type: 'image/png', name: 'elsewhere.png' }]);
    const elsewhere = JSON.parse(await (await fetch(
      `${server.domain}/conversations/${encodeURIComponent(other.conversationId)}/activities?watermark=0`,
      { headers: { Authorization: `Bearer ${other.token}` } })).text())
      .activities.find((a) => a.attachments?.length).attachments[0].contentUrl;
    // (Over REST: DirectLineJS would fetch and upload the attachments itself.)
    const forged = await postActivity(server, { conversationId: id, token: customer.token }, {
      type: 'message', text: 'two links', from: { id: userId, role: 'user' },
      attachments: [
        { contentType: 'image/png', contentUrl: 'https://evil.example/pixel.png', name: 'foreign.png' },
        { contentType: 'image/png', contentUrl: elsewhere, name: 'other-conversation.png' },
      ],
    });
    assert.equal(forged.status, 200, forged.text);
    const line = panel.getByTestId('transcript-customer').filter({ hasText: 'two links' });
    await waitText(line, /foreign\.png/);
    await waitText(line, /other-conversation\.png/);
    assert.equal(await line.getByTestId('attachment-link').count(), 0);
    assert.equal(await line.getByTestId('attachment-image').count(), 0);
    assert.equal(await panel.locator('img[src*="evil.example"]').count(), 0);

    // The agent sends a file with Attach.
    const sent = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
    const answered = alice.waitForResponse((r) => r.url().endsWith(`/conversations/${id}/files`));
    await panel.getByTestId('attach-input').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: sent });
    assert.equal((await answered).status(), 200);
    const got = await customer.waitFor((a) => a.type === 'message' && a.attachments?.length === 1 &&
                                              a.from?.id === 'agent:alice',
                                       { ms: STEP_MS, what: 'the agent\'s file at the customer' });
    assert.equal(got.attachments[0].name, 'invoice.pdf');
    assert.equal(got.attachments[0].contentType, 'application/pdf');
    assert.ok(got.attachments[0].contentUrl.startsWith(prefix), got.attachments[0].contentUrl);
    const download = await fetch(got.attachments[0].contentUrl);
    assert.equal(download.headers.get('content-disposition'), 'attachment');
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), sent);
    await waitText(panel.getByTestId('transcript-agent'), /invoice\.pdf/);
    await suite.shot(alice, 'files-2-agent-sent');
    const errors = chromium.pages.flatMap((p) => p.errors);
    assert.deepEqual(errors, []);
    for (const p of chromium.pages) {
      assert.deepEqual(p.violations, [], `${p.label}: no CSP violations`);
    }
  }, { always: () => customer?.end() });
});

test('Web Chat shows the agent\'s file under its name, linking to this server\'s copy',
     { timeout: 120000 }, async () => {
  const { chromium, server } = suite;
  await suite.run('files-e2e-webchat', async () => {
    const alice = await chromium.openConsole(server, 'alice', PASSWORD);
    const { chat, id, panel } = await webChatHandedTo(chromium, server, alice);

    const sent = Buffer.from('hello from the agent\n');
    const answered = alice.waitForResponse((r) => r.url().endsWith(`/conversations/${id}/files`));
    await panel.getByTestId('attach-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: sent });
    const answer = await (await answered).json();
    await chat.getByText('notes.txt').first().waitFor({ timeout: STEP_MS });
    await chat.locator(`a[href="${answer.attachment.contentUrl}"]`).first().waitFor({ timeout: STEP_MS });
    assert.equal(await (await fetch(answer.attachment.contentUrl)).text(), 'hello from the agent\n');
    await suite.shot(chat, 'files-3-webchat-customer');
    await suite.shot(alice, 'files-4-webchat-agent');
  });
});
