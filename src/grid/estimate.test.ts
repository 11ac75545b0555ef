/**
 * `bargain estimate` with prompt caching: the caching model on a known prompt-size sequence
 * (hand-checked figures), the grid estimate on one experiment with known prompts (dollars with
 * caching below those without by exactly the hand-computed saving; --no-prompt-cache gives only
 * the uncached figures), and the seed grid's shape simulated offline (cheaper with caching for
 * every model with a cached price; Anthropic's TPM term shrinks, OpenAI's does not).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envFrom } from '../providers/env.ts';
import { ModelResolver } from './model-resolver.ts';
import { planGrid } from './config.ts';
import { estimateGrid, type simulate } from './estimate.ts';
import { PRESETS } from './presets.ts';
import { cacheRule, cacheSplit, cachedCostUsd } from './prompt-cache-model.ts';

const resolver = () => new ModelResolver(null, { env: envFrom({}) });
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('the caching model on a known sequence: OpenAI reads whole 128-token steps from 1,024; Anthropic reads the previous prompt and writes the rest', () => {
  const chain = [[800, 1200, 1500, 1800]];
  const oa = cacheRule('openai', 'gpt-4o', { input: 2.5, cached_input: 1.25, output: 10 });
  // 800: below the minimum, nothing; 1200 after 800: nothing (the previous prompt was too short);
  // 1500 after 1200: 1024 + 1×128; 1800 after 1500: 1024 + 3×128
  assert.deepEqual(cacheSplit(chain, oa), { read: 1152 + 1408, write: 0 });
  const an = cacheRule('anthropic', 'claude-sonnet-4-6', {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
  });
  assert.equal(an.minTokens, 1024);
  // writes: 1200 (first cacheable prompt), then 300 and 300 beyond what was read; reads: 1200, 1500
  assert.deepEqual(cacheSplit(chain, an), { read: 2700, write: 1800 });
  near(
    cachedCostUsd({ input: 3, cached_input: 0.3, cache_write: 3.75, output: 15 }, an, {
      input: 5300,
      read: 2700,
      write: 1800,
      output: 0,
      reasoning: 0,
    }),
    (800 * 3 + 2700 * 0.3 + 1800 * 3.75) / 1e6,
    'anthropic dollars',
  );
  // the minimum per model; no cached price, or Gemini before 2.5: nothing cached
  assert.equal(
    cacheRule('anthropic', 'claude-3-5-haiku-20241022', { input: 0.8, cached_input: 0.08, output: 4 }).minTokens,
    2048,
  );
  assert.equal(cacheRule('anthropic', 'claude-opus-5', { input: 5, cached_input: 0.5, output: 25 }).minTokens, 512);
  assert.equal(cacheRule('anthropic', 'claude-opus-4-6', { input: 5, cached_input: 0.5, output: 25 }).minTokens, 4096);
  assert.equal(
    cacheRule('anthropic', 'claude-3-opus-20240229', { input: 15, cached_input: 1.5, output: 75 }).readsCountTowardTpm,
    true,
  );
  assert.equal(an.readsCountTowardTpm, false);
  assert.equal(cacheRule('google', 'gemini-2.5-pro', { input: 1.25, cached_input: 0.125, output: 10 }).minTokens, 2048);
  assert.equal(
    cacheRule('google', 'gemini-2.0-flash-001', { input: 0.1, cached_input: 0.025, output: 0.4 }).enabled,
    false,
  );
  assert.equal(cacheRule('openai', 'gpt-5.5', { input: 5, output: 30 }).enabled, false);
  // an Anthropic model without a registry cache_write pays 1.25× input for writes
  assert.equal(
    cacheRule('anthropic', 'claude-sonnet-4-20250514', { input: 3, cached_input: 0.3, output: 15 }).writePrice,
    3.75,
  );
});

test('one experiment with known prompt sizes: with caching cheaper by exactly the hand-computed saving; --no-prompt-cache only without', async () => {
  const [c] = planGrid({ ...PRESETS.seed, weak: ['gpt-4o'], strong: ['claude-4-sonnet'], levels: [0.5], num_runs: 1 });
  // each side: one agent, four calls of 800, 1200, 1500, 1800 prompt tokens, 100 output tokens each
  const shape = () => ({
    calls: [1, 1, 1, 1],
    input: [800, 1200, 1500, 1800],
    output: [100, 100, 100, 100],
    byPhase: {},
    chains: [[800, 1200, 1500, 1800]],
  });
  const fake: typeof simulate = async () => ({ weak: shape(), strong: shape(), rounds: 1 });
  const est = await estimateGrid([c], resolver(), { simulate: fake });
  const gpt = est.byModel.find((m) => m.model === 'gpt-4o')!,
    claude = est.byModel.find((m) => m.model === 'claude-4-sonnet')!;
  // without caching: 5,300 input and 400 output tokens each
  near(gpt.costUsd, (5300 * 2.5 + 400 * 10) / 1e6, 'gpt-4o without');
  near(claude.costUsd, (5300 * 3 + 400 * 15) / 1e6, 'claude-4-sonnet without');
  // gpt-4o: 2,560 tokens read at 1.25 instead of 2.50 → $0.0032 saved
  assert.deepEqual([gpt.cacheReadTokens, gpt.cacheWriteTokens], [2560, 0]);
  near(gpt.costUsd - gpt.cachedCostUsd, (2560 * 1.25) / 1e6, 'gpt-4o saving');
  // claude-4-sonnet (min 1,024): reads 2,700 at 0.30, writes 1,800 at 3.75 instead of 3.00 → 2,700×2.70 − 1,800×0.75 = $0.00594
  assert.deepEqual([claude.cacheReadTokens, claude.cacheWriteTokens], [2700, 1800]);
  near(claude.costUsd - claude.cachedCostUsd, (2700 * 2.7 - 1800 * 0.75) / 1e6, 'claude saving');
  assert.ok(est.promptCache);
  near(est.costUsd - est.promptCache.costUsd, 0.0032 + 0.00594, 'grid saving');
  near(est.perExperiment.get(c.experiment_id)!.cachedCostUsd, est.promptCache.costUsd, 'per experiment');
  // Anthropic's TPM term leaves the 2,700 cache reads out; OpenAI's counts them
  const tok = (list: typeof est.byProvider, p: string) => list.find((x) => x.provider === p)!.tokens;
  assert.equal(tok(est.byProvider, 'anthropic') - tok(est.promptCache.byProvider, 'anthropic'), 2700);
  assert.equal(tok(est.byProvider, 'openai'), tok(est.promptCache.byProvider, 'openai'));

  const off = await estimateGrid([c], resolver(), { simulate: fake, promptCache: false });
  assert.equal(off.promptCache, null);
  near(off.costUsd, est.costUsd, 'uncached figures unchanged');
  for (const m of off.byModel) {
    assert.equal(m.cacheReadTokens, 0);
    near(m.cachedCostUsd, m.costUsd, m.model);
  }
});

test("the seed grid's shape, simulated offline: caching lowers the dollars of every model with a cached price, and Anthropic's wall-time term", async () => {
  const configs = planGrid(PRESETS.seed);
  const est = await estimateGrid(configs, resolver(), { samplesPerLevel: 1 });
  const pc = est.promptCache!;
  assert.ok(pc.costUsd < est.costUsd && pc.maxCostUsd < est.maxCostUsd, `${pc.costUsd} vs ${est.costUsd}`);
  const registry = resolver().registry;
  for (const m of est.byModel) {
    const cached = registry.get(m.model).price.cached_input !== undefined;
    if (cached)
      assert.ok(m.cachedCostUsd < m.costUsd && m.cacheReadTokens > 0, `${m.model}: ${m.cachedCostUsd} vs ${m.costUsd}`);
    else {
      near(m.cachedCostUsd, m.costUsd, m.model);
      assert.match(m.cacheNote ?? '', /no cached-input price/);
    }
    assert.ok(m.cacheReadTokens + m.cacheWriteTokens <= m.inputTokens, m.model);
  }
  assert.ok(
    pc.inputCostShare! > 0 && pc.inputCostShare! < 0.5,
    `input dollars with caching at ${pc.inputCostShare} of without`,
  );
  const minutes = (list: typeof est.byProvider, p: string) => list.find((x) => x.provider === p)!.minutes;
  assert.ok(minutes(pc.byProvider, 'anthropic') < minutes(est.byProvider, 'anthropic'));
  assert.equal(minutes(pc.byProvider, 'openai'), minutes(est.byProvider, 'openai'));
  assert.ok(pc.wallLowerBoundS <= est.wallLowerBoundS);
});
