import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, toRunRecords } from './aggregate.ts';
import { aggregateRows, aggregatesCsv } from './aggregate-files.ts';
import { bootstrap } from './bootstrap.ts';
import { ols, t975 } from './stats.ts';
import type { RunRow } from '../results/index.ts';

/** One seat of one run; the rest of the columns get neutral values. */
function seat(p: {
  exp: number;
  run: number;
  weak: string;
  strong: string;
  level: number;
  seat: number;
  role: 'weak' | 'strong';
  u: number;
  deal?: boolean;
  round?: number | null;
  share?: number | null;
  ei?: number | null;
  repairs?: number;
  voided?: number;
  h?: number | null;
}): RunRow {
  const deal = p.deal ?? true;
  return {
    experiment_id: p.exp,
    weak_model: p.weak,
    strong_model: p.strong,
    pair: `${p.weak}_vs_${p.strong}`,
    competition_level: p.level,
    random_seed: 42 + p.exp,
    run_index: p.run,
    pair_index: Math.floor(p.run / 2),
    seats_swapped: p.run % 2 === 1,
    seat: p.seat,
    agent: `Agent_${p.seat + 1}`,
    model: p.role === 'weak' ? p.weak : p.strong,
    role: p.role,
    cosine_similarity: p.level,
    consensus: deal,
    round: deal ? (p.round ?? 1) : null,
    utility: p.u,
    raw_utility: p.u,
    share: deal ? (p.share ?? 0.5) : null,
    welfare: 100,
    exploitation_index: deal ? (p.ei ?? 0) : null,
    nash_utility: 50,
    pareto_optimal: deal,
    repairs: p.repairs ?? 0,
    voided: p.voided ?? 0,
    calls: 0,
    input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    status: 'SUCCESS',
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    value_entropy: p.h ?? null,
  };
}

/** A run of weak vs strong; even runs seat weak first, odd runs strong first (as runSeries does). */
function run(
  exp: number,
  runIdx: number,
  weak: string,
  strong: string,
  level: number,
  uw: number,
  us: number,
  extra: {
    deal?: boolean;
    round?: number;
    shareStrong?: number;
    eiStrong?: number;
    eiWeak?: number;
    repairs?: [number, number];
    voided?: [number, number];
  } = {},
): RunRow[] {
  const weakSeat = runIdx % 2 === 0 ? 0 : 1;
  const common = { exp, run: runIdx, weak, strong, level, deal: extra.deal, round: extra.round };
  return [
    seat({
      ...common,
      seat: weakSeat,
      role: 'weak',
      u: uw,
      share: extra.shareStrong === undefined ? undefined : 1 - extra.shareStrong,
      ei: extra.eiWeak,
      repairs: extra.repairs?.[0],
      voided: extra.voided?.[0],
    }),
    seat({
      ...common,
      seat: 1 - weakSeat,
      role: 'strong',
      u: us,
      share: extra.shareStrong,
      ei: extra.eiStrong,
      repairs: extra.repairs?.[1],
      voided: extra.voided?.[1],
    }),
  ];
}

// The fixture grid: weak A, B × strong S × levels 0.2, 0.8; two runs (one seat-swapped pair) per experiment.
function fixture(): RunRow[] {
  return [
    // exp 0: A vs S @0.2 — advantages 20 and 10; both deals, rounds 2 and 4
    ...run(0, 0, 'A', 'S', 0.2, 30, 50, { round: 2, shareStrong: 0.625, eiStrong: 0.1, eiWeak: -0.2, repairs: [1, 0] }),
    ...run(0, 1, 'A', 'S', 0.2, 40, 50, { round: 4, shareStrong: 0.5, eiStrong: 0.3, eiWeak: 0, voided: [0, 2] }),
    // exp 1: A vs S @0.8 — one deal (advantage 30, round 6), one no-deal (0 − 0)
    ...run(1, 0, 'A', 'S', 0.8, 20, 50, { round: 6, shareStrong: 0.7, eiStrong: 0.5, eiWeak: -0.5 }),
    ...run(1, 1, 'A', 'S', 0.8, 0, 0, { deal: false }),
    // exp 2: B vs S @0.2 — advantages −10 and 10
    ...run(2, 0, 'B', 'S', 0.2, 50, 40, { round: 1, shareStrong: 0.4 }),
    ...run(2, 1, 'B', 'S', 0.2, 40, 50, { round: 3, shareStrong: 0.6 }),
    // exp 3: B vs S @0.8 — only run 0 finished (the experiment failed later): advantage 5
    ...run(3, 0, 'B', 'S', 0.8, 45, 50, { round: 5, shareStrong: 0.55 }),
  ];
}

