// Files both ways through the agent API (docs/AGENT_API.md, "Files") against the real `baton
// serve`: POST /conversations/{id}/files by the owning agent only (401 without a session, 403 for
// another agent and for a supervisor who does not own it, 409 while it is only offered, 404 for
// an unknown conversation), every refusal of a bad file (no or bad type, no name, empty, two
// parts: 400; over the upload bound: 413 before the body is read), then a raw file and a
// multipart image stored like the customer's uploads: served back byte for byte with the uploads'
// safe headers, and delivered to the customer (Direct Line) as a message with one attachment
// {contentType, contentUrl, name}. GET me's filesBase is the prefix of every such contentUrl.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { AgentClient, startWithAgents } from '../lib/agentclient.mjs';
import { newConversation, postActivity, readAll, request, userMessage, waitUntil } from '../lib/serve.mjs';

const MAX_UPLOAD = 8 * 1024 * 1024;
let server;
let alice;  // the owner
let bob;  // another agent
let sue;  // a supervisor
let conv;
let id;

function sendRaw(client, conversation, bytes, headers = {}) {
  return request(`${server.base}/api/agent/conversations/${encodeURIComponent(conversation)}/files`,
                 { method: 'POST', auth: client?.token, body: bytes, headers });
}

function sendForm(client, conversation, form) {
  return request(`${server.base}/api/agent/conversations/${encodeURIComponent(conversation)}/files`,
                 { method: 'POST', auth: client?.token, body: form });
}

// A request's headers only (its Content-Length promising `length` bytes): the status the server
// answers before reading any body, 0 when it answers nothing within `ms`.
function headersOnly(target, headers, length, ms = 3000) {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      answer += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (m && answer.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', () => {});
    const timer = setTimeout(() => { socket.destroy(); resolve(0); }, ms);
    socket.on('connect', () => {
      socket.write(`POST ${target} HTTP/1.1\r\nHost: a\r\n${headers}Content-Length: ${length}\r\n\r\n`);
    });
  });
}

