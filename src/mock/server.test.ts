/**
 * The mock server over real HTTP on 127.0.0.1, with plain fetch: each of the four wire
 * formats (request checks, success body and usage incl. reasoning tokens, error bodies),
 * answers in character read from prompts.ts conversations, per-key RPM with 429 +
 * Retry-After, every fault kind, determinism, counters and the request log (keys only
 * as hashes). Every test is bounded in requests and time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, validateAllocation, type AllocationMap } from '../game/index.ts';
import type { Observation, ProposalView } from '../agents/agent.ts';
import { systemPrompt, userTurn } from '../agents/llm/prompts.ts';
import { parseAllocation as parseProposal, parseVotes } from '../agents/llm/parse.ts';
import { keyHash, type MockServer } from './server.ts';
import { post, withServer } from './testing/servers.ts';
import { REFUSAL_TEXT } from './faults.ts';

const spec = makeSpec({ n: 2, m: 5, maxRounds: 10 });
const VALUES = [50, 5, 30, 10, 5]; // Agent_1: Apple and Stone matter most

function conversation(phase: Observation['phase'], extra: Partial<Observation> = {}) {
  const obs: Observation = {
    phase,
    round: 1,
    turn: 0,
    self: 'Agent_1',
    seat: 0,
    spec,
    values: VALUES,
    public: [],
    private: [],
    ...extra,
  };
  return [
    { role: 'system' as const, content: systemPrompt(spec, 'Agent_1', VALUES) },
    { role: 'user' as const, content: userTurn(obs, obs.public, obs.private, true) },
  ];
}

const table: ProposalView[] = [
  { proposal: 1, from: 'Agent_1', allocation: { Agent_1: [0, 2], Agent_2: [1, 3, 4] } },
  { proposal: 2, from: 'Agent_2', allocation: { Agent_1: [], Agent_2: [0, 1, 2, 3, 4] } },
];
const votingConversation = () =>
  conversation('voting', {
    proposals: table,
    public: table.map((p) => ({ kind: 'proposal' as const, round: 1, ...p })),
  });

const openaiReq = (s: MockServer, model: string, messages: unknown, extra: object = {}, key = 'sk-test-openai') =>
  post(
    `${s.url}/v1/chat/completions`,
    { model, messages, max_completion_tokens: 400, ...extra },
    { authorization: `Bearer ${key}` },
  );
const anthropicReq = (
  s: MockServer,
  model: string,
  messages: { role: string; content: string }[],
  extra: object = {},
  headers: Record<string, string> = {},
) =>
  post(
    `${s.url}/v1/messages`,
    {
      model,
      max_tokens: 400,
      system: messages[0].content,
      messages: messages.slice(1),
      ...extra,
    },
    { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', ...headers },
  );
const geminiReq = (
  s: MockServer,
  model: string,
  messages: { role: string; content: string }[],
  extra: object = {},
  auth: 'header' | 'query' = 'header',
) =>
  post(
    `${s.url}/v1beta/models/${model}:generateContent${auth === 'query' ? '?key=AIza-test' : ''}`,
    {
      systemInstruction: { parts: [{ text: messages[0].content }] },
      contents: messages
        .slice(1)
        .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
      generationConfig: { maxOutputTokens: 400 },
      ...extra,
    },
    auth === 'header' ? { 'x-goog-api-key': 'AIza-test' } : {},
  );

test('OpenAI chat completions: body, usage and an in-character proposal', async () => {
  await withServer({ strategies: { 'gpt-4o': 'greedy' } }, async (s) => {
    const r = await openaiReq(s, 'gpt-4o', conversation('proposal'), {
      temperature: 0.7,
      max_tokens: 400,
      max_completion_tokens: undefined,
    });
    assert.equal(r.status, 200);
    const b = r.body;
    assert.equal(b.object, 'chat.completion');
    assert.match(b.id, /^chatcmpl-/);
    assert.equal(b.model, 'gpt-4o');
    assert.equal(typeof b.created, 'number');
    assert.equal(b.choices.length, 1);
    assert.equal(b.choices[0].message.role, 'assistant');
    assert.equal(b.choices[0].finish_reason, 'stop');
    const u = b.usage;
    assert.ok(u.prompt_tokens > 500, 'prompt tokens reflect the prompt');
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
    assert.equal(u.completion_tokens_details.reasoning_tokens, 0);
    assert.equal(u.prompt_tokens_details.cached_tokens, 0);
    // greedy claims what it values: every item with a positive value
    const p = parseProposal(b.choices[0].message.content, spec);
    assert.ok(p.ok);
    assert.ok(validateAllocation(p.value, 2, 5).ok);
    assert.deepEqual(p.value.Agent_1, [0, 1, 2, 3, 4]);
  });
});

test('OpenAI reasoning models: reasoning tokens within max_completion_tokens; temperature and max_tokens refused', async () => {
  await withServer({}, async (s) => {
    const r = await openaiReq(s, 'o3', votingConversation(), {
      reasoning_effort: 'high',
      max_completion_tokens: 12000,
    });
    assert.equal(r.status, 200);
    const u = r.body.usage;
    // thousands of tokens at high effort, as real reasoning models spend
    assert.ok(
      u.completion_tokens_details.reasoning_tokens >= 2000 && u.completion_tokens_details.reasoning_tokens <= 8000,
      String(u.completion_tokens_details.reasoning_tokens),
    );
    assert.ok(
      u.completion_tokens > u.completion_tokens_details.reasoning_tokens,
      'completion tokens include reasoning',
    );
    const v = parseVotes(r.body.choices[0].message.content, 2);
    assert.ok(v.ok);
    // reasoning eats the cap: the answer is cut off, as the real API does
    const cut = await openaiReq(s, 'o4-mini', votingConversation(), {
      reasoning_effort: 'high',
      max_completion_tokens: 200,
    });
    assert.equal(cut.body.choices[0].finish_reason, 'length');
    assert.equal(cut.body.usage.completion_tokens, 200);
    const t = await openaiReq(s, 'o3-mini', votingConversation(), { temperature: 0.5 });
    assert.equal(t.status, 400);
    assert.equal(t.body.error.type, 'invalid_request_error');
    assert.match(t.body.error.message, /temperature/);
    const m = await post(
      `${s.url}/v1/chat/completions`,
      { model: 'gpt-5', messages: votingConversation(), max_tokens: 100 },
      { authorization: 'Bearer sk-x' },
    );
    assert.equal(m.status, 400);
    assert.match(m.body.error.message, /max_completion_tokens/);
  });
});

test('OpenAI error bodies: missing key, invalid key, out of quota, bad request, unknown path', async () => {
  await withServer({}, async (s) => {
    const none = await post(
      `${s.url}/v1/chat/completions`,
      { model: 'gpt-4o', messages: conversation('discussion') },
      {},
    );
    assert.equal(none.status, 401);
    assert.deepEqual(Object.keys(none.body.error).sort(), ['code', 'message', 'param', 'type']);
    const bad = await openaiReq(s, 'gpt-4o', conversation('discussion'), {}, 'sk-invalid-123');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'invalid_api_key');
    assert.ok(!JSON.stringify(bad.body).includes('sk-invalid-123'), 'the key is not echoed');
    const quota = await openaiReq(s, 'gpt-4o', conversation('discussion'), {}, 'sk-no-funds');
    assert.equal(quota.status, 429);
    assert.equal(quota.body.error.code, 'insufficient_quota');
    const empty = await openaiReq(s, 'gpt-4o', []);
    assert.equal(empty.status, 400);
    const nf = await post(`${s.url}/v1/embeddings`, {}, { authorization: 'Bearer sk-x' });
    assert.equal(nf.status, 404);
    // sim models may come without a key (the sim route is keyless)
    const sim = await post(
      `${s.url}/v1/chat/completions`,
      { model: 'sim:nash', messages: conversation('discussion') },
      {},
    );
    assert.equal(sim.status, 200);
  });
});

test('OpenRouter: OpenAI-shaped body with provider, reasoning and usage; 402 without credit', async () => {
  await withServer({}, async (s) => {
    const r = await post(
      `${s.url}/api/v1/chat/completions`,
      {
        model: 'openai/o3-mini',
        messages: votingConversation(),
        reasoning: { effort: 'low' },
        max_tokens: 2000,
      },
      { authorization: 'Bearer sk-or-test' },
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.object, 'chat.completion');
    assert.equal(typeof r.body.provider, 'string');
    assert.equal(r.body.choices[0].native_finish_reason, 'stop');
    const rt = r.body.usage.completion_tokens_details.reasoning_tokens;
    assert.ok(rt >= 256 && rt <= 1500, String(rt));
    assert.equal(typeof r.body.choices[0].message.reasoning, 'string');
    assert.ok(parseVotes(r.body.choices[0].message.content, 2).ok);
    const chat = await post(
      `${s.url}/api/v1/chat/completions`,
      { model: 'anthropic/claude-3-opus', messages: conversation('discussion') },
      { authorization: 'Bearer sk-or-test' },
    );
    assert.equal(chat.body.usage.completion_tokens_details.reasoning_tokens, 0);
    const broke = await post(
      `${s.url}/api/v1/chat/completions`,
      { model: 'openai/gpt-4o', messages: conversation('discussion') },
      { authorization: 'Bearer sk-or-no-funds' },
    );
    assert.equal(broke.status, 402);
    assert.equal(broke.body.error.code, 402);
    assert.equal(typeof broke.body.error.message, 'string');
  });
});

test('Anthropic messages: body, thinking block, usage; version header, max_tokens and thinking rules; error bodies', async () => {
  await withServer({ strategies: { 'claude-3-opus-20240229': 'boulware' } }, async (s) => {
    const r = await anthropicReq(s, 'claude-3-opus-20240229', conversation('proposal'));
    assert.equal(r.status, 200);
    const b = r.body;
    assert.equal(b.type, 'message');
    assert.equal(b.role, 'assistant');
    assert.match(b.id, /^msg_/);
    assert.equal(b.stop_reason, 'end_turn');
    assert.equal(b.content.length, 1);
    assert.equal(b.content[0].type, 'text');
    assert.ok(b.usage.input_tokens > 500 && b.usage.output_tokens > 0);
    assert.ok('cache_read_input_tokens' in b.usage);
    assert.ok(r.headers.get('request-id'));
    assert.ok(parseProposal(b.content[0].text, spec).ok);
    // thinking: a thinking block first, billed in output tokens
    const t = await anthropicReq(s, 'claude-sonnet-4-20250514', conversation('proposal'), {
      max_tokens: 3000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    assert.equal(t.status, 200);
    assert.deepEqual(
      t.body.content.map((c: { type: string }) => c.type),
      ['thinking', 'text'],
    );
    assert.equal(typeof t.body.content[0].signature, 'string');
    assert.ok(t.body.usage.output_tokens >= 64);
    const checks: [object, Record<string, string>, RegExp][] = [
      [{ max_tokens: undefined }, {}, /max_tokens/],
      [{}, { 'anthropic-version': '' }, /anthropic-version/],
      [{ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, temperature: 0.2 }, {}, /temperature/],
      [{ max_tokens: 1000, thinking: { type: 'enabled', budget_tokens: 1024 } }, {}, /greater than/],
    ];
    for (const [extra, headers, re] of checks) {
      const h = { ...headers };
      const e =
        headers['anthropic-version'] === ''
          ? await post(
              `${s.url}/v1/messages`,
              { model: 'claude-3-5-haiku-20241022', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
              { 'x-api-key': 'sk-ant-test' },
            )
          : await anthropicReq(s, 'claude-3-5-haiku-20241022', conversation('discussion'), extra, h);
      assert.equal(e.status, 400);
      assert.equal(e.body.type, 'error');
      assert.equal(e.body.error.type, 'invalid_request_error');
      assert.match(e.body.error.message, re);
    }
    const auth = await post(
      `${s.url}/v1/messages`,
      { model: 'claude-4-opus', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': 'sk-ant-invalid', 'anthropic-version': '2023-06-01' },
    );
    assert.equal(auth.status, 401);
    assert.equal(auth.body.error.type, 'authentication_error');
  });
});

test('Gemini generateContent: body, thoughts token count, key in header or query; error bodies', async () => {
  await withServer({}, async (s) => {
    const r = await geminiReq(s, 'gemini-2.0-flash-001', conversation('proposal'));
    assert.equal(r.status, 200);
    const c = r.body.candidates[0];
    assert.equal(c.content.role, 'model');
    assert.equal(c.finishReason, 'STOP');
    assert.ok(parseProposal(c.content.parts[0].text, spec).ok);
    const um = r.body.usageMetadata;
    assert.ok(um.promptTokenCount > 500 && um.candidatesTokenCount > 0);
    assert.equal(um.totalTokenCount, um.promptTokenCount + um.candidatesTokenCount);
    assert.ok(!('thoughtsTokenCount' in um));
    assert.equal(r.body.modelVersion, 'gemini-2.0-flash-001');
    const t = await geminiReq(
      s,
      'gemini-2.5-pro',
      votingConversation(),
      { generationConfig: { maxOutputTokens: 3000, thinkingConfig: { thinkingBudget: 100, includeThoughts: true } } },
      'query',
    );
    assert.equal(t.status, 200);
    assert.ok(t.body.usageMetadata.thoughtsTokenCount > 0 && t.body.usageMetadata.thoughtsTokenCount <= 100);
    assert.equal(
      t.body.usageMetadata.totalTokenCount,
      t.body.usageMetadata.promptTokenCount +
        t.body.usageMetadata.candidatesTokenCount +
        t.body.usageMetadata.thoughtsTokenCount,
    );
    const parts = t.body.candidates[0].content.parts;
    assert.equal(parts[0].thought, true);
    assert.ok(parseVotes(parts[1].text, 2).ok);
    const off = await geminiReq(s, 'gemini-2.5-pro', votingConversation(), {
      generationConfig: { thinkingConfig: { thinkingBudget: 0 } },
    });
    assert.equal(off.status, 400);
    assert.equal(off.body.error.status, 'INVALID_ARGUMENT');
    const bad = await post(
      `${s.url}/v1beta/models/gemini-2.5-flash:generateContent`,
      { contents: [{ parts: [{ text: 'hi' }] }] },
      { 'x-goog-api-key': 'AIza-invalid' },
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].reason, 'API_KEY_INVALID');
    const none = await post(
      `${s.url}/v1beta/models/gemini-2.5-flash:generateContent`,
      { contents: [{ parts: [{ text: 'hi' }] }] },
      {},
    );
    assert.equal(none.body.error.code, none.status);
  });
});

test("per-key RPM: 429 with Retry-After in each format's error shape; other keys unaffected; the window slides", async () => {
  let clock = 1_000_000;
  await withServer({ rpm: 2, now: () => clock }, async (s) => {
    const ask = (key: string) => openaiReq(s, 'gpt-4o', conversation('discussion'), {}, key);
    assert.equal((await ask('sk-a')).status, 200);
    clock += 10_000;
    assert.equal((await ask('sk-a')).status, 200);
    const limited = await ask('sk-a');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limit_exceeded');
    assert.equal(limited.headers.get('retry-after'), '50');
    assert.equal((await ask('sk-b')).status, 200, 'another key has its own budget');
    const ant = await post(
      `${s.url}/v1/messages`,
      { model: 'claude-opus-4-1-20250805', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': 'sk-a', 'anthropic-version': '2023-06-01' },
    );
    assert.equal(ant.status, 429);
    assert.equal(ant.body.error.type, 'rate_limit_error');
    const gem = await post(
      `${s.url}/v1beta/models/gemini-2.5-flash:generateContent`,
      { contents: [{ parts: [{ text: 'hi' }] }] },
      { 'x-goog-api-key': 'sk-a' },
    );
    assert.equal(gem.status, 429);
    assert.equal(gem.body.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(gem.body.error.details.find((d: any) => d['@type'].endsWith('RetryInfo')).retryDelay, '50s');
    assert.equal(gem.headers.get('retry-after'), null, 'Gemini sends no Retry-After');
    clock += 50_000;
    assert.equal((await ask('sk-a')).status, 200, 'the oldest request left the window');
    const st = s.stats();
    const a = st.by_key[keyHash('sk-a')];
    assert.deepEqual(a, { requests: 6, ok: 3, rate_limited: 3, errors: 0 });
    assert.equal(st.by_key[keyHash('sk-b')].requests, 1);
    // keys appear only as hashes, in stats() and at GET /_stats
    const http = (await (await fetch(`${s.url}/_stats`)).json()) as any;
    assert.equal(http.requests, st.requests);
    assert.equal(http.log.length, 7);
    assert.deepEqual(Object.keys(http.log[0]).sort(), [
      'fault',
      'format',
      'key',
      'latency_ms',
      'model',
      'ms',
      'req',
      'retry_after_s',
      'status',
      't',
    ]);
    assert.equal(http.log[2].retry_after_s, 50);
    assert.equal(http.log[0].retry_after_s, null);
    assert.match(http.log[0].req, /^[0-9a-f]{24}$/);
    assert.equal(http.log[0].req, http.log[2].req, 'the same request content has the same hash, whatever the answer');
    assert.notEqual(http.log[0].req, http.log.find((e: any) => e.format === 'anthropic').req);
    for (const text of [JSON.stringify(st), JSON.stringify(http)])
      assert.ok(!text.includes('sk-a') && !text.includes('sk-b'));
  });
});

test('429 bursts: each key is refused for the burst with the rest of it as Retry-After, then served; keys burst at different times', async () => {
  let clock = 5_000_000;
  await withServer({ rateLimitBursts: { everyMs: 20_000, forMs: 6_000 }, now: () => clock }, async (s) => {
    const ask = (key: string) => openaiReq(s, 'gpt-4o', conversation('discussion'), {}, key);
    // sample each key every 500 ms over two periods: refused stretches are 6 s long, 20 s apart
    const seen: Record<string, { t: number; status: number; retry: string | null }[]> = { 'sk-a': [], 'sk-b': [] };
    for (let t = 0; t < 40_000; t += 500) {
      for (const k of Object.keys(seen)) {
        const r = await ask(k);
        seen[k].push({ t, status: r.status, retry: r.headers.get('retry-after') });
      }
      clock += 500;
    }
    const starts: number[] = [];
    for (const [k, rows] of Object.entries(seen)) {
      const refused = rows.filter((r) => r.status === 429);
      assert.equal(refused.length, 2 * 12, `${k}: 6 s of every 20 s at 500 ms steps`);
      for (const r of rows) assert.ok(r.status === 200 || r.status === 429, `${k} ${r.status}`);
      for (const r of refused) {
        const end = r.t + Number(r.retry) * 1000;
        // Retry-After reaches past the end of the burst, by less than a second (whole seconds, rounded up)
        const after = rows.filter((x) => x.t >= end);
        assert.ok(
          after.length === 0 || after[0].status === 200,
          `${k}: served once the Retry-After has passed (at ${r.t} + ${r.retry}s)`,
        );
        const stillRefused = rows.filter((x) => x.t > r.t && x.t < end - 1000);
        assert.ok(
          stillRefused.every((x) => x.status === 429),
          `${k}: the burst lasts as long as the Retry-After says`,
        );
      }
      starts.push(refused[0].t);
    }
    assert.notEqual(starts[0], starts[1], 'keys burst at different times');
    const st = s.stats();
    assert.equal(st.by_key[keyHash('sk-a')].rate_limited, 24);
    assert.ok(
      st.log
        .filter((e) => e.status === 429)
        .every((e) => e.fault === 'rate_limit_burst' && e.retry_after_s! >= 1 && e.retry_after_s! <= 6),
    );
  });
});

test('per-format RPM and per-model latency (benches): each API its own limit, each model its own delay', async () => {
  let clock = 2_000_000;
  await withServer(
    { rpm: 3, rpmByFormat: { anthropic: 1 }, latencyByModel: { 'gpt-4o': [120, 120] }, now: () => clock },
    async (s) => {
      const ant = () =>
        post(
          `${s.url}/v1/messages`,
          { model: 'claude-3-5-haiku-20241022', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
          { 'x-api-key': 'sk-ant-x', 'anthropic-version': '2023-06-01' },
        );
      assert.equal((await ant()).status, 200);
      const limited = await ant();
      assert.equal(limited.status, 429, 'anthropic keys: 1 a minute');
      assert.match(limited.body.error.message, /of 1 requests per minute/);
      for (let i = 0; i < 3; i++)
        assert.equal(
          (await openaiReq(s, 'o3-mini', conversation('discussion'))).status,
          200,
          'openai keys: 3 a minute',
        );
      assert.equal((await openaiReq(s, 'o3-mini', conversation('discussion'))).status, 429);
      clock += 61_000;
      const t0 = performance.now();
      const or = await post(
        `${s.url}/api/v1/chat/completions`,
        { model: 'openai/gpt-4o', messages: conversation('discussion') },
        { authorization: 'Bearer sk-or-x' },
      );
      assert.equal(or.status, 200, 'the tail of an OpenRouter id matches');
      assert.ok(performance.now() - t0 >= 115, 'gpt-4o answered after its latency');
    },
  );
});

test("RPM as a token bucket (rpmBurstS): a few seconds of budget at once, then the RPM's pace", async () => {
  let clock = 3_000_000;
  await withServer({ rpm: 600, rpmBurstS: 2, now: () => clock }, async (s) => {
    const ask = () => openaiReq(s, 'gpt-4o', conversation('discussion'));
    for (let i = 0; i < 20; i++) assert.equal((await ask()).status, 200, `burst request ${i}`); // 2 s of 600 rpm
    const limited = await ask();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    clock += 100; // 10 a second: one more token
    assert.equal((await ask()).status, 200);
    assert.equal((await ask()).status, 429);
    clock += 60_000;
    for (let i = 0; i < 20; i++) assert.equal((await ask()).status, 200, 'refilled, never beyond its size');
    assert.equal((await ask()).status, 429);
  });
});

test('answers are a deterministic function of the request', async () => {
  const clock = () => 1_700_000_000_000;
  const bodies: string[] = [];
  for (let i = 0; i < 2; i++) {
    await withServer({ now: clock, strategies: { 'gpt-4o': 'random' } }, async (s) => {
      for (const phase of ['discussion', 'proposal'] as const)
        bodies.push(JSON.stringify((await openaiReq(s, 'gpt-4o', conversation(phase))).body));
      bodies.push(JSON.stringify((await openaiReq(s, 'gpt-4o', votingConversation())).body));
    });
  }
  assert.deepEqual(bodies.slice(0, 3), bodies.slice(3));
});

test('output faults: fenced, prose-wrapped, trailing commas, comments, single quotes parse; truncated and refusals are rejected', async () => {
  const expect: Record<string, (text: string, finish: string) => void> = {
    fenced: (t) => {
      assert.match(t, /^```json\n/);
      assert.ok(parseVotes(t, 2).ok);
    },
    prose: (t) => {
      assert.match(t, /^Here is my answer/);
      assert.ok(parseVotes(t, 2).ok);
    },
    trailing_comma: (t) => {
      assert.match(t, /,\]/);
      assert.throws(() => JSON.parse(t));
      assert.ok(parseVotes(t, 2).ok);
    },
    comments: (t) => {
      assert.match(t, /^\/\/ my answer\n\{ \/\* final \*\/\n/);
      assert.ok(parseVotes(t, 2).ok);
    },
    single_quotes: (t) => {
      assert.match(t, /^\{'votes'/);
      assert.ok(parseVotes(t, 2).ok);
    },
    truncated: (t, f) => {
      assert.equal(f, 'length');
      const v = parseVotes(t, 2, { finishReason: f });
      assert.ok(!v.ok && /cut off/.test(v.error));
    },
    refusal: (t) => {
      assert.equal(t, REFUSAL_TEXT);
      const v = parseVotes(t, 2);
      assert.ok(!v.ok && /refusal/.test(v.error));
    },
  };
  for (const [kind, check] of Object.entries(expect)) {
    await withServer({ faults: { [kind]: 1 } }, async (s) => {
      const r = await openaiReq(s, 'gpt-4o', votingConversation());
      check(r.body.choices[0].message.content, r.body.choices[0].finish_reason);
      // text phases are left alone
      const d = await openaiReq(s, 'gpt-4o', conversation('discussion'));
      assert.ok(!/^```|^Here is my answer/.test(d.body.choices[0].message.content));
      assert.equal(s.stats().faults[kind], 1);
    });
  }
});

test("transport faults: 5xx in the format's shape, connection resets, slow responses; a repeated request draws afresh", async () => {
  await withServer({ faults: { server_error: 1 } }, async (s) => {
    const o = await openaiReq(s, 'gpt-4o', conversation('discussion'));
    assert.ok(o.status === 500 || o.status === 503);
    assert.equal(o.body.error.type, 'server_error');
    const a = await anthropicReq(s, 'claude-3-opus-20240229', conversation('discussion'));
    assert.ok(a.status === 500 || a.status === 529);
    assert.ok(['api_error', 'overloaded_error'].includes(a.body.error.type));
  });
  await withServer({ faults: { reset: 1 } }, async (s) => {
    await assert.rejects(openaiReq(s, 'gpt-4o', conversation('discussion')));
    assert.equal(s.stats().log[0].fault, 'reset');
  });
  await withServer({ faults: { slow: 1 }, slowMs: 300 }, async (s) => {
    const t0 = performance.now();
    const r = await openaiReq(s, 'gpt-4o', conversation('discussion'));
    assert.equal(r.status, 200);
    assert.ok(performance.now() - t0 >= 290);
    assert.equal(s.stats().log[0].fault, 'slow');
  });
  // 50% errors: the same request, repeated, eventually succeeds; the sequence is reproducible
  const seqs: number[][] = [];
  for (let i = 0; i < 2; i++) {
    await withServer({ errorRate: 0.5, faults: { server_error: 0.5 } }, async (s) => {
      const seq: number[] = [];
      for (let k = 0; k < 12; k++) seq.push((await openaiReq(s, 'gpt-4o', conversation('discussion'))).status);
      seqs.push(seq);
    });
  }
  assert.deepEqual(seqs[0], seqs[1]);
  assert.ok(seqs[0].includes(200) && seqs[0].some((x) => x >= 500), seqs[0].join(','));
});

test('the mock plays the mapped strategy, sim:<strategy>, or linear; non-negotiation prompts get a plain reply', async () => {
  await withServer({ strategies: { 'gpt-4o': 'greedy' }, extraModels: ['unmapped-model'] }, async (s) => {
    const greedy = await openaiReq(s, 'gpt-4o', conversation('proposal', { round: 10 }));
    const linear = await openaiReq(s, 'unmapped-model', conversation('proposal', { round: 10 }));
    const sim = await openaiReq(s, 'sim:greedy', conversation('proposal', { round: 10 }));
    const alloc = (r: { body: any }) =>
      (parseProposal(r.body.choices[0].message.content, spec) as { value: AllocationMap }).value;
    assert.deepEqual(alloc(greedy), alloc(sim));
    // in the last round linear asks for 40% of its value; greedy still claims everything it values
    assert.ok(alloc(linear).Agent_1.length < alloc(greedy).Agent_1.length);
    const hi = await openaiReq(s, 'gpt-4o', [{ role: 'user', content: 'Hello?' }]);
    assert.equal(hi.status, 200);
    assert.match(hi.body.choices[0].message.content, /simulated negotiator/);
  });
});
