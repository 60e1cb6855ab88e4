// Smoke test of the web/ toolchain (no Baton needed): proves that
//  1. botframework-directlinejs runs under Node 20 once the browser globals are installed
//     (XMLHttpRequest from `xhr2`, WebSocket from `ws`), by connecting to a tiny in-process
//     Direct Line stand-in and receiving one ActivitySet over the WebSocket;
//  2. the Web Chat UMD bundle is at the path Baton serves as /webchat/webchat.js;
//  3. playwright-core drives /usr/bin/chromium headless and the bundle defines window.WebChat.
// Run: cd web && node tests/deps_smoke.js   (exit code 0 = all good)
'use strict';

global.XMLHttpRequest = require('xhr2');
global.WebSocket = require('ws');

const assert = require('assert');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { WebSocketServer } = require('ws');
const { DirectLine, ConnectionStatus } = require('botframework-directlinejs');
const { chromium } = require('playwright-core');

const WEBCHAT_BUNDLE = path.join(__dirname, '..', 'node_modules', 'botframework-webchat', 'dist',
                                 'webchat.js');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                       '--disable-background-networking', '--disable-component-update',
                       '--disable-sync'];

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms); }),
  ]);
}

// A few lines of fake Direct Line: POST /conversations and a stream that sends one ActivitySet
// after an empty keep-alive frame (which DLJS must ignore).
function startFakeDirectLine() {
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v3/directline/conversations') {
      const { port } = server.address();
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        conversationId: 'c1', token: 'tok', expires_in: 1800,
        streamUrl: `ws://127.0.0.1:${port}/v3/directline/conversations/c1/stream?t=tok`,
      }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error":{"code":"NotFound","message":"no route"}}');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    socket.send('');
    socket.send(JSON.stringify({
      activities: [{ type: 'message', id: 'c1|1', text: 'hello', from: { id: 'bot', role: 'bot' } }],
      watermark: '1',
    }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, wss })));
}

async function checkDirectLineJs() {
  const { server, wss } = await startFakeDirectLine();
  const { port } = server.address();
  const dl = new DirectLine({ domain: `http://127.0.0.1:${port}/v3/directline`, token: 'x' });
  const statuses = [];
  dl.connectionStatus$.subscribe((s) => statuses.push(s));
  const activity = await withTimeout(new Promise((resolve, reject) => {
    dl.activity$.subscribe(resolve, reject);
  }), 10000, 'DirectLine activity');
  assert.strictEqual(activity.text, 'hello');
  assert.ok(statuses.includes(ConnectionStatus.Online), `statuses: ${statuses}`);
  dl.end();
  wss.close();
  server.close();
  console.log('ok: botframework-directlinejs under Node with xhr2 + ws globals');
}

async function checkWebChatInChromium() {
  assert.ok(fs.existsSync(WEBCHAT_BUNDLE), `missing ${WEBCHAT_BUNDLE}`);
  const server = http.createServer((req, res) => {
    if (req.url === '/webchat/webchat.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      fs.createReadStream(WEBCHAT_BUNDLE).pipe(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>smoke</title><script src="/webchat/webchat.js"></script>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
                                          args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const kinds = await page.evaluate(() => [typeof window.WebChat,
                                             typeof window.WebChat.renderWebChat,
                                             typeof window.WebChat.createDirectLine]);
    assert.deepStrictEqual(kinds, ['object', 'function', 'function']);
    console.log('ok: chromium loaded the Web Chat bundle (window.WebChat.renderWebChat)');
  } finally {
    await browser.close();
    server.close();
  }
}

(async () => {
  await checkDirectLineJs();
  await checkWebChatInChromium();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