const pdf = () => new Uint8Array(randomBytes(3000));
const PDF_HEADERS = { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="report.pdf"' };

before(async () => {
  server = await startWithAgents([{ id: 'alice', name: 'Alice Agent' }, { id: 'bob' }, { id: 'sue', role: 'supervisor' }]);
  alice = new AgentClient(server);
  await alice.login('alice');
  await alice.connect();
  bob = new AgentClient(server);
  await bob.login('bob');
  sue = new AgentClient(server);
  await sue.login('sue');
  await alice.setPresence('available');
  conv = await newConversation(server);
  id = conv.conversationId;
  const said = await postActivity(server, conv, userMessage(conv, 'talk to an agent'));
  assert.equal(said.status, 200, said.text);
});

after(async () => {
  for (const c of [alice, bob, sue]) {
    c?.close();
  }
  await server?.cleanup();
});

test('rights: the owner only; offered is not owned', async () => {
  const me = await alice.ok('GET', '/me');
  assert.equal(me.filesBase, `${server.domain}/conversations/`);

  const offer = await alice.waitFor((m) => m.type === 'offer' && m.conversationId === id);
  // Offered to alice, not yet accepted: 409, and nothing is stored.
  const early = await sendRaw(alice, id, pdf(), PDF_HEADERS);
  assert.equal(early.status, 409, early.text);
  assert.equal(early.body.error.code, 'Conflict');
  await alice.ok('POST', `/offers/${encodeURIComponent(id)}/accept`, { offerId: offer.offerId });
  await alice.waitFor((m) => m.type === 'assigned' && m.conversationId === id);

  assert.equal((await sendRaw(null, id, pdf(), PDF_HEADERS)).status, 401);
  const forged = await sendRaw({ token: 'not-a-token' }, id, pdf(), PDF_HEADERS);
  assert.equal(forged.status, 401);
  const other = await sendRaw(bob, id, pdf(), PDF_HEADERS);
  assert.equal(other.status, 403, other.text);
  assert.equal(other.body.error.code, 'Forbidden');
  const supervisor = await sendRaw(sue, id, pdf(), PDF_HEADERS);
  assert.equal(supervisor.status, 403, supervisor.text);
  for (const unknown of ['AAAAAAAAAAAAAAAAAAAAAA', 'no such id', '..']) {
    const r = await sendRaw(alice, unknown, pdf(), PDF_HEADERS);
    assert.ok([403, 404].includes(r.status), `${unknown}: ${r.status} ${r.text}`);
  }
  // None of the refused files reached the customer.
  const { activities } = await readAll(server, conv);
  assert.equal(activities.filter((a) => (a.attachments ?? []).length > 0).length, 0);
});

test('bad files: 400 with the reason, 413 over the bound', async () => {
  const bad = [
    [{ 'Content-Disposition': 'attachment; filename="a.bin"' }, pdf(), /Content-Type/],
    [{ 'Content-Type': 'not a type', 'Content-Disposition': 'attachment; filename="a.bin"' }, pdf(), /invalid content type/],
    [{ 'Content-Type': 'image/', 'Content-Disposition': 'attachment; filename="a.png"' }, pdf(), /invalid content type/],
    [{ 'Content-Type': 'text/plain"><script>', 'Content-Disposition': 'attachment; filename="a.txt"' }, pdf(), /invalid content type/],
    [{ 'Content-Type': 'application/pdf' }, pdf(), /needs a name/],
    [{ 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="../x/y.pdf"' }, pdf(), /invalid file name/],
    [PDF_HEADERS, new Uint8Array(0), /empty/],
  ];
  for (const [headers, bytes, message] of bad) {
    const r = await sendRaw(alice, id, bytes, headers);
    assert.equal(r.status, 400, `${JSON.stringify(headers)}: ${r.text}`);
    assert.equal(r.body.error.code, 'BadArgument');
    assert.match(r.body.error.message, message);
  }
  const two = new FormData();
  two.append('file', new Blob(['a'], { type: 'text/plain' }), 'a.txt');
  two.append('file', new Blob(['b'], { type: 'text/plain' }), 'b.txt');
  const twoParts = await sendForm(alice, id, two);
  assert.equal(twoParts.status, 400, twoParts.text);
  assert.match(twoParts.body.error.message, /one multipart part/);

  // Over the bound: 413 on the headers, before the body is read; without a session 401 first.
  const target = `/api/agent/conversations/${encodeURIComponent(id)}/files`;
  const fileHeaders = 'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="big.pdf"\r\n';
  assert.equal(await headersOnly(target, `Authorization: Bearer ${alice.token}\r\n${fileHeaders}`, MAX_UPLOAD + 1), 413);
  assert.equal(await headersOnly(target, fileHeaders, MAX_UPLOAD), 401);
  // At the bound itself the body is read (and the file taken).
  const atBound = await sendRaw(alice, id, new Uint8Array(MAX_UPLOAD), PDF_HEADERS);
  assert.equal(atBound.status, 200, atBound.text);
  // The server keeps serving.
  assert.equal((await alice.call('GET', '/me')).status, 200);
});

test('a raw file and a multipart image: stored, served back, delivered to the customer', async () => {
  const bytes = pdf();
  const sent = await sendRaw(alice, id, bytes, PDF_HEADERS);
  assert.equal(sent.status, 200, sent.text);
  const prefix = `${server.domain}/conversations/${id}/files/`;
  assert.equal(sent.body.attachment.contentType, 'application/pdf');
  assert.equal(sent.body.attachment.name, 'report.pdf');
  assert.ok(sent.body.attachment.contentUrl.startsWith(prefix), sent.body.attachment.contentUrl);
  assert.match(sent.body.attachment.contentUrl.slice(prefix.length), /^[A-Za-z0-9_-]{22}\.pdf$/);
  const served = await fetch(sent.body.attachment.contentUrl);
  assert.equal(served.status, 200);
  assert.deepEqual(new Uint8Array(await served.arrayBuffer()), bytes);
  assert.equal(served.headers.get('content-type'), 'application/pdf');
  assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(served.headers.get('content-security-policy'), 'sandbox');
  assert.equal(served.headers.get('content-disposition'), 'attachment');

  const png = new Uint8Array(randomBytes(500));
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), 'Grüße 1.png');
  const image = await sendForm(alice, id, form);
  assert.equal(image.status, 200, image.text);
  assert.equal(image.body.attachment.name, 'Grüße 1.png');
  assert.equal(image.body.attachment.contentType, 'image/png');

  // The customer gets both as messages from the agent, each with its one attachment.
  let delivered = [];
  await waitUntil(async () => {
    const { activities } = await readAll(server, conv);
    delivered = activities.filter((a) => a.type === 'message' && [sent.body.id, image.body.id].includes(a.id));
    return delivered.length === 2;
  }, 5000, 'the two files to reach the customer');
  assert.deepEqual(delivered.map((a) => a.attachments), [[sent.body.attachment], [image.body.attachment]]);
  assert.deepEqual(delivered.map((a) => a.id), [sent.body.id, image.body.id]);
  for (const a of delivered) {
    assert.equal(a.from.id, 'agent:alice');
    assert.equal(a.from.name, 'Alice Agent');
  }
  const back = await fetch(image.body.attachment.contentUrl);
  assert.deepEqual(new Uint8Array(await back.arrayBuffer()), png);
  assert.equal(back.headers.get('content-disposition'), null, 'images are shown inline');

  // The agent's stream shows the files in the conversation.
  const entry = await alice.waitFor((m) => m.type === 'activity' && m.conversationId === id &&
                                           m.entry?.activity?.attachments?.[0]?.name === 'report.pdf');
  assert.equal(entry.entry.sender, 'agent');
});
