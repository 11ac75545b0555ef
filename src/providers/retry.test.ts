/**
 * The retry policy over real HTTP: Retry-After honoured exactly, transient backoff bounded
 * with jitter, fatal errors not retried, per-call timeouts retried as transient, caller
 * aborts never retried, key rotation on key errors shared across models, and give-up
 * messages that list the attempts without any key.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { startServer, openaiReply, type Reply, type TestServer, type RecordedRequest } from './testing/test-server.ts';
import { createChatModel, envFrom, loadRegistry, RetryExhausted, type ChatMessage } from './index.ts';
import type { TokenCharge } from '../governor/key-budget.ts';
import {
  withRetry,
  requestTokens,
  callTimeoutFor,
  TIMEOUT_REFERENCE_CAP,
  MAX_SCALED_CALL_TIMEOUT_MS,
} from './retry.ts';
import type { Governor } from '../governor/governor.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError, type ChatModel } from './types.ts';
import type { ProviderEnv } from './env.ts';

const registry = loadRegistry();
const MESSAGES: ChatMessage[] = [{ role: 'user', content: 'Propose.' }];
const KEY1 = 'sk-test-rotation-key-one-111111';
const KEY2 = 'sk-test-rotation-key-two-222222';

let server: TestServer;
let nextReply: (req: RecordedRequest, i: number) => Reply | Promise<Reply>;
before(async () => {
  server = await startServer((req, i) => nextReply(req, i));
});
after(async () => {
  await server.close();
});

function env(extra: Record<string, string> = {}): ProviderEnv {
  return envFrom({ OPENAI_API_KEY: KEY1, OPENAI_BASE_URL: `${server.url}/v1`, ...extra });
}

/** Replies from a script, one per request in order (the last repeats). */
function script(replies: Reply[]): (req: RecordedRequest) => Reply {
  let n = 0;
  return () => replies[Math.min(n++, replies.length - 1)];
}

function recorder() {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}

const err429 = (headers: Record<string, string>): Reply => ({
  status: 429,
  headers,
  body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
});
const err503: Reply = { status: 503, body: { error: { message: 'Service unavailable', type: 'server_error' } } };

test('a 429 waits exactly its Retry-After, then succeeds; attempts and latency are recorded', async () => {
  nextReply = script([err429({ 'retry-after': '2' }), err429({ 'retry-after-ms': '350' }), openaiReply('done')]);
  const rec = recorder();
  const m = createChatModel('gpt-4o', { env: env(), registry, retry: { deps: { sleep: rec.sleep } } });
  const before = server.requests.length;
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.equal(r.text, 'done');
  assert.equal(r.attempts, 3);
  assert.deepEqual(rec.waits, [2000, 350]);
  assert.equal(server.requests.length - before, 3);
  assert.ok(typeof r.latencyMs === 'number');
});

test('Retry-After is really waited (a short retry-after-ms with the real clock)', async () => {
  nextReply = script([err429({ 'retry-after-ms': '200' }), openaiReply('ok')]);
  const m = createChatModel('gpt-4o', { env: env(), registry });
  const t0 = performance.now();
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.equal(r.attempts, 2);
  assert.ok(performance.now() - t0 >= 195, 'the second attempt came before Retry-After elapsed');
});

test('a Retry-After longer than allowed gives up at once, naming the wait', async () => {
  nextReply = script([err429({ 'retry-after': '3600' })]);
  const rec = recorder();
  const m = createChatModel('gpt-4o', {
    env: env(),
    registry,
    retry: { maxRetryAfterMs: 60_000, deps: { sleep: rec.sleep } },
  });
  await assert.rejects(m.generate({ messages: MESSAGES, maxOutputTokens: 20 }), (e: unknown) => {
    assert.ok(e instanceof RetryExhausted);
    assert.equal(e.kind, 'rate_limit');
    assert.match(e.message, /asks to wait 3600s, more than the 60s allowed/);
    return true;
  });
  assert.deepEqual(rec.waits, []);
});

