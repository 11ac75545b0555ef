/**
 * Test and bench reference: a frozen copy of the report's statistics as they were before
 * the bootstrap was made fast (commit 4529fd5: stats.ts `bootstrap`, aggregate.ts
 * `aggregate`). Not used by the product. The tests assert the live `bootstrap` and
 * `aggregate` give exactly these numbers (bit for bit) and bench/stats.ts times both.
 * Do not "improve" this file: its value is that it stays the old, obviously-correct code.
 */
import { createRng, deriveSeed } from '../../game/index.ts';
import { ols, type Stat } from '../stats.ts';
import type { RunRow } from '../../results/index.ts';
import {
  METRIC_KEYS,
  type AggregateOptions,
  type Aggregates,
  type EntropyLevel,
  type Group,
  type MetricKey,
  type RunRecord,
  type Scaling,
  type ScalingFit,
  type ScalingPoint,
  type SeatGroup,
} from '../aggregate.ts';

function referenceMean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Linear-interpolated quantile of a sorted array (type 7, as numpy's default). */
function referenceQuantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap over units. `columns[k][u]` is metric k's value for unit u (null
 * when the unit has none, e.g. rounds to agreement of a run without a deal). Each
 * replicate draws n units with replacement and takes every metric's mean over the drawn
 * units that carry it. Returns one Stat per metric.
 */
export function referenceBootstrap(
  columns: readonly (readonly (number | null)[])[],
  seed: number,
  resamples: number,
  level = 0.95,
): Stat[] {
  const units = columns.length ? columns[0].length : 0;
  const k = columns.length;
  const base: Stat[] = columns.map((col) => {
    const vals = col.filter((v): v is number => v !== null);
    return { n: vals.length, mean: referenceMean(vals), lo: null, hi: null };
  });
  if (units === 0) return base;
  // unit-major matrix, NaN for "no value": one flat typed array keeps the hot loop monomorphic
  const mat = new Float64Array(units * k);
  for (let m = 0; m < k; m++) for (let u = 0; u < units; u++) mat[u * k + m] = columns[m][u] ?? NaN;
  const rng = createRng(seed);
  const reps: Float64Array[] = columns.map(() => new Float64Array(resamples));
  const nreps = new Int32Array(k);
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  for (let b = 0; b < resamples; b++) {
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < units; i++) {
      const off = Math.floor(rng.next() * units) * k;
      for (let m = 0; m < k; m++) {
        const v = mat[off + m];
        if (v === v) {
          sums[m] += v;
          counts[m]++;
        }
      }
    }
    // a replicate with no value for a metric says nothing about it; it is left out
    for (let m = 0; m < k; m++) if (counts[m] > 0) reps[m][nreps[m]++] = sums[m] / counts[m];
  }
  const a = (1 - level) / 2;
  return base.map((s, m) => {
    if (s.n === 0 || nreps[m] === 0) return s;
    const sorted = reps[m].subarray(0, nreps[m]).sort();
    return { ...s, lo: referenceQuantileSorted(sorted, a), hi: referenceQuantileSorted(sorted, 1 - a) };
  });
}

const lv = (x: number) => Math.round(x * 1e6) / 1e6;

/** Groups runs.csv rows into runs; a run needs exactly one weak and one strong seat. */
function toRunRecords(rows: readonly RunRow[]): {
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
  const stats = referenceBootstrap(cols, deriveSeed(o.seed, kind, key), o.resamples);
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
  const [first, sf, ss] = referenceBootstrap(
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

export function referenceAggregate(rows: readonly RunRow[], opts: AggregateOptions = {}): Aggregates {
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
