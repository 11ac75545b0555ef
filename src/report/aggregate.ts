/**
 * Aggregation of runs.csv rows (DESIGN §5). A run is one negotiation with one weak and
 * one strong seat; per run we take the strong side's and the weak side's utility, the
 * advantage (strong − weak, per run), the strong side's share of welfare and both sides'
 * exploitation index, agreement, rounds to agreement, repairs and voided outputs (both
 * seats). Groups: (weak, strong, level) cells, (strong, level), level, (weak, strong)
 * pair, and overall; each metric has n, mean and a 95% percentile-bootstrap interval
 * that resamples runs (seeded per group, so the numbers repeat on every invocation and
 * do not depend on row order). Seat effect: over complete seat-swapped pairs, the
 * advantage when the strong model sits first vs second (resampling pairs). Scaling:
 * advantage vs capability gap per cell, with OLS slopes per level and pooled.
 * Value entropy by level: the mean concentration of the values per level, a confound of
 * the level (stated in the report's method section). Pure: no I/O.
 */
import { deriveSeed } from '../game/index.ts';
import { bootstrap } from './bootstrap.ts';
import { ols, type OlsFit, type Stat } from './stats.ts';
import type { RunRow } from '../results/index.ts';

export const METRICS = [
  { key: 'advantage', label: 'Advantage (strong − weak)', unit: 'utility points' },
  { key: 'strong_utility', label: 'Strong utility', unit: 'utility points' },
  { key: 'weak_utility', label: 'Weak utility', unit: 'utility points' },
  { key: 'strong_share', label: 'Strong share of welfare', unit: 'fraction, runs with a deal' },
  { key: 'strong_exploitation', label: 'Strong exploitation index', unit: '(U − U_NBS)/U_NBS, runs with a deal' },
  { key: 'weak_exploitation', label: 'Weak exploitation index', unit: '(U − U_NBS)/U_NBS, runs with a deal' },
  { key: 'agreement_rate', label: 'Agreement rate', unit: 'fraction of runs' },
  { key: 'rounds_to_agreement', label: 'Rounds to agreement', unit: 'rounds, runs with a deal' },
  { key: 'repairs', label: 'Repairs per run', unit: 'repair turns, both seats' },
  { key: 'voided', label: 'Voided outputs per run', unit: 'outputs, both seats' },
] as const;

export type MetricKey = (typeof METRICS)[number]['key'];
export const METRIC_KEYS: MetricKey[] = METRICS.map((m) => m.key);

export const SEAT_METRICS = [
  {
    key: 'first_seat_advantage',
    label: 'First-seat advantage',
    unit: 'utility points: seat 1 − seat 2, averaged over the swapped pair',
  },
  { key: 'strong_first_advantage', label: 'Advantage, strong seated first', unit: 'utility points' },
  { key: 'strong_second_advantage', label: 'Advantage, strong seated second', unit: 'utility points' },
] as const;
export type SeatMetricKey = (typeof SEAT_METRICS)[number]['key'];

export interface AggregateOptions {
  /** bootstrap replicates (default 2000) */
  resamples?: number;
  /** base seed of the bootstrap (default 20240607) */
  seed?: number;
  /** capability score per model name (registry arena score, scripted nominal_score); undefined = unknown */
  scores?: Record<string, number | undefined>;
}

/** One negotiation run, reduced to the weak/strong view. */
export interface RunRecord {
  experiment_id: number;
  run_index: number;
  pair_index: number;
  weak: string;
  strong: string;
  level: number;
  /** the game's second level axis and its value (treaty ρ, co-funding σ); null for item allocation */
  axis: { name: 'rho' | 'sigma'; value: number } | null;
  /** seat (0-based) of the strong model */
  strong_seat: number;
  /** utility of seat 0 − seat 1 */
  seat_diff: number;
  /** the run's value entropy (bits); null in tables from before it was written */
  value_entropy: number | null;
  /** false when the run has no Nash point (nash_utility empty) */
  nash_defined: boolean;
  values: Record<MetricKey, number | null>;
}

export interface Group {
  weak: string | null;
  strong: string | null;
  level: number | null;
  /** the second axis (treaty ρ, co-funding σ) of a by_axis_level group */
  axis?: { name: 'rho' | 'sigma'; value: number };
  runs: number;
  experiments: number;
  stats: Record<MetricKey, Stat>;
}

export interface SeatGroup {
  weak: string | null;
  strong: string | null;
  level: number | null;
  pairs: number;
  stats: Record<SeatMetricKey, Stat>;
}

