/** The Claude id parser and minimum-length table, and the breakpoint choice at the boundary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakpointIndexes, claudeCacheMinTokens, claudeModel, maxTokensOf, promptCacheKey } from './prompt-cache.ts';

test('Claude ids in every spelling map to their documented minimum; Haiku after 4.5 as 4.5; unknown ones to the lowest (512)', () => {
  assert.deepEqual(claudeModel('claude-3-5-haiku-20241022'), { family: 'haiku', version: 3.5 });
  assert.deepEqual(claudeModel('anthropic/claude-opus-4.1'), { family: 'opus', version: 4.1 });
  for (const [id, min] of [
    ['claude-opus-4-1-20250805', 1024],
    ['anthropic/claude-opus-4.1', 1024],
    ['claude-sonnet-4-20250514', 1024],
    ['claude-sonnet-4-6', 1024],
    ['anthropic/claude-sonnet-4.6', 1024],
    ['claude-haiku-4-5-20251001', 4096],
    ['claude-opus-4-5-20251101', 4096],
    ['claude-opus-4-6', 4096],
    ['claude-opus-4-7', 2048],
    ['claude-opus-4-8', 1024],
    ['claude-3-5-haiku-20241022', 2048],
    ['claude-opus-5', 512],
    ['claude-haiku-5-5', 4096],
    ['my-llama', 512],
  ] as const)
    assert.equal(claudeCacheMinTokens(id), min, id);
});

test('a breakpoint only where the prefix through it may reach the minimum', () => {
  const sys = { role: 'system' as const, content: 'x'.repeat(2_000) }; // at most 1,008 tokens
  const turn = { role: 'user' as const, content: 'y'.repeat(100) };
  assert.equal(maxTokensOf([sys]), 1_008);
  assert.deepEqual(breakpointIndexes([sys, turn], 1_008), [0, 1]);
  assert.deepEqual(breakpointIndexes([sys, turn], 1_009), [1]);
  assert.deepEqual(breakpointIndexes([sys, turn], 1_066), [1]); // 1,008 + 58
  assert.deepEqual(breakpointIndexes([sys, turn], 1_067), []);
  assert.deepEqual(breakpointIndexes([turn], 1), [0]);
});

test('prompt_cache_key: stable per scope and system message, hashed, absent with neither', () => {
  const m = [{ role: 'system' as const, content: 'rules and my values' }];
  assert.equal(
    promptCacheKey('run1/Agent_1', m),
    promptCacheKey('run1/Agent_1', [...m, { role: 'user', content: 'more' }]),
  );
  assert.notEqual(
    promptCacheKey('run1/Agent_1', m),
    promptCacheKey('run1/Agent_1', [{ role: 'system', content: 'other values' }]),
  );
  assert.notEqual(promptCacheKey('run1/Agent_1', m), promptCacheKey('run1/Agent_2', m));
  assert.equal(promptCacheKey(undefined, [{ role: 'user', content: 'hi' }]), undefined);
});
