#!/usr/bin/env node
// A small Bot Framework bot (the `botbuilder` SDK, unmodified) to run behind Baton: it greets,
// answers two questions, echoes the rest, and on "agent" hands the conversation to Baton's hub with
// the SDK's own EventFactory.createHandoffInitiation (context + transcript). It logs every
// handoff.status it receives as one JSON line on stdout and speaks again once an agent gave the
// conversation back.
//
// Without an app id the SDK runs without authentication, as Baton then expects. With one, the bot
// checks Baton's tokens against Baton's OpenID metadata and calls Baton with tokens from Baton's
// token endpoint (docs/EXTERNAL_BOTS.md, "Authentication"):
//
//   node examples/external-bot/bot.js [--port 3979]     (0 = any free port; printed on stdout)
//        [--app-id ID --app-password-file FILE --baton http://127.0.0.1:3978]
//        [--transcript-by-url]   (the handoff's Transcript by contentUrl, served once by this bot)
//        [--tls-cert cert.pem --tls-key key.pem]   (an https endpoint)
//        [--think-ms N]   (takes N ms over each answer, like a bot that asks a slow backend)
//
// Needs web/node_modules (cd web && npm ci).
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');

const modules = path.join(__dirname, '..', '..', 'web', 'node_modules');
const { ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication, EventFactory } =
  require(require.resolve('botbuilder', { paths: [modules] }));

function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const port = Number(option('--port') ?? 3979);
const appId = option('--app-id');
const thinkMs = Number(option('--think-ms') ?? 0);

// The SDK's own credentials class gets tokens through MSAL, which accepts only Azure AD
// authorities. Baton's token endpoint is a plain OAuth 2.0 client-credentials endpoint, so the bot
// gives the SDK this factory (its documented extension point) instead.
function batonCredentialsFactory(id, password) {
  const { AppCredentials, ServiceClientCredentialsFactory } =
    require(require.resolve('botframework-connector', { paths: [modules] }));

  class BatonAppCredentials extends AppCredentials {
    constructor(tokenUrl, scope) {
      super(id, undefined, scope);
      this.tokenUrl = tokenUrl;
    }

    async refreshToken() {
      const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(password)}`)
        .toString('base64');
      const response = await fetch(this.tokenUrl, {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`,
                   'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials',
                                    scope: `${this.oAuthScope}/.default` }).toString(),
      });
      const body = await response.json();
      if (!response.ok) {
        throw new Error(`token endpoint: ${response.status} ${body.error}: ${body.error_description}`);
      }
      return { accessToken: body.access_token,
               expiresOn: new Date(Date.now() + body.expires_in * 1000) };
    }
  }

  class BatonCredentialsFactory extends ServiceClientCredentialsFactory {
    async isValidAppId(candidate) { return candidate === id; }

    async isAuthenticationDisabled() { return false; }

    async createCredentials(candidate, audience, loginEndpoint) {
      if (candidate !== id) {
        throw new Error('unknown app id');
      }
      return new BatonAppCredentials(loginEndpoint, audience);
    }
  }
  return new BatonCredentialsFactory();
}

function authentication() {
  if (!appId) {
    return new ConfigurationBotFrameworkAuthentication({});  // anonymous both ways
  }
  const baton = option('--baton');
  const password = fs.readFileSync(option('--app-password-file'), 'utf8').split('\n')[0].replace(/\r$/, '');
  return new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: appId,
    ToBotFromChannelTokenIssuer: baton,
    ToBotFromChannelOpenIdMetadataUrl: `${baton}/botframework/v1/.well-known/openidconfiguration`,
    ToChannelFromBotLoginUrl: `${baton}/botframework/v1/token`,
    ToChannelFromBotOAuthScope: baton,
    ValidateAuthority: false,
  }, batonCredentialsFactory(appId, password));
}

const adapter = new CloudAdapter(authentication());
adapter.onTurnError = async (context, error) => {
  console.error(`bot: turn error: ${error.stack || error}`);
};

// What the bot said and heard, per conversation: the handoff's transcript.
const transcripts = new Map();
// --transcript-by-url: handoffs name their transcript by contentUrl; served once, then forgotten.
const transcriptByUrl = process.argv.includes('--transcript-by-url');
const servedTranscripts = new Map();
function remember(conversationId, from, text) {
  const list = transcripts.get(conversationId) ?? [];
  list.push({ type: 'message', from: { id: from, role: from === 'bot' ? 'bot' : 'user' }, text });
  transcripts.set(conversationId, list.slice(-50));
}

async function say(context, text) {
  remember(context.activity.conversation.id, 'bot', text);
  await context.sendActivity(text);
}

