/**
 * The report's plots (DESIGN §5) as Vega-Lite specs built from Aggregates: pure values, every
 * dataset inlined in its spec. A chart with nothing to show is an `empty` entry with the reason,
 * never a blank plot. Drawing them is render.ts's job.
 *
 * Chart ids (= plots/<id>.svg|png, stable for every grid shape): heatmap, advantage_vs_level,
 * scaling, agreement_vs_level, rounds_vs_level, seat_effect, and for treaty / co-funding runs
 * advantage_vs_theta_by_rho / advantage_vs_alpha_by_sigma. Past MANY_LEVELS competition levels
 * the level plots change form (lines and bands instead of per-level error bars; the scaling
 * plot shows its per-level slopes in one panel instead of one panel per level), keeping their ids.
 */
import type * as vl from 'vega-lite';
import type { Aggregates, Group, ScalingPoint, SeatGroup } from './aggregate.ts';
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

/**
 * Above this many competition levels the per-level views stop reading: the scaling plot's
 * panels (one per level, 3 a row) pass 5 rows, and per-level error bars crowd (a 250 px panel
 * gives 13 levels under 20 px each, shared by up to 10 series). The presets have 10 levels,
 * so their plots keep the per-level form.
 */
export const MANY_LEVELS = 12;
/**
 * Above this many (weak, strong, level) cells the per-cell marks (a point and an error bar each,
 * drawn twice in the scaling plot) pass ~200 KB of SVG and overlap: the advantage and scaling
 * plots take their compact form whatever the number of levels. The seed grid has 300 cells.
 */
export const MANY_CELLS = 600;
/** Above this many cells the pooled scaling scatter shows each pair's mean per level bin instead of every cell. */
export const MAX_SCATTER_CELLS = 4000;

const UTIL = 'utility points (of 100, discounted)';
// a constant mark gets its own one-row data, else it is drawn once per data row (3,000 dashed lines at 100 levels)
const ONE_ROW = { values: [{}] };
const ZERO_RULE = {
  data: ONE_ROW,
  mark: { type: 'rule', color: '#555', strokeDash: [4, 3] },
  encoding: { y: { datum: 0 } },
};
const ADV_TITLE = 'Advantage (utility points)';
const LEVEL_AXIS = { title: 'Competition level', format: '.1f' };

// tableau10, then more hues, so a legend of up to 20 models never repeats a colour
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
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#c5b0d5',
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

/** Capability score per model, as the scaling analysis used it (models without a score are absent). */
function capabilityOf(a: Aggregates): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of a.scaling.points) {
    m.set(p.weak, p.weak_score);
    m.set(p.strong, p.strong_score);
  }
  return m;
}

/** `models` by capability score, lowest first; models without a score follow in their given order. */
export function byCapability(models: readonly string[], score: Map<string, number>): string[] {
  const scored = models.filter((m) => score.has(m)).sort((x, y) => score.get(x)! - score.get(y)!);
  return [...scored, ...models.filter((m) => !score.has(m))];
}

/**
 * Cell size, text and label angle of the heatmap for its larger side: a grid up to 12 models a
 * side keeps the roomy cells; more models get smaller cells, then the mean only, then colour only,
 * so the plot stays under ~1,900 px and every label stays whole and apart.
 */
function heatmapLayout(n: number) {
  if (n <= 12) return { x: 130, y: 44, font: 11, ci: true, text: true, angle: -20, axisFont: 11 };
  if (n <= 24) return { x: 70, y: 30, font: 9, ci: true, text: true, angle: -45, axisFont: 10 };
  if (n <= 40) return { x: 38, y: 20, font: 9, ci: false, text: true, angle: -60, axisFont: 10 };
  const step = Math.max(10, Math.floor(1500 / n));
  return { x: step, y: step, font: 0, ci: false, text: false, angle: -90, axisFont: Math.min(10, step - 1) };
}

