/**
 * Announced per-key limits over HTTP on an injected clock: OpenAI's x-ratelimit-* and
 * Anthropic's anthropic-ratelimit-* headers with the right values, remaining going down and
 * refilling continuously, 429s in each provider's words (with the headers), Anthropic's ITPM
 * without cache reads except on the † models, per-key overrides, nothing announced by Gemini
 * and OpenRouter or when unconfigured; the --limits spec and OpenAI's duration format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockServer } from './server.ts';
import { clock, post, T0, text, withServer } from './testing/servers.ts';
import { goDuration, parseLimitSpec } from './limits.ts';

const openai = (s: MockServer, content: string, extra: object = {}, key = 'sk-lim-1') =>
  post(
    `${s.url}/v1/chat/completions`,
    { model: 'gpt-4o', messages: [{ role: 'user', content }], max_tokens: 100, ...extra },
    { authorization: `Bearer ${key}` },
  );
const anthropic = (s: MockServer, body: object, model = 'claude-sonnet-4-20250514', key = 'sk-ant-lim') =>
  post(
    `${s.url}/v1/messages`,
    { model, max_tokens: 200, messages: [{ role: 'user', content: 'hello' }], ...body },
    { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
  );
const h = (r: { headers: Headers }, name: string) => r.headers.get(name);

test('OpenAI: limits and remaining per key in x-ratelimit-* headers, reset as a duration; a 4th request in the minute gets the RPM 429', async () => {
  const c = clock();
  await withServer({ now: c.now, limits: { openai: { rpm: 3, tpm: 100_000 } } }, async (s) => {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await openai(s, 'hello'); // 3 + 4 + 2 = 9 prompt tokens, + max_tokens 100
      assert.equal(r.status, 200);
      assert.equal(h(r, 'x-ratelimit-limit-requests'), '3');
      assert.equal(h(r, 'x-ratelimit-limit-tokens'), '100000');
      seen.push(h(r, 'x-ratelimit-remaining-requests')!);
      assert.equal(h(r, 'x-ratelimit-remaining-tokens'), String(100_000 - 109 * (i + 1)));
    }
    assert.deepEqual(seen, ['2', '1', '0']);
    const r0 = await openai(s, 'hello');
    assert.equal(r0.status, 429);
    assert.deepEqual(r0.body.error, {
      message:
        'Rate limit reached for gpt-4o in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
    assert.equal(h(r0, 'retry-after'), '20');
    assert.equal(h(r0, 'x-ratelimit-remaining-requests'), '0', 'the 429 announces the limits too');
    assert.equal(h(r0, 'x-ratelimit-reset-requests'), '1m0s', 'three requests take a minute to replenish');
    // continuous replenishment: 20 s later one request is back
    c.t += 20_000;
    const r1 = await openai(s, 'hello');
    assert.equal(r1.status, 200);
    assert.equal(h(r1, 'x-ratelimit-remaining-requests'), '0');
    // another key has its own buckets
    assert.equal(h(await openai(s, 'hello', {}, 'sk-lim-2'), 'x-ratelimit-remaining-requests'), '2');
    assert.equal(s.stats().faults.rate_limit, 1);
  });
});

test('OpenAI: tokens per minute count the prompt (cached part included) and max_tokens; a request over the limit is too large', async () => {
  const c = clock();
  await withServer({ now: c.now, limits: { openai: { tpm: 5000 } } }, async (s) => {
    const big = text(2000); // 3 + 4 + 2000 prompt tokens
    const a = await openai(s, big);
    assert.equal(h(a, 'x-ratelimit-remaining-tokens'), String(5000 - 2107));
    assert.equal(h(a, 'x-ratelimit-limit-requests'), null, 'only the configured limits are announced');
    const b = await openai(s, big);
    assert.ok(b.body.usage.prompt_tokens_details.cached_tokens > 0);
    assert.equal(
      h(b, 'x-ratelimit-remaining-tokens'),
      String(5000 - 2 * 2107),
      "cached tokens count toward OpenAI's TPM",
    );
    const refused = await openai(s, big);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.type, 'tokens');
    assert.match(
      refused.body.error.message,
      /^Rate limit reached for gpt-4o in organization org-mock on tokens per min \(TPM\): Limit 5000, Used 4214, Requested 2107\. Please try again in 15\.8\d*s\./,
    );
    assert.equal(h(refused, 'retry-after'), '16');
    const tooLarge = await openai(s, text(6000));
    assert.equal(tooLarge.status, 429);
    assert.match(
      tooLarge.body.error.message,
      /^Request too large for gpt-4o in organization org-mock on tokens per min \(TPM\): Limit 5000, Requested 6107\./,
    );
  });
});

test("Anthropic: requests, input, output and tokens headers with RFC 3339 resets; OTPM settles to the real output; the ITPM 429 in Anthropic's words", async () => {
  const c = clock();
  await withServer({ now: c.now, limits: { anthropic: { rpm: 50, itpm: 10_000, otpm: 2_000 } } }, async (s) => {
    const r = await anthropic(s, { system: text(3000) });
    assert.equal(r.status, 200);
    const used = r.body.usage.input_tokens;
    const out = r.body.usage.output_tokens;
    assert.equal(h(r, 'anthropic-ratelimit-requests-limit'), '50');
    assert.equal(h(r, 'anthropic-ratelimit-requests-remaining'), '49');
    assert.equal(h(r, 'anthropic-ratelimit-input-tokens-limit'), '10000');
    assert.equal(h(r, 'anthropic-ratelimit-input-tokens-remaining'), String(10_000 - used));
    assert.equal(
      h(r, 'anthropic-ratelimit-output-tokens-remaining'),
      String(2_000 - out),
      'the max_tokens estimate is settled to the real output',
    );
    // reset: when the bucket is full again, at the server clock (input: used/10000 of a minute)
    assert.equal(
      h(r, 'anthropic-ratelimit-input-tokens-reset'),
      new Date(Math.ceil((T0 + (used * 60_000) / 10_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    );
    assert.match(h(r, 'anthropic-ratelimit-requests-reset')!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // tokens-*: the most restrictive of input and output
    const inShare = (10_000 - used) / 10_000,
      outShare = (2_000 - out) / 2_000;
    assert.equal(h(r, 'anthropic-ratelimit-tokens-limit'), inShare <= outShare ? '10000' : '2000');

    await anthropic(s, { system: text(3000) });
    await anthropic(s, { system: text(3000) });
    const refused = await anthropic(s, { system: text(3000) });
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body.error, {
      type: 'rate_limit_error',
      message:
        'This request would exceed the rate limit for your organization (mock-org) of 10,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.',
    });
    const wait = Number(h(refused, 'retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `retry-after ${wait}`);
    assert.equal(h(refused, 'anthropic-ratelimit-input-tokens-remaining'), String(10_000 - 3 * used));
    c.t += wait * 1000;
    assert.equal((await anthropic(s, { system: text(3000) })).status, 200, 'served after retry-after');
  });
});

test('Anthropic ITPM: cache reads do not count on current models, they do on the † models (Claude 3.x)', async () => {
  const c = clock();
  const cached = (t: string) => [{ type: 'text', text: t, cache_control: { type: 'ephemeral' } }];
  await withServer({ now: c.now, limits: { anthropic: { itpm: 100_000 } } }, async (s) => {
    for (const [model, readsCount] of [
      ['claude-sonnet-4-20250514', false],
      ['claude-3-5-haiku-20241022', true],
    ] as const) {
      const sys = cached(text(3000, model[7]));
      const left = async () => {
        const r = await anthropic(s, { system: sys }, model, `sk-ant-${model}`);
        return { left: Number(h(r, 'anthropic-ratelimit-input-tokens-remaining')), u: r.body.usage };
      };
      const a = await left();
      assert.equal(a.u.cache_creation_input_tokens, 3004);
      assert.equal(100_000 - a.left, a.u.input_tokens + 3004, 'writes count');
      const b = await left();
      assert.equal(b.u.cache_read_input_tokens, 3004);
      assert.equal(a.left - b.left, readsCount ? b.u.input_tokens + 3004 : b.u.input_tokens, model);
    }
  });
});

test("per-key limits override the provider's; Gemini, OpenRouter and an unconfigured mock announce nothing; errors after auth carry the headers", async () => {
  const c = clock();
  await withServer(
    { now: c.now, limits: { openai: { rpm: 10 }, byKey: { 'sk-tier4': { openai: { rpm: 10_000, tpm: 2_000_000 } } } } },
    async (s) => {
      assert.equal(h(await openai(s, 'hi', {}, 'sk-tier4'), 'x-ratelimit-limit-requests'), '10000');
      assert.equal(
        h(await openai(s, 'hi', {}, 'sk-tier4'), 'x-ratelimit-reset-requests'),
        '12ms',
        'two requests at 10000 RPM replenish in 12 ms',
      );
      assert.equal(h(await openai(s, 'hi', {}, 'sk-tier1'), 'x-ratelimit-limit-requests'), '10');
      const bad = await post(
        `${s.url}/v1/chat/completions`,
        { model: 'gpt-4o', messages: [] },
        { authorization: 'Bearer sk-tier1' },
      );
      assert.equal(bad.status, 400);
      assert.equal(h(bad, 'x-ratelimit-limit-requests'), '10');
      const invalid = await openai(s, 'hi', {}, 'sk-invalid');
      assert.equal(invalid.status, 401);
      assert.equal(h(invalid, 'x-ratelimit-limit-requests'), null, 'a rejected key learns nothing');
      const g = await post(
        `${s.url}/v1beta/models/gemini-2.5-flash:generateContent`,
        { contents: [{ parts: [{ text: 'hi' }] }] },
        { 'x-goog-api-key': 'sk-tier1' },
      );
      const or = await post(
        `${s.url}/api/v1/chat/completions`,
        { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
        { authorization: 'Bearer sk-tier1' },
      );
      for (const r of [g, or]) {
        assert.equal(r.status, 200);
        assert.deepEqual(
          [...r.headers.keys()].filter((k) => /ratelimit/.test(k)),
          [],
        );
      }
    },
  );
  await withServer({ now: c.now }, async (s) => {
    const r = await openai(s, 'hi');
    const a = await anthropic(s, {});
    for (const x of [r, a])
      assert.deepEqual(
        [...x.headers.keys()].filter((k) => /ratelimit/.test(k)),
        [],
        'no limits unless configured',
      );
  });
});

test('--limits specs and OpenAI durations', () => {
  let o = parseLimitSpec('openai:rpm=5000,tpm=800000');
  assert.deepEqual(o, { openai: { rpm: 5000, tpm: 800000 } });
  o = parseLimitSpec('anthropic@sk-ant-2:rpm=50,itpm=30000', o as object);
  assert.deepEqual(o, {
    openai: { rpm: 5000, tpm: 800000 },
    byKey: { 'sk-ant-2': { anthropic: { rpm: 50, itpm: 30000 } } },
  });
  assert.match(parseLimitSpec('anthropic:tpm=5') as string, /anthropic takes rpm, itpm, otpm/);
  assert.match(parseLimitSpec('gemini:rpm=5') as string, /^--limits takes/);
  assert.match(parseLimitSpec('openai:rpm=0') as string, /whole numbers >= 1/);
  assert.deepEqual([0, 12, 999.6, 1000, 2220, 20_000, 60_000, 360_000, 90_500, 3_723_000].map(goDuration), [
    '0s',
    '12ms',
    '1s',
    '1s',
    '2.22s',
    '20s',
    '1m0s',
    '6m0s',
    '1m30.5s',
    '1h2m3s',
  ]);
});
