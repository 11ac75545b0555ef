/**
 * `bargain collect` through the real CLI on a grid with every kind of outcome (SUCCESS,
 * FAILED, INCOMPLETE, NOT_STARTED; repairs and voided outputs from scripted:invalid):
 * summary.json, results.csv, runs.csv and all_results.json are checked against values
 * recomputed here, independently, from the configs, flags, logs and result files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bargain, readCsv, readJson, tempDir } from './helpers/grid.ts';

const RUNS_COLUMNS = [
  'experiment_id',
  'weak_model',
  'strong_model',
  'pair',
  'competition_level',
  'random_seed',
  'run_index',
  'pair_index',
  'seats_swapped',
  'seat',
  'agent',
  'model',
  'role',
  'cosine_similarity',
  'consensus',
  'round',
  'utility',
  'raw_utility',
  'share',
  'welfare',
  'exploitation_index',
  'nash_utility',
  'pareto_optimal',
  'repairs',
  'voided',
  'calls',
  'input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_usd',
  'status',
  'cache_read_tokens',
  'cache_write_tokens',
  'value_entropy',
];
const RESULTS_COLUMNS = [
  'experiment_id',
  'weak_model',
  'strong_model',
  'competition_level',
  'random_seed',
  'num_runs',
  'status',
  'exit_code',
  'duration_s',
  'runs_completed',
  'agreement_rate',
  'mean_round',
  'weak_utility',
  'strong_utility',
  'advantage',
  'repairs',
  'voided',
  'calls',
  'cost_usd',
  'error',
  'result_file',
  'input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
];

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Outcome statistics over a set of result documents, from the contract's definitions. */
function outcomes(results: any[]) {
  const runs = results.flatMap((r) => r.runs);
  const side = (role: string) =>
    runs.flatMap((run: any) => run.agents.filter((a: any) => a.role === role).map((a: any) => a.utility));
  const agreed = runs.filter((r: any) => r.consensus);
  const weak = mean(side('weak')),
    strong = mean(side('strong'));
  return {
    runs: runs.length,
    agreement_rate: runs.length ? agreed.length / runs.length : null,
    mean_round: mean(agreed.map((r: any) => r.round)),
    weak_utility: weak,
    strong_utility: strong,
    advantage: weak === null || strong === null ? null : strong - weak,
  };
}

/** Mean over agents of -sum p log2 p with p = value / 100, to 6 decimals: the run's value entropy, recomputed here. */
function entropyOf(prefs: number[][]): number {
  const h = (v: number[]) => v.reduce((s, x) => (x > 0 ? s - (x / 100) * Math.log2(x / 100) : s), 0);
  return Math.round((prefs.reduce((s, v) => s + h(v), 0) / prefs.length) * 1e6) / 1e6;
}

/** Equal up to the 4-decimal rounding of the summary; null stays null. */
function close(actual: unknown, expected: number | null, what: string): void {
  if (expected === null) {
    assert.ok(actual === null || actual === '', `${what}: expected empty, got ${actual}`);
    return;
  }
  const a = typeof actual === 'string' ? Number(actual) : (actual as number);
  assert.ok(typeof a === 'number' && Math.abs(a - expected) <= 5.1e-5, `${what}: ${actual} vs recomputed ${expected}`);
}

/** A CSV cell as the value it stands for: '' is null, true/false booleans, numbers as numbers. */
function cell(s: string): unknown {
  if (s === '') return null;
  if (s === 'true' || s === 'false') return s === 'true';
  return /^-?\d+(\.\d+)?(e[-+]?\d+)?$/.test(s) ? Number(s) : s;
}

