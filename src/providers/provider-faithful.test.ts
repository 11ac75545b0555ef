/**
 * Provider-faithful behaviour over real HTTP on 127.0.0.1 (issue 10 §4 and §5):
 *  - Gemini's quota 429 (RetryInfo, QuotaFailure, no Retry-After) makes a governed call wait
 *    its retryDelay and then succeed: no key set aside, nothing fails;
 *  - a key set aside for a key error is probed again after its cool-down and restored;
 *  - a fatal model error reaches the caller recognisable (isModelError) after withRetry;
 *  - the served model id is kept (OpenAI `model`, Anthropic `model`, Gemini `modelVersion`),
 *    snapshots and OpenRouter prefixes pass, another model is flagged and priced as itself.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, openaiReply, type Reply, type TestServer, type RecordedRequest } from './testing/test-server.ts';
import {
  createChatModel,
  envFrom,
  isModelError,
  loadRegistry,
  RetryExhausted,
  type ChatMessage,
  type ProviderEnv,
} from './index.ts';
import { Governor } from '../governor/governor.ts';
import { FakeClock } from '../governor/testing/fake-clock.ts';

const registry = loadRegistry();
const MESSAGES: ChatMessage[] = [{ role: 'user', content: 'Propose.' }];
const KEYS = {
  OPENAI_API_KEY: 'sk-test-faithful-openai-0001',
  ANTHROPIC_API_KEY: 'sk-ant-test-faithful-0002',
  GEMINI_API_KEY: 'AIzaTestFaithfulGemini0003',
};

let server: TestServer;
let nextReply: (req: RecordedRequest, i: number) => Reply;
before(async () => {
  server = await startServer((req, i) => nextReply(req, i));
});
after(async () => {
  await server.close();
});

function env(extra: Record<string, string> = {}): ProviderEnv {
  return envFrom({
    ...KEYS,
    OPENAI_BASE_URL: `${server.url}/v1`,
    ANTHROPIC_BASE_URL: server.url,
    GEMINI_BASE_URL: server.url,
    OPENROUTER_BASE_URL: `${server.url}/api/v1`,
    ...extra,
  });
}
const limits = { rpm: 100_000, tpm: 1e9, concurrency: 8 };
const geminiOk = (text: string, modelVersion?: string): Reply => ({
  body: {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 100, totalTokenCount: 1100 },
    ...(modelVersion ? { modelVersion } : {}),
    responseId: 'r1',
  },
});
const geminiQuota429 = (retryDelay: string): Reply => ({
  status: 429,
  body: {
    error: {
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message:
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
              quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
              quotaValue: '10',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
      ],
    },
  },
});

test('Gemini quota 429 with RetryInfo and no Retry-After: the governed call waits its retryDelay, then succeeds; the key stays in service', async () => {
  const e = env();
  // the governor runs on a FakeClock: the wait is read off the clock the pause is kept on, so load cannot stretch it
  const clock = new FakeClock();
  const arrivals: number[] = [];
  nextReply = () => {
    arrivals.push(clock.now());
    return arrivals.length === 1 ? geminiQuota429('0.8s') : geminiOk('{"ok": true}');
  };
  const governor = new Governor({ limits: { google: limits }, clock });
  const m = createChatModel('gemini-2-0-flash', { env: e, registry, governor });
  const before = server.requests.length;
  const call = m.generate({ messages: MESSAGES, maxOutputTokens: 50 });
  const google = () => governor.snapshot().find((b) => b.provider === 'google');
  // the 429 has come back over HTTP and the retry waits for a permit (a state, not a delay)
  assert.ok(await waitUntil(() => google()?.queued === 1), 'the retry queued behind the paused key');
  assert.equal(google()!.rateLimited, 1, 'the 429 paused the key for everyone');
  await clock.advanceTo(799);
  assert.equal(google()!.queued, 1, 'still waiting 799 ms after the 429');
  await clock.advanceTo(1000);
  assert.ok(await waitUntil(() => arrivals.length === 2), 'the retry went by 1000 ms');
  const r = await call;
  assert.equal(r.text, '{"ok": true}');
  assert.equal(r.attempts, 2);
  assert.equal(server.requests.length - before, 2);
  assert.equal(arrivals.length, 2);
  assert.ok(
    arrivals[1] - arrivals[0] >= 800 && arrivals[1] - arrivals[0] <= 1000,
    `the retry went ${arrivals[1] - arrivals[0]} ms after the 429, not at its 800 ms retryDelay`,
  );
  assert.equal(r.keyLabel, 'GEMINI_API_KEY');
  // nothing was set aside: the next call goes straight through on the same key
  const r2 = await m.generate({ messages: MESSAGES, maxOutputTokens: 50 });
  assert.deepEqual([r2.attempts, r2.keyLabel], [1, 'GEMINI_API_KEY']);
});

/** Resolves true once `cond` holds, checking after every turn of the event loop; false after a generous failsafe. */
async function waitUntil(cond: () => boolean, failsafeMs = 30_000): Promise<boolean> {
  const end = performance.now() + failsafeMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setImmediate(r));
  }
  return true;
}

