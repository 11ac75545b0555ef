/**
 * Shape of the generated values per competition level (issue 13): mean value entropy
 * (bits, game/preferences.ts valueEntropy), share of one-item vectors (all 100 on one
 * item) and distinct value-vector tuples over seeds. Prints a table; asserts nothing
 * (src/game/preferences.test.ts holds the level-1.0 property).
 *
 *   node --import tsx bench/value-entropy.ts [--seeds 2000] [--n 2] [--m 5]
 *
 * Seed s draws with createRng(s), as the generator's tests do. At level 1.0 the agents'
 * vectors are identical copies, so a game counts one vector there.
 */
import { parseArgs } from 'node:util';
import { createRng, generatePreferences, valueEntropy } from '../src/game/index.ts';

const LEVELS = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 1];

export function shape(n: number, m: number, level: number, seeds: number) {
  let h = 0,
    games = 0,
    vectors = 0,
    oneItem = 0;
  const distinct = new Set<string>();
  for (let seed = 0; seed < seeds; seed++) {
    const { values } = generatePreferences(n, m, level, createRng(seed));
    const unique = new Map(values.map((v) => [JSON.stringify(v), v]));
    for (const v of unique.values()) {
      vectors++;
      h += valueEntropy(v);
      if (v.includes(100)) oneItem++;
    }
    games++;
    distinct.add(JSON.stringify(values));
  }
  return { meanEntropy: h / vectors, oneItem: oneItem / vectors, distinct: distinct.size, games };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      seeds: { type: 'string', default: '2000' },
      n: { type: 'string', default: '2' },
      m: { type: 'string', default: '5' },
    },
  });
  const seeds = Number(a.seeds),
    n = Number(a.n),
    m = Number(a.m);
  console.log(`n = ${n}, m = ${m}, ${seeds} seeds`);
  console.log('| level | mean entropy (bits) | one-item vectors | distinct draws |');
  console.log('|---|---|---|---|');
  for (const level of LEVELS) {
    const s = shape(n, m, level, seeds);
    console.log(
      `| ${level.toFixed(2)} | ${s.meanEntropy.toFixed(3)} | ${(100 * s.oneItem).toFixed(2)}% | ${s.distinct} of ${s.games} |`,
    );
  }
}