export interface ScalingPoint {
  weak: string;
  strong: string;
  level: number;
  weak_score: number;
  strong_score: number;
  /** strong score − weak score */
  gap: number;
  n: number;
  mean: number;
  lo: number | null;
  hi: number | null;
}

export interface ScalingFit {
  /** null = pooled over all levels */
  level: number | null;
  cells: number;
  fit: OlsFit | null;
  /** why there is no fit */
  reason?: string;
}

export interface Scaling {
  scored_models: string[];
  unscored_models: string[];
  points: ScalingPoint[];
  fits: ScalingFit[];
}

/** Mean value entropy of the analysed runs at one level; runs = runs with a recorded value. */
export interface EntropyLevel {
  level: number;
  runs: number;
  mean: number | null;
  /** analysed runs whose Nash point is undefined (maximum product 0) or was not enumerated: no exploitation index */
  no_nash: number;
}

export interface Aggregates {
  version: 1;
  confidence: 0.95;
  bootstrap: { resamples: number; seed: number; unit: 'run'; seat_unit: 'seat-swapped pair'; method: 'percentile' };
  weak_models: string[];
  strong_models: string[];
  levels: number[];
  runs: number;
  experiments: number;
  /** runs left out, with why (e.g. not exactly one weak and one strong seat) */
  skipped: { runs: number; reasons: string[] };
  overall: Group;
  by_cell: Group[];
  by_strong_level: Group[];
  by_level: Group[];
  by_pair: Group[];
  seat_effect: { overall: SeatGroup; by_level: SeatGroup[]; by_pair: SeatGroup[]; unpaired_runs: number };
  scaling: Scaling;
  /** how concentrated the values are per level: level effects mix similarity and concentration */
  entropy_by_level: EntropyLevel[];
  /** runs of games with a second axis: per (treaty ρ or co-funding σ, level) over all pairs; absent otherwise */
  by_axis_level?: Group[];
}

const lv = (x: number) => Math.round(x * 1e6) / 1e6;

/** Groups runs.csv rows into runs; a run needs exactly one weak and one strong seat. */
export function toRunRecords(rows: readonly RunRow[]): {
  records: RunRecord[];
  skipped: { runs: number; reasons: string[] };
} {
  const byRun = new Map<string, RunRow[]>();
  for (const r of rows) {
    const k = `${r.experiment_id}/${r.run_index}`;
    let list = byRun.get(k);
    if (!list) byRun.set(k, (list = []));
    list.push(r);
  }
  const records: RunRecord[] = [];
  const reasons = new Set<string>();
  let skipped = 0;
  for (const seats of byRun.values()) {
    const weak = seats.filter((s) => s.role === 'weak');
    const strong = seats.filter((s) => s.role === 'strong');
    if (seats.length !== 2 || weak.length !== 1 || strong.length !== 1) {
      skipped++;
      reasons.add(
        `experiment ${seats[0].experiment_id} run ${seats[0].run_index}: expected one weak and one strong seat, found ${seats.length} seat(s) with roles ${seats.map((s) => s.role ?? 'none').join('/')}`,
      );
      continue;
    }
    const w = weak[0],
      s = strong[0];
    const seat0 = w.seat === 0 ? w : s,
      seat1 = w.seat === 0 ? s : w;
    const deal = s.consensus;
    records.push({
      experiment_id: s.experiment_id,
      run_index: s.run_index,
      pair_index: s.pair_index,
      weak: s.weak_model,
      strong: s.strong_model,
      level: lv(s.competition_level),
      axis:
        s.rho !== undefined && s.rho !== null
          ? { name: 'rho', value: s.rho }
          : s.sigma !== undefined && s.sigma !== null
            ? { name: 'sigma', value: s.sigma }
            : null,
      strong_seat: s.seat,
      seat_diff: seat0.utility - seat1.utility,
      value_entropy: s.value_entropy ?? null,
      nash_defined: s.nash_utility !== null,
      values: {
        advantage: s.utility - w.utility,
        strong_utility: s.utility,
        weak_utility: w.utility,
        strong_share: deal ? s.share : null,
        strong_exploitation: deal ? s.exploitation_index : null,
        weak_exploitation: deal ? w.exploitation_index : null,
        agreement_rate: deal ? 1 : 0,
        rounds_to_agreement: deal ? s.round : null,
        repairs: s.repairs + w.repairs,
        voided: s.voided + w.voided,
      },
    });
  }
  records.sort((a, b) => a.experiment_id - b.experiment_id || a.run_index - b.run_index);
  const list = [...reasons];
  return {
    records,
    skipped: {
      runs: skipped,
      reasons: list.length > 20 ? [...list.slice(0, 20), `… and ${list.length - 20} more`] : list,
    },
  };
}