const close = (a: number | null, b: number, eps = 1e-9) =>
  assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('aggregates match hand-computed means and counts on a small grid', () => {
  const a = aggregate(fixture(), { resamples: 500 });
  assert.deepEqual(a.weak_models, ['A', 'B']);
  assert.deepEqual(a.strong_models, ['S']);
  assert.deepEqual(a.levels, [0.2, 0.8]);
  assert.equal(a.runs, 7);
  assert.equal(a.experiments, 4);

  const cell = (w: string, l: number) => a.by_cell.find((g) => g.weak === w && g.level === l)!;
  const c0 = cell('A', 0.2).stats;
  close(c0.advantage.mean, 15);
  close(c0.strong_utility.mean, 50);
  close(c0.weak_utility.mean, 35);
  close(c0.strong_share.mean, 0.5625);
  close(c0.strong_exploitation.mean, 0.2);
  close(c0.weak_exploitation.mean, -0.1);
  close(c0.agreement_rate.mean, 1);
  close(c0.rounds_to_agreement.mean, 3);
  close(c0.repairs.mean, 0.5);
  close(c0.voided.mean, 1);

  // no-deal runs count in utilities and agreement, not in share / exploitation / rounds
  const c1 = cell('A', 0.8).stats;
  close(c1.advantage.mean, 15);
  assert.equal(c1.advantage.n, 2);
  close(c1.agreement_rate.mean, 0.5);
  close(c1.rounds_to_agreement.mean, 6);
  assert.equal(c1.rounds_to_agreement.n, 1);
  close(c1.strong_share.mean, 0.7);
  assert.equal(c1.strong_share.n, 1);
  assert.equal(c1.strong_share.lo, 0.7);
  assert.equal(c1.strong_share.hi, 0.7); // one value: a point interval

  // by level pools the weak models: @0.2 advantages 20, 10, −10, 10 → 7.5
  const l02 = a.by_level.find((g) => g.level === 0.2)!;
  close(l02.stats.advantage.mean, 7.5);
  assert.equal(l02.runs, 4);
  assert.equal(l02.experiments, 2);
  const l08 = a.by_level.find((g) => g.level === 0.8)!;
  close(l08.stats.advantage.mean, (30 + 0 + 5) / 3);
  // by (strong, level) equals by level here (one strong model)
  close(a.by_strong_level.find((g) => g.level === 0.8)!.stats.advantage.mean, 35 / 3);
  // by pair pools levels: B vs S: −10, 10, 5
  close(a.by_pair.find((g) => g.weak === 'B')!.stats.advantage.mean, 5 / 3);
  close(a.overall.stats.advantage.mean, (20 + 10 + 30 + 0 - 10 + 10 + 5) / 7);
  close(a.overall.stats.agreement_rate.mean, 6 / 7);
});

