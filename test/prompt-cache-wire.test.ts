/**
 * Prompt caching on the wire, over real HTTP on 127.0.0.1 (src/providers/test-server.ts), each
 * provider answered in its own documented usage format: the request bodies carry Anthropic's
 * cache_control breakpoints (direct and through OpenRouter), OpenAI's prompt_cache_key and
 * OpenRouter's usage accounting exactly as documented, and nothing of it with promptCache false;
 * the cache reads and writes each provider reports become Usage and are priced at the cached
 * and cache-write prices.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openaiReply,
  type Reply,
  type RecordedRequest,
  type TestServer,
} from '../src/providers/testing/test-server.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { maxTokensOf } from '../src/providers/prompt-cache.ts';
import { ModelResolver, type LlmSettings } from '../src/grid/model-resolver.ts';
import { Layout } from '../src/results/layout.ts';
import { llmSettingsOf, withLlmOptions, type LlmFlags } from '../src/cli/shared.ts';
import { forwardedArgs } from '../src/cli/commands/slurm.ts';
import { createChatModel, envFrom, loadRegistry, type ChatMessage, type ProviderEnv } from '../src/providers/index.ts';

const registry = loadRegistry();
const KEYS = {
  OPENAI_API_KEY: 'sk-test-openai-dummy-0000000001',
  ANTHROPIC_API_KEY: 'sk-ant-test-dummy-0000000002',
  GEMINI_API_KEY: 'AIzaTestDummyKey000000000003',
  OPENROUTER_API_KEY: 'sk-or-v1-test-dummy-0000000004',
};

let server: TestServer;
let reply: (req: RecordedRequest) => Reply;
before(async () => {
  server = await startServer((req) => reply(req));
});
after(async () => {
  await server.close();
});

const directEnv = (): ProviderEnv =>
  envFrom({
    ...KEYS,
    OPENAI_BASE_URL: `${server.url}/v1`,
    ANTHROPIC_BASE_URL: server.url,
    GEMINI_BASE_URL: server.url,
    OPENROUTER_BASE_URL: `${server.url}/api/v1`,
  });
const openrouterEnv = (): ProviderEnv =>
  envFrom({ OPENROUTER_API_KEY: KEYS.OPENROUTER_API_KEY, OPENROUTER_BASE_URL: `${server.url}/api/v1` });

/** A negotiation-sized conversation: `systemChars` of rules, then turns adding up to about `turnChars`. */
function conversation(systemChars: number, turnChars: number): ChatMessage[] {
  const rules = 'RULES. Items are indivisible; every item goes to exactly one agent. '
    .repeat(Math.ceil(systemChars / 68))
    .slice(0, systemChars);
  const out: ChatMessage[] = [{ role: 'system', content: rules }];
  for (let k = 1; out.length < 3 || k * 200 < turnChars; k++) {
    out.push({
      role: 'user',
      content: `=== Round ${k} | proposal ===\n${'New since your last turn: Agent_2 said "I want the apple". '.repeat(3)}`,
    });
    out.push({
      role: 'assistant',
      content: `{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, ${k}]}, "reasoning": "round ${k}"}`,
    });
  }
  out.push({ role: 'user', content: '=== Round 9 | voting ===\nVote on every proposal.' });
  return out;
}

/** every cache_control object anywhere in a request body */
function cacheControls(body: unknown): unknown[] {
  const found: unknown[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object')
      for (const [k, v] of Object.entries(x)) {
        if (k === 'cache_control') found.push(v);
        else walk(v);
      }
  };
  walk(body);
  return found;
}

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

