/**
 * Engine throughput (issue 2): scripted negotiations per second on one core, n = 2,
 * m = 5, T = 10, end to end through runSeries (preference generation, the Nash point,
 * every phase, the transcript events, metrics and the run document), over a mix of
 * strategy pairings and competition levels; plus the same with the transcript and
 * document serialised to JSONL/JSON as the grid writes them. Prints the figures and
 * the peak memory (RSS high-water mark and heap).
 *
 *   node --import tsx bench/engine.ts [--negotiations 20000]
 */
import { makeSpec } from '../src/game/index.ts';
import { runSeries } from '../src/protocol/series.ts';
import { scriptedFactory } from '../src/agents/index.ts';
import type { TranscriptEvent } from '../src/protocol/events.ts';

const STRATEGIES = ['random', 'conceder', 'linear', 'boulware', 'tit-for-tat', 'greedy', 'nash'];
const PAIRINGS: [string, string][] = [];
for (const a of STRATEGIES) for (const b of STRATEGIES) if (a < b) PAIRINGS.push([a, b]);
const LEVELS = Array.from({ length: 11 }, (_, i) => i / 10);
const RUNS_PER_SERIES = 4; // the default num_runs: two seat-swapped pairs

interface Totals {
  negotiations: number;
  events: number;
  bytes: number;
  agreements: number;
  rounds: number;
}

async function batch(negotiations: number, serialise: boolean, offset = 0): Promise<Totals> {
  const spec = makeSpec({ n: 2, m: 5, maxRounds: 10, gamma: 0.9 });
  const t: Totals = { negotiations: 0, events: 0, bytes: 0, agreements: 0, rounds: 0 };
  for (let k = offset; t.negotiations < negotiations; k++) {
    const [a, b] = PAIRINGS[k % PAIRINGS.length];
    const level = LEVELS[Math.floor(k / PAIRINGS.length) % LEVELS.length];
    const transcript: TranscriptEvent[] = [];
    const docs = await runSeries({
      spec,
      level,
      seed: k,
      numRuns: RUNS_PER_SERIES,
      factory: scriptedFactory,
      players: [
        { model: `scripted:${a}`, role: 'weak' },
        { model: `scripted:${b}`, role: 'strong' },
      ],
      onRun: (_doc, events) => {
        for (const e of events) transcript.push(e);
      },
    });
    t.negotiations += docs.length;
    t.events += transcript.length;
    for (const d of docs)
      if (d.consensus) {
        t.agreements++;
        t.rounds += d.round!;
      }
    if (serialise) {
      let s = '';
      for (const e of transcript) s += JSON.stringify(e) + '\n';
      t.bytes += s.length + JSON.stringify(docs, null, 2).length;
    }
  }
  return t;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const i = args.indexOf('--negotiations');
  const N = i >= 0 ? Number(args[i + 1]) : 20000;
  if (!(N >= RUNS_PER_SERIES)) throw new Error('--negotiations takes a number >= 4');

  console.log(
    `Engine benchmark: n = 2, m = 5, T = 10, gamma 0.9, ${PAIRINGS.length} scripted pairings x ${LEVELS.length} levels, ` +
      `${RUNS_PER_SERIES} seat-swapped runs per series, node ${process.version}, one thread`,
  );
  await batch(2000, true, 1_000_000); // warm-up (JIT), not measured
  let peakHeap = process.memoryUsage().heapUsed;

  for (const serialise of [false, true]) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const tot = await batch(N, serialise);
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    console.log(
      `\n${serialise ? 'with transcript + result serialised (JSONL/JSON text)' : 'runSeries, transcript events built in memory'}:`,
    );
    console.log(`  ${tot.negotiations} negotiations in ${wall.toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU`);
    console.log(
      `  ${(tot.negotiations / wall).toFixed(0)} negotiations/s (wall), ${(tot.negotiations / cpuS).toFixed(0)} per CPU-second`,
    );
    console.log(
      `  ${(tot.events / tot.negotiations).toFixed(1)} events per negotiation; agreement rate ${((100 * tot.agreements) / tot.negotiations).toFixed(1)}%, ` +
        `mean agreement round ${(tot.rounds / Math.max(1, tot.agreements)).toFixed(2)}` +
        (serialise ? `; ${(tot.bytes / tot.negotiations / 1024).toFixed(1)} KiB of text per negotiation` : ''),
    );
  }
  const mem = process.memoryUsage();
  console.log(
    `\npeak RSS (resourceUsage maxRSS) ${mb(process.resourceUsage().maxRSS * 1024)} MiB; ` +
      `RSS now ${mb(mem.rss)} MiB; heap used now ${mb(mem.heapUsed)} MiB (highest seen between batches ${mb(peakHeap)} MiB)`,
  );
}

await main();
