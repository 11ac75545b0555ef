/**
 * Issue 11's scrubbing and .env parts, unit level: a base URL with credentials is refused
 * with one line naming its variable (never quoting the URL) and its userinfo becomes a
 * secret; a key echoed in an answer is scrubbed by the provider layer, before the cache;
 * .env lines without "=" are warned about by number and swallow no key; a BOM hides none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDotenv, envFrom, loadEnv } from './env.ts';
import { loadRegistry } from './registry.ts';
import { parseBaseUrlFlags, resolveRoute } from './route.ts';
import { scrub, scrubSecrets } from './scrub.ts';
import { createChatModel } from './index.ts';
import { openaiReply, startServer } from './testing/test-server.ts';
import { ResponseCache, withCache } from '../grid/response-cache.ts';
import { UserError } from '../errors.ts';

const registry = loadRegistry();

function userError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return e.message;
  }
  assert.fail('expected a UserError');
}

test('a base URL with credentials is refused naming its variable; the password is a secret', () => {
  const pw = 'Pw-url-secret-7781';
  const env = envFrom({
    OPENAI_API_KEY: 'sk-scrub-test-openai-0001',
    OPENAI_BASE_URL: `http://alice:${pw}@127.0.0.1:9/v1`,
  });
  // registered as soon as the environment is read
  assert.equal(scrub(`x ${pw} y`), 'x [redacted] y');
  assert.equal(scrubSecrets(`alice:${pw}`), '[redacted]');
  const msg = userError(() => resolveRoute('gpt-4o', { env, registry }));
  assert.match(msg, /^OPENAI_BASE_URL holds credentials/);
  assert.doesNotMatch(msg, /alice|Pw-url|127\.0\.0\.1/);
  // a percent-encoded password is a secret in both spellings
  const flag = userError(() => parseBaseUrlFlags(['llama=http://bob:p%40ss-word-99@127.0.0.1:8000/v1']));
  assert.match(flag, /^--base-url llama holds credentials/);
  assert.equal(scrubSecrets('p@ss-word-99 p%40ss-word-99'), '[redacted] [redacted]');
  // a models file's base_url likewise, named by its model
  const dir = mkdtempSync(join(tmpdir(), 'bargain-scrub-'));
  const file = join(dir, 'models.json');
  writeFileSync(
    file,
    JSON.stringify({
      models: {
        'my-llm': {
          provider: 'compatible',
          model_id: 'x',
          context_window: 8000,
          price: { input: 0, output: 0 },
          base_url: 'http://carol:reg-pass-551@127.0.0.1:8000/v1',
        },
      },
    }),
  );
  const reg = loadRegistry(file);
  assert.equal(scrubSecrets('reg-pass-551'), '[redacted]');
  const r = userError(() => resolveRoute('my-llm', { env: envFrom({}), registry: reg }));
  assert.match(r, /^base_url of model "my-llm" holds credentials/);
  assert.doesNotMatch(r, /carol|reg-pass/);
});

test('a key echoed in an answer is scrubbed before the cache stores it and the caller sees it', async (t) => {
  const key = 'sk-echo-test-openai-5511aa';
  const s = await startServer((req) =>
    openaiReply(`my key is ${String(req.headers.authorization).replace(/^Bearer /, '')}, deal?`),
  );
  t.after(() => s.close());
  const env = envFrom({ OPENAI_API_KEY: key, OPENAI_BASE_URL: `${s.url}/v1` });
  const dir = mkdtempSync(join(tmpdir(), 'bargain-scrub-cache-'));
  const cache = new ResponseCache(dir);
  const chat = withCache(createChatModel('gpt-4o', { env, registry, callTimeoutMs: 5000 }), cache, 'gpt-4o');
  const req = { messages: [{ role: 'user' as const, content: 'hi' }], maxOutputTokens: 50, callIndex: 0 };
  const r = await chat.generate(req);
  assert.equal(r.text, 'my key is [redacted], deal?');
  assert.equal(s.requests[0].headers.authorization, `Bearer ${key}`, 'the key is still sent');
  assert.equal(cache.stats.writes, 1);
  const again = await chat.generate(req);
  assert.equal(again.cached, true);
  assert.equal(again.text, 'my key is [redacted], deal?');
});

test('a cache entry written before scrubbing is scrubbed when replayed', async () => {
  const key = 'sk-old-cache-entry-key-9090';
  envFrom({ OPENAI_API_KEY: key });
  const dir = mkdtempSync(join(tmpdir(), 'bargain-scrub-cache-'));
  const cache = new ResponseCache(dir);
  const inner = {
    spec: 'v1' as const,
    provider: 'openai',
    modelId: 'm',
    keyLabel: 'OPENAI_API_KEY',
    generate: async () => ({
      text: `old ${key}`,
      finishReason: 'stop' as const,
      usage: { inputTokens: 1, outputTokens: 1, reasoningTokens: 0 },
      warnings: [],
      provider: 'openai',
      modelId: 'm',
      route: 'openai direct',
    }),
  };
  const chat = withCache(inner, cache, 'm');
  const req = { messages: [{ role: 'user' as const, content: 'x' }], maxOutputTokens: 5, callIndex: 0 };
  await chat.generate(req); // an unscrubbed inner model stored it raw
  assert.equal((await chat.generate(req)).text, 'old [redacted]');
});

test('scrubSecrets leaves ordinary words the key shapes would mask', () => {
  assert.equal(scrubSecrets('the bearer of bad news; key=value'), 'the bearer of bad news; key=value');
});

test('.env: a line without "=" is warned about by number and swallows no key; a BOM hides none', () => {
  const c = checkDotenv(
    '\uFEFFFIRST_KEY=one\nJUNK_LINE\nSECOND_KEY=two\n# comment\nM="multi\nline without equals\nend"\nLAST=3',
  );
  assert.deepEqual(c.warnings, ['line 2 has no "=" and is ignored; fix: write it as NAME=value or start it with #']);
  const dir = mkdtempSync(join(tmpdir(), 'bargain-env-'));
  writeFileSync(
    join(dir, '.env'),
    '\uFEFFOPENAI_API_KEY=sk-bom-first-key-0001\nsk-pasted-without-name-0002\nANTHROPIC_API_KEY=sk-ant-after-bad-line-0003\n',
  );
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let env;
  try {
    env = loadEnv({ cwd: dir, processEnv: {} });
    loadEnv({ cwd: dir, processEnv: {} });
  } finally {
    process.stderr.write = write;
  }
  assert.equal(env.vars.OPENAI_API_KEY, 'sk-bom-first-key-0001');
  assert.equal(env.vars.ANTHROPIC_API_KEY, 'sk-ant-after-bad-line-0003');
  assert.equal(Object.keys(env.vars).length, 2);
  assert.equal(lines.length, 1, 'one warning, once per process');
  assert.match(lines[0], /\.env line 2 has no "="/);
  assert.doesNotMatch(lines[0], /sk-pasted/);
});
