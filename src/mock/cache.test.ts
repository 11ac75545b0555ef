/**
 * The mock's prompt caching over HTTP, per provider, on an injected clock (no sleeping):
 * growing prompts with the same prefix report the cached prefix as each provider documents
 * it; nothing below the minimum; Anthropic only up to breakpoints (5 → 400), with its
 * 20-block lookback and 5-minute TTL; OpenRouter passes caching through and prices it;
 * promptCache: false caches nothing. Every test is bounded in requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockServer } from './server.ts';
import { clock, post, text, withServer } from './testing/servers.ts';
import { loadRegistry } from '../providers/registry.ts';

type Msg = { role: 'system' | 'user' | 'assistant'; content: string };
/** a conversation growing turn by turn on a fixed system prompt of `sys` tokens */
const grow = (sys: number, turns: number): Msg[] => [
  { role: 'system', content: text(sys) },
  ...Array.from({ length: turns }, (_, i): Msg[] => [
    { role: 'user', content: `turn ${i} please` },
    { role: 'assistant', content: `reply ${i} here` },
  ])
    .flat()
    .slice(0, 2 * turns - 1),
];
const promptTokens = (ms: Msg[]) => 3 + ms.reduce((s, m) => s + 4 + Math.ceil(m.content.length / 4), 0);

const openai = (s: MockServer, messages: Msg[], extra: object = {}, key = 'sk-cache-1') =>
  post(
    `${s.url}/v1/chat/completions`,
    { model: 'gpt-4o', messages, max_tokens: 50, ...extra },
    { authorization: `Bearer ${key}` },
  );

test('OpenAI: nothing under 1024 tokens; then the longest seen prefix in 128-token steps, per key and prompt_cache_key', async () => {
  const c = clock();
  await withServer({ now: c.now }, async (s) => {
    const small = grow(500, 1);
    assert.equal((await openai(s, small)).body.usage.prompt_tokens_details.cached_tokens, 0);
    assert.equal(
      (await openai(s, small)).body.usage.prompt_tokens_details.cached_tokens,
      0,
      'below 1024 tokens nothing is cached',
    );

    const calls = [1, 2, 3].map((k) => grow(2000, k));
    const first = await openai(s, calls[0]);
    assert.equal(first.body.usage.prompt_tokens, promptTokens(calls[0]));
    assert.equal(first.body.usage.prompt_tokens_details.cached_tokens, 0, 'a first call reads nothing');
    for (let k = 1; k < calls.length; k++) {
      const r = await openai(s, calls[k]);
      // the prefix shared with the previous call: all of it but the 3 priming tokens, rounded down to 128
      const shared = promptTokens(calls[k - 1]) - 3;
      const cached = r.body.usage.prompt_tokens_details.cached_tokens;
      assert.equal(cached, Math.floor(shared / 128) * 128, `call ${k + 1}`);
      assert.ok(cached >= 1024 && cached % 128 === 0 && cached <= r.body.usage.prompt_tokens);
      assert.equal(r.body.usage.prompt_tokens, promptTokens(calls[k]), 'prompt_tokens counts the cached part too');
    }
    // another key, or another prompt_cache_key, has its own cache
    assert.equal((await openai(s, calls[2], {}, 'sk-cache-2')).body.usage.prompt_tokens_details.cached_tokens, 0);
    assert.equal(
      (await openai(s, calls[2], { prompt_cache_key: 'agent-7' })).body.usage.prompt_tokens_details.cached_tokens,
      0,
    );
    assert.ok(
      (await openai(s, calls[2], { prompt_cache_key: 'agent-7' })).body.usage.prompt_tokens_details.cached_tokens > 0,
    );
    // a changed start shares no prefix
    const changed = [{ role: 'system' as const, content: 'X' + calls[2][0].content.slice(1) }, ...calls[2].slice(1)];
    assert.equal((await openai(s, changed)).body.usage.prompt_tokens_details.cached_tokens, 0);
  });
});