const anthropicReply = (usage: Record<string, number>): Reply => ({
  body: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [{ type: 'text', text: 'ok' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage,
  },
});

test('Anthropic: breakpoints on the system block and the last message; cache_creation/cache_read_input_tokens become usage at their prices', async () => {
  // https://platform.claude.com/docs/en/build-with-claude/prompt-caching (read 2026-12-02):
  // input_tokens are those after the last breakpoint; the total is their sum with both cache counts
  reply = () =>
    anthropicReply({
      input_tokens: 50,
      cache_creation_input_tokens: 1_000,
      cache_read_input_tokens: 3_000,
      output_tokens: 200,
    });
  const m = createChatModel('claude-sonnet-4-6', { env: directEnv(), registry });
  const msgs = conversation(4_000, 6_000);
  const r = await m.generate({ messages: msgs, maxOutputTokens: 300, scope: 'exp1/run1/Agent_1' });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/v1/messages');
  assert.deepEqual(q.body.system, [{ type: 'text', text: msgs[0].content, cache_control: { type: 'ephemeral' } }]);
  const last = q.body.messages.at(-1);
  assert.equal(last.role, 'user');
  assert.deepEqual(last.content.at(-1).cache_control, { type: 'ephemeral' });
  // exactly these two: within Anthropic's limit of 4, none on earlier turns
  assert.equal(cacheControls(q.body).length, 2);
  assert.deepEqual(r.usage, {
    inputTokens: 4_050,
    cacheReadTokens: 3_000,
    cacheWriteTokens: 1_000,
    outputTokens: 200,
    reasoningTokens: 0,
  });
  // 50 × 3 + 3,000 × 0.3 + 1,000 × 3.75 + 200 × 15 = 150 + 900 + 3,750 + 3,000 = 7,800 per million
  near(r.costUsd!, 0.0078);

  await m.generate({ messages: msgs, maxOutputTokens: 300, scope: 'exp1/run1/Agent_1', promptCache: false });
  const off = server.requests.at(-1)!;
  assert.equal(cacheControls(off.body).length, 0);
  assert.ok(!off.rawBody.includes('cache_control'));
  assert.deepEqual(off.body.system, [{ type: 'text', text: msgs[0].content }]);
});

test("Anthropic: no breakpoint where the prefix surely cannot reach the model's minimum (Sonnet 4.6 1024 tokens, Haiku 4.5 4096)", async () => {
  reply = () => anthropicReply({ input_tokens: 300, output_tokens: 5 });
  const sonnet = createChatModel('claude-sonnet-4-6', { env: directEnv(), registry });
  // a short conversation: under 1024 tokens even at 2 characters a token
  await sonnet.generate({ messages: conversation(300, 400), maxOutputTokens: 50 });
  assert.equal(cacheControls(server.requests.at(-1)!.body).length, 0);
  // a short system message but a long conversation: only the last message's breakpoint
  const mid = conversation(600, 3_000);
  assert.ok(maxTokensOf(mid) > 1_024 && maxTokensOf(mid) < 4_096);
  await sonnet.generate({ messages: mid, maxOutputTokens: 50 });
  const q = server.requests.at(-1)!;
  assert.equal(q.body.system[0].cache_control, undefined);
  assert.deepEqual(cacheControls(q.body), [{ type: 'ephemeral' }]);
  assert.deepEqual(q.body.messages.at(-1).content.at(-1).cache_control, { type: 'ephemeral' });
  // the same prompt to Haiku 4.5, whose minimum is 4096 tokens: none
  await createChatModel('claude-haiku-4-5', { env: directEnv(), registry }).generate({
    messages: mid,
    maxOutputTokens: 50,
  });
  assert.equal(cacheControls(server.requests.at(-1)!.body).length, 0);
});

test('OpenAI: one hashed prompt_cache_key per conversation, stable while it grows; prompt_tokens_details.cached_tokens at the cached price', async () => {
  // https://developers.openai.com/api/docs/guides/prompt-caching (read 2026-12-02): cached tokens are part of prompt_tokens
  reply = () =>
    openaiReply('ok', {
      prompt_tokens: 2_048,
      completion_tokens: 100,
      prompt_tokens_details: { cached_tokens: 1_536 },
    } as never);
  const m = createChatModel('gpt-4o', { env: directEnv(), registry });
  const msgs = conversation(3_000, 3_000);
  const r = await m.generate({ messages: msgs.slice(0, 2), maxOutputTokens: 100, scope: 'exp12/run3/Agent_1' });
  const k1 = server.requests.at(-1)!.body.prompt_cache_key;
  assert.match(k1, /^bargain-[0-9a-f]{32}$/);
  assert.ok(k1.length <= 64);
  assert.deepEqual(r.usage, { inputTokens: 2_048, cacheReadTokens: 1_536, outputTokens: 100, reasoningTokens: 0 });
  // 512 × 2.5 + 1,536 × 1.25 + 100 × 10 = 1,280 + 1,920 + 1,000 = 4,200 per million
  near(r.costUsd!, 0.0042);

  await m.generate({ messages: msgs, maxOutputTokens: 100, scope: 'exp12/run3/Agent_1' });
  assert.equal(server.requests.at(-1)!.body.prompt_cache_key, k1, 'the key must not change as the conversation grows');
  await m.generate({ messages: msgs, maxOutputTokens: 100, scope: 'exp12/run3/Agent_2' });
  assert.notEqual(server.requests.at(-1)!.body.prompt_cache_key, k1, 'another agent, another key');
  assert.ok(
    !server.requests.some((q) => q.rawBody.includes('"prompt_cache_key":"exp12')),
    'the scope is hashed, never sent as is',
  );

  await m.generate({ messages: msgs, maxOutputTokens: 100, scope: 'exp12/run3/Agent_1', promptCache: false });
  assert.ok(!('prompt_cache_key' in server.requests.at(-1)!.body));
  // OpenAI never gets cache_control
  assert.ok(server.requests.slice(-4).every((q) => cacheControls(q.body).length === 0));
});

test('Gemini: nothing on the wire (implicit caching); usageMetadata.cachedContentTokenCount becomes cache reads', async () => {
  // https://ai.google.dev/gemini-api/docs/caching (read 2026-12-02): implicit caching is automatic;
  // promptTokenCount includes the cached content's tokens
  reply = () => ({
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 3_000,
        cachedContentTokenCount: 2_000,
        candidatesTokenCount: 50,
        totalTokenCount: 3_050,
      },
    },
  });
  const m = createChatModel('gemini-3-8-flash', { env: directEnv(), registry });
  const msgs = conversation(4_000, 4_000);
  const r = await m.generate({ messages: msgs, maxOutputTokens: 100, scope: 'exp1/run1/Agent_1' });
  const on = server.requests.at(-1)!;
  await m.generate({ messages: msgs, maxOutputTokens: 100, scope: 'exp1/run1/Agent_1', promptCache: false });
  assert.deepEqual(on.body, server.requests.at(-1)!.body, 'caching on or off, Gemini gets the same body');
  assert.equal(on.body.cachedContent, undefined);
  assert.equal(r.usage.inputTokens, 3_000);
  assert.equal(r.usage.cacheReadTokens, 2_000);
  assert.equal(r.usage.cacheWriteTokens, undefined);
  // no cached price in the registry for this model: reads at the input price, 3,000 × 0.75 + 50 × 3.75 = 2,437.5
  // per million, rounded to a millionth of a dollar
  near(r.costUsd!, 0.002438);
});