test('transient errors back off with bounded jitter and give up after maxAttempts with every attempt listed', async () => {
  nextReply = script([err503]);
  const rec = recorder();
  const m = createChatModel('gpt-4o', {
    env: env(),
    registry,
    retry: { maxAttempts: 4, baseDelayMs: 1000, deps: { sleep: rec.sleep, random: () => 0.5 } },
  });
  const before = server.requests.length;
  await assert.rejects(m.generate({ messages: MESSAGES, maxOutputTokens: 20 }), (e: unknown) => {
    assert.ok(e instanceof RetryExhausted);
    assert.equal(e.kind, 'transient');
    assert.equal(e.attempts.length, 4);
    assert.match(e.message, /gave up after 4 attempts/);
    assert.match(
      e.message,
      /#1 OPENAI_API_KEY transient 503 \(waited 750ms\), #2 OPENAI_API_KEY transient 503 \(waited 1\.5s\)/,
    );
    assert.match(e.message, /#4 OPENAI_API_KEY transient 503\]/);
    return true;
  });
  assert.equal(server.requests.length - before, 4);
  // ceilings 1, 2, 4 s; equal jitter puts each wait in [ceiling/2, ceiling]
  assert.deepEqual(rec.waits, [750, 1500, 3000]);
  nextReply = script([err503, err503, openaiReply('recovered')]);
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.equal(r.text, 'recovered');
  assert.equal(r.attempts, 3);
});

test('fatal errors are not retried', async () => {
  nextReply = script([
    { status: 400, body: { error: { message: 'Unsupported parameter', type: 'invalid_request_error' } } },
  ]);
  const rec = recorder();
  const m = createChatModel('gpt-4o', { env: env(), registry, retry: { deps: { sleep: rec.sleep } } });
  const before = server.requests.length;
  await assert.rejects(
    m.generate({ messages: MESSAGES, maxOutputTokens: 20 }),
    (e: unknown) => e instanceof RetryExhausted && e.kind === 'fatal' && /Unsupported parameter/.test(e.message),
  );
  assert.equal(server.requests.length - before, 1);
  assert.deepEqual(rec.waits, []);
});

test('a per-call timeout aborts a hung attempt and retries it as transient', async () => {
  nextReply = script([{ ...openaiReply('late'), delayMs: 3000 }, openaiReply('in time')]);
  const rec = recorder();
  const m = createChatModel('gpt-4o', {
    env: env(),
    registry,
    callTimeoutMs: 150,
    retry: { deps: { sleep: rec.sleep } },
  });
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 20 });
  // an attempt left to run would have returned 'late' (its answer comes after 3 s) as the first attempt
  assert.equal(r.text, 'in time', 'the hung attempt was not cut by the call timeout');
  assert.equal(r.attempts, 2);
  assert.equal(rec.waits.length, 1);
});

test('every attempt timing out ends in a transient RetryExhausted naming the timeout', async () => {
  nextReply = script([{ ...openaiReply('late'), delayMs: 2000 }]);
  const m = createChatModel('gpt-4o', {
    env: env(),
    registry,
    callTimeoutMs: 100,
    retry: { maxAttempts: 2, deps: { sleep: async () => {} } },
  });
  await assert.rejects(
    m.generate({ messages: MESSAGES, maxOutputTokens: 20 }),
    (e: unknown) => e instanceof RetryExhausted && e.kind === 'transient' && /no answer within 100 ms/.test(e.message),
  );
});

test("the caller's abort is never retried", async () => {
  const ctl = new AbortController();
  // the caller aborts once the attempt is in flight (the server has it), not after a fixed delay
  nextReply = () => {
    ctl.abort();
    return { ...openaiReply('late'), delayMs: 2000 };
  };
  const m = createChatModel('gpt-4o', { env: env(), registry, retry: { deps: { sleep: async () => {} } } });
  const before = server.requests.length;
  await assert.rejects(
    m.generate({ messages: MESSAGES, maxOutputTokens: 20, signal: ctl.signal }),
    (e: unknown) => !(e instanceof ProviderError),
  );
  assert.equal(server.requests.length - before, 1);
});

test('a rejected key rotates to the next one, for every model sharing the environment', async () => {
  const e = env({ OPENAI_API_KEY_2: KEY2 });
  nextReply = (req) =>
    req.headers.authorization === `Bearer ${KEY1}`
      ? {
          status: 401,
          body: {
            error: {
              message: `Incorrect API key provided: ${KEY1}`,
              type: 'invalid_request_error',
              code: 'invalid_api_key',
            },
          },
        }
      : openaiReply('served by key 2');
  const rec = recorder();
  const a = createChatModel('gpt-4o', { env: e, registry, retry: { deps: { sleep: rec.sleep } } });
  assert.equal(a.keyLabel, 'OPENAI_API_KEY');
  const before = server.requests.length;
  const r = await a.generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.equal(r.text, 'served by key 2');
  assert.equal(r.keyLabel, 'OPENAI_API_KEY_2');
  assert.equal(r.attempts, 2);
  assert.deepEqual(rec.waits, [], 'a key rotation does not wait');
  assert.equal(a.keyLabel, 'OPENAI_API_KEY_2');
  // another model on the same provider starts with the good key
  const b = createChatModel('o3', { env: e, registry });
  const r2 = await b.generate({ messages: MESSAGES, maxOutputTokens: 20 });
  assert.equal(r2.attempts, 1);
  const sent = server.requests.slice(before).map((q) => q.headers.authorization);
  assert.deepEqual(sent, [`Bearer ${KEY1}`, `Bearer ${KEY2}`, `Bearer ${KEY2}`]);
});