function firstSeen<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

function groupStats(
  kind: string,
  key: string,
  recs: RunRecord[],
  o: Required<Omit<AggregateOptions, 'scores'>>,
): Record<MetricKey, Stat> {
  const cols = METRIC_KEYS.map((m) => recs.map((r) => r.values[m]));
  const stats = bootstrap(cols, deriveSeed(o.seed, kind, key), o.resamples);
  return Object.fromEntries(METRIC_KEYS.map((m, i) => [m, stats[i]])) as Record<MetricKey, Stat>;
}

function groupBy<T>(recs: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of recs) {
    const k = key(r);
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(r);
  }
  return m;
}

interface PairUnit {
  weak: string;
  strong: string;
  level: number;
  first: number;
  strongFirst: number;
  strongSecond: number;
}

function seatPairs(recs: RunRecord[]): { units: PairUnit[]; unpaired: number } {
  const units: PairUnit[] = [];
  let unpaired = 0;
  for (const runs of groupBy(recs, (r) => `${r.experiment_id}/${r.pair_index}`).values()) {
    const sf = runs.find((r) => r.strong_seat === 0),
      ss = runs.find((r) => r.strong_seat === 1);
    if (runs.length !== 2 || !sf || !ss) {
      unpaired += runs.length;
      continue;
    }
    units.push({
      weak: sf.weak,
      strong: sf.strong,
      level: sf.level,
      first: (sf.seat_diff + ss.seat_diff) / 2,
      strongFirst: sf.values.advantage!,
      strongSecond: ss.values.advantage!,
    });
  }
  return { units, unpaired };
}

function seatGroup(
  kind: string,
  key: string,
  units: PairUnit[],
  head: Omit<SeatGroup, 'pairs' | 'stats'>,
  o: Required<Omit<AggregateOptions, 'scores'>>,
): SeatGroup {
  const [first, sf, ss] = bootstrap(
    [units.map((u) => u.first), units.map((u) => u.strongFirst), units.map((u) => u.strongSecond)],
    deriveSeed(o.seed, 'seat', kind, key),
    o.resamples,
  );
  return {
    ...head,
    pairs: units.length,
    stats: { first_seat_advantage: first, strong_first_advantage: sf, strong_second_advantage: ss },
  };
}

function entropyByLevel(recs: RunRecord[], levels: number[]): EntropyLevel[] {
  return levels.map((level) => {
    const at = recs.filter((r) => r.level === level);
    const hs = at.filter((r) => r.value_entropy !== null).map((r) => r.value_entropy!);
    return {
      level,
      runs: hs.length,
      mean: hs.length ? hs.reduce((a, b) => a + b, 0) / hs.length : null,
      no_nash: at.filter((r) => !r.nash_defined).length,
    };
  });
}

function scaling(cells: Group[], models: string[], scores: Record<string, number | undefined>): Scaling {
  const ok = (m: string) => typeof scores[m] === 'number' && Number.isFinite(scores[m]);
  const points: ScalingPoint[] = [];
  for (const c of cells) {
    const st = c.stats.advantage;
    if (!ok(c.weak!) || !ok(c.strong!) || st.mean === null) continue;
    const ws = scores[c.weak!]!,
      ss = scores[c.strong!]!;
    points.push({
      weak: c.weak!,
      strong: c.strong!,
      level: c.level!,
      weak_score: ws,
      strong_score: ss,
      gap: ss - ws,
      n: st.n,
      mean: st.mean,
      lo: st.lo,
      hi: st.hi,
    });
  }
  const fitOf = (level: number | null, pts: ScalingPoint[]): ScalingFit => {
    const fit = ols(
      pts.map((p) => p.gap),
      pts.map((p) => p.mean),
    );
    if (fit) return { level, cells: pts.length, fit };
    const gaps = new Set(pts.map((p) => p.gap)).size;
    return {
      level,
      cells: pts.length,
      fit: null,
      reason:
        pts.length < 3
          ? `${pts.length} cell(s) with scores; a slope needs at least 3`
          : `all ${pts.length} cells have ${gaps === 1 ? 'the same' : 'too few distinct'} capability gap(s)`,
    };
  };
  const levels = firstSeen(points.map((p) => p.level)).sort((a, b) => a - b);
  const fits = [
    fitOf(null, points),
    ...levels.map((l) =>
      fitOf(
        l,
        points.filter((p) => p.level === l),
      ),
    ),
  ];
  return { scored_models: models.filter(ok), unscored_models: models.filter((m) => !ok(m)), points, fits };
}