test('OpenAI: entries live 5 minutes from their last use on the server clock; promptCache: false caches nothing', async () => {
  const c = clock();
  await withServer({ now: c.now }, async (s) => {
    const p = grow(2000, 1);
    await openai(s, p);
    c.t += 4 * 60_000;
    assert.ok((await openai(s, p)).body.usage.prompt_tokens_details.cached_tokens > 0, 'a hit after 4 minutes');
    c.t += 4 * 60_000;
    assert.ok(
      (await openai(s, p)).body.usage.prompt_tokens_details.cached_tokens > 0,
      'the hit refreshed it: still there 8 minutes after the write',
    );
    c.t += 5 * 60_000 + 1;
    assert.equal(
      (await openai(s, p)).body.usage.prompt_tokens_details.cached_tokens,
      0,
      'expired after 5 idle minutes',
    );
  });
  await withServer({ now: c.now, promptCache: false }, async (s) => {
    const p = grow(2000, 1);
    for (let i = 0; i < 3; i++) assert.equal((await openai(s, p)).body.usage.prompt_tokens_details.cached_tokens, 0);
  });
});

const anthropic = (s: MockServer, body: object, model = 'claude-sonnet-4-20250514', key = 'sk-ant-cache') =>
  post(
    `${s.url}/v1/messages`,
    { model, max_tokens: 50, ...body },
    { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
  );
const bp = (t: string) => [{ type: 'text', text: t, cache_control: { type: 'ephemeral' } }];
/** input_tokens + writes + reads: every input token of the call */
const allInput = (u: any) => u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;

test('Anthropic: nothing cached without breakpoints; a breakpoint writes its prefix, the next call reads it; input_tokens is the rest', async () => {
  const c = clock();
  await withServer({ now: c.now }, async (s) => {
    const sys = text(2000);
    const messages = [{ role: 'user', content: 'hello there' }];
    const total = promptTokens([
      { role: 'system', content: sys },
      { role: 'user', content: 'hello there' },
    ]);
    for (let i = 0; i < 2; i++) {
      const u = (await anthropic(s, { system: sys, messages })).body.usage;
      assert.deepEqual(
        [u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens],
        [total, 0, 0],
        'no breakpoint, no caching',
      );
    }
    const w = (await anthropic(s, { system: bp(sys), messages })).body.usage;
    assert.deepEqual(
      [w.cache_creation_input_tokens, w.cache_read_input_tokens],
      [2004, 0],
      'the system block (4 + 2000 tokens) is written',
    );
    assert.equal(w.input_tokens, total - 2004);
    assert.equal(w.cache_creation.ephemeral_5m_input_tokens, 2004);
    const r = (await anthropic(s, { system: bp(sys), messages: [{ role: 'user', content: 'another question' }] })).body
      .usage;
    assert.deepEqual([r.cache_creation_input_tokens, r.cache_read_input_tokens], [0, 2004]);
    assert.equal(
      allInput(r),
      promptTokens([
        { role: 'system', content: sys },
        { role: 'user', content: 'another question' },
      ]),
    );
  });
});

test('Anthropic: a growing conversation with a breakpoint on its last block reads the previous one and writes the new turns', async () => {
  const c = clock();
  await withServer({ now: c.now }, async (s) => {
    const sys = text(1500);
    const turns = ['first question', 'first answer', 'second question', 'second answer', 'third question'];
    const body = (n: number) => ({
      system: sys,
      messages: turns
        .slice(0, n)
        .map((t, i) => ({ role: i % 2 ? 'assistant' : 'user', content: i === n - 1 ? bp(t) : t })),
    });
    const tokensTo = (n: number) =>
      promptTokens([
        { role: 'system', content: sys },
        ...turns.slice(0, n).map((t) => ({ role: 'user' as const, content: t })),
      ]) - 3;
    const u1 = (await anthropic(s, body(1))).body.usage;
    assert.deepEqual(
      [u1.cache_read_input_tokens, u1.cache_creation_input_tokens, u1.input_tokens],
      [0, tokensTo(1), 3],
    );
    const u3 = (await anthropic(s, body(3))).body.usage;
    assert.deepEqual(
      [u3.cache_read_input_tokens, u3.cache_creation_input_tokens],
      [tokensTo(1), tokensTo(3) - tokensTo(1)],
    );
    const u5 = (await anthropic(s, body(5))).body.usage;
    assert.deepEqual(
      [u5.cache_read_input_tokens, u5.cache_creation_input_tokens],
      [tokensTo(3), tokensTo(5) - tokensTo(3)],
    );
  });
});

test('Anthropic: the minimum per model, the 20-block lookback, the 5-minute TTL refreshed on hits, and 5 breakpoints refused', async () => {
  const c = clock();
  await withServer({ now: c.now }, async (s) => {
    // Haiku 3.5 caches from 2048 tokens, Sonnet 4 from 1024
    const mid = text(1500);
    for (let i = 0; i < 2; i++) {
      const u = (
        await anthropic(
          s,
          { system: bp(mid), messages: [{ role: 'user', content: 'hi' }] },
          'claude-3-5-haiku-20241022',
        )
      ).body.usage;
      assert.deepEqual(
        [u.cache_creation_input_tokens, u.cache_read_input_tokens],
        [0, 0],
        "below Haiku 3.5's 2048 nothing is written",
      );
    }
    assert.equal(
      (await anthropic(s, { system: bp(mid), messages: [{ role: 'user', content: 'hi' }] })).body.usage
        .cache_creation_input_tokens,
      1504,
    );

    // the lookback: the system's cached prefix is found from a breakpoint 10 blocks on, not from one 25 blocks on
    const sys = text(3000, 'b');
    await anthropic(s, { system: bp(sys), messages: [{ role: 'user', content: 'start' }] });
    const many = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => ({
        role: i % 2 ? 'assistant' : 'user',
        content: i === n - 1 ? bp(`${tag}${i}`) : `${tag}${i}`,
      }));
    assert.equal(
      (await anthropic(s, { system: sys, messages: many(9, 'm') })).body.usage.cache_read_input_tokens,
      3004,
    );
    assert.equal((await anthropic(s, { system: sys, messages: many(25, 'n') })).body.usage.cache_read_input_tokens, 0);

    // TTL: 5 minutes, refreshed on each hit
    const ttlSys = text(1200, 'c');
    const call = () => anthropic(s, { system: bp(ttlSys), messages: [{ role: 'user', content: 'q' }] });
    await call();
    c.t += 4 * 60_000 + 59_000;
    assert.equal((await call()).body.usage.cache_read_input_tokens, 1204, 'a hit just before 5 minutes');
    c.t += 4 * 60_000 + 59_000;
    assert.equal((await call()).body.usage.cache_read_input_tokens, 1204, 'the hit refreshed the TTL');
    c.t += 5 * 60_000;
    const after = (await call()).body.usage;
    assert.deepEqual(
      [after.cache_read_input_tokens, after.cache_creation_input_tokens],
      [0, 1204],
      'expired after 5 minutes: written again',
    );

    // at most 4 breakpoints (a top-level cache_control takes one)
    const five: { role: string; content: unknown }[] = Array.from({ length: 5 }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: bp(`b${i}`),
    }));
    const r = await anthropic(s, { system: 'sys', messages: five });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.error, {
      type: 'invalid_request_error',
      message: 'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    });
    const autoPlusFour = await anthropic(s, {
      system: 'sys',
      messages: five.slice(0, 4).concat([{ role: 'user', content: 'x' }]),
      cache_control: { type: 'ephemeral' },
    });
    assert.equal(autoPlusFour.status, 400);
    assert.match(autoPlusFour.body.error.message, /Found 5\./);
    assert.equal(
      (await anthropic(s, { system: 'sys', messages: five.slice(0, 4).concat([{ role: 'user', content: 'x' }]) }))
        .status,
      200,
    );
  });
});

