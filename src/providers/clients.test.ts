/**
 * Each client against the wire format it speaks, over real HTTP on 127.0.0.1: request shape
 * (path, model id, messages, token caps, temperature, reasoning settings, auth headers),
 * response and usage parsing, and error bodies mapped to ProviderError kinds. Dummy keys
 * must never appear in any message.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { startServer, openaiReply, type Reply, type TestServer, type RecordedRequest } from './testing/test-server.ts';
import { createChatModel, envFrom, loadRegistry, ProviderError, type ChatMessage } from './index.ts';
import { resolveRoute } from './route.ts';
import { createWireModel } from './clients.ts';
import { ApiKey, type ProviderEnv } from './env.ts';
import { wireSampling, sdkOpenAIReasoning, defaultReasoningReserve, DEFAULT_REASONING_TOKENS } from './sampling.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEYS = {
  OPENAI_API_KEY: 'sk-test-openai-dummy-0000000001',
  ANTHROPIC_API_KEY: 'sk-ant-test-dummy-0000000002',
  GEMINI_API_KEY: 'AIzaTestDummyKey000000000003',
  OPENROUTER_API_KEY: 'sk-or-v1-test-dummy-0000000004',
  SIM_API_KEY: 'sim-test-dummy-0000000005',
};
const registry = loadRegistry();
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You negotiate. Rules follow.' },
  { role: 'user', content: 'Round 1: make your proposal.' },
  { role: 'assistant', content: '{"Agent_1": [0, 1]}' },
  { role: 'user', content: 'Vote now.' },
];

let server: TestServer;
let nextReply: (req: RecordedRequest) => Reply;
before(async () => {
  server = await startServer((req) => nextReply(req));
});
after(async () => {
  await server.close();
});

function directEnv(extra: Record<string, string> = {}): ProviderEnv {
  return envFrom({
    ...KEYS,
    OPENAI_BASE_URL: `${server.url}/v1`,
    ANTHROPIC_BASE_URL: server.url,
    GEMINI_BASE_URL: server.url,
    OPENROUTER_BASE_URL: `${server.url}/api/v1`,
    SIM_BASE_URL: `${server.url}/v1`,
    ...extra,
  });
}
function openrouterOnlyEnv(): ProviderEnv {
  return envFrom({ OPENROUTER_API_KEY: KEYS.OPENROUTER_API_KEY, OPENROUTER_BASE_URL: `${server.url}/api/v1` });
}
const noRetry = { maxAttempts: 1, maxRateLimitRetries: 0 };

function assertNoKeys(text: string): void {
  for (const [label, key] of Object.entries(KEYS)) {
    assert.ok(!text.includes(key), `${label} leaked into: ${text}`);
    assert.ok(!text.includes(key.slice(0, 16)), `a prefix of ${label} leaked into: ${text}`);
  }
}

test('openai chat model: path, model id, messages, max_tokens, temperature, bearer auth, usage and cost', async () => {
  nextReply = () => openaiReply('{"accept": [true]}', { prompt_tokens: 1200, completion_tokens: 80 });
  const m = createChatModel('gpt-4o', { env: directEnv(), registry });
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 300, temperature: 0.7 });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/v1/chat/completions');
  assert.equal(q.headers.authorization, `Bearer ${KEYS.OPENAI_API_KEY}`);
  assert.equal(q.body.model, 'gpt-4o');
  assert.deepEqual(
    q.body.messages,
    MESSAGES.map((x) => ({ role: x.role, content: x.content })),
  );
  assert.equal(q.body.max_tokens, 300);
  assert.equal(q.body.max_completion_tokens, undefined);
  assert.equal(q.body.temperature, 0.7);
  assert.equal(q.body.reasoning_effort, undefined);
  assert.equal(r.text, '{"accept": [true]}');
  assert.equal(r.finishReason, 'stop');
  assert.deepEqual(r.usage, { inputTokens: 1200, outputTokens: 80, reasoningTokens: 0 });
  assert.equal(r.route, 'openai direct');
  assert.equal(r.keyLabel, 'OPENAI_API_KEY');
  assert.equal(r.attempts, 1);
  assert.ok(typeof r.latencyMs === 'number' && r.latencyMs >= 0);
  assert.ok(Math.abs(r.costUsd! - (1200 * 2.5 + 80 * 10) / 1e6) < 1e-6);
});

test('openai reasoning model: max_completion_tokens with the reasoning allowance, effort, no temperature, developer role, reasoning tokens', async () => {
  // reasoning tokens arrive inside completion_tokens_details
  nextReply = () => ({
    body: {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'o3',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'length' }],
      usage: {
        prompt_tokens: 500,
        completion_tokens: 900,
        total_tokens: 1400,
        completion_tokens_details: { reasoning_tokens: 700 },
      },
    },
  });
  const entry = registry.get('o3');
  const m = createChatModel('o3', { env: directEnv(), registry });
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 300, temperature: 0.7 });
  const q = server.requests.at(-1)!;
  assert.equal(q.body.model, 'o3');
  assert.equal(q.body.max_tokens, undefined);
  assert.equal(q.body.max_completion_tokens, 300 + entry.sampling.reasoning_tokens!);
  assert.equal(q.body.temperature, undefined);
  assert.equal(q.body.reasoning_effort, 'medium');
  assert.equal(q.body.messages[0].role, 'developer');
  assert.deepEqual(r.usage, { inputTokens: 500, outputTokens: 900, reasoningTokens: 700 });
  assert.equal(r.finishReason, 'length');
  assert.ok(
    r.warnings.some((w) => /temperature dropped/.test(w)),
    r.warnings.join('; '),
  );
  // a request's own effort wins over the registry default; chatgpt-5 is gpt-5 at high effort by default
  await m.generate({ messages: MESSAGES, maxOutputTokens: 100, reasoningEffort: 'low' });
  assert.equal(server.requests.at(-1)!.body.reasoning_effort, 'low');
  await createChatModel('chatgpt-5', { env: directEnv(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 100,
  });
  assert.equal(server.requests.at(-1)!.body.model, 'gpt-5');
  assert.equal(server.requests.at(-1)!.body.reasoning_effort, 'high');
});

test('anthropic messages: /v1/messages under the host root, x-api-key + anthropic-version, system on top, max_tokens', async () => {
  nextReply = () => ({
    body: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [{ type: 'text', text: 'I propose Apple for me.' }],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: 321, output_tokens: 45 },
    },
  });
  const msgs: ChatMessage[] = [
    ...MESSAGES,
    { role: 'system', content: 'Summary of earlier rounds.' },
    { role: 'user', content: 'Go on.' },
  ];
  const m = createChatModel('claude-4-sonnet', { env: directEnv(), registry });
  const r = await m.generate({ messages: msgs, maxOutputTokens: 250, temperature: 0.3 });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/v1/messages');
  assert.equal(q.headers['x-api-key'], KEYS.ANTHROPIC_API_KEY);
  assert.equal(q.headers['anthropic-version'], '2023-06-01');
  assert.equal(q.headers.authorization, undefined);
  assert.equal(q.body.model, 'claude-sonnet-4-20250514');
  assert.equal(q.body.max_tokens, 250);
  assert.equal(q.body.temperature, 0.3);
  assert.deepEqual(q.body.system, [{ type: 'text', text: 'You negotiate. Rules follow.' }]);
  assert.deepEqual(
    q.body.messages.map((x: { role: string }) => x.role),
    ['user', 'assistant', 'user'],
  );
  // a later system message becomes user text, merged with its neighbour so turns alternate
  assert.equal(q.body.messages[2].content[0].text, 'Vote now.\n\nSummary of earlier rounds.\n\nGo on.');
  assert.equal(r.text, 'I propose Apple for me.');
  assert.equal(r.finishReason, 'length');
  assert.equal(r.rawFinishReason, 'max_tokens');
  assert.deepEqual(r.usage, { inputTokens: 321, outputTokens: 45, reasoningTokens: 0 });
  assert.ok(Math.abs(r.costUsd! - (321 * 3 + 45 * 15) / 1e6) < 1e-6);
});

test('gemini generateContent: /v1beta/models/{id}:generateContent, x-goog-api-key, thinking budget added to the cap, thoughts as reasoning', async () => {
  nextReply = () => ({
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text: '{"votes": [true, false]}' }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 400,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 600,
        totalTokenCount: 1020,
      },
    },
  });
  const entry = registry.get('gemini-2-5-pro');
  const m = createChatModel('gemini-2-5-pro', { env: directEnv(), registry });
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 200, temperature: 0.5 });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/v1beta/models/gemini-2.5-pro:generateContent');
  assert.equal(q.headers['x-goog-api-key'], KEYS.GEMINI_API_KEY);
  assert.ok(!q.path.includes('key='), 'the key must not travel in the URL');
  assert.deepEqual(q.body.systemInstruction, { parts: [{ text: 'You negotiate. Rules follow.' }] });
  assert.deepEqual(
    q.body.contents.map((c: { role: string }) => c.role),
    ['user', 'model', 'user'],
  );
  assert.equal(q.body.generationConfig.maxOutputTokens, 200 + entry.sampling.reasoning_tokens!);
  assert.deepEqual(q.body.generationConfig.thinkingConfig, { thinkingBudget: entry.sampling.reasoning_tokens });
  assert.equal(q.body.generationConfig.temperature, 0.5);
  assert.equal(r.text, '{"votes": [true, false]}');
  // thoughts are billed as output
  assert.deepEqual(r.usage, { inputTokens: 400, outputTokens: 620, reasoningTokens: 600 });
  // a non-thinking Gemini gets no thinking config
  await createChatModel('gemini-2-0-flash', { env: directEnv(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 200,
  });
  const q2 = server.requests.at(-1)!;
  assert.equal(q2.path, '/v1beta/models/gemini-2.0-flash-001:generateContent');
  assert.equal(q2.body.generationConfig.maxOutputTokens, 200);
  assert.equal(q2.body.generationConfig.thinkingConfig, undefined);
});

test('openrouter: the fallback route sends the OpenRouter id under /api/v1, bearer auth, reasoning effort, and adds the 5.5% fee', async () => {
  nextReply = () => openaiReply('fine', { prompt_tokens: 1000, completion_tokens: 100 });
  const m = createChatModel('claude-4-sonnet', { env: openrouterOnlyEnv(), registry });
  assert.equal(m.route.label, 'openrouter');
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 300, temperature: 0.2 });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/api/v1/chat/completions');
  assert.equal(q.headers.authorization, `Bearer ${KEYS.OPENROUTER_API_KEY}`);
  assert.equal(q.body.model, 'anthropic/claude-sonnet-4');
  assert.equal(q.body.max_tokens, 300);
  assert.equal(q.body.temperature, 0.2);
  assert.equal(r.route, 'openrouter');
  assert.equal(r.keyLabel, 'OPENROUTER_API_KEY');
  assert.ok(Math.abs(r.costUsd! - ((1000 * 3 + 100 * 15) / 1e6) * 1.055) < 1e-6);

  await createChatModel('o4-mini', { env: openrouterOnlyEnv(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 300,
    temperature: 0.2,
  });
  const q2 = server.requests.at(-1)!;
  assert.equal(q2.body.model, 'openai/o4-mini');
  assert.equal(q2.body.temperature, undefined);
  assert.deepEqual(q2.body.reasoning, { effort: 'medium' });
});

test('sim: the mock server is spoken to in the OpenAI format with the sim name as model id; no key means no auth header', async () => {
  nextReply = () => openaiReply('{"allocation": {"Agent_1": [0]}}', { prompt_tokens: 50, completion_tokens: 10 });
  const keyless = envFrom({ SIM_BASE_URL: `${server.url}/v1` });
  const r = await createChatModel('sim:boulware', { env: keyless, registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 100,
  });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/v1/chat/completions');
  assert.equal(q.body.model, 'sim:boulware');
  assert.equal(q.headers.authorization, undefined);
  assert.equal(r.keyLabel, 'none');
  assert.equal(r.costUsd, 0);
  // with SIM_API_KEY the mock server can count requests per key
  await createChatModel('sim:boulware', { env: directEnv(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 100,
  });
  assert.equal(server.requests.at(-1)!.headers.authorization, `Bearer ${KEYS.SIM_API_KEY}`);
});

test('compatible server: --base-url sends the provider model id to that server', async () => {
  nextReply = () => openaiReply('hello', { prompt_tokens: 5, completion_tokens: 1 });
  const m = createChatModel('gpt-4o', { env: envFrom({}), registry, baseUrls: { 'gpt-4o': `${server.url}/v1` } });
  assert.equal(m.route.provider, 'compatible');
  const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 64 });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/v1/chat/completions');
  assert.equal(q.body.model, 'gpt-4o');
  assert.equal(q.headers.authorization, undefined);
  assert.equal(r.route, 'compatible');
});

// ---- error bodies and statuses -> ProviderError kinds (no retry: the raw client) ----

async function failWith(reply: Reply, name = 'gpt-4o', env = directEnv()): Promise<ProviderError> {
  nextReply = () => reply;
  const route = resolveRoute(name, { env, registry });
  const key = new ApiKey(route.keyVars[0] ?? 'none', (env.vars as Record<string, string>)[route.keyVars[0]] ?? '');
  const client = createWireModel(route, registry.get(name), key);
  try {
    await client.generate({ messages: MESSAGES, maxOutputTokens: 50 });
  } catch (e) {
    assert.ok(e instanceof ProviderError, `expected a ProviderError, got ${String(e)}`);
    assertNoKeys(e.message);
    assertNoKeys(inspect(e, { depth: 5 }));
    return e;
  }
  assert.fail('the call should have failed');
}

const openaiError = (message: string, type: string, code: string | null = null) => ({
  error: { message, type, param: null, code },
});

test('429 is rate_limit with Retry-After (seconds) or retry-after-ms', async () => {
  const a = await failWith({
    status: 429,
    headers: { 'retry-after': '7' },
    body: openaiError('Rate limit reached for gpt-4o', 'requests', 'rate_limit_exceeded'),
  });
  assert.equal(a.kind, 'rate_limit');
  assert.equal(a.status, 429);
  assert.equal(a.retryAfterMs, 7000);
  const b = await failWith({
    status: 429,
    headers: { 'retry-after-ms': '1500', 'retry-after': '2' },
    body: openaiError('slow down', 'requests'),
  });
  assert.equal(b.retryAfterMs, 1500);
});

test('OpenAI insufficient_quota (a 429) and 401 invalid key are key errors; the echoed key is scrubbed', async () => {
  const q = await failWith({
    status: 429,
    body: openaiError(
      'You exceeded your current quota, please check your plan and billing details.',
      'insufficient_quota',
      'insufficient_quota',
    ),
  });
  assert.equal(q.kind, 'key');
  const k = await failWith({
    status: 401,
    body: openaiError(
      `Incorrect API key provided: ${KEYS.OPENAI_API_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      'invalid_request_error',
      'invalid_api_key',
    ),
  });
  assert.equal(k.kind, 'key');
  assert.match(k.message, /401/);
  assert.match(k.message, /Incorrect API key provided: \[redacted\]/);
  // OpenAI's own partial masking is scrubbed too
  const p = await failWith({
    status: 401,
    body: openaiError(
      'Incorrect API key provided: sk-test-****************0001.',
      'invalid_request_error',
      'invalid_api_key',
    ),
  });
  assert.ok(!p.message.includes('sk-test-'), p.message);
});

test('5xx, Anthropic 529 overloaded, a reset connection, a refused connection and an unusable 200 body are transient', async () => {
  assert.equal(
    (await failWith({ status: 500, body: openaiError('The server had an error', 'server_error') })).kind,
    'transient',
  );
  const o = await failWith(
    { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
    'claude-3-5-haiku',
  );
  assert.equal(o.kind, 'transient');
  assert.match(o.message, /overloaded_error/);
  assert.equal((await failWith({ reset: true })).kind, 'transient');
  assert.equal((await failWith({ status: 200, body: '{"choices": [' })).kind, 'transient');
  // a port that was just closed: nothing listens there
  const gone = await startServer(() => ({}));
  await gone.close();
  const refused = await failWith({}, 'gpt-4o', directEnv({ OPENAI_BASE_URL: `${gone.url}/v1` }));
  assert.equal(refused.kind, 'transient');
  assert.match(
    refused.message,
    new RegExp(`cannot reach ${gone.url}/v1 \\(ECONNREFUSED\\); fix: check OPENAI_BASE_URL`),
  );
});

test('other 4xx are fatal; Anthropic credit and Gemini invalid-key bodies are key errors whatever the status', async () => {
  const f = await failWith({
    status: 400,
    body: openaiError(
      "This model's maximum context length is 128000 tokens.",
      'invalid_request_error',
      'context_length_exceeded',
    ),
  });
  assert.equal(f.kind, 'fatal');
  assert.match(f.message, /maximum context length/);
  const nf = await failWith(
    { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'model: claude-x' } } },
    'claude-4-opus',
  );
  assert.equal(nf.kind, 'fatal');
  const credit = await failWith(
    {
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'Your credit balance is too low to access the Anthropic API.',
        },
      },
    },
    'claude-4-opus',
  );
  assert.equal(credit.kind, 'key');
  const auth = await failWith(
    { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } },
    'claude-4-opus',
  );
  assert.equal(auth.kind, 'key');
  const g = await failWith(
    {
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
        },
      },
    },
    'gemini-2-0-flash',
  );
  assert.equal(g.kind, 'key');
});

test('Gemini 429 RESOURCE_EXHAUSTED takes its wait from RetryInfo; OpenRouter 402 is a key error', async () => {
  const g = await failWith(
    {
      status: 429,
      body: {
        error: {
          code: 429,
          message: 'Resource has been exhausted (e.g. check quota).',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }],
        },
      },
    },
    'gemini-2-5-flash',
  );
  assert.equal(g.kind, 'rate_limit');
  assert.equal(g.retryAfterMs, 12000);
  const or = await failWith(
    {
      status: 402,
      body: { error: { code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/credits' } },
    },
    'gpt-4o',
    openrouterOnlyEnv(),
  );
  assert.equal(or.kind, 'key');
});

test('no dummy key appears in any result, route or warning', async () => {
  nextReply = (req) => {
    if (req.path.endsWith('/messages'))
      return {
        body: {
          id: 'm',
          type: 'message',
          role: 'assistant',
          model: 'x',
          content: [{ type: 'text', text: 'ok' }],
          stop_reason: 'end_turn',
          usage: { input_tokens: 3, output_tokens: 1 },
        },
      };
    if (req.path.includes(':generateContent'))
      return {
        body: {
          candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP' }],
          usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 },
        },
      };
    return openaiReply('ok');
  };
  for (const name of ['gpt-4o', 'o3', 'claude-3-opus', 'gemini-1-5-pro', 'sim:random']) {
    const m = createChatModel(name, { env: directEnv(), registry });
    const r = await m.generate({ messages: MESSAGES, maxOutputTokens: 20, temperature: 1 });
    assert.equal(r.text, 'ok');
    assertNoKeys(JSON.stringify(r));
    assertNoKeys(JSON.stringify(m.route));
    assertNoKeys(inspect(m, { depth: 6 }));
  }
});

// ---- sampling on the wire for current models (sampling.ts): the exact request bodies ----

const current = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-sampling-'));
  const file = join(dir, 'models.json');
  const price = { input: 1, output: 2 };
  writeFileSync(
    file,
    JSON.stringify({
      models: {
        // a new OpenAI reasoning model added without kind reasoning
        // (a name the built-in registry does not have: its own gpt-5-2 row says reasoning)
        'gpt-5-2-as-chat': {
          provider: 'openai',
          model_id: 'gpt-5.2',
          openrouter_id: 'openai/gpt-5.2',
          context_window: 400_000,
          max_output_tokens: 128_000,
          price,
          sampling: { kind: 'chat' },
        },
        'gpt-5-2-xhigh': {
          provider: 'openai',
          model_id: 'gpt-5.2',
          openrouter_id: 'openai/gpt-5.2',
          context_window: 400_000,
          max_output_tokens: 128_000,
          price,
          sampling: { kind: 'reasoning', reasoning_effort: 'xhigh' },
        },
        'claude-opus-4-7': {
          provider: 'anthropic',
          model_id: 'claude-opus-4-7',
          openrouter_id: 'anthropic/claude-opus-4.7',
          context_window: 1_000_000,
          max_output_tokens: 128_000,
          price,
          sampling: { kind: 'thinking', thinking: 'adaptive', reasoning_effort: 'high' },
        },
        'claude-sonnet-4-5': {
          provider: 'anthropic',
          model_id: 'claude-sonnet-4-5-20250929',
          context_window: 200_000,
          max_output_tokens: 64_000,
          price,
          sampling: { kind: 'thinking', thinking: 'budget', reasoning_tokens: 3000 },
        },
        'gemini-3-1-pro': {
          provider: 'google',
          model_id: 'gemini-3.1-pro-preview',
          context_window: 1_000_000,
          max_output_tokens: 65_536,
          price,
          sampling: { kind: 'thinking', thinking: 'level', reasoning_effort: 'minimal' },
        },
      },
    }),
  );
  return loadRegistry(file);
})();

test('an OpenAI reasoning model the registry calls chat: no forceReasoning override, so no max_tokens and no temperature; the cap includes the reserve', async () => {
  nextReply = () => openaiReply('ok', { prompt_tokens: 10, completion_tokens: 5 });
  const r = await createChatModel('gpt-5-2-as-chat', { env: directEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 512,
    temperature: 0.7,
  });
  const q = server.requests.at(-1)!;
  assert.equal(q.body.model, 'gpt-5.2');
  assert.equal('max_tokens' in q.body, false);
  assert.equal('temperature' in q.body, false);
  assert.equal(q.body.max_completion_tokens, 512 + DEFAULT_REASONING_TOKENS);
  assert.equal('reasoning_effort' in q.body, false);
  assert.equal(q.body.messages[0].role, 'developer');
  assert.equal(r.wireMaxOutputTokens, q.body.max_completion_tokens);
  // a chat model is still sent as one
  await createChatModel('gpt-4o', { env: directEnv(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 300,
    temperature: 0.7,
  });
  assert.equal(server.requests.at(-1)!.body.max_tokens, 300);
  assert.equal(server.requests.at(-1)!.body.temperature, 0.7);
});

test("sampling.ts's mirror of the SDK's reasoning detection agrees with what @ai-sdk/openai sends", async () => {
  nextReply = () => openaiReply('ok');
  const ids = [
    'gpt-4o',
    'gpt-4.1-nano',
    'gpt-5',
    'gpt-5-mini',
    'gpt-5-chat-latest',
    'gpt-5.1-chat-latest',
    'gpt-5.4',
    'gpt-6',
    'o3',
    'o4-mini',
    'chatgpt-4o-latest',
  ];
  for (const id of ids) {
    const e = { ...registry.get('gpt-4o'), model_id: id, sampling: { kind: 'chat' as const } };
    const route = { ...resolveRoute('gpt-4o', { env: directEnv(), registry }), modelId: id };
    const client = createWireModel(route, e, new ApiKey('OPENAI_API_KEY', KEYS.OPENAI_API_KEY));
    const r = await client.generate({ messages: MESSAGES, maxOutputTokens: 300, temperature: 0.5 });
    const q = server.requests.at(-1)!;
    const predicted = wireSampling(e, { maxOutputTokens: 300, temperature: 0.5 }, route);
    assert.equal(
      'max_tokens' in q.body,
      !sdkOpenAIReasoning(id).reasoning,
      `${id}: the SDK and sampling.ts disagree on reasoning`,
    );
    assert.equal(q.body.max_tokens ?? q.body.max_completion_tokens, predicted.maxOutputTokens, id);
    assert.equal(q.body.temperature, predicted.temperature, id);
    assert.equal(r.wireMaxOutputTokens, predicted.maxOutputTokens, id);
  }
});

test('efforts beyond low/medium/high reach the wire: OpenAI reasoning_effort xhigh with forceReasoning, OpenRouter reasoning.effort xhigh', async () => {
  nextReply = () => openaiReply('ok');
  await createChatModel('gpt-5-2-xhigh', { env: directEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 512,
  });
  const q = server.requests.at(-1)!;
  assert.equal(q.body.reasoning_effort, 'xhigh');
  assert.equal(q.body.max_completion_tokens, 512 + defaultReasoningReserve('xhigh'));
  assert.equal('max_tokens' in q.body, false);
  await createChatModel('gpt-5-2-xhigh', { env: openrouterOnlyEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 512,
  });
  const o = server.requests.at(-1)!;
  assert.equal(o.body.model, 'openai/gpt-5.2');
  assert.deepEqual(o.body.reasoning, { effort: 'xhigh' });
  assert.equal(o.body.max_tokens, 512 + defaultReasoningReserve('xhigh'));
  // a request's own effort 'minimal' goes through as is
  await createChatModel('gpt-5-2-xhigh', { env: directEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 512,
    reasoningEffort: 'minimal',
  });
  assert.equal(server.requests.at(-1)!.body.reasoning_effort, 'minimal');
});

const anthropicReply = (stop = 'end_turn'): Reply => ({
  body: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude',
    content: [{ type: 'text', text: 'ok' }],
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  },
});

test('Claude 4.7 adaptive thinking: thinking {type: adaptive} + output_config.effort, never "enabled", no temperature, max_tokens = cap + reserve', async () => {
  nextReply = () => anthropicReply();
  const r = await createChatModel('claude-opus-4-7', { env: directEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 512,
    temperature: 0.3,
  });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/v1/messages');
  assert.deepEqual(q.body.thinking, { type: 'adaptive' });
  assert.ok(!q.rawBody.includes('"enabled"'), q.rawBody);
  assert.equal(q.body.thinking.budget_tokens, undefined);
  assert.equal(q.body.output_config?.effort, 'high');
  assert.equal('temperature' in q.body, false);
  assert.equal(q.body.max_tokens, 512 + DEFAULT_REASONING_TOKENS);
  assert.equal(r.wireMaxOutputTokens, q.body.max_tokens);
  // via OpenRouter: reasoning.effort, never reasoning.max_tokens (budget thinking)
  nextReply = () => openaiReply('ok');
  await createChatModel('claude-opus-4-7', { env: openrouterOnlyEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 512,
  });
  assert.deepEqual(server.requests.at(-1)!.body.reasoning, { effort: 'high' });
});

test('Claude 4.5 budget thinking: thinking enabled with budget_tokens; max_tokens = cap + budget, not doubled by the SDK', async () => {
  nextReply = () => anthropicReply('max_tokens');
  const r = await createChatModel('claude-sonnet-4-5', { env: directEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 500,
    temperature: 0.3,
  });
  const q = server.requests.at(-1)!;
  assert.deepEqual(q.body.thinking, { type: 'enabled', budget_tokens: 3000 });
  assert.equal(q.body.max_tokens, 500 + 3000);
  assert.equal('temperature' in q.body, false);
  assert.equal(r.wireMaxOutputTokens, 3500);
  assert.equal(r.finishReason, 'length');
});

test('Gemini thinking per family: 2.5 thinkingBudget, 3.x thinkingLevel (a Pro model at effort minimal gets low), never both', async () => {
  nextReply = () => ({
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'MAX_TOKENS' }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 0, thoughtsTokenCount: 900 },
    },
  });
  const r3 = await createChatModel('gemini-3-1-pro', { env: directEnv(), registry: current }).generate({
    messages: MESSAGES,
    maxOutputTokens: 300,
    temperature: 1,
  });
  const g3 = server.requests.at(-1)!;
  assert.equal(g3.path, '/v1beta/models/gemini-3.1-pro-preview:generateContent');
  assert.deepEqual(g3.body.generationConfig.thinkingConfig, { thinkingLevel: 'low' });
  assert.equal(g3.body.generationConfig.maxOutputTokens, 300 + defaultReasoningReserve('minimal'));
  assert.equal(r3.finishReason, 'length');
  assert.ok(
    r3.warnings.some((w) => /cannot turn thinking off/.test(w)),
    r3.warnings.join('; '),
  );
  const entry = registry.get('gemini-2-5-flash');
  await createChatModel('gemini-2-5-flash', { env: directEnv(), registry }).generate({
    messages: MESSAGES,
    maxOutputTokens: 300,
  });
  const g25 = server.requests.at(-1)!;
  assert.deepEqual(g25.body.generationConfig.thinkingConfig, { thinkingBudget: entry.sampling.reasoning_tokens });
  assert.equal(g25.body.generationConfig.maxOutputTokens, 300 + entry.sampling.reasoning_tokens!);
});