export function aggregate(rows: readonly RunRow[], opts: AggregateOptions = {}): Aggregates {
  const o = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 20240607 };
  const { records, skipped } = toRunRecords(rows);
  const weak_models = firstSeen(records.map((r) => r.weak));
  const strong_models = firstSeen(records.map((r) => r.strong));
  const levels = firstSeen(records.map((r) => r.level)).sort((a, b) => a - b);
  const experiments = (rs: RunRecord[]) => new Set(rs.map((r) => r.experiment_id)).size;
  const make = (kind: string, key: string, rs: RunRecord[], head: Pick<Group, 'weak' | 'strong' | 'level'>): Group => ({
    ...head,
    runs: rs.length,
    experiments: experiments(rs),
    stats: groupStats(kind, key, rs, o),
  });

  const byCell = [...groupBy(records, (r) => JSON.stringify([r.weak, r.strong, r.level])).entries()].map(([k, rs]) =>
    make('cell', k, rs, { weak: rs[0].weak, strong: rs[0].strong, level: rs[0].level }),
  );
  const byStrongLevel = [...groupBy(records, (r) => JSON.stringify([r.strong, r.level])).entries()].map(([k, rs]) =>
    make('strong_level', k, rs, { weak: null, strong: rs[0].strong, level: rs[0].level }),
  );
  const byLevel = [...groupBy(records, (r) => String(r.level)).entries()].map(([k, rs]) =>
    make('level', k, rs, { weak: null, strong: null, level: rs[0].level }),
  );
  const byPair = [...groupBy(records, (r) => JSON.stringify([r.weak, r.strong])).entries()].map(([k, rs]) =>
    make('pair', k, rs, { weak: rs[0].weak, strong: rs[0].strong, level: null }),
  );
  const order = (g: Group) => [
    g.weak === null ? -1 : weak_models.indexOf(g.weak),
    g.strong === null ? -1 : strong_models.indexOf(g.strong),
    g.level ?? -1,
  ];
  const cmp = (a: Group, b: Group) => {
    const x = order(a),
      y = order(b);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  };
  for (const l of [byCell, byStrongLevel, byLevel, byPair]) l.sort(cmp);

  const { units, unpaired } = seatPairs(records);
  const seatByLevel = [...groupBy(units, (u) => String(u.level)).entries()];
  const seatByPair = [...groupBy(units, (u) => JSON.stringify([u.weak, u.strong])).entries()];

  const allModels = firstSeen([...weak_models, ...strong_models]);
  const axisRecs = records.filter((r) => r.axis !== null);
  const byAxisLevel = [...groupBy(axisRecs, (r) => JSON.stringify([r.axis!.name, r.axis!.value, r.level])).entries()]
    .map(([k, rs]) => ({
      ...make('axis_level', k, rs, { weak: null, strong: null, level: rs[0].level }),
      axis: rs[0].axis!,
    }))
    .sort((a, b) => a.axis.name.localeCompare(b.axis.name) || a.axis.value - b.axis.value || a.level! - b.level!);
  return {
    version: 1,
    confidence: 0.95,
    bootstrap: {
      resamples: o.resamples,
      seed: o.seed,
      unit: 'run',
      seat_unit: 'seat-swapped pair',
      method: 'percentile',
    },
    weak_models,
    strong_models,
    levels,
    runs: records.length,
    experiments: experiments(records),
    skipped,
    overall: make('overall', '', records, { weak: null, strong: null, level: null }),
    by_cell: byCell,
    by_strong_level: byStrongLevel,
    by_level: byLevel,
    by_pair: byPair,
    seat_effect: {
      overall: seatGroup('overall', '', units, { weak: null, strong: null, level: null }, o),
      by_level: seatByLevel
        .map(([k, us]) => seatGroup('level', k, us, { weak: null, strong: null, level: us[0].level }, o))
        .sort((a, b) => a.level! - b.level!),
      by_pair: seatByPair
        .map(([k, us]) => seatGroup('pair', k, us, { weak: us[0].weak, strong: us[0].strong, level: null }, o))
        .sort(
          (a, b) =>
            weak_models.indexOf(a.weak!) - weak_models.indexOf(b.weak!) ||
            strong_models.indexOf(a.strong!) - strong_models.indexOf(b.strong!),
        ),
      unpaired_runs: unpaired,
    },
    scaling: scaling(byCell, allModels, opts.scores ?? {}),
    entropy_by_level: entropyByLevel(records, levels),
    ...(axisRecs.length ? { by_axis_level: byAxisLevel } : {}),
  };
}