test('a key set aside for a key error is probed again after its cool-down and restored when it works', async () => {
  let t = 0;
  const KEY2 = 'sk-test-faithful-openai-0002b';
  const e = env({ OPENAI_API_KEY_2: KEY2 });
  let firstKeyWorks = false;
  nextReply = (req) =>
    req.headers.authorization === `Bearer ${KEYS.OPENAI_API_KEY}` && !firstKeyWorks
      ? {
          status: 429,
          body: {
            error: {
              message: 'You exceeded your current quota, please check your plan and billing details.',
              type: 'insufficient_quota',
              param: null,
              code: 'insufficient_quota',
            },
          },
        }
      : openaiReply('fine');
  const mk = () => createChatModel('gpt-4o', { env: e, registry, keyPool: { coolDownMs: 600_000, now: () => t } });
  const r1 = await mk().generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.deepEqual([r1.keyLabel, r1.attempts], ['OPENAI_API_KEY_2', 2]);
  firstKeyWorks = true; // credit added
  t = 599_999;
  const r2 = await mk().generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.equal(r2.keyLabel, 'OPENAI_API_KEY_2', 'still cooling down: not tried');
  t = 600_000;
  const r3 = await mk().generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.deepEqual([r3.keyLabel, r3.attempts], ['OPENAI_API_KEY', 1], 'probed after the cool-down and answered');
  const r4 = await mk().generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.equal(r4.keyLabel, 'OPENAI_API_KEY', 'restored');
});