test('when every key is rejected the error names each key label and reason, never a key', async () => {
  const e = env({ OPENAI_API_KEY_2: KEY2 });
  nextReply = (req) =>
    req.headers.authorization === `Bearer ${KEY1}`
      ? {
          status: 401,
          body: {
            error: {
              message: `Incorrect API key provided: ${KEY1}`,
              type: 'invalid_request_error',
              code: 'invalid_api_key',
            },
          },
        }
      : {
          status: 429,
          body: {
            error: {
              message: 'You exceeded your current quota, please check your plan and billing details.',
              type: 'insufficient_quota',
              code: 'insufficient_quota',
            },
          },
        };
  const m = createChatModel('gpt-4o', { env: e, registry });
  let msg = '';
  await assert.rejects(m.generate({ messages: MESSAGES, maxOutputTokens: 20 }), (err: unknown) => {
    assert.ok(err instanceof RetryExhausted);
    assert.equal(err.kind, 'key');
    msg = err.message + inspect(err, { depth: 6 });
    return true;
  });
  assert.match(
    msg,
    /every key was rejected: OPENAI_API_KEY \(401: .*invalid_api_key.*\); OPENAI_API_KEY_2 \(429: .*insufficient_quota/,
  );
  assert.ok(!msg.includes(KEY1) && !msg.includes(KEY2), msg);
  // later calls fail fast without a request
  const before = server.requests.length;
  await assert.rejects(
    createChatModel('o4-mini', { env: e, registry }).generate({ messages: MESSAGES, maxOutputTokens: 20 }),
    /every key was rejected/,
  );
  assert.equal(server.requests.length, before);
});

test('withRetry decorates any ChatModel (a model without keys gives up on a key error)', async () => {
  let calls = 0;
  const flaky: ChatModel = {
    spec: 'v1',
    provider: 'test',
    modelId: 'm',
    keyLabel: 'TEST_KEY',
    async generate() {
      calls++;
      if (calls === 1) throw new ProviderError({ kind: 'transient', provider: 'test', message: 'reset' });
      if (calls === 2)
        throw new ProviderError({
          kind: 'rate_limit',
          provider: 'test',
          message: '429',
          status: 429,
          retryAfterMs: 42,
        });
      if (calls === 3)
        return {
          text: 'ok',
          finishReason: 'stop',
          usage: { inputTokens: 1, outputTokens: 1, reasoningTokens: 0 },
          warnings: [],
          provider: 'test',
          modelId: 'm',
          route: 'test',
        };
      throw new ProviderError({ kind: 'key', provider: 'test', message: 'bad key', status: 401 });
    },
  };
  const rec = recorder();
  const m = withRetry(flaky, { deps: { sleep: rec.sleep, random: () => 0 } });
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 5 });
  assert.equal(r.attempts, 3);
  assert.equal(r.keyLabel, 'TEST_KEY');
  assert.deepEqual(rec.waits, [500, 42]);
  await assert.rejects(
    m.generate({ messages: MESSAGES, maxOutputTokens: 5 }),
    (e: unknown) => e instanceof RetryExhausted && e.kind === 'key' && e.attempts.length === 1,
  );
});

test("the caller's abort also cuts a backoff wait short", async () => {
  nextReply = script([err503]);
  const ctl = new AbortController();
  // the jitter is drawn just before the backoff sleep starts: abort on the next turn, inside
  // the (real, 5 to 10 minute) wait; a wait that ignored it trips the failsafe long before it ends
  const random = () => {
    setImmediate(() => ctl.abort());
    return 0;
  };
  const m = createChatModel('gpt-4o', {
    env: env(),
    registry,
    retry: { baseDelayMs: 600_000, maxDelayMs: 600_000, deps: { random } },
  });
  let failsafe: ReturnType<typeof setTimeout> | undefined;
  const ignored = new Promise<'ignored'>((r) => {
    failsafe = setTimeout(() => r('ignored'), 30_000);
  });
  const cut = m.generate({ messages: MESSAGES, maxOutputTokens: 20, signal: ctl.signal }).then(
    () => 'resolved',
    (e: unknown) => e,
  );
  const outcome = await Promise.race([cut, ignored]);
  clearTimeout(failsafe);
  assert.notEqual(outcome, 'ignored', 'the backoff wait ignored the abort');
  assert.ok(
    ctl.signal.aborted && outcome !== 'resolved' && !(outcome instanceof ProviderError),
    `ended with ${String(outcome)}`,
  );
});