test('value entropy by level: mean over the analysed runs that record it, with their count; none recorded = null', () => {
  // per run (both seats carry the run's value): exp 0 @0.2: 1.0, 1.5; exp 2 @0.2: 2.0, not recorded;
  // exp 1 @0.8: 0.5, 0.25; exp 3 @0.8: not recorded
  const h: Record<string, number | null> = {
    '0/0': 1,
    '0/1': 1.5,
    '2/0': 2,
    '2/1': null,
    '1/0': 0.5,
    '1/1': 0.25,
    '3/0': null,
  };
  const rows = fixture().map((r) => ({ ...r, value_entropy: h[`${r.experiment_id}/${r.run_index}`] }));
  // a run with two weak seats is skipped by the aggregates, so its entropy must not count either
  rows.push(...run(4, 0, 'A', 'S', 0.8, 10, 10).map((r) => ({ ...r, role: 'weak', value_entropy: 9 })));
  const a = aggregate(rows, { resamples: 50 });
  assert.deepEqual(a.entropy_by_level, [
    { level: 0.2, runs: 3, mean: 1.5, no_nash: 0 },
    { level: 0.8, runs: 2, mean: 0.375, no_nash: 0 },
  ]);
  // tables from before the column: every level without a mean
  assert.deepEqual(aggregate(fixture(), { resamples: 50 }).entropy_by_level, [
    { level: 0.2, runs: 0, mean: null, no_nash: 0 },
    { level: 0.8, runs: 0, mean: null, no_nash: 0 },
  ]);
});

test("runs without a Nash point are counted per level (empty nash_utility on the run's seats)", () => {
  const undefinedNash = new Set(['0/1', '1/0', '1/1']); // one run at 0.2, two at 0.8
  const rows = fixture().map((r) =>
    undefinedNash.has(`${r.experiment_id}/${r.run_index}`) ? { ...r, nash_utility: null } : r,
  );
  assert.deepEqual(
    aggregate(rows, { resamples: 50 }).entropy_by_level.map((e) => [e.level, e.no_nash]),
    [
      [0.2, 1],
      [0.8, 2],
    ],
  );
});

test('seat effect is computed over complete seat-swapped pairs only', () => {
  const a = aggregate(fixture(), { resamples: 500 });
  const s = a.seat_effect;
  assert.equal(s.overall.pairs, 3); // exp 3 has only run 0
  assert.equal(s.unpaired_runs, 1);
  // pairs: (strong first, strong second) advantages = (10, 20), (0, 30), (10, −10)
  close(s.overall.stats.strong_first_advantage.mean, 20 / 3);
  close(s.overall.stats.strong_second_advantage.mean, 40 / 3);
  // first-seat advantage per pair = (adv_strong_first − adv_strong_second) / 2 = −5, −15, 10
  close(s.overall.stats.first_seat_advantage.mean, -10 / 3);
  close(s.by_level.find((g) => g.level === 0.2)!.stats.first_seat_advantage.mean, 2.5);
  close(s.by_pair.find((g) => g.weak === 'A')!.stats.first_seat_advantage.mean, -10);
});

test('scaling: cells with both scores, OLS slope per level and pooled; unscored models listed', () => {
  const rows = [
    ...fixture(),
    ...run(4, 0, 'C', 'S', 0.2, 10, 60),
    ...run(4, 1, 'C', 'S', 0.2, 10, 60), // C has no score
  ];
  const a = aggregate(rows, { resamples: 200, scores: { A: 1000, B: 1100, S: 1300 } });
  assert.deepEqual(a.scaling.unscored_models, ['C']);
  assert.deepEqual(a.scaling.scored_models, ['A', 'B', 'S']);
  assert.equal(a.scaling.points.length, 4);
  assert.ok(a.scaling.points.every((p) => p.weak !== 'C'));
  assert.deepEqual(a.scaling.points.map((p) => p.gap).sort(), [200, 200, 300, 300]);
  // pooled: points (300, 15), (300, 15), (200, 0), (200, 5) → slope = 12.5 / 100
  const pooled = a.scaling.fits.find((f) => f.level === null)!;
  assert.equal(pooled.cells, 4);
  close(pooled.fit!.slope, 0.125);
  // per level: two cells each → no slope, with the reason
  const l02 = a.scaling.fits.find((f) => f.level === 0.2)!;
  assert.equal(l02.fit, null);
  assert.match(l02.reason!, /at least 3/);
});

