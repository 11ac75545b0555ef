/**
 * The Game interface: what one negotiation game declares, as data and pure functions
 * (after OpenSpiel's split of game and state). The protocol (phases, repair turns, voting,
 * tally, transcript) is one and game-agnostic; it asks the game only what is here.
 * The agent-facing parts of a game (LLM text and parser, scripted strategies) live in
 * src/agents, which imports src/game and never the reverse. Pure.
 */
import type { Checked } from './allocation.ts';
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
}

/** What one seat privately knows. */
export interface PrivateView {
  values: readonly number[];
  positions?: readonly number[];
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
}

/** A game's own column in runs.csv: named by the game, empty for other games' rows. */
export interface GameColumn {
  name: string;
  kind: 'int' | 'num' | 'str' | 'bool';
  /** what it means, for the README and the report */
  doc: string;
}

/** A fairness baseline: the Nash point's utilities per seat, or null when it is undefined. */
export interface Baseline {
  utilities: number[] | null;
}

export interface Game<T = unknown, W = unknown, B extends Baseline = Baseline> {
  readonly name: GameName;
  /** e.g. "diplomatic treaty" */
  readonly title: string;
  /** the key the agreed or proposed terms carry in transcripts and results: allocation | agreement */
  readonly termsKey: 'allocation' | 'agreement';
  /** the seeded preference generator; throws InfeasibleRequestError for impossible levels */
  draw(spec: GameSpec, level: number, rng: Rng): Draw;
  /** wire form (what agents send and transcripts record) to internal terms, or the error an agent is shown */
  validate(x: unknown, spec: GameSpec): Checked<T>;
  toWire(terms: T, spec: GameSpec): W;
  /** a uniformly random legal proposal in wire form (conformance play, the random strategy) */
  randomWire(spec: GameSpec, rng: Rng): W;
  rawUtilities(draw: Draw, terms: T): number[];
  /** the fairness baseline: the Nash bargaining solution; null when too large to compute */
  baseline(draw: Draw, spec: GameSpec): B | null;
  metrics(draw: Draw, terms: T | null, baseline: B | null): OutcomeMetrics;
  /** the draw as the run_start event records it, after `seats` */
  startFields(draw: Draw, spec: GameSpec): Record<string, unknown>;
  /** the draw as a run document records it, after the seat rotation */
  drawFields(draw: Draw, spec: GameSpec): Record<string, unknown>;
  /** columns this game adds to runs.csv (values from OutcomeMetrics.extra and drawFields) */
  readonly runColumns: readonly GameColumn[];
}

export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
