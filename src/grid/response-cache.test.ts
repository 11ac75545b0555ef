import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheKey, ResponseCache, withCache } from './response-cache.ts';
import type { ChatModel, ChatRequest, ChatResult } from '../providers/types.ts';

function counting(): ChatModel & { calls: number } {
  const m = {
    spec: 'v1' as const,
    provider: 'openai',
    modelId: 'gpt-4o',
    keyLabel: 'OPENAI_API_KEY',
    calls: 0,
    async generate(req: ChatRequest): Promise<ChatResult> {
      m.calls++;
      return {
        text: `answer ${m.calls} to ${req.messages.at(-1)!.content}`,
        finishReason: 'stop',
        usage: { inputTokens: 10, outputTokens: 5, reasoningTokens: 0 },
        warnings: [],
        provider: 'openai',
        modelId: 'gpt-4o',
        route: 'openai direct',
      };
    },
  };
  return m;
}

const req = (content: string, callIndex = 0, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [
    { role: 'system', content: 'rules' },
    { role: 'user', content },
  ],
  maxOutputTokens: 100,
  callIndex,
  ...extra,
});

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
    for (const other of [
      cacheKey('gpt-4o', req('hello', 1)),
      cacheKey('o3', req('hello')),
      cacheKey('gpt-4o', req('hello!')),
      cacheKey('gpt-4o', req('hello', 0, { temperature: 0.5 })),
      cacheKey('gpt-4o', req('hello', 0, { maxOutputTokens: 5 })),
      cacheKey('gpt-4o', req('hello', 0, { reasoningEffort: 'high' })),
    ])
      assert.notEqual(other, base);
    // timeouts, scope and signals do not change the key
    assert.equal(cacheKey('gpt-4o', req('hello', 0, { scope: 'x', signal: new AbortController().signal })), base);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a call identical to one in flight waits for its answer instead of being sent again; a failed one is not shared', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-'));
  try {
    let release!: () => void;
    let fail = false;
    const gate = () =>
      new Promise<void>((r) => {
        release = r;
      });
    const inner = counting();
    const slow: ChatModel & { calls: number } = {
      ...inner,
      get calls() {
        return inner.calls;
      },
      async generate(r: ChatRequest) {
        const g = gate();
        await g;
        if (fail) {
          inner.calls++;
          throw new Error('boom');
        }
        return inner.generate(r);
      },
    };
    const cache = new ResponseCache(dir);
    const m = withCache(slow, cache, 'gpt-4o');
    const a = m.generate(req('same'));
    const b = m.generate(req('same'));
    await new Promise((r) => setImmediate(r));
    release();
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(inner.calls, 1, 'one request for two identical calls');
    assert.equal(rb.text, ra.text);
    assert.equal(rb.cached, true);
    assert.equal(ra.cached, undefined);
    assert.equal(cache.stats.shared, 1);
    assert.equal(cache.inflight.size, 0);
    // the first fails: the waiting caller makes its own call
    fail = true;
    const c = m.generate(req('other'));
    const d = m.generate(req('other'));
    await new Promise((r) => setImmediate(r));
    release();
    await assert.rejects(c, /boom/);
    fail = false;
    await new Promise((r) => setImmediate(r));
    release();
    const rd = await d;
    assert.match(rd.text, /to other/);
    assert.equal(rd.cached, undefined);
    // a waiting caller whose own signal aborts stops waiting
    const e = m.generate(req('third'));
    const ac = new AbortController();
    const f = m.generate(req('third', 0, { signal: ac.signal }));
    ac.abort(new Error('stopped'));
    await assert.rejects(f, /stopped/);
    await new Promise((r) => setImmediate(r));
    release();
    await e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
