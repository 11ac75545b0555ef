/**
 * Environment and routing (DESIGN §3): .env read from the working directory with process
 * variables winning; key families with _2, _3 … in order; base URLs validated; the direct
 * provider when its key is set, else OpenRouter, else one error naming the keys to set;
 * compatible servers and sim; no key value in any route or message. Also the pure error
 * classification and Retry-After parsing, and scrub().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { envFrom, keysFor, loadEnv, providerBaseUrl, providerKeys } from './env.ts';
import { loadRegistry } from './registry.ts';
import { parseBaseUrlFlags, resolveRoute, tryRoute } from './route.ts';
import { classifyHttp, retryAfterMs } from './errors.ts';
import { scrub, displayUrl } from './scrub.ts';
import { UserError } from '../errors.ts';

const registry = loadRegistry();
const K = {
  OPENAI_API_KEY: 'sk-route-test-openai-00001',
  ANTHROPIC_API_KEY: 'sk-ant-route-test-00002',
  GOOGLE_API_KEY: 'AIzaRouteTest00000000003',
  OPENROUTER_API_KEY: 'sk-or-v1-route-test-00004',
};

test('.env in the working directory is read; process variables win; blank values are unset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-env-'));
  writeFileSync(
    join(dir, '.env'),
    [
      '# keys for the grid',
      'OPENAI_API_KEY=sk-from-dotenv-file-0001',
      'export ANTHROPIC_API_KEY="sk-ant-from-dotenv-0002"',
      'OPENROUTER_API_KEY=',
      "GEMINI_BASE_URL='http://127.0.0.1:9999'",
    ].join('\n'),
  );
  const env = loadEnv({ cwd: dir, processEnv: { ANTHROPIC_API_KEY: 'sk-ant-from-process-0003' } });
  assert.equal(env.dotenvPath, join(dir, '.env'));
  assert.equal(env.vars.OPENAI_API_KEY, 'sk-from-dotenv-file-0001');
  assert.equal(env.vars.ANTHROPIC_API_KEY, 'sk-ant-from-process-0003');
  assert.equal(env.vars.OPENROUTER_API_KEY, undefined);
  assert.equal(providerBaseUrl(env, 'google'), 'http://127.0.0.1:9999');
  assert.equal(loadEnv({ cwd: dir, processEnv: {}, dotenv: false }).vars.OPENAI_API_KEY, undefined);
  const none = loadEnv({ cwd: mkdtempSync(join(tmpdir(), 'bargain-env-')), processEnv: {} });
  assert.equal(none.dotenvPath, null);
});

test('key families rotate in numeric order, GEMINI before GOOGLE, duplicates once; keys never serialise', () => {
  const env = envFrom({
    OPENAI_API_KEY_10: 'sk-k10-aaaaaaaa',
    OPENAI_API_KEY: 'sk-k1-aaaaaaaa',
    OPENAI_API_KEY_2: 'sk-k2-aaaaaaaa',
    OPENAI_API_KEY_3: 'sk-k1-aaaaaaaa',
    GOOGLE_API_KEY: 'AIzaGoogle000000000001',
    GEMINI_API_KEY: 'AIzaGemini000000000002',
  });
  const keys = providerKeys(env, 'openai');
  assert.deepEqual(
    keys.map((k) => k.label),
    ['OPENAI_API_KEY', 'OPENAI_API_KEY_2', 'OPENAI_API_KEY_10'],
  );
  assert.equal(keys[1].value, 'sk-k2-aaaaaaaa');
  assert.deepEqual(
    providerKeys(env, 'google').map((k) => k.label),
    ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  );
  const shown =
    JSON.stringify(keys) +
    String(keys[0]) +
    `${keys[2]}` +
    inspect(keys, { showHidden: false, depth: 4 }) +
    Object.keys(keys[0]).join();
  assert.ok(!shown.includes('sk-k'), shown);
  assert.deepEqual(keysFor(env, ['NOTHING_API_KEY']), []);
});

test('base URLs follow the SDK conventions and are validated', () => {
  const env = envFrom({
    OPENAI_BASE_URL: 'http://127.0.0.1:8765/v1/',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:8765/v1',
    OPENROUTER_BASE_URL: 'http://127.0.0.1:8765/api/v1',
  });
  assert.equal(providerBaseUrl(env, 'openai'), 'http://127.0.0.1:8765/v1');
  // a host-root variable given in its versioned form is tolerated, not doubled
  assert.equal(providerBaseUrl(env, 'anthropic'), 'http://127.0.0.1:8765');
  assert.equal(providerBaseUrl(env, 'openrouter'), 'http://127.0.0.1:8765/api/v1');
  assert.equal(providerBaseUrl(env, 'google'), 'https://generativelanguage.googleapis.com');
  assert.equal(providerBaseUrl(env, 'sim'), 'http://127.0.0.1:8765/v1');
  assert.throws(
    () => providerBaseUrl(envFrom({ OPENAI_BASE_URL: 'localhost:8765' }), 'openai'),
    (e: unknown) => e instanceof UserError && /OPENAI_BASE_URL must be an http or https URL/.test(e.message),
  );
  assert.throws(
    () => providerBaseUrl(envFrom({ GEMINI_BASE_URL: 'not a url' }), 'google'),
    /GEMINI_BASE_URL is not a URL; fix/,
  );
});

test('routing: direct when the provider key is set, else OpenRouter, else an error naming the keys', () => {
  const all = envFrom(K);
  const d = resolveRoute('claude-4-opus', { env: all, registry });
  assert.deepEqual(
    [d.provider, d.label, d.modelId, d.baseUrl, d.keyLabels, d.priceMultiplier],
    [
      'anthropic',
      'anthropic direct',
      'claude-opus-4-1-20250805',
      'https://api.anthropic.com',
      ['ANTHROPIC_API_KEY'],
      1,
    ],
  );
  const g = resolveRoute('gemini-2-0-flash', { env: all, registry });
  assert.deepEqual([g.label, g.keyLabels], ['google direct', ['GOOGLE_API_KEY']]);

  const orOnly = envFrom({ OPENROUTER_API_KEY: K.OPENROUTER_API_KEY });
  const o = resolveRoute('gemini-1-5-pro', { env: orOnly, registry });
  assert.deepEqual(
    [o.provider, o.label, o.modelId, o.baseUrl, o.priceMultiplier],
    ['openrouter', 'openrouter', 'google/gemini-pro-1.5', 'https://openrouter.ai/api/v1', 1.055],
  );
  // a direct key beats OpenRouter
  assert.equal(resolveRoute('gpt-4o', { env: envFrom({ ...K }), registry }).label, 'openai direct');

  const none = envFrom({});
  assert.throws(
    () => resolveRoute('gemini-2-5-pro', { env: none, registry }),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(
        e.message,
        /no API key for model "gemini-2-5-pro"; fix: set GEMINI_API_KEY \(or GOOGLE_API_KEY\) for google direct, or OPENROUTER_API_KEY to go through OpenRouter as google\/gemini-2\.5-pro/,
      );
      return true;
    },
  );
  assert.throws(
    () => resolveRoute('o3', { env: envFrom({ ANTHROPIC_API_KEY: K.ANTHROPIC_API_KEY }), registry }),
    /set OPENAI_API_KEY for openai direct, or OPENROUTER_API_KEY/,
  );
  const t = tryRoute('claude-3-opus', { env: none, registry });
  assert.ok('error' in t && /ANTHROPIC_API_KEY/.test(t.error));
});

test('routing: sim goes to SIM_BASE_URL keyless; compatible servers via --base-url or registry base_url', () => {
  const s = resolveRoute('sim:greedy', { env: envFrom({}), registry });
  assert.deepEqual(
    [s.provider, s.modelId, s.baseUrl, s.keyLabels],
    ['sim', 'sim:greedy', 'http://127.0.0.1:8765/v1', ['none']],
  );
  const c = resolveRoute('o3', {
    env: envFrom({}),
    registry,
    baseUrls: parseBaseUrlFlags(['o3=http://gpu-box:8000/v1']),
  });
  assert.deepEqual(
    [c.provider, c.label, c.modelId, c.baseUrl, c.baseUrlSource, c.keyLabels],
    ['compatible', 'compatible', 'o3', 'http://gpu-box:8000/v1', '--base-url', ['none']],
  );
  const dir = mkdtempSync(join(tmpdir(), 'bargain-route-'));
  const f = join(dir, 'm.json');
  writeFileSync(
    f,
    JSON.stringify({
      models: {
        'llama-3-8b': {
          provider: 'compatible',
          model_id: 'llama3:8b',
          base_url: 'http://127.0.0.1:11434/v1',
          api_key_env: 'OLLAMA_API_KEY',
          context_window: 8192,
          price: { input: 0, output: 0 },
        },
        'qwen-local': {
          provider: 'compatible',
          model_id: 'qwen',
          context_window: 8192,
          price: { input: 0, output: 0 },
        },
      },
    }),
  );
  const reg = loadRegistry(f);
  const l = resolveRoute('llama-3-8b', { env: envFrom({ OLLAMA_API_KEY: 'ollama-secret-123456' }), registry: reg });
  assert.deepEqual(
    [l.provider, l.modelId, l.baseUrlSource, l.keyLabels],
    ['compatible', 'llama3:8b', 'registry base_url', ['OLLAMA_API_KEY']],
  );
  assert.throws(
    () => resolveRoute('qwen-local', { env: envFrom({}), registry: reg }),
    /has no base URL; fix: add "base_url".*--base-url qwen-local=/,
  );
  assert.throws(() => parseBaseUrlFlags(['o3']), /--base-url takes MODEL=URL/);
  assert.throws(() => parseBaseUrlFlags(['o3=ftp://x']), /--base-url o3 must be an http or https URL/);
});

test('no key value appears in a route or a routing error', () => {
  const env = envFrom(K);
  for (const name of registry.names()) {
    const r = JSON.stringify(resolveRoute(name, { env, registry }));
    for (const v of Object.values(K)) assert.ok(!r.includes(v));
  }
});

test('classifyHttp and retryAfterMs: the rules without a server', () => {
  assert.deepEqual(classifyHttp({ status: 429, headers: { 'Retry-After': '3' }, message: 'x' }).retryAfterMs, 3000);
  assert.equal(classifyHttp({ status: 503, message: 'x' }).kind, 'transient');
  assert.equal(classifyHttp({ status: 408, message: 'x' }).kind, 'transient');
  assert.equal(classifyHttp({ status: 403, message: 'x' }).kind, 'key');
  assert.equal(classifyHttp({ status: 422, message: 'x' }).kind, 'fatal');
  assert.equal(classifyHttp({ status: undefined, message: 'socket hang up' }).kind, 'transient');
  // OpenRouter's upstream error inside a 200 body
  assert.equal(
    classifyHttp({ status: 200, body: '{"error":{"code":429,"message":"Rate limited upstream"}}', message: 'x' }).kind,
    'rate_limit',
  );
  assert.equal(
    classifyHttp({ status: 200, body: '{"error":{"code":400,"message":"Invalid model"}}', message: 'x' }).kind,
    'fatal',
  );
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, '', now), 30_000);
  assert.equal(retryAfterMs({}, ''), undefined);
});

test('scrub masks registered keys and common key shapes; displayUrl drops credentials and queries', () => {
  envFrom({ SOME_API_KEY: 'zz-registered-secret-value' });
  assert.equal(scrub('echo zz-registered-secret-value back'), 'echo [redacted] back');
  assert.equal(scrub('key sk-proj-abcdef123456 and AIzaSyA1234567890abcdef'), 'key [redacted] and [redacted]');
  assert.equal(scrub('Authorization: Bearer abc.def'), 'Authorization: Bearer [redacted]');
  assert.equal(scrub('GET /v1beta?key=AIzaXXXXXXXXXXXXXX&alt=json'), 'GET /v1beta?key=[redacted]&alt=json');
  assert.equal(scrub('invalid_api_key: Incorrect API key provided'), 'invalid_api_key: Incorrect API key provided');
  assert.equal(displayUrl('https://user:pass@host.example/v1?key=abc'), 'https://host.example/v1');
});
