/**
 * Aggregates as files: aggregates.csv (tidy: one row per group and metric) and the
 * `aggregates` section collect merges into summary.json (also written whole as
 * aggregates.json). Pure: returns text and values.
 *
 * summary.json's `aggregates` is the compact part (overall, by level, by pair, seat effect,
 * scaling fits); aggregates.json holds everything, cells included.
 *
 * aggregates.csv columns: grouping (overall | weak_strong_level | strong_level | level |
 * weak_strong | seat_overall | seat_level | seat_weak_strong | scaling_fit), weak_model,
 * strong_model, competition_level (empty = all), metric, n, mean, ci_low, ci_high, unit.
 */
import { METRICS, SEAT_METRICS, type Aggregates, type Group, type SeatGroup } from './aggregate.ts';
import { toCsv } from '../results/index.ts';

export interface AggregateCsvRow {
  grouping: string;
  weak_model: string | null;
  strong_model: string | null;
  competition_level: number | null;
  metric: string;
  n: number;
  mean: number | null;
  ci_low: number | null;
  ci_high: number | null;
  unit: string;
}

export const AGGREGATE_COLUMNS: (keyof AggregateCsvRow)[] = [
  'grouping',
  'weak_model',
  'strong_model',
  'competition_level',
  'metric',
  'n',
  'mean',
  'ci_low',
  'ci_high',
  'unit',
];

const r6 = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6);

export function aggregateRows(a: Aggregates): AggregateCsvRow[] {
  const rows: AggregateCsvRow[] = [];
  const group = (grouping: string, g: Group) => {
    for (const m of METRICS) {
      const s = g.stats[m.key];
      rows.push({
        grouping,
        weak_model: g.weak,
        strong_model: g.strong,
        competition_level: g.level,
        metric: m.key,
        n: s.n,
        mean: r6(s.mean),
        ci_low: r6(s.lo),
        ci_high: r6(s.hi),
        unit: m.unit,
      });
    }
  };
  const seat = (grouping: string, g: SeatGroup) => {
    for (const m of SEAT_METRICS) {
      const s = g.stats[m.key];
      rows.push({
        grouping,
        weak_model: g.weak,
        strong_model: g.strong,
        competition_level: g.level,
        metric: m.key,
        n: s.n,
        mean: r6(s.mean),
        ci_low: r6(s.lo),
        ci_high: r6(s.hi),
        unit: m.unit,
      });
    }
  };
  group('overall', a.overall);
  for (const g of a.by_cell) group('weak_strong_level', g);
  for (const g of a.by_strong_level) group('strong_level', g);
  for (const g of a.by_level) group('level', g);
  for (const g of a.by_pair) group('weak_strong', g);
  seat('seat_overall', a.seat_effect.overall);
  for (const g of a.seat_effect.by_level) seat('seat_level', g);
  for (const g of a.seat_effect.by_pair) seat('seat_weak_strong', g);
  for (const f of a.scaling.fits) {
    rows.push({
      grouping: 'scaling_fit',
      weak_model: null,
      strong_model: null,
      competition_level: f.level,
      metric: 'slope_per_100_score_points',
      n: f.cells,
      mean: f.fit ? r6(f.fit.slope * 100) : null,
      ci_low: f.fit ? r6(f.fit.lo * 100) : null,
      ci_high: f.fit ? r6(f.fit.hi * 100) : null,
      unit: 'advantage utility points per 100 capability-score points (OLS over cell means, t interval)',
    });
  }
  return rows;
}

export function aggregatesCsv(a: Aggregates): string {
  return toCsv(AGGREGATE_COLUMNS, aggregateRows(a));
}

/** The compact section merged into summary.json as `aggregates` (cells are in aggregates.json / .csv). */
export function summarySection(a: Aggregates): Record<string, unknown> {
  const full = shape(a);
  return round6({
    confidence: full.confidence,
    bootstrap: full.bootstrap,
    runs: full.runs,
    experiments: full.experiments,
    skipped: full.skipped,
    metrics: full.metrics,
    overall: full.overall,
    by_level: full.by_level,
    by_pair: full.by_pair,
    seat_effect: {
      overall: full.seat_effect.overall,
      by_level: full.seat_effect.by_level,
      unpaired_runs: full.seat_effect.unpaired_runs,
    },
    scaling: {
      scored_models: full.scaling.scored_models,
      unscored_models: full.scaling.unscored_models,
      fits: full.scaling.fits,
    },
    details: { json: 'aggregates.json', csv: 'aggregates.csv' },
  }) as Record<string, unknown>;
}

const r6n = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

function round6(x: unknown): unknown {
  if (typeof x === 'number') return r6n(x);
  if (Array.isArray(x)) return x.map(round6);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, round6(v)]));
  return x;
}

/** The aggregates as written: metric labels added, the OLS internals dropped (numbers unrounded). */
function shape(a: Aggregates) {
  return {
    ...a,
    metrics: Object.fromEntries(METRICS.map((m) => [m.key, { label: m.label, unit: m.unit }])),
    scaling: {
      ...a.scaling,
      fits: a.scaling.fits.map((f) => ({
        level: f.level,
        cells: f.cells,
        reason: f.reason ?? null,
        slope_per_100: f.fit ? f.fit.slope * 100 : null,
        ci_low: f.fit ? f.fit.lo * 100 : null,
        ci_high: f.fit ? f.fit.hi * 100 : null,
        intercept: f.fit?.intercept ?? null,
        r2: f.fit?.r2 ?? null,
      })),
    },
  };
}

/**
 * The JSON form (aggregates.json): the Aggregates value
 * with numbers rounded to 6 decimals and the OLS internals dropped.
 */
export function aggregatesJson(a: Aggregates): Record<string, unknown> {
  return round6(shape(a)) as Record<string, unknown>;
}

/** aggregates.json's text: the same as JSON.stringify(aggregatesJson(a), null, 2), without a rounded copy of every group. */
export function aggregatesJsonText(a: Aggregates): string {
  return JSON.stringify(shape(a), (_k, v) => (typeof v === 'number' ? r6n(v) : v), 2) + '\n';
}
