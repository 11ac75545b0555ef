/**
 * callCostUsd with cached tokens: reads at cached_input, writes at cache_write, the rest of the
 * input at input, output at output; missing cache prices fall back to input. Figures by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callCostUsd } from './cost.ts';
import type { Price } from './registry.ts';

const CLAUDE: Price = { input: 3, cached_input: 0.3, cache_write: 3.75, output: 15 };

test('uncached call: input and output at list price', () => {
  // 10,000 × $3 + 500 × $15 = $30,000 + $7,500 per million = $0.0375
  assert.equal(callCostUsd(CLAUDE, { inputTokens: 10_000, outputTokens: 500, reasoningTokens: 0 }), 0.0375);
});

test('Anthropic call with cache reads and writes: each part at its own price', () => {
  // 10,000 input = 8,000 read + 1,500 written + 500 uncached:
  // 8,000 × 0.3 = 2,400; 1,500 × 3.75 = 5,625; 500 × 3 = 1,500; 200 × 15 = 3,000; total 12,525 / 1e6
  const usage = {
    inputTokens: 10_000,
    cacheReadTokens: 8_000,
    cacheWriteTokens: 1_500,
    outputTokens: 200,
    reasoningTokens: 0,
  };
  assert.equal(callCostUsd(CLAUDE, usage), 0.012525);
  // through OpenRouter, its 5.5% fee on top: 0.012525 × 1.055 = 0.013213875 -> rounded to 0.013214
  assert.equal(callCostUsd(CLAUDE, usage, 1.055), 0.013214);
});

test('OpenAI cached tokens at cached_input; no cache_write price: writes at the input price', () => {
  const gpt: Price = { input: 2.5, cached_input: 1.25, output: 10 };
  // 4,096 input, 3,072 cached: 1,024 × 2.5 = 2,560; 3,072 × 1.25 = 3,840; 100 × 10 = 1,000 -> 7,400 / 1e6
  assert.equal(
    callCostUsd(gpt, { inputTokens: 4_096, cacheReadTokens: 3_072, outputTokens: 100, reasoningTokens: 0 }),
    0.0074,
  );
  // a write with no write price costs what an uncached token costs: 1,000 × 2.5 + 100 × 10 = 3,500
  assert.equal(
    callCostUsd(gpt, { inputTokens: 1_000, cacheWriteTokens: 1_000, outputTokens: 100, reasoningTokens: 0 }),
    0.0035,
  );
});

test('no cached price: cache reads at the input price (Gemini entries without one)', () => {
  const flash: Price = { input: 0.3, output: 2.5 };
  // 20,000 × 0.3 = 6,000 whatever the cached share; 1,000 × 2.5 = 2,500 -> 8,500 / 1e6
  assert.equal(
    callCostUsd(flash, { inputTokens: 20_000, cacheReadTokens: 15_000, outputTokens: 1_000, reasoningTokens: 0 }),
    0.0085,
  );
});

test('inconsistent counts never bill a negative remainder: reads and writes capped at the input total', () => {
  // reads claimed above the total count as the whole input read: 1,000 × 0.3 = 300 / 1e6
  assert.equal(
    callCostUsd(CLAUDE, { inputTokens: 1_000, cacheReadTokens: 5_000, outputTokens: 0, reasoningTokens: 0 }),
    0.0003,
  );
  // 600 read + 400 written (the 900 claimed, capped to what is left): 600 × 0.3 + 400 × 3.75 = 180 + 1,500 = 1,680
  assert.equal(
    callCostUsd(CLAUDE, {
      inputTokens: 1_000,
      cacheReadTokens: 600,
      cacheWriteTokens: 900,
      outputTokens: 0,
      reasoningTokens: 0,
    }),
    0.00168,
  );
});