test('the governor is charged the cap actually sent (answer cap + reasoning allowance) and settled to the usage', async () => {
  nextReply = script([openaiReply('ok', { prompt_tokens: 7, completion_tokens: 300 })]);
  const charged: number[] = [];
  const settled: number[] = [];
  const governor = {
    budget: () => ({
      acquire: async (c: TokenCharge) => {
        charged.push(c.input + c.output);
        return { settle: (t: TokenCharge) => settled.push(t.input + t.output), learn: () => {}, release: () => {} };
      },
      onSuccess: () => {},
      onRateLimit: () => {},
    }),
  } as unknown as Governor;
  // the prompt as the mock server counts it (providers/tokens.ts): 3 priming + Σ(4 + ⌈chars/4⌉) per message
  const prompt = 3 + MESSAGES.reduce((a, m) => a + 4 + Math.ceil(m.content.length / 4), 0);
  await createChatModel('chatgpt-5', { env: env(), registry, governor }).generate({
    messages: MESSAGES,
    maxOutputTokens: 200,
  });
  const sent = server.requests.at(-1)!.body.max_completion_tokens;
  assert.equal(sent, 200 + registry.get('chatgpt-5').sampling.reasoning_tokens!);
  assert.deepEqual(charged, [prompt + sent]);
  assert.deepEqual(settled, [307]);
  // a repair's larger cap is charged as sent
  await createChatModel('chatgpt-5', { env: env(), registry, governor }).generate({
    messages: MESSAGES,
    maxOutputTokens: 200,
    capScale: 2,
  });
  assert.equal(server.requests.at(-1)!.body.max_completion_tokens, 2 * sent);
  assert.equal(charged[1], prompt + 2 * sent);
  assert.equal(requestTokens({ messages: MESSAGES, maxOutputTokens: 200 }), prompt + 200);
});

test('the call timeout grows in proportion for a wire cap above 8k tokens, bounded', { timeout: 60_000 }, async () => {
  assert.equal(callTimeoutFor(180_000, 512), 180_000);
  assert.equal(callTimeoutFor(180_000, TIMEOUT_REFERENCE_CAP * 2), 360_000);
  assert.equal(callTimeoutFor(180_000, 1_000_000), MAX_SCALED_CALL_TIMEOUT_MS);
  assert.equal(
    callTimeoutFor(MAX_SCALED_CALL_TIMEOUT_MS * 2, 1_000_000),
    MAX_SCALED_CALL_TIMEOUT_MS * 2,
    'never below the base',
  );
  // over HTTP: a chat call and a call sent with an 80k reasoning reserve go out together; the
  // server answers neither until the chat call has timed out (100 ms): the other call, its
  // timeout scaled to 1 s, is still waiting and gets its answer (the event, not a delay, orders them)
  const dir = mkdtempSync(join(tmpdir(), 'bargain-timeout-'));
  const file = join(dir, 'models.json');
  writeFileSync(file, JSON.stringify({ models: { 'chatgpt-5': { sampling: { reasoning_tokens: 81_920 } } } }));
  const big = loadRegistry(file);
  assert.equal(callTimeoutFor(100, 20 + 81_920), 1000);
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  nextReply = () => released.then(() => openaiReply('slow but fine'));
  const opts = {
    env: env(),
    registry: big,
    callTimeoutMs: 100,
    retry: { maxAttempts: 1, deps: { sleep: async () => {} } },
  };
  const chat = createChatModel('gpt-4o', opts).generate({ messages: MESSAGES, maxOutputTokens: 20 });
  const reasoning = createChatModel('chatgpt-5', opts)
    .generate({ messages: MESSAGES, maxOutputTokens: 20 })
    .then(
      (r) => r.text,
      (e: unknown) => e,
    );
  await assert.rejects(chat, /no answer within 100 ms/);
  release();
  assert.equal(await reasoning, 'slow but fine');
});
