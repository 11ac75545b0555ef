/**
 * The transcript: an append-only, ordered list of typed events (DESIGN §2, STYLE §7).
 * `to` says who could see an event: 'all', one agent id, or 'host' (the harness only).
 * Exception: the `reason` of a void is host data; the agents are shown only that it was void.
 */
import type { AllocationMap } from '../game/index.ts';
import type { ModelCallRecord, Phase, TallyView } from '../agents/agent.ts';

export const TRANSCRIPT_VERSION = 1;

interface Base {
  v: 1;
  seq: number;
  run: number;
  round: number;
  to: string;
}

export type TranscriptEvent = Base &
  (
    | {
        type: 'run_start';
        seats: { seat: number; agent: string; model: string; role: string | null }[];
        /** each seat's values (item allocation) or issue weights (treaty) */
        preferences: number[][];
        cosine_similarity: number;
        items?: readonly string[];
        /** treaty: the issues, each seat's ideal positions and their achieved rank correlation */
        issues?: readonly string[];
        positions?: number[][];
        rank_correlation?: number;
        /** co-funding: the projects, their costs and each seat's budget */
        projects?: readonly string[];
        costs?: number[];
        budgets?: number[];
        params: { n: number; m: number; max_rounds: number; gamma: number; discussion_turns: number };
      }
    | { type: 'round_start' }
    | {
        type: 'turn';
        phase: Phase;
        agent: string;
        attempt: number;
        sees: number[];
        repair_error?: string;
        text: string;
        value?: unknown;
        valid: boolean;
        error?: string;
        calls?: ModelCallRecord[];
        ms: number;
      }
    | { type: 'message'; agent: string; text: string }
    /** no usable message after the repair turn; `reason` is host data (the agents were shown only the void) */
    | { type: 'message_void'; agent: string; reason: string }
    | { type: 'note'; agent: string; phase: 'thinking' | 'reflection'; text: string }
    /** the proposed terms under the game's key: an allocation, or a treaty's agreement vector */
    | {
        type: 'proposal';
        agent: string;
        proposal: number;
        allocation?: AllocationMap;
        agreement?: number[];
        /** co-funding: the agent's own pledge, seen by it and the host only (the others see the joint proposal) */
        contributions?: number[];
      }
    /** a joint game's one proposal of the round, as every agent is shown it */
    | { type: 'joint_proposal'; proposal: number; joint: unknown }
    /** no valid proposal after the repair turns; `reason` is host data (the agents were shown only the void) */
    | { type: 'proposal_void'; agent: string; reason: string }
    | { type: 'vote'; agent: string; votes: boolean[] | null; voided: boolean }
    | { type: 'tally'; results: TallyView[]; winner: number | null; tie_between: number[] | null }
    | {
        type: 'run_end';
        consensus: boolean;
        agreement_round: number | null;
        /** item allocation: the agreed allocation or null */
        allocation?: AllocationMap | null;
        /** treaty: the agreed vector or null */
        agreement?: number[] | null;
        /** co-funding: every seat's agreed contributions (seat order) or null */
        contributions?: number[][] | null;
        raw_utilities: number[];
        utilities: number[];
      }
  );

export type EventType = TranscriptEvent['type'];
