/**
 * The registry: the shipped data is complete and valid; --models files override and extend
 * it by name; every bad entry is one UserError naming file, model and field; unknown names
 * list the nearest known names; sampling rules and costs follow the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry, nearNames } from './registry.ts';
import { wireSampling } from './sampling.ts';
import { callCostUsd } from './cost.ts';
import { UserError } from '../errors.ts';

const SEED = [
  'gpt-4o',
  'claude-3-opus',
  'gemini-1-5-pro',
  'gemini-2-0-flash',
  'gemini-2-5-flash',
  'gemini-2-5-pro',
  'claude-3-5-haiku',
  'claude-4-sonnet',
  'claude-4-opus',
  'o3-mini',
  'o4-mini',
  'o3',
  'chatgpt-5',
];
const dir = mkdtempSync(join(tmpdir(), 'bargain-registry-'));
let n = 0;
function userFile(content: unknown): string {
  const p = join(dir, `models-${++n}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
function rejects(file: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => loadRegistry(file),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
      assert.ok(!e.message.includes('\n'), 'one line');
      assert.ok(e.message.includes(file), `names the file: ${e.message}`);
      for (const p of patterns) assert.match(e.message, p);
      return true;
    },
  );
}

test('the built-in registry holds the 13 seed models with every fact the grid needs', () => {
  const r = loadRegistry();
  assert.deepEqual(r.names().slice(0, SEED.length), SEED, 'the seed models come first, as the seed wrote them');
  for (const name of SEED) {
    const e = r.get(name);
    assert.ok(['openai', 'anthropic', 'google'].includes(e.provider), name);
    assert.ok(e.model_id && e.openrouter_id, name);
    assert.ok(e.context_window >= 128000, name);
    assert.ok(e.price.input > 0 && e.price.output > e.price.input, name);
    assert.ok(typeof e.capability === 'number' && e.capability > 1300 && e.capability < 1500, name);
  }
  // reasoning models take no temperature, an effort and a completion cap; Gemini 2.5 thinks on a budget
  for (const name of ['o3-mini', 'o4-mini', 'o3', 'chatgpt-5']) {
    assert.equal(r.get(name).sampling.kind, 'reasoning', name);
    assert.equal(r.get(name).sampling.temperature, undefined, name);
    assert.ok(r.get(name).sampling.reasoning_effort, name);
  }
  for (const name of ['gemini-2-5-flash', 'gemini-2-5-pro']) assert.equal(r.get(name).sampling.kind, 'thinking');
  for (const name of ['gpt-4o', 'claude-4-sonnet', 'gemini-2-0-flash']) assert.equal(r.get(name).sampling.kind, 'chat');
  // spot checks against reference/model-prices.md and model-capability.md
  assert.deepEqual(r.price('gpt-4o'), { input: 2.5, cached_input: 1.25, output: 10 });
  assert.equal(r.get('chatgpt-5').model_id, 'gpt-5');
  assert.equal(r.get('claude-4-opus').model_id, 'claude-opus-4-1-20250805');
  assert.equal(r.capabilityScore('gemini-2-5-pro'), 1451);
  assert.equal(r.capabilityScore('o3-mini'), 1348);
  // default limits per provider, all six
  for (const p of ['openai', 'anthropic', 'google', 'openrouter', 'compatible', 'sim'] as const) {
    const l = r.limits(p);
    assert.ok(l.rpm > 0 && l.tpm > 0 && l.concurrency > 0, p);
  }
});

test("sim:<strategy> names come from the sim family; scripted names are not the registry's", () => {
  const r = loadRegistry();
  const e = r.get('sim:tit-for-tat');
  assert.equal(e.provider, 'sim');
  assert.equal(e.model_id, 'sim:tit-for-tat');
  assert.equal(r.price('sim:nash').input, 0);
  assert.equal(r.capabilityScore('sim:nash'), null);
  assert.ok(!r.has('sim:'));
  assert.throws(() => r.get('scripted:nash'), /scripted negotiator, not served by a provider/);
});

test('an unknown model lists the nearest known names', () => {
  const r = loadRegistry();
  assert.throws(
    () => r.get('gpt4o'),
    (e: unknown) =>
      e instanceof UserError &&
      /unknown model "gpt4o" \(did you mean gpt-4o\?\)/.test(e.message) &&
      /--models FILE/.test(e.message),
  );
  assert.throws(() => r.get('claude-4-sonet'), /did you mean claude-4-sonnet/);
  assert.throws(
    () => r.get('totally-different'),
    (e: unknown) => e instanceof UserError && !/did you mean/.test(e.message),
  );
  assert.deepEqual(nearNames('o3mini', r.names()).slice(0, 1), ['o3-mini']);
});

test('--models FILE overrides fields by name (price merges field by field) and adds new models', () => {
  const f = userFile({
    providers: { anthropic: { rpm: 4000 } },
    models: {
      'gpt-4o': { price: { input: 5 } },
      'llama-3-8b': {
        provider: 'compatible',
        model_id: 'meta-llama/Meta-Llama-3-8B-Instruct',
        base_url: 'http://127.0.0.1:8000/v1',
        context_window: 8192,
        price: { input: 0, output: 0 },
      },
    },
  });
  const r = loadRegistry(f);
  assert.deepEqual(r.price('gpt-4o'), { input: 5, cached_input: 1.25, output: 10 });
  assert.equal(r.get('gpt-4o').capability, 1346, 'untouched fields stay');
  assert.equal(r.limits('anthropic').rpm, 4000);
  assert.equal(r.limits('anthropic').concurrency, loadRegistry().limits('anthropic').concurrency);
  const l = r.get('llama-3-8b');
  assert.equal(l.sampling.kind, 'chat', 'a new model without sampling rules is a chat model');
  assert.equal(r.capabilityScore('llama-3-8b'), null);
  assert.deepEqual(r.sources, ['built-in', f]);
  assert.ok(r.names().includes('llama-3-8b') && r.names().length === loadRegistry().names().length + 1);
});

test('a bad user entry is one UserError naming the file, the model and the field', () => {
  rejects(
    userFile({ models: { 'gpt-4o': { price: { input: 'cheap' } } } }),
    /model "gpt-4o"/,
    /field "price\.input"/,
    /expected number/,
  );
  rejects(userFile({ models: { 'gpt-4o': { prcie: { input: 1 } } } }), /model "gpt-4o"/, /unknown field "prcie"/);
  rejects(
    userFile({ models: { 'new-model': { provider: 'openai', model_id: 'x', context_window: 1000 } } }),
    /model "new-model"/,
    /field "price" is required for a new model/,
  );
  rejects(
    userFile({ models: { 'new-model': { provider: 'mistral', model_id: 'x' } } }),
    /model "new-model"/,
    /field "provider"/,
  );
  rejects(
    userFile({ models: { o3: { sampling: { temperature: 0.5 } } } }),
    /model "o3"/,
    /sampling\.temperature.*reasoning models take no temperature/,
  );
  rejects(
    userFile({ models: { o3: { sampling: { thinking: 'adaptive' } } } }),
    /model "o3"/,
    /sampling\.thinking.*needs kind "thinking"/,
  );
  rejects(userFile({ models: { 'gpt-4o': { context_window: -5 } } }), /field "context_window"/);
  rejects(userFile({ providers: { openai: { rpm: 'many' } } }), /provider "openai"/, /field "rpm"/);
  rejects(userFile({ modles: {} }), /unknown field "modles"/);
  rejects(
    userFile({ models: { 'scripted:mine': { provider: 'openai' } } }),
    /model name "scripted:mine" is not allowed/,
  );
  rejects(userFile('{ "models": { '), /not valid JSON/);
  assert.throws(() => loadRegistry(join(dir, 'missing.json')), /missing\.json: no such file/);
});

test('sampling rules: chat passes temperature; reasoning drops it, adds effort and allowance; thinking adds a budget; caps clamp', () => {
  const r = loadRegistry();
  const chat = wireSampling(r.get('gpt-4o'), { maxOutputTokens: 300, temperature: 0.4 });
  assert.deepEqual(chat, {
    kind: 'chat',
    maxOutputTokens: 300,
    sdkMaxOutputTokens: 300,
    temperature: 0.4,
    warnings: [],
  });
  const o3 = wireSampling(r.get('o3'), { maxOutputTokens: 300, temperature: 0.4 });
  assert.equal(o3.temperature, undefined);
  assert.equal(o3.reasoningEffort, 'medium');
  assert.equal(o3.maxOutputTokens, 300 + r.get('o3').sampling.reasoning_tokens!);
  assert.match(o3.warnings.join(), /temperature dropped/);
  const g = wireSampling(r.get('gemini-2-5-flash'), { maxOutputTokens: 300, temperature: 0.4 });
  assert.equal(g.thinkingBudget, r.get('gemini-2-5-flash').sampling.reasoning_tokens);
  assert.equal(g.temperature, 0.4);
  const opus = wireSampling(r.get('claude-3-opus'), { maxOutputTokens: 10000 });
  assert.equal(opus.maxOutputTokens, 4096);
  assert.match(opus.warnings.join(), /lowered to claude-3-opus's maximum of 4096/);
});

test('cost: input and output (reasoning included) at list price per million, OpenRouter adds 5.5%', () => {
  const p = loadRegistry().price('o3');
  const usage = { inputTokens: 10_000, outputTokens: 3_000, reasoningTokens: 2_000 };
  assert.equal(callCostUsd(p, usage), (10_000 * 2 + 3_000 * 8) / 1e6);
  assert.ok(Math.abs(callCostUsd(p, usage, 1.055) - 0.044 * 1.055) < 1e-6);
  // reasoning reported outside outputTokens is still billed as output
  assert.equal(callCostUsd(p, { inputTokens: 0, outputTokens: 0, reasoningTokens: 1_000_000 }), 8);
});