function heatmap(a: Aggregates): ChartDef {
  const score = capabilityOf(a);
  const weak = byCapability(a.weak_models, score),
    strong = byCapability(a.strong_models, score);
  const lay = heatmapLayout(Math.max(weak.length, strong.length));
  const rows = statRows(a.by_pair, 'advantage').map((r) => ({
    ...r,
    label: lay.ci ? `${fmt(r.mean)}\n[${fmt(r.lo)}, ${fmt(r.hi)}]` : fmt(r.mean),
  }));
  const ordered = score.size ? ' Rows and columns in order of capability score, lowest first.' : '';
  const shown = lay.ci
    ? '95% bootstrap interval below each mean'
    : lay.text
      ? 'the cell shows the mean only (the intervals are in the by-pair table)'
      : 'colour only at this many models (the means and intervals are in the by-pair table)';
  const base = {
    id: 'heatmap',
    title: 'Mean advantage of the strong model, by pair',
    caption: `Strong model's utility minus the weak model's, per run, averaged over all ${a.levels.length} competition level(s) and seats; ${shown}. Orange: the strong model gains; blue: the weak one does.${ordered}`,
  };
  if (!rows.length) return { ...base, empty: 'no completed runs yet' };
  const maxAbs = Math.max(1, ...rows.map((r) => Math.abs(r.mean!)));
  const layer: object[] = [
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
  ];
  if (lay.text)
    layer.push({
      mark: { type: 'text', fontSize: lay.font, lineBreak: '\n', lineHeight: lay.font + 2 },
      encoding: {
        text: { field: 'label' },
        color: { condition: { test: `abs(datum.mean) > ${0.6 * maxAbs}`, value: 'white' }, value: 'black' },
      },
    });
  return {
    ...base,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: base.title, subtitle: `utility points, strong − weak${lay.ci ? '; [95% CI]' : ''}` },
      data: { values: rows },
      width: { step: lay.x },
      height: { step: lay.y },
      encoding: {
        x: {
          field: 'weak',
          type: 'nominal',
          sort: weak,
          title: 'Weak model',
          axis: { labelAngle: lay.angle, orient: 'top', labelFontSize: lay.axisFont },
        },
        y: {
          field: 'strong',
          type: 'nominal',
          sort: strong,
          title: 'Strong model',
          axis: { labelFontSize: lay.axisFont },
        },
      },
      layer,
    } as vl.TopLevelSpec,
  };
}

/** Series that get a CI band past MANY_LEVELS: all when few, else only the pinned (pooled) ones; overlapping bands of more read as one smear. */
const BANDED_SERIES = 4;

/**
 * line + CI of `metric` vs level, coloured by `series`. Up to MANY_LEVELS levels: points with
 * error bars (and a band when there are several levels). Past it: a line per series and a band
 * (see BANDED_SERIES), no points or bars, which at 100 levels were most of the bytes and ink.
 */
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
    /** more than MANY_LEVELS levels */
    many?: boolean;
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
    // lines only past MANY_LEVELS: a stroke per series (a filled circle needs a filled mark to take its colour from)
    legend: opts.many
      ? { symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 2.5 }
      : { symbolOpacity: 1, symbolType: 'circle', symbolStrokeWidth: 0 },
  };
  const y = {
    field: 'mean',
    type: 'quantitative',
    title: opts.yTitle,
    ...(opts.yDomain ? { scale: { domain: opts.yDomain } } : {}),
  };
  const layer: object[] = [];
  const band = { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color };
  if (opts.many) {
    const banded = opts.sort.length <= BANDED_SERIES ? opts.sort : Object.keys(opts.fixed ?? {});
    if (banded.length)
      layer.push({
        ...(banded.length < opts.sort.length ? { transform: [{ filter: { field: opts.series, oneOf: banded } }] } : {}),
        mark: { type: 'area', opacity: 0.14, clip: true },
        encoding: band,
      });
    // with many series, the pinned (pooled) line stands out over faded per-model lines
    const pinned = opts.sort.length > BANDED_SERIES ? Object.keys(opts.fixed ?? {}) : [];
    const test = `indexof(${JSON.stringify(pinned)}, datum[${JSON.stringify(opts.series)}]) >= 0`;
    layer.push({
      mark: { type: 'line', strokeWidth: 1.5, clip: true },
      encoding: {
        x,
        y,
        color,
        ...(pinned.length
          ? {
              opacity: { condition: { test, value: 1 }, value: 0.55 },
              strokeWidth: { condition: { test, value: 2.5 }, value: 1.2 },
            }
          : {}),
      },
    });
  } else {
    if (opts.severalLevels) layer.push({ mark: { type: 'area', opacity: 0.14, clip: true }, encoding: band });
    layer.push({ mark: { type: 'rule', strokeWidth: 1.2, opacity: 0.7, clip: true }, encoding: band });
    layer.push({
      mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 2 },
      encoding: { x, y, color },
    });
  }
  if (opts.zero) layer.push(ZERO_RULE);
  const inner = { width: opts.many ? 380 : 250, height: 210, layer };
  if (!opts.facet) return { data: { values: rows }, ...inner };
  const { field, title, sort } = opts.facet;
  // up to 4 panels in a row; more wrap, so 20 weak models do not make a 5,000 px wide strip
  if (sort.length > 4)
    return { data: { values: rows }, facet: { field, type: 'nominal', sort, title }, columns: 4, spec: inner };
  return { data: { values: rows }, facet: { column: { field, type: 'nominal', sort, title } }, spec: inner };
}

