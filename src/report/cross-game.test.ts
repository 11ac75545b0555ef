import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRows, type RunRow } from '../results/index.ts';
import { makeSpec } from '../game/index.ts';
import { runSeries } from '../protocol/series.ts';
import { scriptedFactory } from '../agents/index.ts';
import { aggregate } from './aggregate.ts';
import { crossGame, crossGameCharts } from './cross-game.ts';

/** runs.csv rows of a small scripted grid of one game (experiment ids from 0). */
async function grid(game: 'item-allocation' | 'treaty', seed: number): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  const pairs = [
    ['scripted:conceder', 'scripted:boulware'],
    ['scripted:random', 'scripted:nash'],
  ];
  let id = 0;
  for (const [weak, strong] of pairs) {
    for (const level of [0.3, 0.8]) {
      const spec = makeSpec({ game, n: 2, m: 4, maxRounds: 6 });
      const runs = await runSeries({
        spec,
        level,
        seed: seed + id,
        numRuns: 4,
        players: [
          { model: weak, role: 'weak' },
          { model: strong, role: 'strong' },
        ],
        factory: scriptedFactory,
      });
      const config = {
        experiment_id: id++,
        weak_model: weak,
        strong_model: strong,
        competition_level: level,
        random_seed: seed,
        ...(game === 'treaty' ? { game, rho: 0 } : {}),
      };
      rows.push(...runRows(config, { runs, status: 'SUCCESS' }));
    }
  }
  return rows;
}

test('crossGame: one summary per game, each equal to the per-game report over that game’s runs alone', async () => {
  const a = await grid('item-allocation', 1);
  const b = await grid('item-allocation', 100); // a second directory whose experiment ids repeat a's
  const t = await grid('treaty', 7);
  const games = crossGame(
    [
      { dir: 'A', runs: a },
      { dir: 'T', runs: t },
      { dir: 'B', runs: b },
    ],
    { resamples: 200 },
  );
  assert.deepEqual(
    games.map((g) => [g.game, g.dirs, g.runs]),
    [
      ['item-allocation', ['A', 'B'], 32],
      ['treaty', ['T'], 16],
    ],
  );
  // repeated ids from two directories stay apart: 4 + 4 experiments, not 4
  assert.equal(games[0].experiments, 4 + 4);
  const treatyAlone = aggregate(t, { resamples: 200 });
  assert.deepEqual(games[1].strong_exploitation, treatyAlone.overall.stats.strong_exploitation);
  assert.deepEqual(games[1].advantage, treatyAlone.overall.stats.advantage);
  assert.ok(
    games.every((g) => g.strong_exploitation.mean !== null && g.strong_exploitation.lo! <= g.strong_exploitation.hi!),
  );
  const charts = crossGameCharts(games);
  assert.deepEqual(
    charts.map((c) => c.id),
    ['cross_game_exploitation', 'cross_game_scaling'],
  );
  assert.ok(charts[0].spec, 'the exploitation figure has data');
  assert.match(charts[1].empty ?? '', /no cell where both models have a capability score/);
});
