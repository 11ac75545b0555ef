/**
 * Issue 10's "done when", on the strict mock at today's date (every provider's real
 * not-found bodies, Gemini's quota 429, served-model ids):
 *   - the seed grid is refused before any request reaches the server, one line per retired model;
 *   - bargain check on a grid with one retired and one rerouted model reports both and exits 1;
 *   - the current and ladder presets (every model, one level, 2 runs) run end to end —
 *     generate → check → run → collect → report — with zero FAILED under 5% malformed answers;
 *   - a grid whose Gemini route answers its real per-minute 429 to the first request finishes
 *     with zero FAILED, and the next Gemini request waited the retryDelay;
 *   - a model the provider does not serve, found mid-run (--no-check), holds back its other
 *     experiments; the rest finish; the summary names the model and the fix, not a retry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startMockServer } from '../src/mock/server.ts';
import { PRESETS } from '../src/grid/presets.ts';
import { bargain, startBargain, tempDir, writeJson } from './helpers/grid.ts';
import { DUMMY_KEYS, generousBudgets, KEY_HASH, mockEnv, presetOnMock, strategiesFor } from './helpers/mock-grid.ts';

const T = { timeout: 600_000 };
/** budgets above what the mock serves: these tests are about which models answer, not rate limits */
const BUDGETS = generousBudgets();

test('the seed grid is refused before any request reaches the server', T, async (t) => {
  const server = await startMockServer({});
  const { dir, cleanup } = tempDir();
  t.after(async () => {
    await server.close();
    cleanup();
  });
  const r = await startBargain(['all', '--grid', 'seed', '--results-dir', join(dir, 'r')], { env: mockEnv(server.url) })
    .done;
  assert.equal(r.status, 2, r.stderr);
  const named = r.stderr.split('\n').filter((l) => /^ {2}\S+: retired on/.test(l));
  assert.ok(named.length >= 10, r.stderr);
  assert.equal(server.stats().requests, 0, 'no request reached the server');
  assert.ok(!existsSync(join(dir, 'r')), 'nothing written');
});

test(
  "bargain check reports a retired and a rerouted model, with the provider's reason and the fix, and exits 1",
  T,
  async (t) => {
    const server = await startMockServer({ reroute: { 'gemini-3.8-flash': 'gemini-3.9-flash-exp' } });
    t.after(() => server.close());
    const r = await startBargain(
      ['check', '--only', 'claude-3-opus,gemini-3-8-flash,gpt-5-4-mini', '--allow-retired'],
      { env: mockEnv(server.url) },
    ).done;
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const line = (m: string) => r.stdout.split('\n').find((l) => l.startsWith(`${m} `)) ?? '';
    assert.match(
      line('claude-3-opus'),
      /anthropic direct .* FAIL: .*HTTP 404.*model: claude-3-opus-20240229.*fix: the provider does not serve/,
    );
    assert.match(
      line('gemini-3-8-flash'),
      /google direct .*gemini-3\.9-flash-exp .* FAIL: the provider answered with gemini-3\.9-flash-exp, not gemini-3\.8-flash; fix: the id is rerouted/,
    );
    assert.match(line('gpt-5-4-mini'), /openai direct .*gpt-5\.4-mini .* ms +OK$/);
    assert.match(r.stdout, /1 of 3 models OK; the check cost \$\d+\.\d{4}\./);
    assert.match(r.stdout, /claude-3-opus: retired on 2026-01-05/, 'lifecycle shown beside the live answer');
    assert.equal(server.stats().requests, 3, 'one call per model');
  },
);

for (const preset of ['current', 'ladder'] as const) {
  test(
    `the ${preset} preset runs end to end on the strict mock (generate → check → run → collect → report) with zero FAILED under 5% malformed answers`,
    T,
    async (t) => {
      const { r, rd, server, models } = await presetOnMock(t, preset, ['--levels', '0.9', '--runs', '2']);
      assert.equal(r.status, 0, r.stdout.slice(-3000) + r.stderr);
      assert.match(r.stdout, new RegExp(`Checking ${new Set(models).size} models with one call each`));
      assert.match(r.stdout, new RegExp(`${new Set(models).size} of ${new Set(models).size} models OK`));
      assert.match(r.stdout, /Failed: 0 \| Timeout: 0/);
      const summary = JSON.parse(readFileSync(join(rd, 'summary.json'), 'utf8'));
      assert.equal(
        summary.successful,
        PRESETS[preset].weak.length * PRESETS[preset].strong.length,
        JSON.stringify(summary).slice(0, 400),
      );
      assert.equal(summary.failed, 0);
      assert.ok(existsSync(join(rd, 'report', 'index.html')));
      const log = server.stats().log;
      assert.ok(
        log.every((e) => e.status === 200 || e.fault !== null),
        `only injected faults fail: ${JSON.stringify(log.find((e) => e.status !== 200 && e.fault === null))}`,
      );
      // a second run within the hour does not repeat the check (one experiment made pending again)
      rmSync(join(rd, 'logs', 'completed_0.flag'));
      const again = bargain(['run', '--results-dir', rd, ...BUDGETS], { env: mockEnv(server.url) });
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /Model check: all \d+ passed since .* not repeated/);
    },
  );
}

