/**
 * An experiment's negotiations: num_runs runs as seat-swapped pairs (DESIGN §2).
 * Runs 2k and 2k+1 share preferences (values stay with the seat); the models
 * swap seats, so position and preference luck cancel out. Builds the per-run
 * result documents (the format the grid writes). No I/O; agents come from a factory.
 */
import {
  agentId, createRng, deriveSeed, generatePreferences, nashBargainingSolution, runMetrics,
  toAllocationMap, type GameSpec,
} from '../game/index.ts';
import type { AgentFactory, ModelCallRecord } from './agent.ts';
import type { TranscriptEvent } from './events.ts';
import { runNegotiation } from './negotiation.ts';

export interface Player { model: string; role: string | null }

export interface SeatResult {
  seat: number;
  agent: string;
  model: string;
  role: string | null;
  utility: number;
  raw_utility: number;
  share: number | null;
  exploitation_index: number | null;
  nash_utility: number | null;
  repairs: number;
  voided: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** input tokens read from the provider's prompt cache (part of input_tokens); absent in older results (read as 0) */
  cache_read_tokens?: number;
  /** input tokens written to the prompt cache (part of input_tokens); absent in older results (read as 0) */
  cache_write_tokens?: number;
  cost_usd: number;
}

export interface RunDocument {
  run_index: number;
  pair_index: number;
  seats_swapped: boolean;
  preferences: number[][];
  /** cosine of seats 0 and 1 (the only pair when n = 2) */
  cosine_similarity: number;
  /** every pair's achieved cosine, when n > 2 */
  cosine_similarities?: number[][];
  consensus: boolean;
  round: number | null;
  allocation: Record<string, number[]> | null;
  welfare: number;
  pareto_optimal: boolean | null;
  tie_break: number[] | null;
  agents: SeatResult[];
}

export interface SeriesInput {
  spec: GameSpec;
  level: number;
  seed: number;
  numRuns: number;
  /** players in seat order for even runs; odd runs reverse them */
  players: Player[];
  factory: AgentFactory;
  /** a fresh signal per run, e.g. a per-run timeout */
  signalFor?: (runIndex: number) => AbortSignal | undefined;
  /** wraps each run's execution (e.g. to give it a timer context); signalFor is called inside */
  wrapRun?: <T>(runIndex: number, fn: () => Promise<T>) => Promise<T>;
  now?: () => number;
  /** called as each run finishes, with its document and transcript */
  onRun?: (doc: RunDocument, events: TranscriptEvent[]) => void | Promise<void>;
}

export function seatPlayers(players: Player[], runIndex: number): Player[] {
  return runIndex % 2 === 0 ? players : players.slice().reverse();
}

export function pairPreferences(spec: GameSpec, level: number, seed: number, pair: number) {
  return generatePreferences(spec.n, spec.m, level, createRng(deriveSeed(seed, 'preferences', pair)));
}

function sumCalls(calls: ModelCallRecord[], key: string): number {
  let s = 0;
  for (const c of calls) { const v = c[key]; if (typeof v === 'number') s += v; }
  return s;
}

export async function runSeries(input: SeriesInput): Promise<RunDocument[]> {
  const { spec, level, seed, numRuns, players, factory } = input;
  if (players.length !== spec.n) throw new Error(`expected ${spec.n} players, got ${players.length}`);
  const docs: RunDocument[] = [];
  let prefs: ReturnType<typeof pairPreferences> | null = null;
  let nash: ReturnType<typeof nashBargainingSolution> = null;
  for (let run = 0; run < numRuns; run++) {
    const pair = Math.floor(run / 2);
    if (run % 2 === 0) {
      prefs = pairPreferences(spec, level, seed, pair);
      nash = nashBargainingSolution(prefs.values);
    }
    const { values, cosine } = prefs!;
    const seated = seatPlayers(players, run);
    const agents = seated.map((p, s) => factory(p.model, { seat: s, runIndex: run, seed: deriveSeed(seed, 'agent', run, s) }));
    const exec = () => runNegotiation({
      spec, agents, values, cosine: cosine[0][1], rng: createRng(deriveSeed(seed, 'tiebreak', run)),
      runIndex: run, roles: seated.map((p) => p.role), signal: input.signalFor?.(run), now: input.now,
    });
    const out = input.wrapRun ? await input.wrapRun(run, exec) : await exec();
    const metrics = runMetrics(values, out.owners, nash);
    const calls: ModelCallRecord[][] = seated.map(() => []);
    for (const e of out.events) {
      if (e.type === 'turn' && e.calls) calls[Number(e.agent.slice(6)) - 1].push(...e.calls);
    }
    const doc: RunDocument = {
      run_index: run, pair_index: pair, seats_swapped: run % 2 === 1,
      preferences: values, cosine_similarity: round6(cosine[0][1]),
      ...(spec.n > 2 ? { cosine_similarities: cosine.map((row) => row.map(round6)) } : {}),
      consensus: out.consensus, round: out.round,
      allocation: out.owners ? toAllocationMap(out.owners, spec.n) : null,
      welfare: metrics.welfare, pareto_optimal: metrics.pareto_optimal, tie_break: out.tieBreak,
      agents: seated.map((p, s) => ({
        seat: s, agent: agentId(s), model: p.model, role: p.role,
        utility: round6(out.utilities[s]), raw_utility: out.rawUtilities[s],
        share: metrics.shares[s] === null ? null : round6(metrics.shares[s]!),
        exploitation_index: metrics.exploitation[s] === null ? null : round6(metrics.exploitation[s]!),
        nash_utility: metrics.nash_utilities ? round6(metrics.nash_utilities[s]) : null,
        repairs: out.repairs[s], voided: out.voided[s],
        calls: calls[s].length,
        input_tokens: sumCalls(calls[s], 'input_tokens'),
        output_tokens: sumCalls(calls[s], 'output_tokens'),
        reasoning_tokens: sumCalls(calls[s], 'reasoning_tokens'),
        cache_read_tokens: sumCalls(calls[s], 'cache_read_tokens'),
        cache_write_tokens: sumCalls(calls[s], 'cache_write_tokens'),
        cost_usd: round6(sumCalls(calls[s], 'cost_usd')),
      })),
    };
    docs.push(doc);
    await input.onRun?.(doc, out.events);
  }
  return docs;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