test('Anthropic automatic caching: a top-level cache_control caches up to the last block', async () => {
  const c = clock();
  await withServer({ now: c.now }, async (s) => {
    const sys = text(1100);
    const first = (
      await anthropic(s, {
        system: sys,
        messages: [{ role: 'user', content: 'one' }],
        cache_control: { type: 'ephemeral' },
      })
    ).body.usage;
    assert.equal(first.cache_creation_input_tokens, 1104 + 4 + 1);
    const second = (
      await anthropic(s, {
        system: sys,
        messages: [
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
          { role: 'user', content: 'three' },
        ],
        cache_control: { type: 'ephemeral' },
      })
    ).body.usage;
    assert.equal(second.cache_read_input_tokens, 1104 + 4 + 1);
  });
});

const gemini = (s: MockServer, model: string, messages: Msg[]) =>
  post(
    `${s.url}/v1beta/models/${model}:generateContent`,
    {
      systemInstruction: { parts: [{ text: messages[0].content }] },
      contents: messages
        .slice(1)
        .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
      generationConfig: { maxOutputTokens: 50 },
    },
    { 'x-goog-api-key': 'AIza-cache' },
  );

test('Gemini 2.5: implicit caching from 2048 tokens, cachedContentTokenCount part of promptTokenCount; none on 2.0', async () => {
  const c = clock();
  await withServer({ now: c.now }, async (s) => {
    const small = grow(1800, 1);
    for (let i = 0; i < 2; i++)
      assert.equal(
        (await gemini(s, 'gemini-2.5-flash', small)).body.usageMetadata.cachedContentTokenCount,
        undefined,
        'below 2048',
      );
    const calls = [1, 2, 3].map((k) => grow(2500, k));
    assert.equal((await gemini(s, 'gemini-2.5-flash', calls[0])).body.usageMetadata.cachedContentTokenCount, undefined);
    for (let k = 1; k < 3; k++) {
      const u = (await gemini(s, 'gemini-2.5-flash', calls[k])).body.usageMetadata;
      assert.equal(u.cachedContentTokenCount, promptTokens(calls[k - 1]) - 3, "the previous call's contents are read");
      assert.equal(u.promptTokenCount, promptTokens(calls[k]));
      assert.deepEqual(u.cacheTokensDetails, [{ modality: 'TEXT', tokenCount: u.cachedContentTokenCount }]);
    }
    const old = grow(2500, 1);
    await gemini(s, 'gemini-2.0-flash-001', old);
    assert.equal(
      (await gemini(s, 'gemini-2.0-flash-001', old)).body.usageMetadata.cachedContentTokenCount,
      undefined,
      '2.0 has no implicit caching',
    );
  });
});