test(
  'Gemini answers its real per-minute 429 to the first request: the key waits the retryDelay, nothing fails',
  T,
  async (t) => {
    const server = await startMockServer({
      rateLimitFirst: { gemini: { count: 1, retryAfterS: 3 } },
      strategies: strategiesFor(['gemini-3-8-flash', 'gpt-5-4-mini'], 'conceder'),
    });
    const { dir, cleanup } = tempDir();
    t.after(async () => {
      await server.close();
      cleanup();
    });
    const rd = join(dir, 'r');
    const r = await startBargain(
      [
        'all',
        '--grid',
        'current',
        '--weak',
        'gpt-5-4-mini',
        '--strong',
        'gemini-3-8-flash',
        '--levels',
        '0.5,0.9',
        '--runs',
        '2',
        '--results-dir',
        rd,
        '--no-check',
        '--parallel',
        '1',
        ...BUDGETS,
      ],
      { env: mockEnv(server.url) },
    ).done;
    assert.equal(r.status, 0, r.stdout.slice(-2000) + r.stderr);
    assert.match(r.stdout, /Successful: 2 \| Failed: 0/);
    const gemini = server
      .stats()
      .log.filter((e) => e.key === KEY_HASH.google)
      .sort((a, b) => a.ms - b.ms);
    assert.equal(gemini[0].status, 429);
    assert.ok(gemini.length > 1);
    assert.ok(
      gemini[1].ms - gemini[0].ms >= 3000 - 50,
      `the next Gemini request waited the retryDelay: ${gemini[1].ms - gemini[0].ms} ms`,
    );
  },
);

test(
  'a model the provider does not serve, found mid-run, holds back its other experiments; the rest finish; the summary names the model and the fix',
  T,
  async (t) => {
    const server = await startMockServer({ strategies: strategiesFor(['gpt-5-4-mini'], 'conceder') });
    const { dir, cleanup } = tempDir();
    t.after(async () => {
      await server.close();
      cleanup();
    });
    const models = join(dir, 'models.json');
    writeJson(models, {
      models: {
        ghost: { provider: 'openai', model_id: 'gpt-ghost-1', context_window: 128000, price: { input: 1, output: 2 } },
      },
    });
    const rd = join(dir, 'r');
    const g = bargain([
      'generate',
      '--grid',
      'current',
      '--weak',
      'ghost,gpt-5-4-mini',
      '--strong',
      'gpt-5-4-mini',
      '--levels',
      '0.1,0.3,0.5,0.7,0.9',
      '--runs',
      '2',
      '--results-dir',
      rd,
      '--models',
      models,
    ]);
    assert.equal(g.status, 0, g.stderr);
    const r = await startBargain(
      ['run', '--results-dir', rd, '--models', models, '--no-check', '--parallel', '1', ...BUDGETS],
      { env: mockEnv(server.url, { OPENAI_API_KEY: DUMMY_KEYS.OPENAI_API_KEY }) },
    ).done;
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Successful: 5 \| Failed: 1/, 'the first ghost experiment fails; the 5 others run');
    assert.match(r.stdout, /Held back: 4 experiments not started because a model is unavailable/);
    assert.match(r.stdout, /Models the provider refused.*\n {2}ghost: .*404.*gpt-ghost-1/);
    assert.match(r.stdout, /fix: bargain check shows/);
    assert.doesNotMatch(r.stdout, /bargain retry/, 'no retry advice for a model that cannot answer');
    const ghostRequests = server.stats().log.filter((e) => e.model === 'gpt-ghost-1');
    assert.ok(
      ghostRequests.length >= 1 && ghostRequests.length <= 2,
      `requests to the missing model from its one started experiment only: ${ghostRequests.length}`,
    );
  },
);

test(
  'models --live asks each provider with a key: registry models available or missing, unknown ones named',
  T,
  async (t) => {
    const server = await startMockServer({ extraModels: ['gpt-7-preview'] });
    t.after(() => server.close());
    const r = await startBargain(['models', '--live', '--json'], { env: mockEnv(server.url) }).done;
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<
      string,
      { available: string[]; missing: string[]; unknown: string[]; key: string }
    >;
    assert.deepEqual(Object.keys(doc).sort(), ['anthropic', 'google', 'openai', 'openrouter']);
    assert.ok(
      doc.anthropic.available.includes('claude-opus-4-8') && doc.anthropic.missing.includes('claude-3-opus'),
      JSON.stringify(doc.anthropic),
    );
    assert.ok(
      doc.openai.available.includes('gpt-5-4-mini') && doc.openai.missing.includes('o3-mini'),
      JSON.stringify(doc.openai),
    );
    assert.ok(
      doc.google.missing.includes('gemini-1-5-pro') && doc.google.available.includes('gemini-3-8-flash'),
      JSON.stringify(doc.google),
    );
    assert.ok(doc.openrouter.available.includes('llama-3-3-70b'), JSON.stringify(doc.openrouter));
    assert.ok(doc.openai.unknown.includes('gpt-7-preview'), 'a listed model the registry does not know is named');
    assert.equal(doc.anthropic.key, 'ANTHROPIC_API_KEY');
    assert.ok(!r.stdout.includes(DUMMY_KEYS.OPENAI_API_KEY), 'no key value printed');
    // a dead key is one line for its provider and a non-zero exit
    const bad = await startBargain(['models', '--live'], {
      env: mockEnv(server.url, { ...DUMMY_KEYS, OPENAI_API_KEY: 'sk-invalid-1' }),
    }).done;
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /^openai \(OPENAI_API_KEY\): could not list models: HTTP 401/m);
    assert.doesNotMatch(bad.stdout + bad.stderr, /sk-invalid-1/);
  },
);
