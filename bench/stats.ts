/**
 * The report's statistics at grid size (issue 17): `aggregate()` on synthetic runs.csv rows
 * (default 3 weak × 10 strong × 84 levels × 4 runs = 10,080 runs, 2,000 resamples), the live
 * implementation against the frozen reference (src/report/testing/reference-aggregate.ts) in
 * the same process. Prints CPU seconds of each (best of --repeat), their ratio, and whether
 * the two outputs are the same JSON. Target: ≥ 4× faster, same numbers. Asserts nothing.
 *
 *   node --import tsx bench/stats.ts [--levels 84] [--runs 4] [--resamples 2000] [--repeat 1] [--dir DIR]
 *
 * The rows are drawn from a seeded generator: discounted (fractional) utilities, ~25% of
 * runs without a deal (nulls in the deal-only metrics), small repair and voided counts.
 * --dir reads a results directory's runs.csv instead. With --repeat, the two alternate in
 * which goes first and the best CPU time of each is kept.
 */
import { parseArgs } from 'node:util';
import { createRng } from '../src/game/index.ts';
import { aggregate } from '../src/report/aggregate.ts';
import { readTables } from '../src/report/load.ts';
import { referenceAggregate } from '../src/report/testing/reference-aggregate.ts';
import type { RunRow } from '../src/results/index.ts';

export function syntheticRows(weak: number, strong: number, levels: number, runs: number, seed = 1): RunRow[] {
  const rng = createRng(seed);
  const rows: RunRow[] = [];
  let exp = 0;
  for (let w = 0; w < weak; w++)
    for (let s = 0; s < strong; s++)
      for (let l = 0; l < levels; l++, exp++) {
        const level = Math.round((levels === 1 ? 1 : l / (levels - 1)) * 1e6) / 1e6;
        for (let run = 0; run < runs; run++) {
          const deal = rng.next() < 0.75;
          const round = deal ? 1 + rng.int(10) : null;
          const disc = deal ? 0.95 ** (round! - 1) : 0;
          const raw = [rng.int(101), rng.int(101)];
          const welfare = raw[0] + raw[1];
          const strongSeat = run % 2;
          for (let seatNo = 0; seatNo < 2; seatNo++) {
            const role = seatNo === strongSeat ? 'strong' : 'weak';
            const u = raw[seatNo] * disc;
            rows.push({
              experiment_id: exp,
              weak_model: `weak-${w}`,
              strong_model: `strong-${s}`,
              pair: `weak-${w}_vs_strong-${s}`,
              competition_level: level,
              random_seed: 42 + exp,
              run_index: run,
              pair_index: Math.floor(run / 2),
              seats_swapped: run % 2 === 1,
              seat: seatNo,
              agent: `Agent_${seatNo + 1}`,
              model: role === 'weak' ? `weak-${w}` : `strong-${s}`,
              role,
              cosine_similarity: level,
              consensus: deal,
              round,
              utility: u,
              raw_utility: raw[seatNo],
              share: deal ? (welfare ? raw[seatNo] / welfare : 0.5) : null,
              welfare,
              exploitation_index: deal ? (u - 40) / 40 : null,
              nash_utility: 40,
              pareto_optimal: deal,
              repairs: rng.next() < 0.1 ? 1 : 0,
              voided: rng.next() < 0.05 ? 1 : 0,
              calls: 0,
              input_tokens: 0,
              output_tokens: 0,
              reasoning_tokens: 0,
              cost_usd: 0,
              status: 'SUCCESS',
              cache_read_tokens: 0,
              cache_write_tokens: 0,
              value_entropy: 1 + rng.next(),
            });
          }
        }
      }
  return rows;
}

function cpu<T>(f: () => T): { value: T; cpu: number } {
  const c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1e6 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      weak: { type: 'string', default: '3' },
      strong: { type: 'string', default: '10' },
      levels: { type: 'string', default: '84' },
      runs: { type: 'string', default: '4' },
      resamples: { type: 'string', default: '2000' },
      repeat: { type: 'string', default: '1' },
      dir: { type: 'string' },
    },
  });
  const rows = a.dir
    ? readTables(a.dir).runs
    : syntheticRows(Number(a.weak), Number(a.strong), Number(a.levels), Number(a.runs));
  const opts = { resamples: Number(a.resamples) };
  console.log(`${rows.length} runs.csv rows, ${opts.resamples} resamples`);
  let best = { live: Infinity, ref: Infinity };
  let same = true;
  for (let i = 0; i < Number(a.repeat); i++) {
    const first = i % 2 === 0;
    const ref0 = first ? null : cpu(() => referenceAggregate(rows, opts));
    const live = cpu(() => aggregate(rows, opts));
    const ref = ref0 ?? cpu(() => referenceAggregate(rows, opts));
    same &&= JSON.stringify(live.value) === JSON.stringify(ref.value);
    best = { live: Math.min(best.live, live.cpu), ref: Math.min(best.ref, ref.cpu) };
  }
  console.log(`reference aggregate(): ${best.ref.toFixed(2)} s CPU`);
  console.log(`live aggregate():      ${best.live.toFixed(2)} s CPU`);
  console.log(`speed-up: ${(best.ref / best.live).toFixed(1)}×; same output: ${same ? 'yes' : 'NO'}`);
}