test('a retired model (404 model_not_found) fails at once, recognisable with isModelError; a 400 context error is not a model error', async () => {
  nextReply = () => ({
    status: 404,
    body: {
      error: {
        message: 'The model `o3-mini` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    },
  });
  const before = server.requests.length;
  await assert.rejects(
    createChatModel('o3-mini', { env: env(), registry }).generate({ messages: MESSAGES, maxOutputTokens: 20 }),
    (err: unknown) => {
      assert.ok(err instanceof RetryExhausted);
      assert.deepEqual([err.kind, err.reason, err.status], ['fatal', 'model_not_found', 404]);
      assert.equal(isModelError(err), true);
      assert.match(err.message, /fix: the provider no longer serves this id/);
      assert.equal(isModelError(Object.assign(new Error('Agent_2 (o3-mini) failed'), { cause: err })), true);
      return true;
    },
  );
  assert.equal(server.requests.length - before, 1, 'not retried');
  nextReply = () => ({
    status: 400,
    body: {
      error: {
        message: "This model's maximum context length is 128000 tokens.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    },
  });
  await assert.rejects(
    createChatModel('gpt-4o', { env: env(), registry }).generate({ messages: MESSAGES, maxOutputTokens: 20 }),
    (err: unknown) => {
      assert.equal(isModelError(err), false);
      return true;
    },
  );
});

test('served model id: OpenAI model, Anthropic model, Gemini modelVersion; snapshots and the OpenRouter prefix are not flagged', async () => {
  nextReply = () => openaiReply('a', { prompt_tokens: 10, completion_tokens: 5 }, { model: 'gpt-4o-2024-08-06' });
  const o = await createChatModel('gpt-4o', { env: env(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 20,
  });
  assert.deepEqual([o.servedModelId, o.servedModelMismatch], ['gpt-4o-2024-08-06', undefined]);
  nextReply = () => ({
    body: {
      id: 'msg',
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-1-20250805',
      content: [{ type: 'text', text: 'b' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 1 },
    },
  });
  const a = await createChatModel('claude-4-opus', { env: env(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 20,
  });
  assert.deepEqual([a.servedModelId, a.servedModelMismatch], ['claude-opus-4-1-20250805', undefined]);
  nextReply = () => geminiOk('c', 'gemini-2.0-flash-001');
  const g = await createChatModel('gemini-2-0-flash', { env: env(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 20,
  });
  assert.deepEqual([g.servedModelId, g.servedModelMismatch], ['gemini-2.0-flash-001', undefined]);
  nextReply = () =>
    openaiReply('d', { prompt_tokens: 10, completion_tokens: 5 }, { model: 'openai/gpt-4o-2024-08-06' });
  const orEnv = envFrom({
    OPENROUTER_API_KEY: 'sk-or-v1-test-faithful-0004',
    OPENROUTER_BASE_URL: `${server.url}/api/v1`,
  });
  const or = await createChatModel('gpt-4o', { env: orEnv, registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 20,
  });
  assert.deepEqual([or.servedModelId, or.servedModelMismatch], ['openai/gpt-4o-2024-08-06', undefined]);
});

test('another model answering is flagged and priced as that model when the registry knows it, else as the requested one; served_ids accepts an id', async () => {
  // gemini-2.5-flash answered by gemini-2.5-pro: 1000 in / 100 out at pro prices, not flash's
  nextReply = () => geminiOk('x', 'gemini-2.5-pro');
  const r = await createChatModel('gemini-2-5-flash', { env: env(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 20,
  });
  assert.equal(r.servedModelId, 'gemini-2.5-pro');
  assert.equal(r.servedModelMismatch, true);
  assert.equal(r.pricedAs, 'gemini-2-5-pro');
  const pro = registry.get('gemini-2-5-pro').price,
    flash = registry.get('gemini-2-5-flash').price;
  assert.ok(Math.abs(r.costUsd! - (1000 * pro.input + 100 * pro.output) / 1e6) < 1e-9, `cost ${r.costUsd}`);
  assert.ok(Math.abs(r.costUsd! - (1000 * flash.input + 100 * flash.output) / 1e6) > 1e-6);
  // an id the registry does not know: flagged, priced as requested
  nextReply = () => geminiOk('y', 'gemini-9-ultra');
  const u = await createChatModel('gemini-2-5-flash', { env: env(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 20,
  });
  assert.deepEqual([u.servedModelMismatch, u.pricedAs], [true, undefined]);
  assert.ok(Math.abs(u.costUsd! - (1000 * flash.input + 100 * flash.output) / 1e6) < 1e-9);
  // the same id listed under served_ids in a --models file is expected
  const dir = mkdtempSync(join(tmpdir(), 'bargain-served-'));
  try {
    const f = join(dir, 'models.json');
    writeFileSync(f, JSON.stringify({ models: { 'gemini-2-5-flash': { served_ids: ['gemini-9-ultra'] } } }));
    const withIds = loadRegistry(f);
    const ok = await createChatModel('gemini-2-5-flash', { env: env(), registry: withIds }).generate({
      messages: MESSAGES,
      maxOutputTokens: 20,
    });
    assert.deepEqual([ok.servedModelId, ok.servedModelMismatch], ['gemini-9-ultra', undefined]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
