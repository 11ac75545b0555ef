/**
 * The study's headline comparison across games: for each game found in one or more results
 * directories, the stronger model's exploitation index against that game's own fairness
 * baseline (item allocation and treaty: the Nash bargaining solution; co-funding: Lindahl
 * shares), side by side with 95% intervals, and the advantage against the capability gap per
 * game. Each game's statistics are the per-grid report's (aggregate()), computed over that
 * game's runs only, so the numbers match the games' own reports.
 */
import { GAMES, type GameName } from '../game/index.ts';
import type { RunRow } from '../results/index.ts';
import { aggregate, type Aggregates, type ScalingFit } from './aggregate.ts';
import { CONFIG, MANY_CELLS, type ChartDef } from './charts.ts';
import type { Stat } from './stats.ts';

export interface GameSummary {
  game: GameName;
  title: string;
  /** the results directories this game's runs came from */
  dirs: string[];
  runs: number;
  experiments: number;
  strong_exploitation: Stat;
  weak_exploitation: Stat;
  advantage: Stat;
  /** advantage (utility points) against the capability gap, pooled over levels */
  pooled_fit: ScalingFit | null;
  aggregates: Aggregates;
}

export interface RowSet {
  dir: string;
  runs: RunRow[];
}

/** Experiment ids repeat across directories: a run is keyed by its directory too. */
function tagged(sets: readonly RowSet[]): RunRow[] {
  const offsets = new Map<string, number>();
  let next = 0;
  const out: RunRow[] = [];
  for (const s of sets) {
    if (!offsets.has(s.dir)) {
      offsets.set(s.dir, next);
      next += 1 + Math.max(-1, ...s.runs.map((r) => r.experiment_id));
    }
    const off = offsets.get(s.dir)!;
    for (const r of s.runs) out.push({ ...r, experiment_id: r.experiment_id + off });
  }
  return out;
}

export function crossGame(
  sets: readonly RowSet[],
  opts: { scores?: Record<string, number | undefined>; resamples?: number; seed?: number } = {},
): GameSummary[] {
  const byGame = new Map<GameName, RowSet[]>();
  for (const s of sets) {
    const games = new Map<GameName, RunRow[]>();
    for (const r of s.runs) {
      const g = r.game ?? 'item-allocation';
      let list = games.get(g);
      if (!list) games.set(g, (list = []));
      list.push(r);
    }
    for (const [g, runs] of games) {
      let list = byGame.get(g);
      if (!list) byGame.set(g, (list = []));
      list.push({ dir: s.dir, runs });
    }
  }
  const order = Object.keys(GAMES) as GameName[];
  return [...byGame.entries()]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([game, gs]) => {
      const a = aggregate(tagged(gs), opts);
      return {
        game,
        title: GAMES[game].title,
        dirs: gs.map((s) => s.dir),
        runs: a.runs,
        experiments: a.experiments,
        strong_exploitation: a.overall.stats.strong_exploitation,
        weak_exploitation: a.overall.stats.weak_exploitation,
        advantage: a.overall.stats.advantage,
        pooled_fit: a.scaling.fits.find((f) => f.level === null) ?? null,
        aggregates: a,
      };
    });
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const r3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

/** The two cross-game figures: exploitation against each game's baseline, and advantage vs capability gap. */
export function crossGameCharts(games: readonly GameSummary[]): ChartDef[] {
  const rows = games.flatMap((g) =>
    (
      [
        ['stronger model', g.strong_exploitation],
        ['weaker model', g.weak_exploitation],
      ] as const
    )
      .filter(([, st]) => st.mean !== null)
      .map(([side, st]) => ({ game: g.title, side, n: st.n, mean: r3(st.mean), lo: r3(st.lo), hi: r3(st.hi) })),
  );
  const titles = games.map((g) => g.title);
  const exploitation: ChartDef = {
    id: 'cross_game_exploitation',
    title: 'Exploitation index against each game’s fairness baseline',
    caption:
      "Mean exploitation index (U − U_baseline) / |U_baseline| of the stronger and the weaker model over runs with a deal, per game; the baseline is each game's own (item allocation and treaty: the Nash bargaining solution; co-funding: Lindahl shares). Bars are 95% bootstrap intervals over runs. Dashed: the baseline.",
    ...(rows.length
      ? {
          spec: {
            $schema: SCHEMA,
            config: CONFIG,
            title: { text: 'Exploitation vs each game’s baseline', subtitle: 'mean and 95% CI over runs with a deal' },
            data: { values: rows },
            width: 170 * Math.max(2, titles.length),
            height: 240,
            encoding: {
              x: { field: 'game', type: 'nominal', sort: titles, title: 'Game', axis: { labelAngle: 0 } },
              xOffset: { field: 'side', sort: ['stronger model', 'weaker model'] },
              color: { field: 'side', type: 'nominal', title: 'Side', sort: ['stronger model', 'weaker model'] },
            },
            layer: [
              {
                mark: { type: 'rule', strokeWidth: 2 },
                encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
              },
              {
                mark: { type: 'point', filled: true, size: 70 },
                encoding: { y: { field: 'mean', type: 'quantitative', title: 'Exploitation index' } },
              },
              { mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } },
            ],
          } as object,
        }
      : { empty: 'no run with a deal and a defined baseline' }),
  } as ChartDef;
  const points = games.flatMap((g) =>
    g.aggregates.scaling.points.map((p) => ({
      game: g.title,
      gap: p.gap,
      mean: r3(p.mean),
      lo: r3(p.lo),
      hi: r3(p.hi),
    })),
  );
  const gap: ChartDef = {
    id: 'cross_game_scaling',
    title: 'Advantage vs capability gap, per game',
    caption:
      'Per (weak, strong, level) cell: mean advantage (strong − weak utility, points of 100) against the capability gap (strong − weak Arena score; scripted strategies carry nominal scores), one panel per game, with the pooled least-squares line. Models without a score are left out.',
    ...(points.length
      ? {
          spec: {
            $schema: SCHEMA,
            config: CONFIG,
            title: { text: 'Advantage vs capability gap, per game' },
            data: { values: points },
            facet: { column: { field: 'game', type: 'nominal', sort: titles, title: 'Game' } },
            spec: {
              width: 230,
              height: 200,
              layer: [
                {
                  // thousands of cells (a 100-level grid): 4 px squares, a third of a symbol's SVG bytes
                  mark:
                    points.length > MANY_CELLS
                      ? { type: 'rect', width: 4, height: 4, opacity: 0.5 }
                      : { type: 'point', filled: true, opacity: 0.6 },
                  encoding: {
                    x: { field: 'gap', type: 'quantitative', title: 'Capability gap (score points)' },
                    y: { field: 'mean', type: 'quantitative', title: 'Advantage (points)' },
                  },
                },
                {
                  mark: { type: 'line', color: '#333' },
                  transform: [{ regression: 'mean', on: 'gap' }],
                  encoding: { x: { field: 'gap', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' } },
                },
              ],
            },
          } as object,
        }
      : { empty: 'no cell where both models have a capability score' }),
  } as ChartDef;
  return [exploitation, gap];
}
