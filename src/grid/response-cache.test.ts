import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheKey, ResponseCache, withCache } from './response-cache.ts';
import type { ChatModel, ChatRequest, ChatResult } from '../providers/types.ts';

function counting(): ChatModel & { calls: number } {
  const m = {
    spec: 'v1' as const, provider: 'openai', modelId: 'gpt-4o', keyLabel: 'OPENAI_API_KEY', calls: 0,
    async generate(req: ChatRequest): Promise<ChatResult> {
      m.calls++;
      return { text: `answer ${m.calls} to ${req.messages.at(-1)!.content}`, finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5, reasoningTokens: 0 },
        warnings: [], provider: 'openai', modelId: 'gpt-4o', route: 'openai direct' };
    },
  };
  return m;
}

const req = (content: string, callIndex = 0, extra: Partial<ChatRequest> = {}): ChatRequest =>
  ({ messages: [{ role: 'system', content: 'rules' }, { role: 'user', content }], maxOutputTokens: 100, callIndex, ...extra });

test('a repeated call is answered from the cache bit for bit; what changes the output changes the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-'));
  try {
    const inner = counting();
    const m = withCache(inner, new ResponseCache(dir), 'gpt-4o');
    const a = await m.generate(req('hello'));
    const b = await withCache(inner, new ResponseCache(dir), 'gpt-4o').generate(req('hello'));
    assert.equal(inner.calls, 1);
    assert.equal(b.text, a.text);
    assert.deepEqual(b.usage, a.usage);
    assert.equal(b.cached, true);
    const base = cacheKey('gpt-4o', req('hello'));
    for (const other of [cacheKey('gpt-4o', req('hello', 1)), cacheKey('o3', req('hello')), cacheKey('gpt-4o', req('hello!')),
      cacheKey('gpt-4o', req('hello', 0, { temperature: 0.5 })), cacheKey('gpt-4o', req('hello', 0, { maxOutputTokens: 5 })),
      cacheKey('gpt-4o', req('hello', 0, { reasoningEffort: 'high' }))]) assert.notEqual(other, base);
    // timeouts, scope and signals do not change the key
    assert.equal(cacheKey('gpt-4o', req('hello', 0, { scope: 'x', signal: new AbortController().signal })), base);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a corrupt entry is a miss, never a crash, and is replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-'));
  try {
    const inner = counting();
    const cache = new ResponseCache(dir);
    const m = withCache(inner, cache, 'gpt-4o');
    await m.generate(req('x'));
    const sub = readdirSync(dir)[0];
    const file = readdirSync(join(dir, sub))[0];
    writeFileSync(join(dir, sub, file), '{"key": "trunc');
    const r = await m.generate(req('x'));
    assert.equal(inner.calls, 2);
    assert.equal(cache.stats.corrupt, 1);
    assert.equal(r.cached, undefined);
    const again = await m.generate(req('x'));
    assert.equal(again.cached, true);
    assert.equal(inner.calls, 2);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
