/**
 * The mock server as strict as the real APIs (issue 10 §6), over real HTTP with fetch: what
 * it serves on a date (each provider's real not-found body otherwise), the list-models
 * endpoints, the real error bodies (Gemini's quota 429 and missing-key 403, Anthropic's
 * request_id), Anthropic's Bearer auth, API versions and thinking rules, OpenAI's reasoning
 * parameters, realistic reasoning spend and its cut-off, and --reroute. Wording is asserted
 * where the real API's wording is known, so a drift fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadRegistry, Registry } from '../providers/registry.ts';
import { PRESETS } from '../grid/presets.ts';
import { today } from '../providers/lifecycle.ts';
import { SEED_DATE, startMockServer, type MockServer, type MockServerOptions } from './server.ts';

const TODAY_IN_ISSUE = '2026-12-02';
const registry = loadRegistry();
/** the registry's 13 seed rows alone: the listing tests pin exactly what the mock lists from them */
const seedRegistry = (() => {
  const raw = JSON.parse(readFileSync(new URL('../providers/models.json', import.meta.url), 'utf8'));
  const seed = new Set([...PRESETS.seed.weak, ...PRESETS.seed.strong]);
  raw.models = Object.fromEntries(Object.entries(raw.models).filter(([k]) => seed.has(k)));
  return Registry.fromData(raw, ['seed rows']);
})();

async function withServer(opts: MockServerOptions, f: (s: MockServer) => Promise<void>): Promise<void> {
  const s = await startMockServer(opts);
  try {
    await f(s);
  } finally {
    await s.close();
  }
}

async function call(url: string, init: RequestInit = {}) {
  const r = await fetch(url, init);
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
}
const post = (url: string, body: unknown, headers: Record<string, string>) =>
  call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const HI = [{ role: 'user', content: 'hi' }];
const oai = (s: MockServer, model: string, extra: object = {}, key = 'sk-test') =>
  post(`${s.url}/v1/chat/completions`, { model, messages: HI, ...extra }, { authorization: `Bearer ${key}` });
const orq = (s: MockServer, model: string, extra: object = {}) =>
  post(`${s.url}/api/v1/chat/completions`, { model, messages: HI, ...extra }, { authorization: 'Bearer sk-or-test' });