/** What the CI marks of a vsLevel plot are, for its caption. */
function ciNote(many: boolean, series: number, pooled?: string): string {
  if (!many) return 'bands and bars are 95% bootstrap intervals over runs';
  if (series <= BANDED_SERIES) return 'bands are 95% bootstrap intervals over runs';
  return pooled
    ? `the band (${pooled} only, so ${series} series stay apart) is the 95% bootstrap interval over runs`
    : `no intervals drawn for ${series} series over this many levels (they are in the tables)`;
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

/** Small multiples for many levels: one panel per (strong, weak) pair, its mean line and 95% band. */
function pairGrid(a: Aggregates, base: Pick<ChartDef, 'id' | 'title' | 'caption'>, rows: Record<string, unknown>[]) {
  const x = {
    field: 'level',
    type: 'quantitative',
    axis: { ...LEVEL_AXIS, tickCount: 5 },
    title: LEVEL_AXIS.title,
    scale: { zero: false, nice: false },
  };
  return {
    ...base,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: base.title, subtitle: `advantage, strong − weak, in ${UTIL}, per pair; mean and 95% CI` },
      // a titled panel per pair, a row per strong model: Vega places unrotated row headers badly without a canvas
      data: { values: rows.map((r) => ({ ...r, pair: `${r.strong}|vs ${r.weak}` })) },
      facet: {
        field: 'pair',
        type: 'nominal',
        sort: a.strong_models.flatMap((s) => a.weak_models.map((w) => `${s}|vs ${w}`)),
        title: null,
        header: { labelFontSize: 11, labelPadding: 4, labelExpr: "split(datum.value, '|')" },
      },
      columns: a.weak_models.length,
      spacing: { row: 8, column: 12 },
      spec: {
        width: 210,
        height: 62,
        layer: [
          {
            mark: { type: 'area', opacity: 0.25, color: '#4c78a8', clip: true },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
          },
          {
            mark: { type: 'line', strokeWidth: 1.3, color: '#1f4e79', clip: true },
            // the y title is the subtitle's: repeated per row it would overlap its neighbours
            encoding: { x, y: { field: 'mean', type: 'quantitative', title: null } },
          },
          ZERO_RULE,
        ],
      },
    } as vl.TopLevelSpec,
  };
}

/** Pairs up to which the many-level advantage plot is a grid of one small panel per pair. */
const PAIR_GRID = { weak: 5, strong: 12 };

