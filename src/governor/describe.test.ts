import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactCount, formatKeyLimits } from './describe.ts';
import type { LimitsView } from './key-budget.ts';

const view = (o: Partial<LimitsView>): LimitsView => ({
  rpm: 10_000,
  tpm: 30e6,
  otpm: Infinity,
  split: false,
  rpmSource: 'learned',
  tpmSource: 'learned',
  ...o,
});

test("a key's limits read by label with where they came from, never the key", () => {
  assert.equal(
    formatKeyLimits({ key: 'openai/OPENAI_API_KEY', limits: view({}) }),
    'OPENAI_API_KEY: 10000 rpm / 30M tpm learned',
  );
  assert.equal(
    formatKeyLimits({
      key: 'anthropic/ANTHROPIC_API_KEY',
      limits: view({ rpm: 4000, tpm: 2e6, otpm: 4e5, split: true }),
    }),
    'ANTHROPIC_API_KEY: 4000 rpm / 2M itpm / 400k otpm learned',
  );
  assert.equal(
    formatKeyLimits({
      key: 'google/GEMINI_API_KEY',
      limits: view({ rpm: 1000, tpm: 1e6, rpmSource: 'default', tpmSource: 'default' }),
    }),
    'GEMINI_API_KEY: 1000 rpm / 1M tpm default',
  );
  assert.equal(
    formatKeyLimits({ key: 'openai/OPENAI_API_KEY_2', limits: view({ rpm: 200, rpmSource: 'capped' }) }),
    'OPENAI_API_KEY_2: 200 rpm your cap / 30M tpm learned',
  );
  assert.deepEqual(
    [compactCount(450_000), compactCount(1.5e6), compactCount(9999), compactCount(2.5e9)],
    ['450k', '1.5M', '9999', '2.5G'],
  );
});