const ant = (s: MockServer, model: string, extra: object = {}, headers: Record<string, string> = {}) =>
  post(
    `${s.url}/v1/messages`,
    { model, max_tokens: 2000, messages: HI, ...extra },
    { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', ...headers },
  );
const gem = (
  s: MockServer,
  model: string,
  generationConfig: object = {},
  headers: Record<string, string> = { 'x-goog-api-key': 'AIza-test' },
) =>
  post(
    `${s.url}/v1beta/models/${model}:generateContent`,
    { contents: [{ parts: [{ text: 'hi' }] }], generationConfig },
    headers,
  );

test("on 2026-12-02 retired ids get each provider's real not-found answer; live ones, snapshots and sim:* are served", async () => {
  await withServer({ date: TODAY_IN_ISSUE }, async (s) => {
    const o = await oai(s, 'o3-mini');
    assert.equal(o.status, 404);
    assert.deepEqual(o.body, {
      error: {
        message: 'The model `o3-mini` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    });
    const a = await ant(s, 'claude-3-opus-20240229');
    assert.equal(a.status, 404);
    assert.equal(a.body.type, 'error');
    assert.deepEqual(a.body.error, { type: 'not_found_error', message: 'model: claude-3-opus-20240229' });
    assert.match(a.body.request_id, /^req_\w+/);
    assert.equal(a.headers.get('request-id'), a.body.request_id);
    const g = await gem(s, 'gemini-2.0-flash-001');
    assert.equal(g.status, 404);
    assert.deepEqual(g.body.error, {
      code: 404,
      status: 'NOT_FOUND',
      message:
        'models/gemini-2.0-flash-001 is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
    });
    const r = await orq(s, 'anthropic/claude-3-opus');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.error, { message: 'anthropic/claude-3-opus is not a valid model ID', code: 400 });
    // unknown ids too, and a registry name is not an API id
    assert.equal((await oai(s, 'gpt-7-turbo')).status, 404);
    assert.equal((await oai(s, 'chatgpt-5')).status, 404);
    // OpenAI ids are not Anthropic's
    assert.equal((await ant(s, 'gpt-4o')).status, 404);
    for (const m of ['gpt-4o', 'o3', 'gpt-5', 'gpt-5-2025-08-07', 'sim:nash'])
      assert.equal((await oai(s, m, { max_completion_tokens: 20000 })).status, 200, m);
    assert.equal((await orq(s, 'openai/gpt-5', { max_tokens: 20000 })).status, 200);
    assert.equal((await gem(s, 'gemini-2.5-pro')).status, 404, 'retired on 2026-12-01');
    assert.equal(s.stats().by_status['404'], 7);
  });
  // before its release a model does not exist either
  await withServer({ date: '2025-01-01' }, async (s) => {
    assert.equal((await oai(s, 'gpt-5')).status, 404);
    assert.equal((await oai(s, 'gpt-4o')).status, 200);
  });
});

test('SEED_DATE serves all 13 seed models on their own APIs and OpenRouter; the default date is today; extraModels serve any id', async () => {
  await withServer({ date: SEED_DATE, reasoningScale: 0 }, async (s) => {
    assert.equal(s.date, SEED_DATE);
    const names = seedRegistry.names();
    assert.equal(names.length, 13);
    for (const name of names) {
      const e = registry.get(name);
      const direct =
        e.provider === 'openai'
          ? await oai(s, e.model_id)
          : e.provider === 'anthropic'
            ? await ant(s, e.model_id)
            : await gem(s, e.model_id);
      assert.equal(direct.status, 200, `${name} (${e.model_id})`);
      assert.equal((await orq(s, e.openrouter_id!)).status, 200, `${name} via OpenRouter`);
    }
  });
  await withServer({ extraModels: ['my-local-model'] }, async (s) => {
    assert.equal(s.date, today());
    assert.equal((await oai(s, 'my-local-model')).status, 200);
    assert.equal((await gem(s, 'my-local-model')).status, 200);
    assert.equal((await oai(s, 'other-local-model')).status, 404);
  });
  await assert.rejects(startMockServer({ date: '2026-02-30' }), /date must be YYYY-MM-DD/);
});

test("list-models per provider, filtered by the date; auth as for completions, OpenRouter's list public", async () => {
  await withServer({ date: TODAY_IN_ISSUE, registry: seedRegistry }, async (s) => {
    const o = await call(`${s.url}/v1/models`, { headers: { authorization: 'Bearer sk-x' } });
    assert.equal(o.status, 200);
    assert.equal(o.body.object, 'list');
    assert.deepEqual(
      o.body.data.map((m: any) => m.id),
      ['gpt-4o', 'o3', 'gpt-5'],
    );
    assert.deepEqual(Object.keys(o.body.data[0]).sort(), ['created', 'id', 'object', 'owned_by']);
    assert.equal(o.body.data[0].object, 'model');
    assert.equal(o.body.data[2].created, Date.parse('2025-08-07T00:00:00Z') / 1000);
    assert.equal((await call(`${s.url}/v1/models`)).status, 401);

    const a = await call(`${s.url}/v1/models`, {
      headers: { authorization: 'Bearer sk-ant-x', 'anthropic-version': '2023-06-01' },
    });
    assert.equal(a.status, 200);
    assert.deepEqual(
      a.body,
      { data: [], has_more: false, first_id: null, last_id: null },
      'every seed Claude model is retired by then',
    );
    assert.ok(a.headers.get('request-id'));

    const g = await call(`${s.url}/v1beta/models?key=AIza-x`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, { models: [] });
    const noKey = await call(`${s.url}/v1beta/models`);
    assert.equal(noKey.status, 403);
    assert.equal(noKey.body.error.status, 'PERMISSION_DENIED');

    const r = await call(`${s.url}/api/v1/models`);
    assert.equal(r.status, 200, 'public');
    assert.deepEqual(
      r.body.data.map((m: any) => m.id),
      ['openai/gpt-4o', 'openai/o3', 'openai/gpt-5'],
    );
    assert.equal(r.body.data[0].context_length, 128000);
    assert.deepEqual(
      r.body.data[0].pricing,
      { prompt: '0.0000025', completion: '0.00001' },
      'USD per token, as strings',
    );
  });
  await withServer({ date: SEED_DATE, registry: seedRegistry }, async (s) => {
    const a = await call(`${s.url}/v1/models`, {
      headers: { 'x-api-key': 'sk-ant-x', 'anthropic-version': '2026-10-21' },
    });
    assert.deepEqual(
      a.body.data.map((m: any) => m.id),
      ['claude-3-opus-20240229', 'claude-3-5-haiku-20241022', 'claude-sonnet-4-20250514', 'claude-opus-4-1-20250805'],
    );
    assert.equal(a.body.data[0].type, 'model');
    assert.equal(a.body.data[0].created_at, '2024-02-29T00:00:00Z');
    assert.equal(typeof a.body.data[0].display_name, 'string');
    assert.equal(a.body.first_id, 'claude-3-opus-20240229');
    assert.equal(a.body.last_id, 'claude-opus-4-1-20250805');
    // Gemini pages: pageSize, then nextPageToken
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const g = await call(`${s.url}/v1beta/models?pageSize=3${token ? `&pageToken=${token}` : ''}`, {
        headers: { 'x-goog-api-key': 'AIza-x' },
      });
      assert.ok(g.body.models.length <= 3);
      for (const m of g.body.models) {
        assert.match(m.name, /^models\//);
        assert.ok(m.inputTokenLimit > 0 && m.outputTokenLimit > 0 && typeof m.displayName === 'string');
        assert.ok(m.supportedGenerationMethods.includes('generateContent'));
        ids.push(m.name.slice('models/'.length));
      }
      token = g.body.nextPageToken;
    } while (token);
    assert.deepEqual(ids, ['gemini-1.5-pro', 'gemini-2.0-flash-001', 'gemini-2.5-flash', 'gemini-2.5-pro']);
  });
});

test("Gemini's per-minute 429 (RPM and bursts): the quota text, QuotaFailure naming the per-minute quota, RetryInfo, no Retry-After; missing key 403", async () => {
  let clock = 1_000_000;
  await withServer({ date: SEED_DATE, rpm: 1, now: () => clock }, async (s) => {
    assert.equal((await gem(s, 'gemini-2.5-flash', { thinkingConfig: { thinkingBudget: 0 } })).status, 200);
    clock += 34_000;
    const r = await gem(s, 'gemini-2.5-flash');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), null);
    const e = r.body.error;
    assert.equal(e.code, 429);
    assert.equal(e.status, 'RESOURCE_EXHAUSTED');
    assert.match(
      e.message,
      /^You exceeded your current quota, please check your plan and billing details\. For more information on this error, head to: https:\/\/ai\.google\.dev\/gemini-api\/docs\/rate-limits/,
    );
    assert.match(e.message, /limit: 1, model: gemini-2\.5-flash\nPlease retry in 26s\.$/);
    const qf = e.details.find((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure');
    assert.equal(qf.violations[0].quotaId, 'GenerateRequestsPerMinutePerProjectPerModel');
    assert.match(qf.violations[0].quotaMetric, /^generativelanguage\.googleapis\.com\//);
    assert.deepEqual(qf.violations[0].quotaDimensions, { location: 'global', model: 'gemini-2.5-flash' });
    assert.equal(qf.violations[0].quotaValue, '1');
    const ri = e.details.find((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
    assert.equal(ri.retryDelay, '26s');
    assert.equal(s.stats().log.at(-1)!.retry_after_s, 26);

    const none = await gem(s, 'gemini-2.5-flash', {}, {});
    assert.equal(none.status, 403);
    assert.deepEqual(none.body.error, {
      code: 403,
      status: 'PERMISSION_DENIED',
      message:
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    });
  });
  await withServer({ date: SEED_DATE, rateLimitBursts: { everyMs: 10_000, forMs: 10_000 } }, async (s) => {
    const r = await gem(s, 'gemini-2.5-pro');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), null);
    assert.match(r.body.error.message, /^You exceeded your current quota/);
    assert.ok(r.body.error.details.some((d: any) => /RetryInfo$/.test(d['@type']) && /^\d+s$/.test(d.retryDelay)));
    assert.ok(
      r.body.error.details.some(
        (d: any) => /QuotaFailure$/.test(d['@type']) && /PerMinute/.test(d.violations[0].quotaId),
      ),
    );
  });
});

test("OpenAI, Anthropic and OpenRouter 429s: their wording, Retry-After, and Anthropic's request_id", async () => {
  let clock = 2_000_000;
  await withServer({ date: SEED_DATE, rpm: 1, now: () => clock }, async (s) => {
    await oai(s, 'gpt-4o', {}, 'sk-a');
    const o = await oai(s, 'gpt-4o', {}, 'sk-a');
    assert.equal(o.status, 429);
    assert.equal(o.headers.get('retry-after'), '60');
    assert.equal(o.body.error.type, 'requests');
    assert.equal(o.body.error.code, 'rate_limit_exceeded');
    assert.match(
      o.body.error.message,
      /^Rate limit reached for gpt-4o in organization \S+ on requests per min \(RPM\): Limit 1, Used 1, Requested 1\. Please try again in 60s\./,
    );
    await ant(s, 'claude-3-5-haiku-20241022', {}, { 'x-api-key': 'sk-b' });
    const a = await ant(s, 'claude-3-5-haiku-20241022', {}, { 'x-api-key': 'sk-b' });
    assert.equal(a.status, 429);
    assert.equal(a.headers.get('retry-after'), '60');
    assert.equal(a.body.error.type, 'rate_limit_error');
    assert.match(
      a.body.error.message,
      /^This request would exceed the rate limit for your organization \(\S+\) of 1 requests per minute\. For details, refer to: https:\/\/docs\.claude\.com\/en\/api\/rate-limits\./,
    );
    assert.equal(a.headers.get('request-id'), a.body.request_id);
    const r = await orq(s, 'openai/gpt-4o');
    const r2 = await orq(s, 'openai/gpt-4o');
    assert.equal(r.status, 200);
    assert.equal(r2.status, 429);
    assert.equal(r2.body.error.code, 429);
    assert.equal(r2.headers.get('retry-after'), '60');
    // every Anthropic error carries its request id
    const bad = await ant(s, 'claude-3-5-haiku-20241022', { max_tokens: 0 }, { 'x-api-key': 'sk-c' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.request_id, /^req_/);
    assert.equal(bad.headers.get('request-id'), bad.body.request_id);
  });
});

test('Anthropic: Bearer auth and the current API version; 2026-10-21 refuses sampling parameters; thinking rules by generation', async () => {
  await withServer({ date: SEED_DATE, extraModels: ['claude-opus-4-7', 'claude-sonnet-4-6'] }, async (s) => {
    const bearer = await post(
      `${s.url}/v1/messages`,
      { model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: HI },
      { authorization: 'Bearer sk-ant-b', 'anthropic-version': '2026-10-21' },
    );
    assert.equal(bearer.status, 200);
    assert.equal(bearer.body.type, 'message');
    const none = await post(
      `${s.url}/v1/messages`,
      { model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: HI },
      { 'anthropic-version': '2026-10-21' },
    );
    assert.equal(none.status, 401);
    assert.equal(none.body.error.type, 'authentication_error');
    const v = (version: string, extra: object, model = 'claude-sonnet-4-20250514') =>
      ant(s, model, extra, { 'anthropic-version': version });
    assert.equal(
      (await v('2023-06-01', { temperature: 0.3, top_p: 0.9 })).status,
      200,
      'the old version keeps sampling parameters',
    );
    for (const p of ['temperature', 'top_p', 'top_k']) {
      const r = await v('2026-10-21', { [p]: 1 });
      assert.equal(r.status, 400, p);
      assert.equal(r.body.error.type, 'invalid_request_error');
      assert.equal(r.body.error.message, `${p}: Extra inputs are not permitted`, 'even at the default value');
    }
    assert.equal((await v('2026-10-21', {})).status, 200);
    const odd = await v('2024-01-01', {});
    assert.equal(odd.status, 400);
    assert.match(odd.body.error.message, /anthropic-version/);

    // Claude 4.7 and later: enabled thinking is refused with the API's words; adaptive is the way
    const enabled = await ant(s, 'claude-opus-4-7', { thinking: { type: 'enabled', budget_tokens: 1024 } });
    assert.equal(enabled.status, 400);
    assert.equal(
      enabled.body.error.message,
      '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
    );
    const adaptive = await ant(s, 'claude-opus-4-7', {
      max_tokens: 30000,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'low' },
    });
    assert.equal(adaptive.status, 200);
    assert.equal(adaptive.body.stop_reason, 'end_turn');
    assert.equal(adaptive.body.content.at(-1).type, 'text');
    assert.equal(
      (
        await ant(s, 'claude-sonnet-4-6', {
          thinking: { type: 'adaptive' },
          output_config: { effort: 'max' },
          max_tokens: 30000,
        })
      ).status,
      200,
    );
    assert.equal(
      (await ant(s, 'claude-sonnet-4-6', { thinking: { type: 'enabled', budget_tokens: 1024 } })).status,
      200,
      '4.6 still takes enabled (deprecated)',
    );
    const old = await ant(s, 'claude-opus-4-1-20250805', { thinking: { type: 'adaptive' } });
    assert.equal(old.status, 400);
    assert.equal(old.body.error.message, 'adaptive thinking is not supported on this model');
    const effort = await ant(s, 'claude-sonnet-4-6', {
      thinking: { type: 'adaptive' },
      output_config: { effort: 'extreme' },
    });
    assert.equal(effort.status, 400);
    assert.match(
      effort.body.error.message,
      /^output_config\.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'$/,
    );
    const temp = await ant(s, 'claude-sonnet-4-6', { thinking: { type: 'adaptive' }, temperature: 0.5 });
    assert.equal(temp.status, 400);
    assert.match(temp.body.error.message, /^`temperature` may only be set to 1 when thinking is enabled/);
  });
});

test('OpenAI reasoning parameters: max_tokens and temperature refused naming the parameter; reasoning_effort values per family', async () => {
  await withServer({ date: TODAY_IN_ISSUE, extraModels: ['gpt-5.1', 'gpt-5.2'], reasoningScale: 0 }, async (s) => {
    const mt = await oai(s, 'gpt-5', { max_tokens: 100 });
    assert.equal(mt.status, 400);
    assert.deepEqual(mt.body.error, {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
    });
    const t = await oai(s, 'o3', { temperature: 0.2 });
    assert.deepEqual(t.body.error, {
      message:
        "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'unsupported_value',
    });
    assert.equal((await oai(s, 'o3', { temperature: 1 })).status, 200, 'the default is accepted');
    assert.equal((await oai(s, 'gpt-4o', { temperature: 0.2, max_tokens: 50 })).status, 200, 'chat models keep both');

    const bad = await oai(s, 'gpt-5', { reasoning_effort: 'extreme' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error, {
      message:
        "Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and 'max'.",
      type: 'invalid_request_error',
      param: 'reasoning_effort',
      code: 'invalid_value',
    });
    const o3x = await oai(s, 'o3', { reasoning_effort: 'xhigh' });
    assert.equal(o3x.status, 400);
    assert.equal(
      o3x.body.error.message,
      "Unsupported value: 'xhigh' is not supported with the 'o3' model. Supported values are: 'low', 'medium', and 'high'.",
    );
    assert.equal(o3x.body.error.code, 'unsupported_value');
    const none51 = await oai(s, 'gpt-5.1', { reasoning_effort: 'minimal' });
    assert.equal(
      none51.body.error.message,
      "Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. Supported values are: 'none', 'low', 'medium', and 'high'.",
    );
    const accepted: [string, string][] = [
      ['gpt-5', 'minimal'],
      ['gpt-5', 'high'],
      ['gpt-5.1', 'none'],
      ['gpt-5.2', 'xhigh'],
      ['o3', 'low'],
    ];
    for (const [m, e] of accepted) assert.equal((await oai(s, m, { reasoning_effort: e })).status, 200, `${m} ${e}`);
    const chat = await oai(s, 'gpt-4o', { reasoning_effort: 'low' });
    assert.equal(chat.status, 400);
    assert.equal(chat.body.error.param, 'reasoning_effort');
  });
});

test('reasoning spend: thousands of tokens at high effort by default, so a small cap cuts the answer off empty; reasoningScale scales it', async () => {
  await withServer({ date: SEED_DATE, extraModels: ['claude-opus-4-7'] }, async (s) => {
    const spent: number[] = [];
    for (const model of ['o3', 'o4-mini', 'gpt-5']) {
      const r = await oai(s, model, { reasoning_effort: 'high', max_completion_tokens: 30000 });
      spent.push(r.body.usage.completion_tokens_details.reasoning_tokens);
      const m = await oai(s, model, { reasoning_effort: 'medium', max_completion_tokens: 30000 });
      const rt = m.body.usage.completion_tokens_details.reasoning_tokens;
      assert.ok(rt >= 512 && rt <= 3000, `medium ${model}: ${rt}`);
    }
    assert.ok(
      spent.every((x) => x >= 2000 && x <= 8000),
      spent.join(','),
    );
    // the cap a non-reasoning client would send: all of it goes to reasoning, no answer
    const o = await oai(s, 'o3', { reasoning_effort: 'high', max_completion_tokens: 1000 });
    assert.equal(o.body.choices[0].finish_reason, 'length');
    assert.equal(o.body.choices[0].message.content, '');
    assert.equal(o.body.usage.completion_tokens_details.reasoning_tokens, 1000);
    const g = await gem(s, 'gemini-2.5-flash', { maxOutputTokens: 500 });
    assert.equal(g.body.candidates[0].finishReason, 'MAX_TOKENS');
    assert.deepEqual(g.body.candidates[0].content.parts, []);
    assert.equal(g.body.usageMetadata.thoughtsTokenCount, 500);
    const budget = await gem(s, 'gemini-2.5-flash', {
      maxOutputTokens: 5000,
      thinkingConfig: { thinkingBudget: 2048 },
    });
    const tt = budget.body.usageMetadata.thoughtsTokenCount;
    assert.ok(tt >= 819 && tt <= 2048, `up to the budget: ${tt}`);
    assert.equal(budget.body.candidates[0].finishReason, 'STOP');
    const a = await ant(s, 'claude-opus-4-7', {
      max_tokens: 1500,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
    });
    assert.equal(a.body.stop_reason, 'max_tokens');
    assert.deepEqual(
      a.body.content.map((c: any) => c.type),
      ['thinking'],
    );
    assert.equal(a.body.usage.output_tokens, 1500);
  });
  await withServer({ date: SEED_DATE, reasoningScale: 0 }, async (s) => {
    const o = await oai(s, 'o3', { reasoning_effort: 'high', max_completion_tokens: 1000 });
    assert.equal(o.body.choices[0].finish_reason, 'stop');
    assert.equal(o.body.usage.completion_tokens_details.reasoning_tokens, 0);
  });
  await withServer({ date: SEED_DATE, reasoningScale: 0.1 }, async (s) => {
    const rt = (await oai(s, 'o3', { reasoning_effort: 'high' })).body.usage.completion_tokens_details.reasoning_tokens;
    assert.ok(rt >= 200 && rt <= 800, String(rt));
  });
  await assert.rejects(startMockServer({ reasoningScale: -1 }), /reasoningScale/);
});

test("reroute: OLD is served (even retired) and the answer names NEW in each format's model field", async () => {
  const reroute = {
    'gemini-2.5-flash': 'gemini-3-flash',
    'gpt-4o': 'gpt-4o-2024-11-20',
    'claude-sonnet-4-20250514': 'claude-sonnet-4-6',
    'openai/o3-mini': 'openai/o4-mini',
    'made-up-model': 'other-model',
  };
  await withServer({ date: TODAY_IN_ISSUE, reroute, reasoningScale: 0 }, async (s) => {
    const g = await gem(s, 'gemini-2.5-flash');
    assert.equal(g.status, 200, 'retired on 2026-12-01 but rerouted');
    assert.equal(g.body.modelVersion, 'gemini-3-flash');
    assert.equal((await oai(s, 'gpt-4o')).body.model, 'gpt-4o-2024-11-20');
    const a = await ant(s, 'claude-sonnet-4-20250514');
    assert.equal(a.status, 200);
    assert.equal(a.body.model, 'claude-sonnet-4-6');
    assert.equal((await orq(s, 'openai/o3-mini')).body.model, 'openai/o4-mini');
    assert.equal((await oai(s, 'made-up-model')).body.model, 'other-model');
    assert.equal((await oai(s, 'o3')).body.model, 'o3', 'others answer as themselves');
    // a rerouted registry id stays on its own API, and is listed there
    assert.equal((await oai(s, 'gemini-2.5-flash')).status, 404);
    const list = await call(`${s.url}/v1beta/models?key=k`);
    assert.ok(list.body.models.some((m: any) => m.name === 'models/gemini-2.5-flash'));
  });
});

test("the clients read the mock's Gemini quota 429 as a rate limit with its retryDelay, and a no-funds key as a key error", async () => {
  const { classifyHttp } = await import('../providers/errors.ts');
  let clock = 5_000_000;
  await withServer({ date: SEED_DATE, rpm: 1, now: () => clock }, async (s) => {
    await gem(s, 'gemini-2.5-flash', { thinkingConfig: { thinkingBudget: 0 } });
    clock += 30_000;
    const r = await fetch(`${s.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    const c = classifyHttp({
      status: r.status,
      headers: Object.fromEntries(r.headers),
      body: await r.text(),
      message: 'x',
    });
    assert.equal(c.kind, 'rate_limit');
    assert.equal(c.retryAfterMs, 30_000);
    const broke = await fetch(`${s.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-no-funds' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(classifyHttp({ status: broke.status, body: await broke.text(), message: 'x' }).kind, 'key');
  });
});