async function onTurn(context) {
  const a = context.activity;
  if (a.type === ActivityTypes.ConversationUpdate) {
    const joined = (a.membersAdded ?? []).some((m) => m.id !== a.recipient.id);
    if (joined) {
      await say(context, "Hello! I'm the Contoso bot. Ask me about opening hours or your bill, " +
        "or say 'agent' to talk to a person.");
    }
    return;
  }
  if (a.type === ActivityTypes.Event && a.name === 'handoff.status') {
    console.log(JSON.stringify({ event: 'handoff.status', conversation: a.conversation.id,
      value: a.value }));
    const state = a.value?.state;
    if (state === 'completed') {
      await say(context, "Welcome back! I'm the bot again. Anything else?");
    } else if (state === 'failed') {
      await say(context, `Sorry, no agent could take this (${a.value?.message ?? 'unknown'}). ` +
        'Can I help instead?');
    }
    return;
  }
  if (a.type !== ActivityTypes.Message) {
    return;
  }
  const text = (a.text ?? '').trim();
  remember(a.conversation.id, a.from.id, text);
  if (thinkMs > 0) {
    await new Promise((resolve) => { setTimeout(resolve, thinkMs); });
  }
  const lower = text.toLowerCase();
  if (lower.includes('agent') || lower.includes('human')) {
    await say(context, 'Let me get you a person. One moment, please.');
    const handoffContext = {
      va_BotName: 'Contoso (botbuilder)',
      va_LastTopic: 'Talk to agent',
      va_LastPhrases: text,
      va_Language: 'en-us',
      va_AgentMessage: 'The customer asked for a person.',
      Product: lower.includes('bill') ? 'billing' : 'general',
    };
    const transcript = { activities: transcripts.get(a.conversation.id) ?? [] };
    if (!transcriptByUrl) {
      await context.sendActivity(EventFactory.createHandoffInitiation(context, handoffContext,
        transcript));
      return;
    }
    // The transcript by reference: Baton fetches it once from this server.
    const key = crypto.randomBytes(16).toString('hex');
    servedTranscripts.set(key, transcript);
    const event = EventFactory.createHandoffInitiation(context, handoffContext);
    event.attachments = [{ contentType: 'application/json', name: 'Transcript',
      contentUrl: `${scheme}://127.0.0.1:${server.address().port}/api/transcripts/${key}` }];
    await context.sendActivity(event);
    return;
  }
  if (lower.includes('hours') || lower.includes('open')) {
    await say(context, "We're open 9:00 to 17:00, Monday to Friday.");
  } else if (lower.includes('bill')) {
    await say(context, "Your bill is due on the 1st. Say 'agent billing' to talk to billing.");
  } else {
    await say(context, `You said: ${text}`);
  }
}

// Node's own http server: the adapter takes any request with `body` and `headers`, and a response
// with status/header/send/end.
function handle(req, res) {
  const served = req.url.match(/^\/api\/transcripts\/([0-9a-f]{32})$/);
  if (req.method === 'GET' && served && servedTranscripts.has(served[1])) {
    const body = JSON.stringify(servedTranscripts.get(served[1]));
    servedTranscripts.delete(served[1]);  // one fetch: the key is a capability
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    return;
  }
  if (req.method !== 'POST' || req.url !== '/api/messages') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > 1024 * 1024) {
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const response = {
      socket: res.socket,
      statusCode: 200,
      status(code) { this.statusCode = code; },
      header(name, value) { res.setHeader(name, value); },
      send(data) {
        if (data !== undefined && data !== null) {
          res.setHeader('Content-Type', 'application/json');
          res.writeHead(this.statusCode).end(typeof data === 'string' ? data : JSON.stringify(data));
        } else {
          res.writeHead(this.statusCode).end();
        }
      },
      end() {
        if (!res.writableEnded) {
          res.writeHead(this.statusCode).end();
        }
      },
    };
    adapter.process({ body, headers: req.headers, method: req.method }, response, onTurn)
      .catch((error) => {
        console.error(`bot: ${error.stack || error}`);
        if (!res.writableEnded) {
          res.writeHead(500).end();
        }
      });
  });
}

// --tls-cert/--tls-key: the endpoint is https (Baton checks the certificate against its trust
// store: the system's, or SSL_CERT_FILE).
const tlsCert = option('--tls-cert');
const scheme = tlsCert ? 'https' : 'http';
const server = tlsCert
  ? https.createServer({ cert: fs.readFileSync(tlsCert), key: fs.readFileSync(option('--tls-key')) },
    handle)
  : http.createServer(handle);

server.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'listening', port: server.address().port }));
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
