/**
 * The report's plots (DESIGN §5) as Vega-Lite specs built from Aggregates: pure values, every
 * dataset inlined in its spec. A chart with nothing to show is an `empty` entry with the reason,
 * never a blank plot. Drawing them is render.ts's job.
 */
import type * as vl from 'vega-lite';
import type { Aggregates, Group, SeatGroup } from './aggregate.ts';
import { olsBand } from './stats.ts';

export interface ChartDef {
  id: string;
  title: string;
  caption: string;
  /** Vega-Lite spec; absent when `empty` */
  spec?: vl.TopLevelSpec;
  /** why there is no plot */
  empty?: string;
}

/** Shared by every report figure (cross-game.ts too). */
const FONT = 'DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif';
export const CONFIG = {
  // static images: no ARIA descriptions per mark (they were most of each SVG's bytes)
  aria: false,
  font: FONT,
  background: 'white',
  padding: 8,
  // no label limits: Node has no canvas to measure text, and model names must stay whole
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, titlePadding: 8 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, symbolSize: 80 },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0 },
  title: { fontSize: 14, anchor: 'start' as const, offset: 10 },
  view: { stroke: '#ccc' },
  range: { category: { scheme: 'tableau10' } },
};

const UTIL = 'utility points (of 100, discounted)';
const ADV_TITLE = 'Advantage (utility points)';
const LEVEL_AXIS = { title: 'Competition level', format: '.1f' };

// tableau10, then more hues, so a 10-model legend never repeats a colour
const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
  '#17becf',
  '#393b79',
  '#bcbd22',
  '#8c564b',
  '#637939',
  '#d6616b',
];
/** A colour scale for `names`; `fixed` pins some names (e.g. the pooled series) to a colour. */
function colorScale(names: string[], fixed: Record<string, string> = {}) {
  let k = 0;
  return { domain: names, range: names.map((n) => fixed[n] ?? PALETTE[k++ % PALETTE.length]) };
}

const r2 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
const fmt = (x: number | null, d = 1) => (x === null ? '–' : x.toFixed(d).replace(/^-(0\.?0*)$/, '$1'));

function statRows(groups: Group[], metric: keyof Group['stats']) {
  return groups
    .filter((g) => g.stats[metric].mean !== null)
    .map((g) => ({
      weak: g.weak,
      strong: g.strong,
      level: g.level,
      n: g.stats[metric].n,
      mean: r2(g.stats[metric].mean),
      lo: r2(g.stats[metric].lo),
      hi: r2(g.stats[metric].hi),
    }));
}

