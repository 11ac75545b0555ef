/**
 * The scripted strength gradient (issue 2): mean utility of each side of a strategy
 * pairing × competition level 0.0 … 1.0, over seat-swapped pairs of seeds, with
 * agreement rate and mean agreement round. Prints a table; asserts nothing (the tests
 * in src/agents/scripted/strategies.test.ts and treaty-strategies.test.ts hold the
 * required inequalities).
 *
 *   node --import tsx bench/gradient.ts [--seeds 200] [--pairings conceder:boulware,random:nash]
 *                                       [--game treaty [--rho 0]] [--game cofunding [--sigma 0.5,1]]
 *
 * In the treaty the level is θ, the cosine of the issue weights; ρ (the rank correlation
 * of the positions) is held at --rho. In co-funding the level is α, the cosine of the
 * valuations, and the table is repeated for each budget ratio σ in --sigma (default 0.5 and 1).
 *
 * Each seed is one pair of runs (runs 0 and 1 of runSeries, seats swapped, same
 * preferences), so position and preference luck cancel within a seed.
 */
import { DEFAULT_GAME, GAME_NAMES, isGameName, makeSpec, type GameName } from '../src/game/index.ts';
import { headToHead } from '../src/agents/scripted/testing/gradient.ts';

export const DEFAULT_PAIRINGS: [string, string][] = [
  ['conceder', 'boulware'],
  ['random', 'nash'],
  ['linear', 'boulware'],
  ['tit-for-tat', 'nash'],
  ['greedy', 'nash'],
  ['conceder', 'linear'],
  ['random', 'boulware'],
];

/** The treaty adds the hardliner against the early conceder (item allocation's table is unchanged). */
export const TREATY_PAIRINGS: [string, string][] = [...DEFAULT_PAIRINGS, ['conceder', 'greedy']];

/** Co-funding: the free rider against the proportional contributor first (src/agents/scripted/cofunding-strategies.ts). */
export const COFUNDING_PAIRINGS: [string, string][] = [
  ['greedy', 'nash'],
  ['conceder', 'boulware'],
  ['random', 'nash'],
];

/** Co-funding's budget ratios σ (total budget ÷ total cost) when --sigma is not given. */
export const COFUNDING_SIGMAS = [0.5, 1];

export const LEVELS = Array.from({ length: 11 }, (_, i) => i / 10);

export interface PairingStats {
  a: string;
  b: string;
  level: number;
  seeds: number;
  meanA: number;
  meanB: number;
  agreement: number;
  meanRound: number | null;
}

export interface GameChoice {
  game: GameName;
  /** treaty only: the rank correlation of the positions */
  rho?: number;
  /** co-funding only: total budget ÷ total cost */
  sigma?: number;
}

/** Runs `seeds` seat-swapped pairs of a vs b at one level (n = 2, m = 5 items, issues or projects, T = 10, γ = 0.9). */
export async function pairingStats(
  a: string,
  b: string,
  level: number,
  seeds: number,
  baseSeed = 1000,
  choice: GameChoice = { game: 'item-allocation' },
): Promise<PairingStats> {
  const spec = makeSpec({
    n: 2,
    m: 5,
    maxRounds: 10,
    gamma: 0.9,
    game: choice.game,
    rho: choice.rho,
    sigma: choice.sigma,
  });
  return { a, b, level, seeds, ...(await headToHead(spec, a, b, level, seeds, baseSeed)) };
}

function fmt(x: number | null, d = 2): string {
  return x === null ? '-' : x.toFixed(d);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seeds = Number(get('--seeds') ?? 200);
  const game = get('--game') ?? DEFAULT_GAME;
  if (!isGameName(game)) throw new Error(`--game must be one of ${GAME_NAMES.join(', ')} (got ${game})`);
  const rho = Number(get('--rho') ?? 0);
  const sigmas = get('--sigma') ? get('--sigma')!.split(',').map(Number) : COFUNDING_SIGMAS;
  // --pairings conceder:boulware,random:nash
  const pairings = get('--pairings')
    ? get('--pairings')!
        .split(',')
        .map((p) => p.split(':') as [string, string])
    : game === 'treaty'
      ? TREATY_PAIRINGS
      : game === 'cofunding'
        ? COFUNDING_PAIRINGS
        : DEFAULT_PAIRINGS;
  const t0 = performance.now();
  // one table per σ in co-funding; one table otherwise
  const tables: GameChoice[] =
    game === 'treaty' ? [{ game, rho }] : game === 'cofunding' ? sigmas.map((sigma) => ({ game, sigma })) : [{ game }];
  for (const choice of tables) {
    console.log(
      game === 'treaty'
        ? `Scripted strength gradient, diplomatic treaty: n = 2, 5 issues, T = 10, gamma = 0.9, rho = ${rho}, ` +
            `${seeds} seeds per cell (each a seat-swapped pair of runs, ${2 * seeds} runs per cell); level = theta`
        : game === 'cofunding'
          ? `Scripted strength gradient, co-funding: n = 2, 5 projects, T = 10, gamma = 0.9, sigma = ${choice.sigma}, ` +
            `${seeds} seeds per cell (each a seat-swapped pair of runs, ${2 * seeds} runs per cell); level = alpha`
          : `Scripted strength gradient: n = 2, m = 5, T = 10, gamma = 0.9, ${seeds} seeds per cell ` +
            `(each a seat-swapped pair of runs, ${2 * seeds} runs per cell)`,
    );
    console.log('Columns: mean utility of A, mean utility of B, B - A, agreement rate, mean agreement round\n');
    for (const [a, b] of pairings) {
      console.log(`${a} (A) vs ${b} (B)`);
      console.log('  level   mean A   mean B    B - A   agree   round');
      for (const level of LEVELS) {
        const s = await pairingStats(a, b, level, seeds, 1000, choice);
        console.log(
          `  ${level.toFixed(1).padStart(5)}  ${fmt(s.meanA).padStart(7)}  ${fmt(s.meanB).padStart(7)}  ` +
            `${fmt(s.meanB - s.meanA).padStart(7)}  ${fmt(s.agreement * 100, 0).padStart(5)}%  ${fmt(s.meanRound).padStart(6)}`,
        );
      }
      console.log('');
    }
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