test('OpenRouter: cache_control on Claude routes only, usage accounting asked; cached/cache-write tokens and its cost come back', async () => {
  // https://openrouter.ai/docs/guides/best-practices/prompt-caching and /docs/use-cases/usage-accounting (read 2026-12-02)
  reply = () =>
    openaiReply('ok', {
      prompt_tokens: 4_050,
      completion_tokens: 200,
      prompt_tokens_details: { cached_tokens: 3_000, cache_write_tokens: 1_000 },
      cost: 0.0079,
    } as never);
  const claude = createChatModel('claude-sonnet-4-6', { env: openrouterEnv(), registry });
  assert.equal(claude.route.label, 'openrouter');
  const msgs = conversation(4_000, 6_000);
  const r = await claude.generate({ messages: msgs, maxOutputTokens: 300, scope: 'exp1/run1/Agent_1' });
  const q = server.requests.at(-1)!;
  assert.equal(q.path, '/api/v1/chat/completions');
  assert.equal(q.body.model, 'anthropic/claude-sonnet-4.6');
  assert.deepEqual(q.body.usage, { include: true });
  assert.deepEqual(q.body.messages[0], {
    role: 'system',
    content: [{ type: 'text', text: msgs[0].content, cache_control: { type: 'ephemeral' } }],
  });
  assert.deepEqual(q.body.messages.at(-1), {
    role: 'user',
    content: [{ type: 'text', text: msgs.at(-1)!.content, cache_control: { type: 'ephemeral' } }],
  });
  assert.equal(cacheControls(q.body).length, 2);
  assert.deepEqual(r.usage, {
    inputTokens: 4_050,
    cacheReadTokens: 3_000,
    cacheWriteTokens: 1_000,
    outputTokens: 200,
    reasoningTokens: 0,
  });
  // the direct price (7,800 per million, as above) plus OpenRouter's 5.5% fee
  near(r.costUsd!, 0.008229);

  await claude.generate({ messages: msgs, maxOutputTokens: 300, scope: 'exp1/run1/Agent_1', promptCache: false });
  const off = server.requests.at(-1)!;
  assert.equal(cacheControls(off.body).length, 0);
  assert.equal(off.body.usage, undefined);

  // an OpenAI model through OpenRouter caches on its own: no breakpoints, usage still asked
  await createChatModel('gpt-4o', { env: openrouterEnv(), registry }).generate({
    messages: msgs,
    maxOutputTokens: 100,
  });
  const gpt = server.requests.at(-1)!;
  assert.equal(gpt.body.model, 'openai/gpt-4o');
  assert.equal(cacheControls(gpt.body).length, 0);
  assert.deepEqual(gpt.body.usage, { include: true });
});

