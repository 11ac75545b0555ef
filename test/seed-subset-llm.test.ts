/**
 * Issue 4's grid check: a 24-experiment subset of the seed grid with the real model names,
 * every provider route represented (OpenAI, Anthropic, Google direct, and OpenRouter for one
 * model via a user models file), routed to the mock server through the base-URL variables
 * with dummy keys, 4 runs each, while the server makes 5% of proposal/vote answers
 * malformed. Asserts zero FAILED, collect/summary as with scripted agents, every run's
 * transcript holds every call with tokens and cost, and no dummy key anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_DATE, startMockServer } from '../src/mock/server.ts';
import { loadRegistry } from '../src/providers/index.ts';
import { generousBudgets } from './helpers/mock-grid.ts';

const KEYS = {
  OPENAI_API_KEY: 'sk-proj-dummyOPENAI-3f81c2aa',
  ANTHROPIC_API_KEY: 'sk-ant-api03-dummyANTHROPIC-77b2',
  GEMINI_API_KEY: 'AIzaSyDummyGEMINI0000111122223333',
  OPENROUTER_API_KEY: 'sk-or-v1-dummyOPENROUTER-91ac5f',
};
const WEAK = ['gpt-4o', 'claude-3-opus', 'gemini-1-5-pro'];
const STRONG = ['gemini-2-5-flash', 'claude-3-5-haiku', 'o3-mini', 'o4-mini'];

function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/bargain.mjs'), ...args], { cwd, env });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('24 seed-grid experiments over every provider route on the mock server with 5% malformed output: zero FAILED, every call recorded, no key leaked', {
  timeout: 600_000,
}, async (t) => {
  const registry = loadRegistry();
  // The mock plays quick-to-agree strategies so the test stays short; the protocol is the same.
  const strategies: Record<string, string> = {};
  for (const m of [...WEAK, ...STRONG]) {
    const e = registry.get(m);
    strategies[e.model_id] = 'conceder';
    if (e.openrouter_id) strategies[e.openrouter_id] = 'conceder';
  }
  const server = await startMockServer({ date: SEED_DATE, malformedRate: 0.05, strategies });
  const dir = mkdtempSync(join(tmpdir(), 'bargain-subset-'));
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = {
    ...process.env,
    ...KEYS,
    OPENAI_BASE_URL: `${server.url}/v1`,
    ANTHROPIC_BASE_URL: server.url,
    GEMINI_BASE_URL: server.url,
    OPENROUTER_BASE_URL: `${server.url}/api/v1`,
  };
  // One seed model goes through OpenRouter, so that route is represented next to the direct ones.
  const modelsFile = join(dir, 'models.json');
  writeFileSync(
    modelsFile,
    JSON.stringify({ models: { 'o4-mini': { provider: 'openrouter', model_id: 'openai/o4-mini' } } }),
  );
  const rd = join(dir, 'results');
  const gen = await cli(
    [
      'generate',
      '--grid',
      'seed',
      '--allow-retired',
      '--weak',
      WEAK.join(','),
      '--strong',
      STRONG.join(','),
      '--levels',
      '0.5,0.9',
      '--results-dir',
      rd,
    ],
    env,
    dir,
  );
  assert.equal(gen.status, 0, gen.stderr);
  assert.match(gen.stdout, /Wrote 24 configs/);
  // Budgets above what the mock serves: this test is about the LLM path, not rate limits (the
  // registry's tier-1 TPM defaults would make it crawl).
  const budgets = generousBudgets(100000, 32);
  const run = await cli(
    [
      'run',
      '--allow-retired',
      '--no-check',
      '--results-dir',
      rd,
      '--models',
      modelsFile,
      '--parallel',
      '24',
      '--call-timeout',
      '30',
      ...budgets,
    ],
    env,
    dir,
  );
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /Successful: 24 \| Failed: 0 \| Timeout: 0/);
  const col = await cli(['collect', '--results-dir', rd, '--models', modelsFile], env, dir);
  assert.equal(col.status, 0, col.stderr);
  assert.match(col.stdout, /24 successful, 0 failed/);

  const summary = JSON.parse(readFileSync(join(rd, 'summary.json'), 'utf8'));
  assert.equal(summary.total_experiments, 24);
  assert.equal(summary.successful, 24);
  assert.equal(Object.keys(summary.by_model_pair).length, 12);
  assert.ok(summary.cost_usd > 0 && summary.calls > 0);
  const runsCsv = readFileSync(join(rd, 'runs.csv'), 'utf8').trim().split('\n');
  assert.equal(runsCsv.length, 1 + 24 * 4 * 2, 'one row per run and seat');

  const routes = new Set<string>();
  let totalCalls = 0,
    repairs = 0,
    malformedSeen = 0;
  for (const f of files(rd).filter((p) => /result_\d+\.json$/.test(p))) {
    const r = JSON.parse(readFileSync(f, 'utf8'));
    assert.equal(r.status, 'SUCCESS');
    assert.equal(r.runs.length, 4);
    const events = readFileSync(join(rd, r.transcript_file), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const turns = events.filter((e) => e.type === 'turn');
    for (const e of turns) {
      assert.equal(
        e.calls?.length,
        1,
        `every turn of an LLM seat is one recorded call (experiment ${r.experiment_id})`,
      );
      const c = e.calls[0];
      routes.add(c.route);
      assert.ok(c.input_tokens > 0 && c.output_tokens >= 0 && typeof c.reasoning_tokens === 'number');
      assert.ok(c.cost_usd > 0, 'API calls cost money');
      assert.ok(c.latency_ms >= 0 && c.attempts >= 1);
      if (c.parse_error) malformedSeen++;
    }
    totalCalls += turns.length;
    assert.equal(r.calls, turns.length, 'the result counts every call');
    assert.ok(
      Math.abs(
        r.cost_usd - turns.reduce((s: number, e: { calls: { cost_usd: number }[] }) => s + e.calls[0].cost_usd, 0),
      ) < 1e-4,
      "the result sums the calls' cost",
    );
    repairs += r.runs.reduce(
      (s: number, x: { agents: { repairs: number }[] }) => s + x.agents.reduce((u, a) => u + a.repairs, 0),
      0,
    );
  }
  for (const route of ['openai direct', 'anthropic direct', 'google direct', 'openrouter'])
    assert.ok(routes.has(route), `route ${route} used`);
  assert.ok(malformedSeen > 0 && repairs > 0, 'malformed answers were seen and repaired');
  assert.equal(server.stats().requests >= totalCalls, true);
  t.diagnostic(
    `${totalCalls} calls, ${malformedSeen} unusable answers repaired or voided (${repairs} repairs), routes: ${[...routes].join(', ')}`,
  );

  // No dummy key in any file under the results directory, nor in anything the CLI printed.
  const printed = [gen, run, col].map((r) => r.stdout + r.stderr).join('\n');
  for (const f of files(rd)) {
    const text = readFileSync(f, 'latin1');
    for (const k of Object.values(KEYS)) assert.ok(!text.includes(k), `${k} leaked into ${f}`);
  }
  for (const k of Object.values(KEYS)) assert.ok(!printed.includes(k), `${k} leaked into the CLI output`);
});
