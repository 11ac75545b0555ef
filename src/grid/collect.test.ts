/**
 * Cached tokens from call records to every output: runSeries sums each seat's calls'
 * cache_read_tokens / cache_write_tokens (hand-written records, some without the fields),
 * and collect carries them into runs.csv, results.csv (appended columns) and summary.json
 * (totals and by_model with the cached-input share). A result written before the fields
 * existed counts 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeSpec } from '../game/index.ts';
import { scriptedFactory } from '../agents/index.ts';
import type { AgentFactory, ModelCallRecord } from '../agents/agent.ts';
import { runSeries, type RunDocument } from '../protocol/series.ts';
import { collect } from './collect.ts';
import { outputDir } from './config.ts';
import { Layout } from '../results/layout.ts';
import {
  configHash,
  RESULT_COLUMNS,
  RUN_COLUMNS,
  type ExperimentConfig,
  type ResultDocument,
} from '../results/index.ts';

/** Scripted negotiators under API names, each reply carrying one hand-written call record. */
function withCalls(): { factory: AgentFactory; records: ModelCallRecord[] } {
  const records: ModelCallRecord[] = [];
  let k = 0;
  const factory: AgentFactory = (model, ctx) => {
    const inner = scriptedFactory(model === 'claude-x' ? 'scripted:boulware' : 'scripted:conceder', ctx);
    return {
      model,
      async act(obs, signal) {
        const reply = await inner.act(obs, signal);
        k++;
        // every third call is a record from before the cache fields existed
        const rec: ModelCallRecord =
          k % 3 === 0
            ? { model, input_tokens: 1000, output_tokens: 50, reasoning_tokens: 0, cost_usd: 0.001 }
            : {
                model,
                input_tokens: 2000 + k,
                output_tokens: 40,
                reasoning_tokens: 0,
                cache_read_tokens: 1500 + k,
                cache_write_tokens: 100 + (k % 5),
                cost_usd: 0.0005,
              };
        records.push(rec);
        return { ...reply, calls: [rec] };
      },
    };
  };
  return { factory, records };
}

function config(id: number, weak: string, strong: string): ExperimentConfig {
  return {
    experiment_id: id,
    weak_model: weak,
    strong_model: strong,
    competition_level: 0.5,
    num_items: 4,
    max_rounds: 4,
    random_seed: 40 + id,
    output_dir: outputDir(weak, strong, 0.5),
    num_runs: 2,
    gamma_discount: 0.9,
    discussion_turns: 1,
  };
}

function resultOf(c: ExperimentConfig, runs: RunDocument[]): ResultDocument {
  const sum = (k: 'calls' | 'input_tokens' | 'output_tokens' | 'reasoning_tokens' | 'cost_usd') =>
    runs.reduce((t, r) => t + r.agents.reduce((u, a) => u + a[k], 0), 0);
  return {
    job_id: c.experiment_id,
    experiment_id: c.experiment_id,
    weak_model: c.weak_model,
    strong_model: c.strong_model,
    competition_level: c.competition_level,
    random_seed: c.random_seed,
    status: 'SUCCESS',
    exit_code: 0,
    timestamp: '2026-12-02T00:00:00Z',
    duration_s: 1,
    log_file: `logs/experiment_${c.experiment_id}.log`,
    config_file: `configs/config_${c.experiment_id}.json`,
    transcript_file: `${c.output_dir}/transcript_${c.experiment_id}.jsonl`,
    config_hash: configHash(c),
    num_runs: c.num_runs,
    runs_completed: runs.length,
    runs,
    calls: sum('calls'),
    input_tokens: sum('input_tokens'),
    output_tokens: sum('output_tokens'),
    reasoning_tokens: sum('reasoning_tokens'),
    cost_usd: sum('cost_usd'),
  };
}

function put(layout: Layout, c: ExperimentConfig, r: ResultDocument): void {
  for (const [rel, text] of [
    [layout.config(c.experiment_id), JSON.stringify(c)],
    [layout.result(c), JSON.stringify(r)],
    [layout.flag(c.experiment_id), JSON.stringify({ experiment_id: c.experiment_id, status: r.status })],
  ] as const) {
    mkdirSync(dirname(layout.abs(rel)), { recursive: true });
    writeFileSync(layout.abs(rel), text);
  }
}

