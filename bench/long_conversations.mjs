// Long conversations that escalate again and again, over Direct Line HTTP (the Node client of the
// blackbox tests): what a handoff in a conversation with a long history costs the engine.
//
// Two figures per build, each round alternating the builds (the machines are shared and noisy):
//  - repeated escalations: CONVERSATIONS customers, each first sending WARM messages the Contoso bot
//    does not understand (it escalates after every second one; with no agent online the handoff
//    fails and the bot takes the conversation back), then as many more as it answers in SECONDS,
//    closed loop: turns/s and POST latency p50/p99 (the POST returns once the turn is durable);
//  - one handoff after LONG turns: the latency of the POST that escalates ("agent").
//
//   node bench/long_conversations.mjs                              # build/baton
//   BASELINE_BIN=/tmp/baton-old node bench/long_conversations.mjs  # and a baseline, alternated
//
// Environment: BATON_BIN (the build measured, default build/baton), BASELINE_BIN, CONVERSATIONS
// (4), WARM (150), SECONDS (3), LONG (1000), ROUNDS (3). Prints one key=value line per measurement.
import { rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Server, makeDataDir, newConversation, postActivity, userMessage,
} from '../tests/lib/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const CONVERSATIONS = env('CONVERSATIONS', 4);
const WARM = env('WARM', 150);
const SECONDS = env('SECONDS', 3);
const LONG = env('LONG', 1000);
const ROUNDS = env('ROUNDS', 3);
const builds = [['candidate', process.env.BATON_BIN ?? join(here, '..', 'build', 'baton')]];
if (process.env.BASELINE_BIN) {
  builds.unshift(['baseline', process.env.BASELINE_BIN]);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function withServer(bin, fn) {
  const dataDir = makeDataDir('baton-long-');
  const server = await new Server({ dataDir, binary: bin, secret: 'long-bench',
                                    args: ['--rate-limit', '1000000', '--session-rate-limit', '0'] })
    .start();
  try {
    return await fn(server);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function post(server, conv, text) {
  const r = await postActivity(server, conv, userMessage(conv, text));
  if (r.status !== 200) {
    throw new Error(`POST activities: ${r.status} ${r.text}`);
  }
}

async function repeatedEscalations(server) {
  const convs = await Promise.all(
    Array.from({ length: CONVERSATIONS }, (_, i) => newConversation(server, `u-long-${i}`)));
  await Promise.all(convs.map(async (c) => {
    for (let k = 0; k < WARM; ++k) {
      await post(server, c, `warm ${k}`);
    }
  }));
  const latencies = [];
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(convs.map(async (c) => {
    for (let k = 0; Date.now() < until; ++k) {
      const started = performance.now();
      await post(server, c, `load ${k}`);
      latencies.push(performance.now() - started);
    }
  }));
  latencies.sort((a, b) => a - b);
  return { turns_per_s: (latencies.length / SECONDS).toFixed(0),
           p50_ms: percentile(latencies, 0.5).toFixed(1),
           p99_ms: percentile(latencies, 0.99).toFixed(1) };
}

async function handoffAfterLongConversation(server) {
  const conv = await newConversation(server, 'u-long-handoff');
  for (let i = 0; i < LONG; ++i) {
    await post(server, conv, i % 2 ? 'Redmond' : 'what are your store hours');
  }
  const started = performance.now();
  await post(server, conv, 'agent');
  return { handoff_post_ms: (performance.now() - started).toFixed(1) };
}

const line = (fields) => Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ');
for (let round = 1; round <= ROUNDS; ++round) {
  for (const [name, bin] of builds) {
    const repeated = await withServer(bin, repeatedEscalations);
    console.log(line({ round, build: name, scenario: 'repeated_escalations', conversations: CONVERSATIONS,
                       warm: WARM, ...repeated }));
    const long = await withServer(bin, handoffAfterLongConversation);
    console.log(line({ round, build: name, scenario: 'handoff_after_long', turns: LONG, ...long }));
  }
}