test('--no-prompt-cache: parsed on the LLM commands, forwarded to SLURM tasks, and every call of the resolver (agents and the model check) sends no caching and gets its own response-cache entries', async () => {
  const cmd = withLlmOptions(new Command('run').exitOverride());
  cmd.parse(['--no-prompt-cache'], { from: 'user' });
  const flags = cmd.opts() as LlmFlags;
  assert.equal(flags.promptCache, false);
  assert.equal(llmSettingsOf(flags).promptCache, false);
  assert.ok(forwardedArgs(flags).includes('--no-prompt-cache'));
  const plain = withLlmOptions(new Command('run').exitOverride());
  plain.parse([], { from: 'user' });
  assert.equal(llmSettingsOf(plain.opts() as LlmFlags).promptCache, undefined);
  assert.ok(!forwardedArgs(plain.opts() as LlmFlags).includes('--no-prompt-cache'));

  reply = () => anthropicReply({ input_tokens: 4_000, output_tokens: 5 });
  const dir = mkdtempSync(join(tmpdir(), 'bargain-prompt-cache-'));
  try {
    const msgs = conversation(4_000, 6_000);
    const ask = (settings: LlmSettings) =>
      new ModelResolver(new Layout(dir), { env: directEnv(), ...settings })
        .chatModel('claude-sonnet-4-6')
        .generate({ messages: msgs, maxOutputTokens: 50, callIndex: 0, scope: 'run0/Agent_1' });
    const before = server.requests.length;
    await ask({});
    assert.equal(cacheControls(server.requests.at(-1)!.body).length, 2);
    const off = await ask({ promptCache: false });
    assert.equal(
      server.requests.length - before,
      2,
      'the answer cached with prompt caching on is not replayed with it off',
    );
    assert.equal(off.cached, undefined);
    assert.ok(!server.requests.at(-1)!.rawBody.includes('cache_control'));
    // each way replays its own entry
    assert.equal((await ask({ promptCache: false })).cached, true);
    assert.equal((await ask({})).cached, true);
    assert.equal(server.requests.length - before, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
