/**
 * Rate-limit headers as the providers document them (examples from their docs), the tokens a
 * call is charged against a key's budget per provider, and, over real HTTP, a key's budget
 * rising from the registry default to the limit its first response announces.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseRateLimitHeaders, parseResetDuration } from './rate-headers.ts';
import { chargedTokens } from './prompt-cache.ts';
import { startServer, openaiReply, type Reply, type TestServer } from './testing/test-server.ts';
import { createChatModel, envFrom, loadRegistry } from './index.ts';
import { Governor } from '../governor/governor.ts';

test('OpenAI reset durations: Go-style h/m/s/ms, a bare number is seconds', () => {
  assert.equal(parseResetDuration('1s'), 1000);
  assert.equal(parseResetDuration('6m0s'), 360_000);
  assert.equal(parseResetDuration('20ms'), 20);
  assert.equal(parseResetDuration('1h2m3.5s'), 3_723_500);
  assert.equal(parseResetDuration('23h18m29.144s'), 83_909_144);
  assert.equal(parseResetDuration('2'), 2000);
  assert.equal(parseResetDuration(''), undefined);
  assert.equal(parseResetDuration('soon'), undefined);
  assert.equal(parseResetDuration(undefined), undefined);
});

test("OpenAI's documented headers (platform.openai.com rate-limits guide's example) become a snapshot", () => {
  const h = {
    'x-ratelimit-limit-requests': '60',
    'x-ratelimit-limit-tokens': '150000',
    'x-ratelimit-remaining-requests': '59',
    'x-ratelimit-remaining-tokens': '149984',
    'x-ratelimit-reset-requests': '1s',
    'x-ratelimit-reset-tokens': '6m0s',
  };
  assert.deepEqual(parseRateLimitHeaders('openai', h), {
    requests: { limit: 60, remaining: 59, resetMs: 1000 },
    tokens: { limit: 150_000, remaining: 149_984, resetMs: 360_000 },
  });
  // case does not matter; a Headers object works too
  assert.equal(parseRateLimitHeaders('openai', { 'X-RateLimit-Limit-Requests': '500' })?.requests?.limit, 500);
  assert.equal(parseRateLimitHeaders('openai', new Headers(h))?.tokens?.limit, 150_000);
  assert.equal(parseRateLimitHeaders('openai', { 'content-type': 'application/json' }), undefined);
});

test("Anthropic's headers: requests, combined, input and output tokens, reset as an RFC 3339 time", () => {
  const now = Date.parse('2026-04-01T11:59:30Z');
  const h = {
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '48',
    'anthropic-ratelimit-requests-reset': '2026-04-01T12:00:00Z',
    'anthropic-ratelimit-input-tokens-limit': '30000',
    'anthropic-ratelimit-input-tokens-remaining': '27500',
    'anthropic-ratelimit-input-tokens-reset': '2026-04-01T11:59:35Z',
    'anthropic-ratelimit-output-tokens-limit': '8000',
    'anthropic-ratelimit-output-tokens-remaining': '7200',
    'anthropic-ratelimit-output-tokens-reset': '2026-04-01T11:59:31.5Z',
    'anthropic-ratelimit-tokens-limit': '38000',
    'anthropic-ratelimit-tokens-remaining': '34700',
    'anthropic-ratelimit-tokens-reset': '2026-04-01T11:59:35Z',
  };
  assert.deepEqual(parseRateLimitHeaders('anthropic', h, now), {
    requests: { limit: 50, remaining: 48, resetMs: 30_000 },
    tokens: { limit: 38_000, remaining: 34_700, resetMs: 5000 },
    inputTokens: { limit: 30_000, remaining: 27_500, resetMs: 5000 },
    outputTokens: { limit: 8000, remaining: 7200, resetMs: 1500 },
  });
  // a reset already past is "now", never negative
  assert.equal(
    parseRateLimitHeaders('anthropic', { 'anthropic-ratelimit-requests-reset': '2026-04-01T11:00:00Z' }, now)?.requests
      ?.resetMs,
    0,
  );
});

test('Gemini and OpenRouter announce nothing we read (their x-ratelimit-* lookalikes are not per-key budgets)', () => {
  const h = { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59' };
  assert.equal(parseRateLimitHeaders('google', h), undefined);
  assert.equal(parseRateLimitHeaders('openrouter', h), undefined);
  assert.equal(parseRateLimitHeaders('anthropic', h), undefined, 'the other dialect is not read');
});

test('tokens charged: Anthropic cache reads stay out of ITPM on current models (cache writes count); OpenAI counts every input token', () => {
  const usage = {
    inputTokens: 10_000,
    outputTokens: 200,
    reasoningTokens: 0,
    cacheReadTokens: 9000,
    cacheWriteTokens: 500,
  };
  assert.deepEqual(chargedTokens('anthropic', 'claude-sonnet-4-5', usage), { input: 1000, output: 200 });
  assert.deepEqual(
    chargedTokens('anthropic', 'claude-3-5-haiku-20241022', usage),
    { input: 10_000, output: 200 },
    'the † models count cache reads',
  );
  assert.deepEqual(chargedTokens('openai', 'gpt-4o', usage), { input: 10_000, output: 200 });
  assert.deepEqual(chargedTokens('google', 'gemini-2.5-flash', usage), { input: 10_000, output: 200 });
});

let server: TestServer;
let nextReply: () => Reply;
before(async () => {
  server = await startServer(() => nextReply());
});
after(async () => {
  await server.close();
});

test('over HTTP: the key budget rises from the registry default to the announced limit after the first response; a user cap holds', async () => {
  const registry = loadRegistry();
  const env = envFrom({ OPENAI_API_KEY: 'sk-test-limits-key-000000000', OPENAI_BASE_URL: `${server.url}/v1` });
  const announced = {
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-tokens': '29999000',
    'x-ratelimit-reset-tokens': '2ms',
  };
  nextReply = () => ({ ...openaiReply('ok'), headers: announced });
  const defaults = registry.limits('openai');
  assert.ok(defaults.rpm < 10_000 && defaults.tpm < 30_000_000, 'the registry default is below the announced tier');

  const governor = new Governor({ limits: { openai: { ...defaults, origin: { rpm: 'default', tpm: 'default' } } } });
  const m = createChatModel('gpt-4o', { env, registry, governor });
  const before = governor.budget('openai', 'OPENAI_API_KEY').view();
  assert.deepEqual([before.rpm, before.tpm, before.rpmSource], [defaults.rpm, defaults.tpm, 'default']);
  const r = await m.generate({ messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 10 });
  assert.deepEqual(r.rateLimits?.requests, { limit: 10_000, remaining: 9999, resetMs: 6 });
  const snap = governor.snapshot()[0];
  assert.deepEqual(
    [snap.rpm, snap.tpm, snap.limits.rpmSource, snap.limits.tpmSource],
    [10_000, 30_000_000, 'learned', 'learned'],
  );

  // --rpm 200 from the user: a cap the announced 10000 never raises; the registry tpm is replaced
  const capped = new Governor({
    limits: { openai: { ...defaults, rpm: 200, origin: { rpm: 'user', tpm: 'default' } } },
  });
  await createChatModel('gpt-4o', { env, registry, governor: capped }).generate({
    messages: [{ role: 'user', content: 'hi' }],
    maxOutputTokens: 10,
  });
  const c = capped.snapshot()[0];
  assert.deepEqual([c.rpm, c.tpm, c.limits.rpmSource], [200, 30_000_000, 'capped']);

  // a 429 teaches the limits too: its headers announce a lower limit than the default
  const low = new Governor({ limits: { openai: { ...defaults, origin: {} } } });
  let n = 0;
  nextReply = () =>
    n++ === 0
      ? {
          status: 429,
          headers: {
            'retry-after-ms': '20',
            'x-ratelimit-limit-requests': '3',
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-reset-requests': '20ms',
          },
          body: {
            error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
          },
        }
      : { ...openaiReply('ok') };
  const r2 = await createChatModel('gpt-4o', { env, registry, governor: low }).generate({
    messages: [{ role: 'user', content: 'hi' }],
    maxOutputTokens: 10,
  });
  assert.equal(r2.attempts, 2);
  assert.equal(low.snapshot()[0].rpm, 3, 'the limit announced on the 429 became the budget');
});
