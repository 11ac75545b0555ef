/**
 * An experiment's negotiations: num_runs runs in seat-rotation groups (DESIGN §2).
 * The n runs n·k … n·k+n−1 share one preference draw (values stay with the seat) and
 * seat the models in the n cyclic rotations of their order, so over a group every model
 * sits in every seat once and position and preference luck cancel out. For n = 2 the
 * rotations are the seat-swapped pair (runs 2k and 2k+1). Reversing the order instead
 * would leave the middle model in place when n is odd, so position effects would not
 * cancel. `pair_index` in results is the group's index (the draw). Builds the per-run
 * result documents (the format the grid writes). No I/O; agents come from a factory.
 */
import {
  agentId,
  createRng,
  deriveSeed,
  agreementWireOf,
  gameOf,
  InfeasibleRequestError,
  round6,
  type Draw,
  type GameSpec,
  type Baseline,
} from '../game/index.ts';
import type { AgentFactory, ModelCallRecord } from '../agents/agent.ts';
import type { TranscriptEvent } from './events.ts';
import { runNegotiation } from './negotiation.ts';

export interface Player {
  model: string;
  role: string | null;
}

/** Model calls, tokens and dollars: per seat here, per experiment in the result document. */
export interface Spend {
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

export interface SeatResult extends Spend {
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
  /** co-funding: the seat's valuation share ÷ contribution share on the funded projects */
  free_rider_index?: number | null;
}

export interface RunDocument {
  run_index: number;
  /** index of the preference draw (the seat-rotation group; the swapped pair when n = 2) */
  pair_index: number;
  /** true when the models are not in their listed order (any rotation but the first) */
  seats_swapped: boolean;
  /** the rotation k: seat s holds players[(s + k) mod n]; written when n > 2 */
  seat_rotation?: number;
  preferences: number[][];
  /** cosine of seats 0 and 1 (the only pair when n = 2): the achieved competition level (treaty: θ) */
  cosine_similarity: number;
  /** mean over agents of each value vector's Shannon entropy in bits (game/preferences.ts); absent in older results */
  value_entropy?: number;
  /** every pair's achieved cosine, when n > 2 */
  cosine_similarities?: number[][];
  /** treaty: each seat's ideal position per issue */
  positions?: number[][];
  /** treaty: achieved Spearman rank correlation of seats 0 and 1's positions */
  rank_correlation?: number;
  consensus: boolean;
  round: number | null;
  /** item allocation: the agreed allocation (null without a deal) */
  allocation?: Record<string, number[]> | null;
  /** treaty: the agreed vector of percentages (null without a deal) */
  agreement?: number[] | null;
  /** co-funding: every seat's agreed contributions per project (null without a deal) */
  contributions?: number[][] | null;
  welfare: number;
  pareto_optimal: boolean | null;
  /** treaty: mean absolute distance (percentage points) of the agreement from the Nash agreement */
  distance_from_nash?: number | null;
  /** co-funding: the projects' costs and each seat's budget */
  costs?: number[];
  budgets?: number[];
  /** co-funding metrics (game/cofunding/metrics.ts) */
  efficiency?: number | null;
  provision_rate?: number | null;
  coordination_failures?: number | null;
  lindahl_distance?: number | null;
  tie_break: number[] | null;
  agents: SeatResult[];
}

export interface SeriesInput {
  spec: GameSpec;
  level: number;
  seed: number;
  numRuns: number;
  /** players in listed order; run r seats them rotated by r mod n (n = 2: odd runs swap them) */
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

/** Bounds and default of an experiment's number of runs (config num_runs, --runs). */
export const NUM_RUNS = { min: 1, max: 1000, default: 4 } as const;

/** Runs per preference draw: the n cyclic rotations of the seat order. */
export const rotationGroupSize = (n: number): number => n;

/** The seat rotation of a run: seat s holds players[(s + k) mod n]. */
export const seatRotation = (runIndex: number, n: number): number => runIndex % rotationGroupSize(n);

/** The preference draw (rotation group) a run belongs to. */
export const drawIndex = (runIndex: number, n: number): number => Math.floor(runIndex / rotationGroupSize(n));

export function seatPlayers(players: Player[], runIndex: number): Player[] {
  const n = players.length,
    k = seatRotation(runIndex, n);
  return players.map((_, s) => players[(s + k) % n]);
}

/** Why num_runs cannot be used with n agents, or null. n = 2 allows an odd count (the last pair is incomplete). */
export function runCountProblem(numRuns: number, n: number): string | null {
  if (n === 2 || numRuns % n === 0) return null;
  const lo = Math.floor(numRuns / n) * n,
    hi = lo + n;
  return `${numRuns} runs is not a multiple of the ${n} agents: each preference draw is played in all ${n} seat rotations; use ${lo > 0 ? `${lo} or ${hi}` : hi} runs`;
}

export function pairPreferences(spec: GameSpec, level: number, seed: number, pair: number): Draw {
  return gameOf(spec).draw(spec, level, createRng(deriveSeed(seed, 'preferences', pair)));
}

function sumCalls(calls: ModelCallRecord[], key: string): number {
  let s = 0;
  for (const c of calls) {
    const v = c[key];
    if (typeof v === 'number') s += v;
  }
  return s;
}

export async function runSeries(input: SeriesInput): Promise<RunDocument[]> {
  const { spec, level, seed, numRuns, players, factory } = input;
  if (players.length !== spec.n) throw new Error(`expected ${spec.n} players, got ${players.length}`);
  const countProblem = runCountProblem(numRuns, spec.n);
  if (countProblem) throw new InfeasibleRequestError(countProblem);
  const game = gameOf(spec);
  const docs: RunDocument[] = [];
  let draw: Draw | null = null;
  let nash: Baseline | null = null;
  for (let run = 0; run < numRuns; run++) {
    const pair = drawIndex(run, spec.n);
    const rotation = seatRotation(run, spec.n);
    if (rotation === 0) {
      draw = pairPreferences(spec, level, seed, pair);
      nash = game.baseline(draw, spec);
    }
    const seated = seatPlayers(players, run);
    const agents = seated.map((p, s) =>
      factory(p.model, { seat: s, runIndex: run, seed: deriveSeed(seed, 'agent', run, s) }),
    );
    const exec = () =>
      runNegotiation({
        spec,
        agents,
        draw: draw!,
        rng: createRng(deriveSeed(seed, 'tiebreak', run)),
        runIndex: run,
        roles: seated.map((p) => p.role),
        signal: input.signalFor?.(run),
        now: input.now,
      });
    const out = input.wrapRun ? await input.wrapRun(run, exec) : await exec();
    const metrics = game.metrics(draw!, out.terms, nash);
    const calls: ModelCallRecord[][] = seated.map(() => []);
    for (const e of out.events) {
      if (e.type === 'turn' && e.calls) calls[Number(e.agent.slice(6)) - 1].push(...e.calls);
    }
    const doc: RunDocument = {
      run_index: run,
      pair_index: pair,
      seats_swapped: rotation !== 0,
      ...(spec.n > 2 ? { seat_rotation: rotation } : {}),
      ...(game.drawFields(draw!, spec) as Pick<RunDocument, 'preferences' | 'cosine_similarity'>),
      consensus: out.consensus,
      round: out.round,
      [game.termsKey]: out.terms === null ? null : agreementWireOf(game, out.terms, spec),
      welfare: metrics.welfare,
      pareto_optimal: metrics.pareto_optimal,
      ...metrics.extra,
      tie_break: out.tieBreak,
      agents: seated.map((p, s) => ({
        seat: s,
        agent: agentId(s),
        model: p.model,
        role: p.role,
        utility: round6(out.utilities[s]),
        raw_utility: out.rawUtilities[s],
        share: metrics.shares[s] === null ? null : round6(metrics.shares[s]!),
        exploitation_index: metrics.exploitation[s] === null ? null : round6(metrics.exploitation[s]!),
        nash_utility: metrics.nash_utilities ? round6(metrics.nash_utilities[s]) : null,
        repairs: out.repairs[s],
        voided: out.voided[s],
        calls: calls[s].length,
        input_tokens: sumCalls(calls[s], 'input_tokens'),
        output_tokens: sumCalls(calls[s], 'output_tokens'),
        reasoning_tokens: sumCalls(calls[s], 'reasoning_tokens'),
        cache_read_tokens: sumCalls(calls[s], 'cache_read_tokens'),
        cache_write_tokens: sumCalls(calls[s], 'cache_write_tokens'),
        cost_usd: round6(sumCalls(calls[s], 'cost_usd')),
        ...Object.fromEntries(Object.entries(metrics.seatExtra ?? {}).map(([k, v]) => [k, v[s]])),
      })),
    };
    docs.push(doc);
    await input.onRun?.(doc, out.events);
  }
  return docs;
}