function advantageVsLevel(a: Aggregates): ChartDef {
  const rows = statRows(a.by_cell, 'advantage');
  const many = a.levels.length > MANY_LEVELS || rows.length > MANY_CELLS;
  const id = 'advantage_vs_level',
    title = 'Advantage vs competition level';
  if (many && rows.length && a.weak_models.length <= PAIR_GRID.weak && a.strong_models.length <= PAIR_GRID.strong)
    return pairGrid(
      a,
      {
        id,
        title,
        caption: `Per run, strong utility minus weak utility, averaged per (weak, strong, level) cell over ${a.levels.length} levels; one panel per pair (a row per strong model), the line through the cell means and the band their 95% bootstrap intervals over runs. Dashed: no advantage.`,
      },
      rows,
    );
  return advantageChart(
    {
      id,
      title,
      caption: `Per run, strong utility minus weak utility, averaged per (weak, strong, level) cell; one panel per weak model, one line per strong model; ${ciNote(many, a.strong_models.length)}. Dashed: no advantage.`,
    },
    rows,
    {
      series: 'strong',
      seriesTitle: 'Strong model',
      sort: a.strong_models,
      facet: { field: 'weak', title: 'Weak model', sort: a.weak_models },
      severalLevels: a.levels.length > 1,
      many,
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
    lead: "Diplomatic treaty: per run, strong utility minus weak utility, averaged per (ρ, θ) over all model pairs; θ is the cosine similarity of the issue weights (the treaty's competition level), ρ the rank correlation of the ideal positions",
  },
  sigma: {
    id: 'advantage_vs_alpha_by_sigma',
    title: 'Co-funding: advantage vs α, per σ',
    symbol: 'σ',
    seriesTitle: 'σ (budget ÷ cost)',
    xTitle: 'α (cosine of the valuations)',
    lead: "Co-funding: per run, strong utility minus weak utility, averaged per (σ, α) over all model pairs; α is the cosine similarity of the valuations (co-funding's competition level), σ the total budget over the total cost",
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
  const sort = [...new Set(rows.map((r) => r.axis))];
  const many = a.levels.length > MANY_LEVELS;
  const ci = many ? ciNote(true, sort.length) : '95% bootstrap intervals over runs';
  const caption = `${ax.lead}; ${ci}. Dashed: no advantage.`;
  return advantageChart({ id: ax.id, title: ax.title, caption }, rows, {
    series: 'axis',
    seriesTitle: ax.seriesTitle,
    sort,
    severalLevels: a.levels.length > 1,
    many,
    xTitle: ax.xTitle,
  });
}

function strongVsLevel(
  a: Aggregates,
  id: string,
  metric: 'agreement_rate' | 'rounds_to_agreement',
  title: string,
  yTitle: string,
  lead: string,
  domain?: [number, number],
): ChartDef {
  const many = a.levels.length > MANY_LEVELS;
  const pooled = 'all strong models';
  const caption = `${lead}; ${many ? ciNote(true, a.strong_models.length + 1, pooled) : '95% bootstrap intervals over runs'}.`;
  const rows = [
    ...statRows(a.by_strong_level, metric),
    ...statRows(a.by_level, metric).map((r) => ({ ...r, strong: pooled })),
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
        sort: [...a.strong_models, pooled],
        fixed: { [pooled]: '#222' },
        yTitle,
        severalLevels: a.levels.length > 1,
        many,
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
  const many = a.seat_effect.by_level.length > MANY_LEVELS;
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
            many,
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
              many,
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
  if (sc.fits.length - 1 > MANY_LEVELS || sc.points.length > MANY_CELLS) return scalingByLevel(a, base.id, without);
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
          ZERO_RULE,
        ],
      },
    } as vl.TopLevelSpec,
  };
}

/** Up to 5 equal-width bins over the levels, each labelled with the range of the levels in it. */
export function levelBins(levels: readonly number[], max = 5): { bin: (level: number) => string; labels: string[] } {
  const lo = Math.min(...levels),
    hi = Math.max(...levels);
  const k = Math.min(max, new Set(levels).size);
  const width = (hi - lo) / k;
  const index = (l: number) => (width > 0 ? Math.min(k - 1, Math.floor((l - lo) / width + 1e-9)) : 0);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (const l of levels) members[index(l)].push(l);
  const label = (ls: number[]) => {
    const a = Math.min(...ls),
      b = Math.max(...ls);
    return a === b ? a.toFixed(2) : `${a.toFixed(2)}–${b.toFixed(2)}`;
  };
  const labels = members.map((ls) => (ls.length ? label(ls) : ''));
  return { bin: (l) => labels[index(l)], labels: labels.filter(Boolean) };
}

