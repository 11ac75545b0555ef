/**
 * wireSampling for every kind, thinking mode and wire: what each request will carry (cap,
 * SDK cap, temperature, effort, budget, level) and the warnings that say why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelEntry, Sampling } from './registry.ts';
import {
  wireSampling,
  sdkOpenAIReasoning,
  defaultReasoningReserve,
  DEFAULT_REASONING_TOKENS,
  DEFAULT_THINKING_BUDGET,
  REPAIR_CAP_CEILING,
} from './sampling.ts';

function entry(
  name: string,
  provider: ModelEntry['provider'],
  model_id: string,
  sampling: Sampling,
  max_output_tokens = 128_000,
): ModelEntry {
  return {
    name,
    provider,
    model_id,
    context_window: 200_000,
    max_output_tokens,
    price: { input: 1, output: 1 },
    sampling,
  };
}

test('chat: temperature and cap pass through; an effort is ignored with a warning', () => {
  const e = entry('gpt-4o', 'openai', 'gpt-4o', { kind: 'chat' }, 16_384);
  const s = wireSampling(e, { maxOutputTokens: 300, temperature: 0.4, reasoningEffort: 'high' });
  assert.equal(s.kind, 'chat');
  assert.equal(s.maxOutputTokens, 300);
  assert.equal(s.sdkMaxOutputTokens, 300);
  assert.equal(s.temperature, 0.4);
  assert.equal(s.reasoningEffort, undefined);
  assert.equal(s.forceReasoning, undefined);
  assert.match(s.warnings.join(), /reasoning effort ignored/);
});

test('the SDK detection mirror: o-series and gpt-5+ reason, gpt-5-chat and gpt-4.x do not; none re-allows temperature on gpt-5.1 … 5.x', () => {
  for (const id of [
    'o3',
    'o4-mini',
    'o1',
    'gpt-5',
    'gpt-5-mini',
    'gpt-5.1',
    'gpt-5.2-pro',
    'gpt-6',
    'gpt-5.1-chat-latest',
  ])
    assert.equal(sdkOpenAIReasoning(id).reasoning, true, id);
  for (const id of ['gpt-4o', 'gpt-4.1-nano', 'gpt-5-chat-latest', 'chatgpt-4o-latest', 'sim:boulware', 'llama-3'])
    assert.equal(sdkOpenAIReasoning(id).reasoning, false, id);
  assert.equal(sdkOpenAIReasoning('gpt-5').nonReasoningParamsAtNone, false);
  assert.equal(sdkOpenAIReasoning('gpt-5.2').nonReasoningParamsAtNone, true);
  assert.equal(sdkOpenAIReasoning('gpt-6').nonReasoningParamsAtNone, false);
});

test('reasoning (registry): effort default medium, forceReasoning on the OpenAI wire, temperature dropped, reserve from the registry or the default', () => {
  const o3 = entry('o3', 'openai', 'o3', { kind: 'reasoning', reasoning_tokens: 8192 }, 100_000);
  const s = wireSampling(o3, { maxOutputTokens: 300, temperature: 0.7 });
  assert.equal(s.reasoningEffort, 'medium');
  assert.equal(s.forceReasoning, true);
  assert.equal(s.temperature, undefined);
  assert.equal(s.maxOutputTokens, 300 + 8192);
  assert.equal(s.sdkMaxOutputTokens, s.maxOutputTokens);
  assert.match(s.warnings.join(), /temperature dropped/);
  const bare = entry('r', 'openai', 'o3', { kind: 'reasoning' }, 100_000);
  assert.equal(wireSampling(bare, { maxOutputTokens: 512 }).maxOutputTokens, 512 + DEFAULT_REASONING_TOKENS);
  // beyond low/medium/high: xhigh reaches the wire and doubles the default reserve; none reserves nothing
  const x = wireSampling(bare, { maxOutputTokens: 512, reasoningEffort: 'xhigh' });
  assert.equal(x.reasoningEffort, 'xhigh');
  assert.equal(x.maxOutputTokens, 512 + defaultReasoningReserve('xhigh'));
  assert.ok(defaultReasoningReserve('xhigh') > DEFAULT_REASONING_TOKENS);
  assert.equal(wireSampling(bare, { maxOutputTokens: 512, reasoningEffort: 'minimal' }).reasoningEffort, 'minimal');
  assert.equal(wireSampling(bare, { maxOutputTokens: 512, reasoningEffort: 'none' }).maxOutputTokens, 512);
});

test('a new OpenAI reasoning model without kind reasoning: no forceReasoning, but sampling follows what the SDK will send', () => {
  const e = entry('gpt-5.2', 'openai', 'gpt-5.2', { kind: 'chat', temperature: 0.7 });
  const s = wireSampling(e, { maxOutputTokens: 512, temperature: 0.7 });
  assert.equal(s.kind, 'reasoning');
  assert.equal(s.forceReasoning, undefined);
  assert.equal(s.reasoningEffort, undefined, 'no effort invented: the API default applies');
  assert.equal(s.temperature, undefined);
  assert.equal(s.maxOutputTokens, 512 + DEFAULT_REASONING_TOKENS, 'max_completion_tokens includes the reasoning');
  assert.match(s.warnings.join(), /sent as a reasoning model/);
  // gpt-5.1+ at effort none takes a temperature again (as the SDK sends it)
  const none = wireSampling(e, { maxOutputTokens: 512, temperature: 0.7, reasoningEffort: 'none' });
  assert.equal(none.temperature, 0.7);
  assert.equal(none.maxOutputTokens, 512);
  // the same id on OpenRouter is not subject to the OpenAI SDK's detection
  assert.equal(
    wireSampling(e, { maxOutputTokens: 512, temperature: 0.7 }, { provider: 'openrouter', modelId: 'openai/gpt-5.2' })
      .kind,
    'chat',
  );
});

test('reasoning on OpenRouter: effort passed, max becomes xhigh (OpenRouter stops there), no forceReasoning', () => {
  const e = entry('gpt-6', 'openai', 'gpt-6', { kind: 'reasoning', reasoning_effort: 'max' });
  const s = wireSampling(e, { maxOutputTokens: 512 }, { provider: 'openrouter', modelId: 'openai/gpt-6' });
  assert.equal(s.reasoningEffort, 'xhigh');
  assert.equal(s.forceReasoning, undefined);
  assert.equal(wireSampling(e, { maxOutputTokens: 512 }).reasoningEffort, 'max');
});

test('Claude budget thinking (<= 4.5): the SDK is handed the cap without the budget (it adds budget_tokens itself); temperature dropped; Anthropic minimum 1024', () => {
  const e = entry(
    'claude-sonnet-4-5',
    'anthropic',
    'claude-sonnet-4-5-20250929',
    { kind: 'thinking', thinking: 'budget', reasoning_tokens: 4000 },
    64_000,
  );
  const s = wireSampling(e, { maxOutputTokens: 500, temperature: 0.5 });
  assert.equal(s.thinking, 'budget');
  assert.equal(s.thinkingBudget, 4000);
  assert.equal(s.maxOutputTokens, 4500);
  assert.equal(s.sdkMaxOutputTokens, 500);
  assert.equal(s.temperature, undefined);
  const low = wireSampling({ ...e, sampling: { kind: 'thinking', reasoning_tokens: 100 } }, { maxOutputTokens: 500 });
  assert.equal(low.thinkingBudget, 1024);
  assert.match(low.warnings.join(), /Anthropic's minimum/);
  // no thinking mode means budget, at the default budget
  assert.equal(
    wireSampling({ ...e, sampling: { kind: 'thinking' } }, { maxOutputTokens: 500 }).thinkingBudget,
    DEFAULT_THINKING_BUDGET,
  );
  // via OpenRouter the budget goes as reasoning.max_tokens and nobody adds it for us
  const or = wireSampling(
    e,
    { maxOutputTokens: 500 },
    { provider: 'openrouter', modelId: 'anthropic/claude-sonnet-4.5' },
  );
  assert.equal(or.sdkMaxOutputTokens, 4500);
});

test('Claude adaptive thinking (4.6+): no budget, effort mapped to what Anthropic takes, reserve on the cap, no temperature', () => {
  const e = entry('claude-opus-4-7', 'anthropic', 'claude-opus-4-7', {
    kind: 'thinking',
    thinking: 'adaptive',
    reasoning_effort: 'xhigh',
  });
  const s = wireSampling(e, { maxOutputTokens: 512, temperature: 0.3 });
  assert.equal(s.thinking, 'adaptive');
  assert.equal(s.thinkingBudget, undefined);
  assert.equal(s.reasoningEffort, 'xhigh');
  assert.equal(s.temperature, undefined);
  assert.equal(s.maxOutputTokens, 512 + defaultReasoningReserve('xhigh'));
  assert.equal(s.sdkMaxOutputTokens, s.maxOutputTokens);
  const m = wireSampling(e, { maxOutputTokens: 512, reasoningEffort: 'minimal' });
  assert.equal(m.reasoningEffort, 'low');
  assert.match(m.warnings.join(), /minimal sent as low/);
  assert.equal(
    wireSampling({ ...e, sampling: { kind: 'thinking', thinking: 'adaptive' } }, { maxOutputTokens: 512 })
      .reasoningEffort,
    undefined,
  );
  assert.equal(
    wireSampling(
      { ...e, sampling: { kind: 'thinking', thinking: 'adaptive', reasoning_effort: 'max' } },
      { maxOutputTokens: 512 },
      { provider: 'openrouter', modelId: 'anthropic/claude-opus-4.7' },
    ).reasoningEffort,
    'xhigh',
  );
});

test('Gemini 2.5 budget: budget added to maxOutputTokens once (the SDK passes it through), temperature kept, Pro cannot turn thinking off', () => {
  const flash = entry(
    'gemini-2-5-flash',
    'google',
    'gemini-2.5-flash',
    { kind: 'thinking', thinking: 'budget', reasoning_tokens: 2048 },
    65_536,
  );
  const s = wireSampling(flash, { maxOutputTokens: 200, temperature: 0.5 });
  assert.equal(s.thinkingBudget, 2048);
  assert.equal(s.maxOutputTokens, 2248);
  assert.equal(s.sdkMaxOutputTokens, 2248);
  assert.equal(s.temperature, 0.5);
  assert.equal(s.thinkingLevel, undefined);
  assert.equal(
    wireSampling({ ...flash, sampling: { kind: 'thinking', reasoning_tokens: 0 } }, { maxOutputTokens: 200 })
      .thinkingBudget,
    0,
  );
  const pro = entry('gemini-2-5-pro', 'google', 'gemini-2.5-pro', { kind: 'thinking', reasoning_tokens: 0 }, 65_536);
  const p = wireSampling(pro, { maxOutputTokens: 200 });
  assert.equal(p.thinkingBudget, 128);
  assert.match(p.warnings.join(), /cannot turn thinking off/);
  assert.equal(
    wireSampling({ ...flash, sampling: { kind: 'thinking', reasoning_tokens: 50_000 } }, { maxOutputTokens: 200 })
      .thinkingBudget,
    24_576,
  );
});

test('Gemini 3 level: effort becomes thinkingLevel (no budget), Pro never minimal, nothing above high', () => {
  const flash = entry(
    'gemini-3-flash',
    'google',
    'gemini-3-flash-preview',
    { kind: 'thinking', thinking: 'level', reasoning_effort: 'minimal' },
    65_536,
  );
  const s = wireSampling(flash, { maxOutputTokens: 300, temperature: 1 });
  assert.equal(s.thinkingLevel, 'minimal');
  assert.equal(s.thinkingBudget, undefined);
  assert.equal(s.reasoningEffort, undefined);
  assert.equal(s.temperature, 1);
  assert.equal(s.maxOutputTokens, 300 + defaultReasoningReserve('minimal'));
  const pro = entry(
    'gemini-3-1-pro',
    'google',
    'gemini-3.1-pro-preview',
    { kind: 'thinking', thinking: 'level' },
    65_536,
  );
  assert.equal(wireSampling(pro, { maxOutputTokens: 300 }).thinkingLevel, undefined, 'no effort: the model default');
  const off = wireSampling(pro, { maxOutputTokens: 300, reasoningEffort: 'none' });
  assert.equal(off.thinkingLevel, 'low');
  assert.match(off.warnings.join(), /Pro model cannot turn thinking off/);
  assert.equal(wireSampling(pro, { maxOutputTokens: 300, reasoningEffort: 'medium' }).thinkingLevel, 'medium');
  assert.equal(wireSampling(pro, { maxOutputTokens: 300, reasoningEffort: 'xhigh' }).thinkingLevel, 'high');
  // on OpenRouter the effort travels as reasoning.effort
  const or = wireSampling(
    pro,
    { maxOutputTokens: 300, reasoningEffort: 'high' },
    { provider: 'openrouter', modelId: 'google/gemini-3.1-pro-preview' },
  );
  assert.equal(or.reasoningEffort, 'high');
  assert.equal(or.thinkingLevel, undefined);
});

test('capScale grows the whole cap (answer + reserve) up to the ceiling and the model maximum, without a clamp warning', () => {
  const e = entry('o3', 'openai', 'o3', { kind: 'reasoning', reasoning_tokens: 8192 }, 100_000);
  const base = wireSampling(e, { maxOutputTokens: 512 }).maxOutputTokens;
  assert.equal(wireSampling(e, { maxOutputTokens: 512, capScale: 2 }).maxOutputTokens, 2 * base);
  assert.equal(wireSampling(e, { maxOutputTokens: 512, capScale: 64 }).maxOutputTokens, REPAIR_CAP_CEILING);
  const small = entry('o3', 'openai', 'o3', { kind: 'reasoning', reasoning_tokens: 8192 }, 12_000);
  const s = wireSampling(small, { maxOutputTokens: 512, capScale: 4 });
  assert.equal(s.maxOutputTokens, 12_000);
  assert.deepEqual(
    s.warnings.filter((w) => /lowered/.test(w)),
    [],
  );
  // budget thinking keeps its budget; the answer's share grows; the budget stays below the cap
  const claude = entry('c', 'anthropic', 'claude-opus-4-5', { kind: 'thinking', reasoning_tokens: 2000 }, 64_000);
  const c = wireSampling(claude, { maxOutputTokens: 500, capScale: 2 });
  assert.equal(c.maxOutputTokens, 5000);
  assert.equal(c.thinkingBudget, 2000);
  assert.equal(c.sdkMaxOutputTokens, 3000);
  // a cap already above the ceiling is never lowered by scaling
  const huge = wireSampling(entry('x', 'openai', 'o3', { kind: 'reasoning', reasoning_tokens: 80_000 }, 200_000), {
    maxOutputTokens: 512,
    capScale: 2,
  });
  assert.equal(huge.maxOutputTokens, 80_512);
});

test('clamping to the model maximum keeps a thinking budget below the cap', () => {
  const e = entry('c', 'anthropic', 'claude-3-7-sonnet', { kind: 'thinking', reasoning_tokens: 8000 }, 8192);
  const s = wireSampling(e, { maxOutputTokens: 1000 });
  assert.equal(s.maxOutputTokens, 8192);
  assert.ok(s.thinkingBudget! < s.maxOutputTokens);
  assert.equal(s.sdkMaxOutputTokens + s.thinkingBudget!, 8192);
  assert.match(s.warnings.join(), /lowered to c's maximum of 8192/);
});