test('cache reads and writes are summed per seat from the call records, and collect carries them to every output', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-collect-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const layout = new Layout(dir);
  const c0 = config(0, 'gpt-x', 'claude-x'),
    c1 = config(1, 'gpt-x', 'claude-x');

  const { factory, records } = withCalls();
  const runs = await runSeries({
    spec: makeSpec({ n: 2, m: c0.num_items, maxRounds: c0.max_rounds, gamma: c0.gamma_discount }),
    level: c0.competition_level,
    seed: c0.random_seed,
    numRuns: c0.num_runs,
    players: [
      { model: 'gpt-x', role: 'weak' },
      { model: 'claude-x', role: 'strong' },
    ],
    factory,
  });
  // per seat: the sum over that seat's records, recomputed by model (each model holds one seat per run)
  const byRecord = (model: string, k: string) =>
    records.filter((r) => r.model === model).reduce((s, r) => s + ((r[k] as number | undefined) ?? 0), 0);
  const bySeat = (model: string, k: 'cache_read_tokens' | 'cache_write_tokens' | 'input_tokens') =>
    runs.reduce((s, r) => s + (r.agents.find((a) => a.model === model)![k] ?? 0), 0);
  for (const model of ['gpt-x', 'claude-x']) {
    for (const k of ['cache_read_tokens', 'cache_write_tokens', 'input_tokens'] as const)
      assert.equal(bySeat(model, k), byRecord(model, k), `${model} ${k}`);
    assert.ok(bySeat(model, 'cache_read_tokens') > 0);
  }
  assert.ok(
    records.some((r) => !('cache_read_tokens' in r)),
    'some records predate the fields',
  );

  put(layout, c0, resultOf(c0, runs));
  // experiment 1: a result written before the cache fields existed (seats without them)
  const old = structuredClone(runs);
  for (const r of old)
    for (const a of r.agents) {
      delete a.cache_read_tokens;
      delete a.cache_write_tokens;
    }
  put(layout, c1, resultOf(c1, old));

  const out = collect(layout, [c0, c1]);
  const read = bySeat('gpt-x', 'cache_read_tokens') + bySeat('claude-x', 'cache_read_tokens');
  const write = bySeat('gpt-x', 'cache_write_tokens') + bySeat('claude-x', 'cache_write_tokens');
  const summary = JSON.parse(readFileSync(layout.abs(layout.summaryJson), 'utf8'));
  assert.equal(summary.cache_read_tokens, read);
  assert.equal(summary.cache_write_tokens, write);
  for (const model of ['gpt-x', 'claude-x']) {
    const m = summary.by_model[model];
    assert.equal(m.cache_read_tokens, bySeat(model, 'cache_read_tokens'), model);
    assert.equal(m.cache_write_tokens, bySeat(model, 'cache_write_tokens'), model);
    // both experiments' input counts; only the first one's cache reads
    assert.equal(m.input_tokens, 2 * bySeat(model, 'input_tokens'));
    assert.equal(m.cached_input_share, Math.round((1e4 * m.cache_read_tokens) / m.input_tokens) / 1e4);
  }

  // results.csv: the new columns come after every old one; experiment 1 (old format) shows 0
  const results = readFileSync(layout.abs(layout.resultsCsv), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  assert.deepEqual(results[0], [...RESULT_COLUMNS]);
  assert.deepEqual(results[0].slice(0, 21).at(-1), 'result_file', 'old columns keep their positions');
  const rc = (row: number, k: string) => Number(results[row][RESULT_COLUMNS.indexOf(k as never)]);
  assert.deepEqual([rc(1, 'cache_read_tokens'), rc(1, 'cache_write_tokens')], [read, write]);
  assert.deepEqual([rc(2, 'cache_read_tokens'), rc(2, 'cache_write_tokens')], [0, 0]);
  assert.equal(rc(1, 'input_tokens'), rc(2, 'input_tokens'));

  // runs.csv: per run and seat, as in the result documents
  const lines = readFileSync(layout.abs(layout.runsCsv), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  assert.deepEqual(lines[0], [...RUN_COLUMNS]);
  assert.deepEqual(lines[0].slice(-4), ['status', 'cache_read_tokens', 'cache_write_tokens', 'value_entropy']);
  const cell = (row: string[], k: string) => Number(row[RUN_COLUMNS.indexOf(k as never)]);
  const rows0 = lines.slice(1).filter((l) => l[0] === '0'),
    rows1 = lines.slice(1).filter((l) => l[0] === '1');
  assert.equal(
    rows0.reduce((s, l) => s + cell(l, 'cache_read_tokens'), 0),
    read,
  );
  assert.equal(
    rows0.reduce((s, l) => s + cell(l, 'cache_write_tokens'), 0),
    write,
  );
  assert.ok(
    rows1.length === rows0.length &&
      rows1.every((l) => cell(l, 'cache_read_tokens') === 0 && cell(l, 'cache_write_tokens') === 0),
  );
  assert.equal(out.runRows.length, 8);
});

test("runs.csv ends with value_entropy: the run document's, recomputed from the preferences for a result written before it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-collect-entropy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const layout = new Layout(dir);
  const c0 = config(0, 'scripted:conceder', 'scripted:boulware'),
    c1 = config(1, 'scripted:conceder', 'scripted:boulware');
  const runs = await runSeries({
    spec: makeSpec({ n: 2, m: c0.num_items, maxRounds: c0.max_rounds, gamma: c0.gamma_discount }),
    level: c0.competition_level,
    seed: c0.random_seed,
    numRuns: 4,
    players: [
      { model: c0.weak_model, role: 'weak' },
      { model: c0.strong_model, role: 'strong' },
    ],
    factory: scriptedFactory,
  });
  // by hand: mean over agents of -sum p log2 p, p = value / 100
  const h = (v: number[]) => v.reduce((s, x) => (x > 0 ? s - (x / 100) * Math.log2(x / 100) : s), 0);
  const expected = runs.map((r) => Math.round(((h(r.preferences[0]) + h(r.preferences[1])) / 2) * 1e6) / 1e6);
  assert.deepEqual(
    runs.map((r) => r.value_entropy),
    expected,
    'the run documents record it',
  );
  assert.ok(new Set(expected).size > 1, 'pairs differ, so a wrong row would show');
  put(layout, c0, resultOf(c0, runs));
  const old = structuredClone(runs);
  for (const r of old) delete r.value_entropy;
  put(layout, c1, resultOf(c1, old));

  collect(layout, [c0, c1]);
  const lines = readFileSync(layout.abs(layout.runsCsv), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  assert.equal(lines[0].at(-1), 'value_entropy');
  assert.equal(lines[0].length, 34, 'appended after the 33 earlier columns, which keep their positions');
  for (const id of ['0', '1']) {
    const rows = lines.slice(1).filter((l) => l[0] === id);
    // two seats per run, both carrying the run's value
    assert.deepEqual(
      rows.map((l) => Number(l.at(-1))),
      expected.flatMap((e) => [e, e]),
      `experiment ${id}`,
    );
  }
});