test('collect: summary, results.csv and runs.csv match values recomputed from the result files; NOT_STARTED and INCOMPLETE reported', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const grid = join(dir, 'grid.json');
  writeFileSync(
    grid,
    JSON.stringify({
      weak: ['scripted:conceder', 'scripted:random'],
      strong: ['scripted:boulware', 'scripted:invalid', 'scripted:crash'],
      levels: [0.2, 1.0],
      num_runs: 4,
      max_rounds: 6,
    }),
  );
  const rd = join(dir, 'results');
  assert.equal(bargain(['generate', '--grid', grid, '--results-dir', rd]).status, 0);
  // 0-3, 6-9 succeed (2, 3, 8, 9 against scripted:invalid), 4, 5 fail (scripted:crash).
  const run = bargain(['run', '--jobs', '0-9', '--results-dir', rd]);
  assert.equal(run.status, 1, run.stderr);
  // 8: killed between its result and its flag (result present, no flag); 9: killed right after starting (a log only).
  const configs = Array.from({ length: 12 }, (_, id) => readJson(join(rd, 'configs', `config_${id}.json`)));
  unlinkSync(join(rd, 'logs', 'completed_8.flag'));
  unlinkSync(join(rd, 'logs', 'completed_9.flag'));
  unlinkSync(join(rd, configs[9].output_dir, 'result_9.json'));
  unlinkSync(join(rd, configs[9].output_dir, 'transcript_9.jsonl'));
  const want: Record<number, string> = {
    0: 'SUCCESS',
    1: 'SUCCESS',
    2: 'SUCCESS',
    3: 'SUCCESS',
    4: 'FAILED',
    5: 'FAILED',
    6: 'SUCCESS',
    7: 'SUCCESS',
    8: 'INCOMPLETE',
    9: 'INCOMPLETE',
    10: 'NOT_STARTED',
    11: 'NOT_STARTED',
  };

  const r = bargain(['collect', '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /Collected 12 experiments .*: 6 successful, 2 failed, 0 timeout, 2 incomplete, 2 not started \(success rate 50\.0%\)/,
  );

  // Independent view of the directory: a result counts only with its flag and matching config.
  const results = new Map<number, any>();
  for (const c of configs) {
    const id = c.experiment_id;
    const flag = existsSync(join(rd, 'logs', `completed_${id}.flag`));
    const path = join(rd, c.output_dir, `result_${id}.json`);
    if (flag && existsSync(path)) results.set(id, readJson(path));
  }
  const statusOf = (id: number) =>
    results.get(id)?.status ?? (existsSync(join(rd, 'logs', `experiment_${id}.log`)) ? 'INCOMPLETE' : 'NOT_STARTED');
  for (const c of configs)
    assert.equal(statusOf(c.experiment_id), want[c.experiment_id], `status of ${c.experiment_id} as built`);
  const counted = [...results.values()];
  assert.ok(
    counted.some((x) => x.runs.some((run: any) => run.agents.some((a: any) => a.repairs > 0))),
    'the grid exercises repairs',
  );
  assert.ok(
    counted.some((x) => x.runs.some((run: any) => run.agents.some((a: any) => a.voided > 0))),
    'the grid exercises voided outputs',
  );

  // summary.json
  const s = readJson(join(rd, 'summary.json'));
  assert.deepEqual(
    [s.total_experiments, s.successful, s.failed, s.timeout, s.incomplete, s.not_started],
    [12, 6, 2, 0, 2, 2],
  );
  close(s.success_rate, 0.5, 'success_rate');
  const all = outcomes(counted);
  assert.equal(s.runs, all.runs);
  for (const k of ['agreement_rate', 'mean_round', 'weak_utility', 'strong_utility', 'advantage'] as const)
    close(s[k], all[k], `summary ${k}`);
  const groups = (key: (c: any) => string) => {
    const m = new Map<string, any[]>();
    for (const c of configs) {
      const k = key(c);
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push(c);
    }
    return m;
  };
  for (const [name, key, field] of [
    ['pair', (c: any) => `${c.weak_model}_vs_${c.strong_model}`, 'by_model_pair'],
    ['level', (c: any) => String(c.competition_level), 'by_competition_level'],
  ] as const) {
    const g = groups(key);
    assert.deepEqual(Object.keys(s[field]).sort(), [...g.keys()].sort(), `${field} keys`);
    for (const [k, cs] of g) {
      const got = s[field][k];
      const ids = cs.map((c: any) => c.experiment_id);
      assert.equal(got.experiments, cs.length, `${name} ${k} experiments`);
      assert.equal(
        got.successful,
        ids.filter((id: number) => want[id] === 'SUCCESS').length,
        `${name} ${k} successful`,
      );
      assert.equal(got.failed, ids.filter((id: number) => want[id] === 'FAILED').length, `${name} ${k} failed`);
      assert.equal(got.timeout, 0);
      const o = outcomes(ids.filter((id: number) => results.has(id)).map((id: number) => results.get(id)));
      assert.equal(got.runs, o.runs, `${name} ${k} runs`);
      for (const f of ['agreement_rate', 'mean_round', 'weak_utility', 'strong_utility', 'advantage'] as const)
        close(got[f], o[f], `${name} ${k} ${f}`);
    }
  }
  assert.deepEqual(
    s.failures.map((f: any) => [f.experiment_id, f.status, f.weak_model, f.strong_model, f.competition_level]),
    [
      [4, 'FAILED', 'scripted:conceder', 'scripted:crash', 0.2],
      [5, 'FAILED', 'scripted:conceder', 'scripted:crash', 1],
    ],
  );
  for (const f of s.failures) assert.match(f.reason, /scripted:crash failed on purpose/);
  assert.deepEqual(
    s.missing.map((m: any) => [m.experiment_id, m.status]),
    [
      [8, 'INCOMPLETE'],
      [9, 'INCOMPLETE'],
      [10, 'NOT_STARTED'],
      [11, 'NOT_STARTED'],
    ],
  );

  // results.csv: one row per experiment, in id order.
  const rc = readCsv(join(rd, 'results.csv'));
  assert.deepEqual(rc.header, RESULTS_COLUMNS);
  assert.deepEqual(
    rc.rows.map((row) => Number(row.experiment_id)),
    configs.map((c) => c.experiment_id),
  );
  for (const row of rc.rows) {
    const id = Number(row.experiment_id);
    const c = configs[id];
    const res = results.get(id);
    assert.deepEqual(
      [
        row.weak_model,
        row.strong_model,
        cell(row.competition_level),
        cell(row.random_seed),
        cell(row.num_runs),
        row.status,
      ],
      [c.weak_model, c.strong_model, c.competition_level, c.random_seed, c.num_runs, want[id]],
      `results.csv row ${id}`,
    );
    if (!res) {
      for (const k of [
        'exit_code',
        'duration_s',
        'agreement_rate',
        'weak_utility',
        'strong_utility',
        'advantage',
        'result_file',
      ])
        assert.equal(row[k], '', `row ${id} ${k} empty`);
      assert.equal(row.runs_completed, '0');
      if (id === 8 || id === 9) assert.match(row.error, /never completed/);
      continue;
    }
    const o = outcomes([res]);
    assert.equal(cell(row.exit_code), res.exit_code);
    assert.equal(cell(row.duration_s), res.duration_s);
    assert.equal(cell(row.runs_completed), res.runs.length);
    for (const k of ['agreement_rate', 'mean_round', 'weak_utility', 'strong_utility', 'advantage'] as const)
      close(cell(row[k]), o[k], `row ${id} ${k}`);
    const total = (k: string) =>
      res.runs.reduce((n: number, run: any) => n + run.agents.reduce((m: number, a: any) => m + a[k], 0), 0);
    assert.equal(cell(row.repairs), total('repairs'), `row ${id} repairs`);
    assert.equal(cell(row.voided), total('voided'), `row ${id} voided`);
    assert.equal(cell(row.calls), res.calls);
    for (const k of ['input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_write_tokens'])
      assert.equal(cell(row[k]), total(k), `row ${id} ${k}`);
    assert.equal(row.error, res.error ?? '');
    assert.equal(row.result_file, `${c.output_dir}/result_${id}.json`);
  }

  // runs.csv: one row per counted run and seat, every field as in the result documents.
  const runsCsv = readCsv(join(rd, 'runs.csv'));
  assert.deepEqual(runsCsv.header, RUNS_COLUMNS);
  const expectedRows: Record<string, unknown>[] = [];
  for (const [id, res] of [...results].sort((a, b) => a[0] - b[0])) {
    const c = configs[id];
    for (const run of res.runs) {
      for (const a of run.agents) {
        expectedRows.push({
          experiment_id: id,
          weak_model: c.weak_model,
          strong_model: c.strong_model,
          pair: `${c.weak_model}_vs_${c.strong_model}`,
          competition_level: c.competition_level,
          random_seed: c.random_seed,
          run_index: run.run_index,
          pair_index: run.pair_index,
          seats_swapped: run.seats_swapped,
          seat: a.seat,
          agent: a.agent,
          model: a.model,
          role: a.role,
          cosine_similarity: run.cosine_similarity,
          consensus: run.consensus,
          round: run.round,
          utility: a.utility,
          raw_utility: a.raw_utility,
          share: a.share,
          welfare: run.welfare,
          exploitation_index: a.exploitation_index,
          nash_utility: a.nash_utility,
          pareto_optimal: run.pareto_optimal,
          repairs: a.repairs,
          voided: a.voided,
          calls: a.calls,
          input_tokens: a.input_tokens,
          output_tokens: a.output_tokens,
          reasoning_tokens: a.reasoning_tokens,
          cost_usd: a.cost_usd,
          status: res.status,
          cache_read_tokens: a.cache_read_tokens ?? 0,
          cache_write_tokens: a.cache_write_tokens ?? 0,
          value_entropy: entropyOf(run.preferences),
        });
      }
    }
  }
  assert.equal(runsCsv.rows.length, expectedRows.length);
  assert.equal(runsCsv.rows.length, all.runs * 2);
  runsCsv.rows.forEach((row, k) => {
    const got = Object.fromEntries(RUNS_COLUMNS.map((col) => [col, cell(row[col])]));
    assert.deepEqual(got, expectedRows[k], `runs.csv row ${k + 2}`);
  });
  // Seats: in each seat-swapped pair the weak model sits first in the even run, second in the odd one.
  for (const row of runsCsv.rows) {
    const weakFirst = row.seats_swapped === 'false';
    assert.equal(row.role, (row.seat === '0') === weakFirst ? 'weak' : 'strong');
  }

  // all_results.json: the counted result documents as written, placeholders for the rest.
  const allResults = readJson(join(rd, 'all_results.json'));
  assert.equal(allResults.length, 12);
  allResults.forEach((entry: any, id: number) => {
    if (results.has(id)) assert.deepEqual(entry, results.get(id));
    else assert.deepEqual([entry.experiment_id, entry.status], [id, want[id]]);
  });
  assert.ok(readFileSync(join(rd, 'results.csv'), 'utf8').endsWith('\n'));
});

test('collect on a grid where nothing ran: everything NOT_STARTED, empty runs.csv, no success rate to brag about', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  assert.equal(bargain(['generate', '--grid', 'demo', '--levels', '0.5', '--results-dir', dir]).status, 0);
  const r = bargain(['collect', '--results-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  const s = readJson(join(dir, 'summary.json'));
  assert.deepEqual(
    [s.total_experiments, s.successful, s.not_started, s.success_rate, s.runs, s.agreement_rate],
    [12, 0, 12, 0, 0, null],
  );
  assert.deepEqual(readCsv(join(dir, 'runs.csv')), { header: RUNS_COLUMNS, rows: [] });
  const rows = readCsv(join(dir, 'results.csv')).rows;
  assert.equal(rows.length, 12);
  assert.ok(rows.every((row) => row.status === 'NOT_STARTED' && row.result_file === ''));
});