function heatmap(a: Aggregates): ChartDef {
  const rows = statRows(a.by_pair, 'advantage').map((r) => ({
    ...r,
    label: `${fmt(r.mean)}\n[${fmt(r.lo)}, ${fmt(r.hi)}]`,
  }));
  const base = {
    id: 'heatmap',
    title: 'Mean advantage of the strong model, by pair',
    caption: `Strong model's utility minus the weak model's, per run, averaged over all ${a.levels.length} competition level(s) and seats; 95% bootstrap interval below each mean. Orange: the strong model gains; blue: the weak one does.`,
  };
  if (!rows.length) return { ...base, empty: 'no completed runs yet' };
  const maxAbs = Math.max(1, ...rows.map((r) => Math.abs(r.mean!)));
  return {
    ...base,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: base.title, subtitle: 'utility points, strong − weak; [95% CI]' },
      data: { values: rows },
      width: { step: 130 },
      height: { step: 44 },
      encoding: {
        x: {
          field: 'weak',
          type: 'nominal',
          sort: a.weak_models,
          title: 'Weak model',
          axis: { labelAngle: -20, orient: 'top' },
        },
        y: { field: 'strong', type: 'nominal', sort: a.strong_models, title: 'Strong model' },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
          encoding: {
            color: {
              field: 'mean',
              type: 'quantitative',
              title: ['Mean advantage', '(utility points)'],
              scale: { scheme: 'blueorange', domain: [-maxAbs, maxAbs], domainMid: 0 },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11, lineBreak: '\n', lineHeight: 13 },
          encoding: {
            text: { field: 'label' },
            color: { condition: { test: `abs(datum.mean) > ${0.6 * maxAbs}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    } as vl.TopLevelSpec,
  };
}

/** line + CI (band when there are several levels, error bars always) of `metric` vs level, coloured by `series`. */
function vsLevel(
  rows: Record<string, unknown>[],
  opts: {
    series: string;
    seriesTitle: string;
    sort: string[];
    fixed?: Record<string, string>;
    yTitle: string;
    facet?: { field: string; title: string; sort: string[] };
    zero?: boolean;
    severalLevels: boolean;
    yDomain?: [number, number];
    xTitle?: string;
  },
): object {
  const x = {
    field: 'level',
    type: 'quantitative',
    axis: opts.xTitle ? { ...LEVEL_AXIS, title: opts.xTitle } : LEVEL_AXIS,
    title: opts.xTitle ?? LEVEL_AXIS.title,
    scale: { zero: false, nice: false, padding: 12 },
  };
  const color = {
    field: opts.series,
    type: 'nominal',
    sort: opts.sort,
    title: opts.seriesTitle,
    scale: colorScale(opts.sort, opts.fixed),
    legend: { symbolOpacity: 1, symbolType: 'circle', symbolStrokeWidth: 0 },
  };
  const y = {
    field: 'mean',
    type: 'quantitative',
    title: opts.yTitle,
    ...(opts.yDomain ? { scale: { domain: opts.yDomain } } : {}),
  };
  const layer: object[] = [];
  if (opts.severalLevels)
    layer.push({
      mark: { type: 'area', opacity: 0.14, clip: true },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    });
  layer.push({
    mark: { type: 'rule', strokeWidth: 1.2, opacity: 0.7, clip: true },
    encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
  });
  layer.push({
    mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 2 },
    encoding: {
      x,
      y,
      color,
    },
  });
  if (opts.zero)
    layer.push({ mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } });
  const inner = { width: 250, height: 210, layer };
  if (!opts.facet) return { data: { values: rows }, ...inner };
  return {
    data: { values: rows },
    facet: { column: { field: opts.facet.field, type: 'nominal', sort: opts.facet.sort, title: opts.facet.title } },
    spec: inner,
  };
}

/** An advantage-vs-level chart: the spec wrapper shared by the per-pair and the per-axis plots. */
function advantageChart(
  base: Pick<ChartDef, 'id' | 'title' | 'caption'>,
  rows: Record<string, unknown>[],
  opts: Omit<Parameters<typeof vsLevel>[1], 'yTitle' | 'zero'>,
): ChartDef {
  if (!rows.length) return { ...base, empty: 'no completed runs yet' };
  return {
    ...base,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: base.title, subtitle: `strong − weak, ${UTIL}; mean and 95% CI` },
      ...vsLevel(rows, { ...opts, yTitle: ADV_TITLE, zero: true }),
    } as vl.TopLevelSpec,
  };
}

function advantageVsLevel(a: Aggregates): ChartDef {
  return advantageChart(
    {
      id: 'advantage_vs_level',
      title: 'Advantage vs competition level',
      caption:
        'Per run, strong utility minus weak utility, averaged per (weak, strong, level) cell; one panel per weak model, one line per strong model; bands and bars are 95% bootstrap intervals over runs. Dashed: no advantage.',
    },
    statRows(a.by_cell, 'advantage'),
    {
      series: 'strong',
      seriesTitle: 'Strong model',
      sort: a.strong_models,
      facet: { field: 'weak', title: 'Weak model', sort: a.weak_models },
      severalLevels: a.levels.length > 1,
    },
  );
}

const AXES = {
  rho: {
    id: 'advantage_vs_theta_by_rho',
    title: 'Treaty: advantage vs θ, per ρ',
    symbol: 'ρ',
    seriesTitle: 'ρ (positions)',
    xTitle: 'θ (cosine of the issue weights)',
    caption:
      "Diplomatic treaty: per run, strong utility minus weak utility, averaged per (ρ, θ) over all model pairs; θ is the cosine similarity of the issue weights (the treaty's competition level), ρ the rank correlation of the ideal positions; 95% bootstrap intervals over runs. Dashed: no advantage.",
  },
  sigma: {
    id: 'advantage_vs_alpha_by_sigma',
    title: 'Co-funding: advantage vs α, per σ',
    symbol: 'σ',
    seriesTitle: 'σ (budget ÷ cost)',
    xTitle: 'α (cosine of the valuations)',
    caption:
      "Co-funding: per run, strong utility minus weak utility, averaged per (σ, α) over all model pairs; α is the cosine similarity of the valuations (co-funding's competition level), σ the total budget over the total cost; 95% bootstrap intervals over runs. Dashed: no advantage.",
  },
} as const;

/** Games with a second level axis (treaty ρ, co-funding σ): the advantage against the level, one line per axis value. */
function advantageByAxis(a: Aggregates, name: 'rho' | 'sigma'): ChartDef | null {
  const groups = (a.by_axis_level ?? []).filter((g) => g.axis?.name === name);
  if (!groups.length) return null;
  const ax = AXES[name];
  // label each group before statRows drops those without a mean, so labels stay with their groups
  const rows = groups.flatMap((g) =>
    statRows([g], 'advantage').map((r) => ({ ...r, axis: `${ax.symbol} = ${g.axis!.value}` })),
  );
  return advantageChart({ id: ax.id, title: ax.title, caption: ax.caption }, rows, {
    series: 'axis',
    seriesTitle: ax.seriesTitle,
    sort: [...new Set(rows.map((r) => r.axis))],
    severalLevels: a.levels.length > 1,
    xTitle: ax.xTitle,
  });
}

function strongVsLevel(
  a: Aggregates,
  id: string,
  metric: 'agreement_rate' | 'rounds_to_agreement',
  title: string,
  yTitle: string,
  caption: string,
  domain?: [number, number],
): ChartDef {
  const rows = [
    ...statRows(a.by_strong_level, metric),
    ...statRows(a.by_level, metric).map((r) => ({ ...r, strong: 'all strong models' })),
  ];
  const base = { id, title, caption };
  if (!rows.length)
    return {
      ...base,
      empty: metric === 'rounds_to_agreement' ? 'no run reached an agreement yet' : 'no completed runs yet',
    };
  return {
    ...base,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: title, subtitle: 'mean and 95% bootstrap CI over runs, pooled over weak models' },
      ...vsLevel(rows, {
        series: 'strong',
        seriesTitle: 'Strong model',
        sort: [...a.strong_models, 'all strong models'],
        fixed: { 'all strong models': '#222' },
        yTitle,
        severalLevels: a.levels.length > 1,
        yDomain: domain,
      }),
    } as vl.TopLevelSpec,
  };
}

function seatEffect(a: Aggregates): ChartDef {
  const lvl = (g: SeatGroup) => g.level;
  const rows: Record<string, unknown>[] = [];
  for (const g of a.seat_effect.by_level) {
    for (const [key, label] of [
      ['strong_first_advantage', 'strong model seated first'],
      ['strong_second_advantage', 'strong model seated second'],
    ] as const) {
      const s = g.stats[key];
      if (s.mean !== null)
        rows.push({ level: lvl(g), series: label, mean: r2(s.mean), lo: r2(s.lo), hi: r2(s.hi), n: s.n });
    }
  }
  const first = a.seat_effect.by_level
    .filter((g) => g.stats.first_seat_advantage.mean !== null)
    .map((g) => ({
      level: g.level,
      mean: r2(g.stats.first_seat_advantage.mean),
      lo: r2(g.stats.first_seat_advantage.lo),
      hi: r2(g.stats.first_seat_advantage.hi),
      n: g.pairs,
    }));
  const base = {
    id: 'seat_effect',
    title: 'Seat effect',
    caption:
      "Over complete seat-swapped pairs (same preferences, seats reversed). Left: the strong model's advantage when it speaks first vs second. Right: first-seat advantage, seat 1 minus seat 2, averaged over the pair so model strength cancels. 95% bootstrap intervals over pairs.",
  };
  if (!rows.length) return { ...base, empty: 'no complete seat-swapped pair yet (each needs both runs 2k and 2k+1)' };
  const several = a.seat_effect.by_level.length > 1;
  return {
    ...base,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: base.title, subtitle: UTIL },
      hconcat: [
        {
          title: "Strong model's advantage by seat order",
          ...vsLevel(rows, {
            series: 'series',
            seriesTitle: 'Seating',
            sort: ['strong model seated first', 'strong model seated second'],
            yTitle: ADV_TITLE,
            zero: true,
            severalLevels: several,
          }),
        },
        {
          title: 'First-seat advantage',
          ...vsLevel(
            first.map((r) => ({ ...r, series: 'seat 1 − seat 2' })),
            {
              series: 'series',
              seriesTitle: 'Difference',
              sort: ['seat 1 − seat 2'],
              yTitle: 'Seat 1 − seat 2 (utility points)',
              zero: true,
              severalLevels: several,
            },
          ),
        },
      ],
      resolve: { scale: { color: 'independent' } },
    } as vl.TopLevelSpec,
  };
}

function scalingChart(a: Aggregates): ChartDef {
  const sc = a.scaling;
  const without = sc.unscored_models.length ? ` Left out (no capability score): ${sc.unscored_models.join(', ')}.` : '';
  const base = {
    id: 'scaling',
    title: 'Advantage vs capability gap',
    caption: `One point per (weak, strong, level) cell: mean advantage with its 95% bootstrap interval, against the strong model's capability score minus the weak model's. Lines: OLS fit on the cell means with its 95% confidence band; slopes in utility points per 100 score points, with 95% t-intervals.${without}`,
  };
  if (!sc.points.length) {
    return {
      ...base,
      empty: sc.scored_models.length
        ? 'no completed cell has a capability score for both models'
        : 'no model has a capability score',
    };
  }
  const panelName = (level: number | null) => (level === null ? 'All levels (pooled)' : `Level ${level}`);
  const rows: Record<string, unknown>[] = [];
  const panels: string[] = [];
  for (const f of sc.fits) {
    const name = panelName(f.level);
    const label = f.fit
      ? `${name}, ${f.cells} cells|slope ${fmt(f.fit.slope * 100)} [${fmt(f.fit.lo * 100)}, ${fmt(f.fit.hi * 100)}] per 100 pts`
      : `${name}, ${f.cells} cells|no slope: ${f.reason}`;
    panels.push(label);
    const pts = sc.points.filter((p) => f.level === null || p.level === f.level);
    for (const p of pts)
      rows.push({
        panel: label,
        kind: 'cell',
        gap: p.gap,
        mean: r2(p.mean),
        lo: r2(p.lo),
        hi: r2(p.hi),
        n: p.n,
        strong: p.strong,
        weak: p.weak,
        level: p.level,
      });
    if (f.fit) {
      const xs = pts.map((p) => p.gap);
      const x0 = Math.min(...xs),
        x1 = Math.max(...xs);
      for (let i = 0; i <= 20; i++) {
        const x = x0 + ((x1 - x0) * i) / 20;
        const b = olsBand(f.fit, x);
        rows.push({ panel: label, kind: 'fit', gap: r2(x), fit: r2(b.y), fit_lo: r2(b.lo), fit_hi: r2(b.hi) });
      }
    }
  }
  const x = {
    field: 'gap',
    type: 'quantitative',
    title: 'Capability gap (strong − weak score, points)',
    scale: { zero: false, padding: 10 },
  };
  return {
    ...base,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: base.title, subtitle: `advantage in ${UTIL}; per level and pooled` },
      data: { values: rows },
      facet: {
        field: 'panel',
        type: 'nominal',
        sort: panels,
        title: null,
        header: { labelFontSize: 11, labelLimit: 0, labelExpr: "split(datum.value, '|')" },
      },
      columns: Math.min(3, panels.length),
      spec: {
        width: 270,
        height: 190,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'fit'" }],
            mark: { type: 'area', opacity: 0.15, color: '#444' },
            encoding: { x, y: { field: 'fit_lo', type: 'quantitative' }, y2: { field: 'fit_hi' } },
          },
          {
            transform: [{ filter: "datum.kind === 'fit'" }],
            mark: { type: 'line', color: '#333', strokeWidth: 1.5 },
            encoding: { x, y: { field: 'fit', type: 'quantitative' } },
          },
          {
            transform: [{ filter: "datum.kind === 'cell'" }],
            mark: { type: 'rule', opacity: 0.5 },
            encoding: {
              x,
              y: { field: 'lo', type: 'quantitative' },
              y2: { field: 'hi' },
              color: {
                field: 'strong',
                type: 'nominal',
                sort: a.strong_models,
                title: 'Strong model',
                scale: colorScale(a.strong_models),
                legend: { symbolOpacity: 1 },
              },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'cell'" }],
            mark: { type: 'point', filled: true, size: 40, opacity: 0.9 },
            encoding: {
              x,
              y: { field: 'mean', type: 'quantitative', title: ADV_TITLE },
              color: {
                field: 'strong',
                type: 'nominal',
                sort: a.strong_models,
                title: 'Strong model',
                scale: colorScale(a.strong_models),
                legend: { symbolOpacity: 1 },
              },
              shape: { field: 'weak', type: 'nominal', sort: a.weak_models, title: 'Weak model' },
            },
          },
          { mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } },
        ],
      },
    } as vl.TopLevelSpec,
  };
}

/** All of the report's chart definitions, in page order. Pure. */
export function buildChartSpecs(a: Aggregates): ChartDef[] {
  return [
    heatmap(a),
    advantageVsLevel(a),
    scalingChart(a),
    strongVsLevel(
      a,
      'agreement_vs_level',
      'agreement_rate',
      'Agreement rate vs competition level',
      'Agreement rate (fraction of runs)',
      'Fraction of runs that ended in an agreement, per strong model (pooled over weak models) and over all strong models; 95% bootstrap intervals over runs.',
      [0, 1],
    ),
    strongVsLevel(
      a,
      'rounds_vs_level',
      'rounds_to_agreement',
      'Rounds to agreement vs competition level',
      'Rounds to agreement (runs with a deal)',
      'Round in which the agreement passed, over runs that reached one; per strong model and over all; 95% bootstrap intervals over runs.',
    ),
    seatEffect(a),
    ...(['rho', 'sigma'] as const).flatMap((name) => advantageByAxis(a, name) ?? []),
  ];
}
