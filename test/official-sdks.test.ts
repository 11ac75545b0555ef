/**
 * The mock server against the providers' official clients (dev dependencies: openai 6.x,
 * @anthropic-ai/sdk 1.x — Bearer auth, anthropic-version 2026-10-21 — and @google/genai 2.x,
 * the newest that run on Node 20): each parses the mock's success, 429 and 404 answers into
 * its own result and error classes, and lists models. The SDKs' own retries are off, so
 * each error reaches the test as the SDK reports it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { SEED_DATE, startMockServer, type MockServer } from '../src/mock/server.ts';

const DATE = '2026-12-02';

async function withServer(
  f: (s: MockServer) => Promise<void>,
  opts: Parameters<typeof startMockServer>[0] = {},
): Promise<void> {
  let clock = 1_000_000;
  // one request a minute per key: the second request of a key is a 429
  const s = await startMockServer({ date: DATE, rpm: 1, now: () => (clock += 1000), ...opts });
  try {
    await f(s);
  } finally {
    await s.close();
  }
}

test('openai: a chat completion, RateLimitError with Retry-After, NotFoundError model_not_found, models.list', async () => {
  await withServer(async (s) => {
    const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${s.url}/v1`, maxRetries: 0 });
    const ok = await client('sk-1').chat.completions.create({
      model: 'gpt-5',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 20000,
      reasoning_effort: 'low',
    });
    assert.equal(ok.model, 'gpt-5');
    assert.equal(ok.choices[0].finish_reason, 'stop');
    assert.match(ok.choices[0].message.content ?? '', /simulated negotiator/);
    assert.ok(ok.usage!.completion_tokens_details!.reasoning_tokens! >= 256);

    const limited = await client('sk-1')
      .chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    assert.ok(limited instanceof OpenAI.RateLimitError, String(limited));
    assert.equal(limited.status, 429);
    assert.equal(limited.code, 'rate_limit_exceeded');
    assert.ok(Number(limited.headers?.get('retry-after')) > 0);

    const gone = await client('sk-2')
      .chat.completions.create({ model: 'o3-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    assert.ok(gone instanceof OpenAI.NotFoundError, String(gone));
    assert.equal(gone.status, 404);
    assert.equal(gone.code, 'model_not_found');
    assert.match(gone.message, /The model `o3-mini` does not exist/);

    const ids: string[] = [];
    for await (const m of client('sk-3').models.list()) ids.push(m.id);
    for (const id of ['gpt-4o', 'o3', 'gpt-5', 'gpt-5.4-mini']) assert.ok(ids.includes(id), `${id} listed`);
    assert.ok(!ids.includes('o3-mini'), 'a retired id is not listed');
  });
});

test('@anthropic-ai/sdk (Bearer, 2026-10-21): a message with adaptive thinking, RateLimitError, NotFoundError with its request id, models.list', async () => {
  await withServer(
    async (s) => {
      const client = (key: string) => new Anthropic({ apiKey: key, baseURL: s.url, maxRetries: 0 });
      const ok = await client('sk-ant-1').messages.create({
        model: 'claude-opus-4-7',
        max_tokens: 8000,
        messages: [{ role: 'user', content: 'hi' }],
        thinking: { type: 'adaptive' },
        output_config: { effort: 'low' },
      } as Anthropic.MessageCreateParamsNonStreaming);
      assert.equal(ok.model, 'claude-opus-4-7');
      assert.equal(ok.stop_reason, 'end_turn');
      const text = ok.content.find((c) => c.type === 'text');
      assert.match(text && text.type === 'text' ? text.text : '', /simulated negotiator/);

      const limited = await client('sk-ant-1')
        .messages.create({ model: 'claude-opus-4-7', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
        .catch((e) => e);
      assert.ok(limited instanceof Anthropic.RateLimitError, String(limited));
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers?.get('retry-after')) > 0);

      const gone = await client('sk-ant-2')
        .messages.create({
          model: 'claude-3-opus-20240229',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
        })
        .catch((e) => e);
      assert.ok(gone instanceof Anthropic.NotFoundError, String(gone));
      assert.equal(gone.status, 404);
      assert.match(gone.requestID ?? '', /^req_/);
      assert.deepEqual((gone.error as any).error, {
        type: 'not_found_error',
        message: 'model: claude-3-opus-20240229',
      });

      const ids: string[] = [];
      for await (const m of client('sk-ant-3').models.list()) ids.push(m.id);
      assert.ok(ids.includes('claude-opus-4-7') && ids.includes('claude-sonnet-4-6'), ids.join(','));
      assert.ok(!ids.includes('claude-3-opus-20240229'), 'a retired id is not listed');
    },
    { extraModels: ['claude-opus-4-7'] },
  );
});

test('@google/genai: generateContent with modelVersion, the quota 429 with its retryDelay, the 404, models.list', async () => {
  await withServer(
    async (s) => {
      const client = (key: string) =>
        new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: s.url, retryOptions: { attempts: 1 } } });
      const ok = await client('AIza-1').models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'hi',
        config: { maxOutputTokens: 20000, thinkingConfig: { thinkingBudget: 1024 } },
      });
      assert.equal(ok.modelVersion, 'gemini-3-flash', 'rerouted');
      assert.match(ok.text ?? '', /simulated negotiator/);
      assert.ok(ok.usageMetadata!.thoughtsTokenCount! > 0);

      const limited = await client('AIza-1')
        .models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })
        .catch((e) => e);
      assert.ok(limited instanceof ApiError, String(limited));
      assert.equal(limited.status, 429);
      const body = JSON.parse(limited.message.slice(limited.message.indexOf('{')));
      assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
      assert.match(body.error.message, /^You exceeded your current quota/);
      const retry = body.error.details.find((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
      assert.match(retry.retryDelay, /^\d+s$/);
      assert.ok(Number(retry.retryDelay.slice(0, -1)) > 0);

      const gone = await client('AIza-2')
        .models.generateContent({ model: 'gemini-2.0-flash-001', contents: 'hi' })
        .catch((e) => e);
      assert.ok(gone instanceof ApiError, String(gone));
      assert.equal(gone.status, 404);
      assert.match(gone.message, /models\/gemini-2\.0-flash-001 is not found for API version v1beta/);

      const names: string[] = [];
      for await (const m of await client('AIza-3').models.list()) names.push(m.name!);
      assert.ok(
        names.includes('models/gemini-2.5-flash') && names.includes('models/gemini-3.8-flash'),
        names.join(','),
      );
      assert.ok(!names.includes('models/gemini-1.5-pro'), 'a retired id is not listed');
    },
    { reroute: { 'gemini-2.5-flash': 'gemini-3-flash' } },
  );
});

test("the seed's models through the official clients on SEED_DATE", async () => {
  await withServer(
    async (s) => {
      const o = await new OpenAI({ apiKey: 'sk', baseURL: `${s.url}/v1`, maxRetries: 0 }).chat.completions.create({
        model: 'o4-mini',
        messages: [{ role: 'user', content: 'hi' }],
        max_completion_tokens: 10000,
      });
      assert.equal(o.model, 'o4-mini');
      const a = await new Anthropic({ apiKey: 'sk', baseURL: s.url, maxRetries: 0 }).messages.create({
        model: 'claude-3-opus-20240229',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      });
      assert.equal(a.model, 'claude-3-opus-20240229');
      const g = await new GoogleGenAI({
        apiKey: 'k',
        httpOptions: { baseUrl: s.url, retryOptions: { attempts: 1 } },
      }).models.generateContent({ model: 'gemini-1.5-pro', contents: 'hi' });
      assert.equal(g.modelVersion, 'gemini-1.5-pro');
    },
    { date: SEED_DATE, rpm: 0 },
  );
});