const openrouter = (s: MockServer, model: string, messages: unknown[]) =>
  post(
    `${s.url}/api/v1/chat/completions`,
    { model, messages, max_tokens: 50, usage: { include: true } },
    { authorization: 'Bearer sk-or-cache' },
  );

test('OpenRouter: cache_control parts on anthropic/* routes, automatic on openai/*; cached and written tokens and the cost in dollars', async () => {
  const c = clock();
  const registry = loadRegistry();
  const price = registry.find('claude-4-sonnet')!.price;
  await withServer({ now: c.now, registry }, async (s) => {
    const sys = text(2000);
    const msgs = (q: string) => [
      { role: 'system', content: [{ type: 'text', text: sys, cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: q },
    ];
    const w = (await openrouter(s, 'anthropic/claude-sonnet-4', msgs('first'))).body.usage;
    assert.equal(w.prompt_tokens_details.cache_write_tokens, 2004);
    assert.equal(w.prompt_tokens_details.cached_tokens, 0);
    const usd = (u: any, read: number, write: number) =>
      ((u.prompt_tokens - read - write) * price.input +
        read * (price.cached_input ?? price.input) +
        write * (price.cache_write ?? price.input * 1.25) +
        u.completion_tokens * price.output) /
      1e6;
    assert.ok(Math.abs(w.cost - usd(w, 0, 2004)) < 1e-9, `cost ${w.cost}`);
    const r = (await openrouter(s, 'anthropic/claude-sonnet-4', msgs('second'))).body.usage;
    assert.deepEqual([r.prompt_tokens_details.cached_tokens, r.prompt_tokens_details.cache_write_tokens], [2004, 0]);
    assert.ok(Math.abs(r.cost - usd(r, 2004, 0)) < 1e-9);
    assert.ok(r.cost < w.cost / 3, 'a cache read is far cheaper than a write');

    // no cache_control on an Anthropic route: nothing cached
    const plain = [
      { role: 'system', content: sys },
      { role: 'user', content: 'q' },
    ];
    await openrouter(s, 'anthropic/claude-sonnet-4', plain);
    assert.equal(
      (await openrouter(s, 'anthropic/claude-sonnet-4', plain)).body.usage.prompt_tokens_details.cached_tokens,
      0,
    );
    // OpenAI routes cache on their own
    await openrouter(s, 'openai/gpt-4o', plain);
    assert.equal((await openrouter(s, 'openai/gpt-4o', plain)).body.usage.prompt_tokens_details.cached_tokens, 1920);

    // Anthropic's 400 for a 5th breakpoint comes back as OpenRouter relays it
    const five = Array.from({ length: 5 }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: [{ type: 'text', text: `b${i}`, cache_control: { type: 'ephemeral' } }],
    }));
    const bad = await openrouter(s, 'anthropic/claude-sonnet-4', five);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.message, 'Provider returned error');
    assert.equal(bad.body.error.metadata.provider_name, 'Anthropic');
    assert.equal(
      JSON.parse(bad.body.error.metadata.raw).error.message,
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    );
  });
});