/** Per (weak, strong, level bin): the mean of its cell means, at the pair's gap. */
function pairBinMeans(points: readonly ScalingPoint[], bin: (level: number) => string) {
  const groups = new Map<string, { gap: number; bin: string; sum: number; n: number }>();
  for (const p of points) {
    const b = bin(p.level);
    const k = JSON.stringify([p.weak, p.strong, b]);
    const g = groups.get(k) ?? { gap: p.gap, bin: b, sum: 0, n: 0 };
    g.sum += p.mean;
    g.n++;
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => ({ gap: g.gap, mean: r2(g.sum / g.n), bin: g.bin }));
}

// ordered bins: a sequential ramp without its lightest end, so every bin shows on white
const BIN_COLOURS = ['#3b0f70', '#8c2981', '#de4968', '#f7705c', '#e8a33a'];

/**
 * The scaling plot past MANY_LEVELS levels (same id): left, the OLS slope per 100 score points at
 * each level with its 95% interval, and the pooled slope as a reference; right, every cell mean
 * against the gap pooled over levels, coloured by level bin, with the pooled fit.
 */
function scalingByLevel(a: Aggregates, id: string, without: string): ChartDef {
  const sc = a.scaling;
  const pooled = sc.fits.find((f) => f.level === null)!;
  const per = sc.fits.filter((f) => f.level !== null);
  const slopes = per
    .filter((f) => f.fit)
    .map((f) => ({
      level: f.level,
      cells: f.cells,
      slope: r2(f.fit!.slope * 100),
      lo: r2(f.fit!.lo * 100),
      hi: r2(f.fit!.hi * 100),
    }));
  const noSlope = per.length - slopes.length;
  const bins = levelBins(per.map((f) => f.level!));
  const perCell = sc.points.length <= MAX_SCATTER_CELLS;
  const cells = perCell
    ? sc.points.map((p) => ({ gap: p.gap, mean: r2(p.mean), bin: bins.bin(p.level) }))
    : pairBinMeans(sc.points, bins.bin);
  const x = {
    field: 'gap',
    type: 'quantitative',
    title: 'Capability gap (strong − weak score, points)',
    scale: { zero: false, padding: 10 },
  };
  const fitRows: Record<string, unknown>[] = [];
  if (pooled.fit) {
    const xs = sc.points.map((p) => p.gap);
    const x0 = Math.min(...xs),
      x1 = Math.max(...xs);
    for (let i = 0; i <= 20; i++) {
      const g = x0 + ((x1 - x0) * i) / 20;
      const b = olsBand(pooled.fit, g);
      fitRows.push({ gap: r2(g), fit: r2(b.y), fit_lo: r2(b.lo), fit_hi: r2(b.hi) });
    }
  }
  const pooledText = pooled.fit
    ? `pooled ${fmt(pooled.fit.slope * 100)} [${fmt(pooled.fit.lo * 100)}, ${fmt(pooled.fit.hi * 100)}] per 100 pts (dark line, grey band)`
    : `no pooled slope: ${pooled.reason}`;
  const slopePanel = {
    name: 'slopes',
    title: { text: `OLS slope at each of ${per.length} levels`, subtitle: pooledText },
    width: 440,
    height: 260,
    data: { values: slopes },
    layer: [
      ...(pooled.fit
        ? [
            {
              data: ONE_ROW,
              mark: { type: 'rect', color: '#888', opacity: 0.18 },
              encoding: { y: { datum: r2(pooled.fit.lo * 100) }, y2: { datum: r2(pooled.fit.hi * 100) } },
            },
            {
              data: ONE_ROW,
              mark: { type: 'rule', color: '#222', strokeWidth: 1.5 },
              encoding: { y: { datum: r2(pooled.fit.slope * 100) } },
            },
          ]
        : []),
      ZERO_RULE,
      {
        mark: { type: 'rule', color: '#4c78a8', opacity: 0.45 },
        encoding: {
          x: {
            field: 'level',
            type: 'quantitative',
            title: LEVEL_AXIS.title,
            axis: LEVEL_AXIS,
            scale: { zero: false, nice: false, padding: 8 },
          },
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
        },
      },
      {
        name: 'slope_points',
        mark: { type: 'point', filled: true, size: 18, color: '#1f4e79', opacity: 1 },
        encoding: {
          x: { field: 'level', type: 'quantitative' },
          // short: a title longer than the panel pushes the panel's own title up
          y: { field: 'slope', type: 'quantitative', title: 'Slope per 100 score points' },
        },
      },
    ],
  };
  const cellPanel = {
    name: 'cells',
    title: {
      text: perCell ? 'Cell means, pooled over levels' : 'Pair means per level bin',
      subtitle: perCell
        ? `${cells.length} cells; colour: level bin`
        : `${cells.length} points from ${sc.points.length} cells`,
    },
    width: 340,
    height: 260,
    layer: [
      ...(fitRows.length
        ? [
            {
              data: { values: fitRows },
              mark: { type: 'area', opacity: 0.15, color: '#444' },
              encoding: { x, y: { field: 'fit_lo', type: 'quantitative' }, y2: { field: 'fit_hi' } },
            },
            {
              data: { values: fitRows },
              mark: { type: 'line', color: '#333', strokeWidth: 1.5 },
              encoding: { x, y: { field: 'fit', type: 'quantitative' } },
            },
          ]
        : []),
      {
        name: 'cell_points',
        data: { values: cells },
        // small squares as rects: a third of a symbol's bytes, and there is one per cell
        mark: { type: 'rect', width: 4, height: 4, opacity: 0.55 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: ADV_TITLE },
          color: {
            field: 'bin',
            type: 'nominal',
            sort: bins.labels,
            title: 'Competition level',
            scale: { domain: bins.labels, range: BIN_COLOURS.slice(0, bins.labels.length) },
            legend: { symbolOpacity: 1, symbolType: 'square' },
          },
        },
      },
      ZERO_RULE,
    ],
  };
  const gaps = noSlope ? ` ${noSlope} level(s) have no slope (too few cells or gaps) and are not drawn.` : '';
  return {
    id,
    title: 'Advantage vs capability gap',
    caption: `${per.length} levels and ${sc.points.length} cells, too many for a panel per level. Left: at each level, the OLS slope of the cell-mean advantage on the capability gap (strong − weak score), in utility points per 100 score points, with its 95% t-interval; the dark line and grey band are the slope pooled over all levels and its interval. Right: ${perCell ? "every (weak, strong, level) cell's mean advantage" : `each (weak, strong) pair's mean over the cell means of the levels in a bin (more than ${MAX_SCATTER_CELLS} cells would each be a point)`} against the gap (intervals left out at this many cells), coloured by level in ${bins.labels.length} equal-width bins, with the pooled OLS fit and its 95% confidence band.${gaps}${without}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: { text: 'Advantage vs capability gap', subtitle: `advantage in ${UTIL}; slopes per level and pooled` },
      hconcat: [slopePanel, cellPanel],
      spacing: 30,
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
      'Fraction of runs that ended in an agreement, per strong model (pooled over weak models) and over all strong models',
      [0, 1],
    ),
    strongVsLevel(
      a,
      'rounds_vs_level',
      'rounds_to_agreement',
      'Rounds to agreement vs competition level',
      'Rounds to agreement (runs with a deal)',
      'Round in which the agreement passed, over runs that reached one; per strong model and over all',
    ),
    seatEffect(a),
    ...(['rho', 'sigma'] as const).flatMap((name) => advantageByAxis(a, name) ?? []),
  ];
}
