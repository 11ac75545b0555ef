/**
 * The rules text every game's system prompt shares (the round's phases, the pass rule, the
 * discount, the correction budget), and what a game's own prompt text module provides
 * (GamePrompts). The games' modules (allocation-prompts.ts, treaty-prompts.ts,
 * cofunding-prompts.ts) build on these; prompts.ts dispatches on spec.game. Pure; imports src/game and agent types only.
 */
import { agentId, type GameSpec, type PrivateView } from '../../game/index.ts';
import type { Observation, ProposalView } from '../agent.ts';

/** One game's agent-facing text: what differs between games; the rest of the conversation is shared. */
export interface GamePrompts {
  /** the system message: rules, identity and the agent's own private preferences */
  systemPrompt(spec: GameSpec, self: string, own: PrivateView): string;
  /** a proposal's terms as its event line shows them, after "Proposal k by Agent_j: " */
  termsText(spec: GameSpec, p: ProposalView): string;
  /** the proposal answer format: placeholders (types, not values) */
  proposalFormat(spec: GameSpec): string;
  /** the proposal phase's task, ending with the format */
  proposalTask(spec: GameSpec): string;
  /**
   * A joint game's whole event line for a proposal, after "[round k] " (the others' lines are
   * "Proposal k by Agent_j: " + termsText); `costs` are the public costs when the game has them.
   */
  proposalLine?(spec: GameSpec, p: ProposalView, self: string, costs?: readonly number[]): string;
  /** A joint game's voting task before the votes format; `pledge` is the agent's own valid pledge of the round, if known. */
  votingTask?(obs: Observation, pledge: readonly number[] | null): string;
  /** The tally line's text when there was nothing to vote on, after "Votes counted: " (default: no proposals). */
  nothingToVote?: string;
  /** The proposal-void lines, after "[round k] " (default: "No valid proposal from …"). */
  proposalVoid?(from: string, self: string): string;
}

export function agentIds(n: number): string[] {
  return Array.from({ length: n }, (_, s) => agentId(s));
}

/** `subject`: what is voted on ("a proposal"; a joint game's "the joint proposal"). */
export function passRuleText(spec: GameSpec, subject = 'a proposal'): string {
  if (spec.n === 2) return `${subject} passes only if both agents accept it (unanimity)`;
  return `${subject} passes with at least ${spec.passThreshold} of ${spec.n} accepts (ceil(2n/3) = ${spec.passThreshold})`;
}

export function discountExamples(gamma: number): string {
  const pct = (r: number) => `${+(100 * Math.pow(gamma, r - 1)).toFixed(1)}%`;
  return `round 1 ${pct(1)}, round 2 ${pct(2)}, round 3 ${pct(3)}`;
}

/** A joint game's voting steps (one joint proposal to vote on), replacing the shared ones. */
export interface VotingSteps {
  votes: string;
  tabulation: string;
}

/**
 * "The negotiation lasts at most T rounds. Each round:" and its numbered phases, with the
 * game's proposal step (and a joint game's own voting steps).
 */
export function roundRules(spec: GameSpec, proposalStep: string, voting?: VotingSteps): string[] {
  const steps: string[] = [];
  if (spec.discussionTurns > 0) {
    steps.push(
      `Discussion: every agent speaks publicly in seat order (${spec.discussionTurns} pass${spec.discussionTurns > 1 ? 'es' : ''} per round); everyone sees everything said publicly in this and earlier rounds.`,
    );
  }
  if (spec.privateThinking) steps.push('Private thinking: you write notes that only you will see.');
  steps.push(proposalStep);
  steps.push(
    voting?.votes ?? 'Votes: every agent accepts or rejects every proposal, in one turn. Individual votes are private.',
  );
  steps.push(
    voting?.tabulation ??
      `Tabulation: ${passRuleText(spec)}. If several pass, the one with the most accepts wins; ties are broken by lot. Tallies are public. The winning proposal ends the negotiation.`,
  );
  if (spec.reflection) steps.push('Reflection: if nothing passed, you write private notes before the next round.');
  return [
    `The negotiation lasts at most ${spec.maxRounds} round${spec.maxRounds > 1 ? 's' : ''}. Each round:`,
    ...steps.map((s, k) => `${k + 1}. ${s}`),
  ];
}

/**
 * The correction budget; `unusable` says what else makes a proposal unusable in this game,
 * `after` what then happens (default: no proposal that round, or a reject of every proposal).
 */
export function correctionsRule(unusable: string, after?: string): string {
  return `An answer that cannot be used (not the requested JSON, or ${unusable}) is returned to you with the exact problem: up to 3 corrections for a proposal and 2 for a vote. ${after ?? 'After that you have no proposal that round, or your vote counts as a reject of every proposal.'}`;
}