test('OLS matches a hand computation, including its t interval', () => {
  const f = ols([1, 2, 3, 4], [2, 4, 5, 8])!;
  close(f.slope, 1.9);
  close(f.intercept, 0);
  // sse 0.7, s² 0.35, se = sqrt(0.35 / 5), t(2) = 4.303
  const se = Math.sqrt(0.35 / 5);
  close(f.se, se);
  close(f.lo, 1.9 - 4.303 * se);
  close(f.hi, 1.9 + 4.303 * se);
  assert.equal(ols([1, 1, 1], [1, 2, 3]), null);
  assert.equal(ols([1, 2], [1, 2]), null);
  close(t975(10), 2.228);
  close(t975(1e9), 1.96, 1e-3);
  assert.ok(t975(45) < 2.021 && t975(45) > 2.0);
});

test('bootstrap intervals repeat across invocations and do not depend on row order', () => {
  const rows = fixture();
  const a1 = aggregatesCsv(aggregate(rows, { resamples: 400 }));
  const a2 = aggregatesCsv(aggregate(rows, { resamples: 400 }));
  const shuffled = rows.slice().reverse();
  const a3 = aggregatesCsv(aggregate(shuffled, { resamples: 400 }));
  assert.equal(a1, a2);
  assert.equal(a1, a3);
  // a different seed gives different intervals (so the seed is really used)
  assert.notEqual(a1, aggregatesCsv(aggregate(rows, { resamples: 400, seed: 7 })));
});

test('bootstrap interval brackets the mean and has the normal-theory width on a large sample', () => {
  // 400 Bernoulli outcomes with p = 0.5: 95% CI half-width ≈ 1.96 * sqrt(0.25 / 400) = 0.049
  const xs = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const [s] = bootstrap([xs], 123, 2000);
  close(s.mean, 0.5);
  assert.ok(s.lo! < 0.5 && s.hi! > 0.5);
  const half = (s.hi! - s.lo!) / 2;
  assert.ok(Math.abs(half - 0.049) < 0.008, `half-width ${half}`);
  // constant data: a point interval
  const [c] = bootstrap([[3, 3, 3]], 1, 100);
  assert.deepEqual([c.mean, c.lo, c.hi], [3, 3, 3]);
  // no data
  const [e] = bootstrap([[]], 1, 100);
  assert.deepEqual(e, { n: 0, mean: null, lo: null, hi: null });
});

test('runs without exactly one weak and one strong seat are skipped with the reason', () => {
  const rows = fixture();
  rows.push({ ...rows[0], experiment_id: 9, role: null }, { ...rows[1], experiment_id: 9, role: null });
  const { records, skipped } = toRunRecords(rows);
  assert.equal(records.length, 7);
  assert.equal(skipped.runs, 1);
  assert.match(skipped.reasons[0], /experiment 9 run 0: expected one weak and one strong seat/);
});

test('aggregates.csv is tidy: one row per group and metric, with CI columns', () => {
  const a = aggregate(fixture(), { resamples: 100, scores: { A: 1000, B: 1100, S: 1300 } });
  const rows = aggregateRows(a);
  const cellAdv = rows.find(
    (r) =>
      r.grouping === 'weak_strong_level' &&
      r.weak_model === 'A' &&
      r.competition_level === 0.2 &&
      r.metric === 'advantage',
  )!;
  assert.equal(cellAdv.n, 2);
  close(cellAdv.mean, 15);
  assert.ok(cellAdv.ci_low! <= 15 && cellAdv.ci_high! >= 15);
  // every group × metric once
  const keys = rows.map((r) => `${r.grouping}|${r.weak_model}|${r.strong_model}|${r.competition_level}|${r.metric}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(rows.filter((r) => r.grouping === 'weak_strong_level').length, 4 * 10);
  assert.equal(rows.filter((r) => r.grouping === 'scaling_fit').length, 3);
  const csv = aggregatesCsv(a).split('\n');
  assert.equal(csv[0], 'grouping,weak_model,strong_model,competition_level,metric,n,mean,ci_low,ci_high,unit');
});
