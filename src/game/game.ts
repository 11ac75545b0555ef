/**
 * The Game interface: what one negotiation game declares, as data and pure functions
 * (after OpenSpiel's split of game and state). The protocol (phases, repair turns, voting,
 * tally, transcript) is one and game-agnostic; it asks the game only what is here.
 * The agent-facing parts of a game (LLM text and parser, scripted strategies) live in
 * src/agents, which imports src/game and never the reverse. Pure.
 */
import type { Checked } from './allocation.ts';
import { meanValueEntropy } from './preferences.ts';
import type { Rng } from './rng.ts';
import type { GameName, GameSpec } from './spec.ts';

export type { GameName };

/**
 * One preference draw, shared by the runs of a seat-rotation group (values stay with the seat).
 * `values[seat]` are what each agent privately weighs, non-negative integers summing to 100:
 * item values (item allocation) or issue weights (treaty). Their pairwise cosine is the
 * game's competition level, so the level axis means one thing across games.
 */
export interface Draw {
  values: number[][];
  /** achieved pairwise cosine of the value vectors */
  cosine: number[][];
  /** treaty: each seat's ideal position per issue, whole percentages */
  positions?: number[][];
  /** treaty: achieved Spearman rank correlation of the positions, per pair */
  rankCorrelation?: number[][];
  /** co-funding: each seat's total budget for the game */
  budgets?: number[];
  /** co-funding: each project's cost (known to every agent) */
  costs?: number[];
}

/** What one seat knows of a draw: its own values (and positions, budget) and what is public (costs). */
export interface PrivateView {
  values: readonly number[];
  positions?: readonly number[];
  budget?: number;
  costs?: readonly number[];
}

export function privateView(draw: Draw, seat: number): PrivateView {
  return {
    values: draw.values[seat],
    ...(draw.positions ? { positions: draw.positions[seat] } : {}),
    ...(draw.budgets ? { budget: draw.budgets[seat] } : {}),
    ...(draw.costs ? { costs: draw.costs } : {}),
  };
}

/** Outcome metrics over raw utilities (the discount scales everyone alike). */
export interface OutcomeMetrics {
  /** sum of raw utilities */
  welfare: number;
  /** raw utility / welfare; null without a deal */
  shares: (number | null)[];
  pareto_optimal: boolean | null;
  nash_utilities: number[] | null;
  exploitation: (number | null)[];
  /** the game's own per-run metrics, in its declared column order (none for item allocation) */
  extra: Record<string, number | boolean | null>;
  /** the game's own per-seat metrics (co-funding: the free-rider index), by column name */
  seatExtra?: Record<string, (number | null)[]>;
}

/** A game's own column in runs.csv: named by the game, empty for other games' rows. */
export interface GameColumn {
  name: string;
  kind: 'int' | 'num' | 'str' | 'bool';
  /** what it means, for the README and the report */
  doc: string;
  /** a value per seat (in the seat's row) rather than per run; default per run */
  perSeat?: boolean;
}

/** A fairness baseline: the Nash point's utilities per seat, or null when it is undefined. */
export interface Baseline {
  utilities: number[] | null;
}

/**
 * T: one agent's proposal (internal form), W: its wire form, B: the baseline, A: what an
 * accepted vote agrees on — one agent's proposal (A = T), or for a joint game all of them.
 */
export interface Game<T = unknown, W = unknown, B extends Baseline = Baseline, A = T> {
  readonly name: GameName;
  /** e.g. "diplomatic treaty" */
  readonly title: string;
  /** the key the agreed or proposed terms carry in transcripts and results */
  readonly termsKey: 'allocation' | 'agreement' | 'contributions';
  /**
   * How the round's proposals become what is voted on: 'each' puts every valid proposal to
   * the vote (most accepts wins); 'joint' combines every agent's proposal into one joint
   * proposal (there is none when an agent has no valid proposal that round).
   */
  readonly ballot: 'each' | 'joint';
  /** the seeded preference generator; throws InfeasibleRequestError for impossible levels */
  draw(spec: GameSpec, level: number, rng: Rng): Draw;
  /** wire form (what agents send and transcripts record) to internal terms, or the error the agent is shown */
  validate(x: unknown, spec: GameSpec, own?: PrivateView): Checked<T>;
  toWire(terms: T, spec: GameSpec): W;
  /** a uniformly random legal proposal in wire form (conformance play, the random strategy) */
  randomWire(spec: GameSpec, rng: Rng, own?: PrivateView): W;
  /** joint games: the joint proposal made of every seat's proposal (seat order) */
  combine?(terms: T[], spec: GameSpec): A;
  /** joint games: the joint proposal's wire form (the agreed terms in results) */
  agreementWire?(agreement: A, spec: GameSpec): unknown;
  /** joint games: what every agent is shown of a joint proposal (e.g. per project: pledged, funded) */
  jointView?(agreement: A, draw: Draw, spec: GameSpec): unknown;
  rawUtilities(draw: Draw, agreement: A): number[];
  /** the range a seat's raw utility of any agreement lies in (the conformance suite checks it) */
  utilityRange(draw: Draw, seat: number): [number, number];
  /** the fairness baseline (Nash bargaining solution, Lindahl shares); null when too large to compute */
  baseline(draw: Draw, spec: GameSpec): B | null;
  metrics(draw: Draw, agreement: A | null, baseline: B | null): OutcomeMetrics;
  /** the draw as the run_start event records it, after `seats` */
  startFields(draw: Draw, spec: GameSpec): Record<string, unknown>;
  /** the draw as a run document records it, after the seat rotation */
  drawFields(draw: Draw, spec: GameSpec): Record<string, unknown>;
  /** columns this game adds to runs.csv (values from OutcomeMetrics.extra and drawFields) */
  readonly runColumns: readonly GameColumn[];
}

export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
export const round6OrNull = (x: number | null): number | null => (x === null ? null : round6(x));

/** The fields every game's run_start records first: each seat's values (or weights, valuations) and their cosine. */
export function commonStartFields(draw: Draw): Record<string, unknown> {
  return { preferences: draw.values.map((v) => v.slice()), cosine_similarity: draw.cosine[0][1] };
}

/** The fields every game's run document records first: values, achieved cosine(s) and value entropy. */
export function commonDrawFields(draw: Draw, spec: GameSpec): Record<string, unknown> {
  return {
    preferences: draw.values,
    cosine_similarity: round6(draw.cosine[0][1]),
    value_entropy: round6(meanValueEntropy(draw.values)),
    ...(spec.n > 2 ? { cosine_similarities: draw.cosine.map((row) => row.map(round6)) } : {}),
  };
}

/** The wire form of an agreement: a joint game's own, else the agreed proposal's. */
export function agreementWireOf(game: Game, agreement: unknown, spec: GameSpec): unknown {
  return game.agreementWire ? game.agreementWire(agreement, spec) : game.toWire(agreement, spec);
}
