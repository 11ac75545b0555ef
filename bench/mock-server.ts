/**
 * Mock server throughput: `bargain mock-server` in its own process, driven over HTTP by
 * C concurrent clients replaying realistic negotiation prompts (every call of LlmAgent
 * negotiations, all phases and rounds 1-10) in the OpenAI, Anthropic and Gemini formats.
 * Prints requests per second, latency percentiles and the server's peak RSS.
 *
 *   node --import tsx bench/mock-server.ts [--requests 3000] [--concurrency 16]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRng, makeSpec } from '../src/game/index.ts';
import { runNegotiation } from '../src/protocol/negotiation.ts';
import { LlmAgent, type LlmCallRecord } from '../src/agents/llm/llm-agent.ts';
import { simChatModel } from '../src/agents/llm/testing/chat-models.ts';
import type { ChatMessage } from '../src/providers/types.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const REQUESTS = arg('requests', 3000);
const CONCURRENCY = arg('concurrency', 16);

async function prompts(): Promise<ChatMessage[][]> {
  const out: ChatMessage[][] = [];
  const pairs: [string, string][] = [
    ['boulware', 'boulware'],
    ['greedy', 'greedy'],
    ['conceder', 'nash'],
    ['linear', 'tit-for-tat'],
  ];
  for (const [a, b] of pairs) {
    const agents = [a, b].map(
      (s, seat) => new LlmAgent({ model: `sim:${s}`, chat: simChatModel(`sim:${s}`), seat, runIndex: 0 }),
    );
    const r = await runNegotiation({
      spec: makeSpec({ n: 2, maxRounds: 10 }),
      agents,
      values: [
        [40, 25, 15, 12, 8],
        [5, 10, 20, 30, 35],
      ],
      cosine: 0.5,
      rng: createRng(1),
      runIndex: 0,
    });
    for (const e of r.events) if (e.type === 'turn' && e.calls) out.push((e.calls[0] as LlmCallRecord).messages);
  }
  return out;
}

function request(url: string, k: number, messages: ChatMessage[], model: string): { url: string; init: RequestInit } {
  const fmt = k % 3;
  if (fmt === 0) {
    return {
      url: `${url}/v1/chat/completions`,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer sk-bench-${k % 4}` },
        body: JSON.stringify({ model, messages, max_tokens: 512 }),
      },
    };
  }
  if (fmt === 1) {
    return {
      url: `${url}/v1/messages`,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model, max_tokens: 512, system: messages[0].content, messages: messages.slice(1) }),
      },
    };
  }
  return {
    url: `${url}/v1beta/models/${model}:generateContent`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-bench' },
      body: JSON.stringify({
        systemInstruction: { parts: [{ text: messages[0].content }] },
        contents: messages
          .slice(1)
          .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
        generationConfig: { maxOutputTokens: 512 },
      }),
    },
  };
}

async function main(): Promise<void> {
  const list = await prompts();
  const avgChars = Math.round(list.reduce((a, m) => a + JSON.stringify(m).length, 0) / list.length);
  const child = spawn(
    process.execPath,
    [
      'bin/bargain.mjs',
      'mock-server',
      '--port',
      '0',
      '--strategy',
      'bench-nash=nash',
      'bench-tft=tit-for-tat',
      // the bench's ids are no provider's models: serve them as a compatible server would
      '--serve',
      'bench-linear',
      '--serve',
      'bench-nash',
      '--serve',
      'bench-tft',
      '--serve',
      'bench-greedy',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`mock-server exited ${c}`)));
  });
  const models = ['bench-linear', 'bench-nash', 'bench-tft', 'bench-greedy'];
  const lat: number[] = [];
  let next = 0,
    failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const k = next++;
        if (k >= REQUESTS) return;
        const r = request(url, k, list[k % list.length], models[k % models.length]);
        const s = performance.now();
        const res = await fetch(r.url, r.init);
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  lat.sort((a, b) => a - b);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))].toFixed(1);
  console.log(
    `mock-server: ${REQUESTS} requests (${list.length} distinct negotiation prompts, mean ${avgChars} chars; OpenAI/Anthropic/Gemini in turn; strategies linear, nash, tit-for-tat, greedy), concurrency ${CONCURRENCY}`,
  );
  console.log(`  ${(REQUESTS / secs).toFixed(0)} requests/s over ${secs.toFixed(1)} s, ${failed} non-200`);
  console.log(`  latency ms: p50 ${p(0.5)}  p90 ${p(0.9)}  p99 ${p(0.99)}  max ${lat[lat.length - 1].toFixed(1)}`);
  console.log(`  server peak RSS ${hwm ? (Number(hwm) / 1024).toFixed(0) + ' MB' : 'n/a'}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
