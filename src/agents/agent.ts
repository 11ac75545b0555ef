/**
 * The one Agent interface that scripted and LLM negotiators implement (DESIGN §3),
 * and the Observation each receives: only what that agent may see (DESIGN §2).
 * Imports only src/game.
 */
import type { AllocationMap, GameSpec } from '../game/index.ts';

/** A round's phases, in order: declared once here (the protocol runs them in this order). */
export const PHASES = ['discussion', 'thinking', 'proposal', 'voting', 'reflection'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Facts every agent sees. A void (no usable message or proposal after the repair turns)
 * says only that it was void: why is the author's own business (its repair turns showed it
 * the error, which may quote its raw answer), so nothing of another agent's raw output reaches
 * anyone through a void.
 */
export type PublicFact =
  | { kind: 'message'; round: number; from: string; text: string }
  | { kind: 'message_void'; round: number; from: string }
  | ({ kind: 'proposal'; round: number } & ProposalView)
  | { kind: 'proposal_void'; round: number; from: string }
  | { kind: 'tally'; round: number; results: TallyView[]; winner: number | null };

export interface TallyView {
  proposal: number;
  from: string;
  accepts: number;
  rejects: number;
  passed: boolean;
}

/** Facts only their owner sees. */
export type PrivateFact =
  | { kind: 'note'; round: number; phase: 'thinking' | 'reflection'; text: string }
  | { kind: 'vote'; round: number; votes: boolean[] | null };

/** A proposal under its game's terms key: an allocation (item allocation) or an agreement vector (treaty). */
export interface ProposalView {
  proposal: number;
  /** the proposer; 'all' for a joint proposal */
  from: string;
  allocation?: AllocationMap;
  agreement?: number[];
  /** co-funding: an agent's own pledge (never another's) */
  contributions?: number[];
  /** a joint proposal as every agent is shown it (co-funding: per project, pledged and funded) */
  joint?: unknown;
}

export interface RepairRequest {
  attempt: number; // 1-based repair attempt
  maxAttempts: number;
  previous: string; // the agent's own rejected text
  error: string; // the exact reason it was rejected
}

export interface Observation {
  phase: Phase;
  round: number;
  /** discussion pass (0-based) when discussion_turns > 1 */
  turn: number;
  self: string; // Agent_k
  seat: number; // 0-based
  spec: GameSpec;
  /** own values of the items (item allocation) or own issue weights (treaty) */
  values: readonly number[];
  /** treaty: own ideal position per issue */
  positions?: readonly number[];
  /** co-funding: own total budget for the game */
  budget?: number;
  /** co-funding: every project's cost (public) */
  costs?: readonly number[];
  public: readonly PublicFact[];
  private: readonly PrivateFact[];
  /** this round's proposals, in voting */
  proposals?: readonly ProposalView[];
  repair?: RepairRequest;
}

/** One LLM call as recorded in the transcript (empty for scripted agents). */
export interface ModelCallRecord {
  model: string;
  route?: string;
  [k: string]: unknown;
}

export interface AgentReply {
  /** The agent's own text (discussion line, notes, or the raw answer behind a proposal/vote). */
  text: string;
  /**
   * The structured answer for proposal (an allocation map) and voting
   * (boolean[] aligned with obs.proposals). Validated by the protocol.
   */
  value?: unknown;
  /** Set when the agent could not parse its own answer; the protocol treats it as invalid. */
  parseError?: string;
  calls?: ModelCallRecord[];
}

export interface Agent {
  /** The model name behind the seat, e.g. scripted:boulware or gpt-4o. */
  readonly model: string;
  act(obs: Observation, signal?: AbortSignal): Promise<AgentReply>;
}

export interface AgentContext {
  seat: number;
  /** seed for any randomness the agent uses (derived per run and seat) */
  seed: number;
  runIndex: number;
}

export type AgentFactory = (model: string, ctx: AgentContext) => Agent;
