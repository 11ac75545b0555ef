/**
 * The LLM negotiator's conversation (DESIGN §3): a system message stating every rule of
 * §2 and the agent's own private values (never anyone else's), then one user turn per
 * agent turn carrying the public events since its last turn and the phase instruction
 * with the exact JSON answer format. Its own answers are the assistant turns.
 * What differs between games (the rules, a proposal's terms, the proposal format) is each
 * game's own module (allocation-prompts.ts, treaty-prompts.ts), chosen by spec.game.
 *
 * The text is also a wire format: src/agents/llm/prompt-reader.ts (the mock server)
 * rebuilds the Observation from it, so the line shapes below are a contract.
 * Event lines start with "[round k] "; model-written text is always JSON-escaped into
 * one line so it can never forge an event line or a phase header.
 * Pure; imports src/game and src/protocol types only.
 */
import type { GameName, GameSpec, PrivateView } from '../../game/index.ts';
import type { Observation, Phase, PrivateFact, ProposalView, PublicFact } from '../agent.ts';
import { allocationPrompts } from './allocation-prompts.ts';
import { voteFormat } from './parse.ts';
import { agentIds, discountExamples, type GamePrompts } from './prompt-parts.ts';
import { treatyPrompts } from './treaty-prompts.ts';

export { agentIds, discountExamples };

/** 2: neutral format placeholders, voids without reasons, the last round said in every phase */
export const PROMPT_VERSION = 2;

/** Each game's own text (its rules, terms and proposal format); everything else is shared. */
const GAME_PROMPTS: Readonly<Partial<Record<GameName, GamePrompts>>> = {
  'item-allocation': allocationPrompts,
  treaty: treatyPrompts,
};

const promptsOf = (spec: Pick<GameSpec, 'game'>): GamePrompts => {
  const p = GAME_PROMPTS[spec.game];
  if (!p) throw new Error(`no LLM prompts for the ${spec.game} game yet`);
  return p;
};

/**
 * The system message: rules, identity and own private preferences (item values; for the
 * treaty, issue weights and ideal positions).
 */
export function systemPrompt(
  spec: GameSpec,
  self: string,
  values: readonly number[],
  positions?: readonly number[],
): string {
  const own: PrivateView = positions ? { values, positions } : { values };
  return promptsOf(spec).systemPrompt(spec, self, own);
}

// ---------- event lines ----------

export const q = (text: string): string => JSON.stringify(text);

export function proposalLine(spec: GameSpec, p: ProposalView, self: string): string {
  return `Proposal ${p.proposal} by ${p.from}${p.from === self ? ' (yours)' : ''}: ${promptsOf(spec).termsText(spec, p)}`;
}

/** One fact as an event line; null for facts the conversation already shows (own messages). */
export function publicFactLine(spec: GameSpec, f: PublicFact, self: string, excerpt?: number): string | null {
  switch (f.kind) {
    case 'message':
      if (f.from === self)
        return excerpt === undefined ? null : `[round ${f.round}] You said: ${q(cut(f.text, excerpt))}`;
      return `[round ${f.round}] ${f.from} said: ${q(excerpt === undefined ? f.text : cut(f.text, excerpt))}`;
    case 'message_void':
      return `[round ${f.round}] ${f.from === self ? 'Your' : `${f.from}'s`} message was void (no usable message).`;
    case 'proposal':
      return `[round ${f.round}] ${proposalLine(spec, f, self)}`;
    case 'proposal_void':
      return f.from === self
        ? `[round ${f.round}] You made no valid proposal this round.`
        : `[round ${f.round}] No valid proposal from ${f.from} this round.`;
    case 'tally': {
      if (f.results.length === 0)
        return `[round ${f.round}] Votes counted: there were no proposals to vote on. Result: no deal this round.`;
      const parts = f.results.map(
        (t) =>
          `proposal ${t.proposal} (${t.from}) ${t.accepts} accept / ${t.rejects} reject, ${t.passed ? 'passed' : 'failed'}`,
      );
      return `[round ${f.round}] Votes counted: ${parts.join('; ')}. Result: ${f.winner === null ? 'no proposal passed.' : `proposal ${f.winner} wins.`}`;
    }
  }
}

/** Own private facts: votes (notes are the assistant's own turns, shown only in a digest). */
export function privateFactLine(f: PrivateFact, excerpt?: number): string | null {
  if (f.kind === 'vote') {
    if (f.votes === null) return `[round ${f.round}] Your vote was void (it counts as a reject of every proposal).`;
    return `[round ${f.round}] Your votes (private): ${f.votes.map((v, k) => `proposal ${k + 1} ${v ? 'accept' : 'reject'}`).join(', ')}.`;
  }
  if (excerpt === undefined) return null;
  return `[round ${f.round}] Your notes (${f.phase}): ${q(cut(f.text, excerpt))}`;
}

export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 0 ? '…' : text.slice(0, max).trimEnd() + '…';
}

// ---------- phase instructions ----------

export function phaseHeader(obs: Pick<Observation, 'phase' | 'round' | 'turn' | 'spec' | 'repair'>): string {
  const pass =
    obs.phase === 'discussion' && obs.spec.discussionTurns > 1
      ? ` (pass ${obs.turn + 1} of ${obs.spec.discussionTurns})`
      : '';
  const fix = obs.repair ? ` | correction ${obs.repair.attempt} of ${obs.repair.maxAttempts}` : '';
  return `=== Round ${obs.round} of ${obs.spec.maxRounds} | ${obs.phase}${pass}${fix} ===`;
}

/**
 * The answer formats: placeholders (types, not values) so that the example suggests no
 * split, no figure and no vote, and every seat reads the same text.
 */
export function proposalFormat(spec: GameSpec): string {
  return promptsOf(spec).proposalFormat(spec);
}

export function votesFormat(k: number): string {
  const parts = Array.from({ length: k }, (_, i) => voteFormat(i + 1));
  return `{"votes": [${parts.join(', ')}]}`;
}

/** Said in every phase of the last round, besides the rules' one statement of it. */
export function lastRoundText(spec: Pick<GameSpec, 'maxRounds'>): string {
  return `This is the last round (round ${spec.maxRounds}): if no proposal passes in it, every agent gets 0.`;
}

export function phaseInstruction(obs: Observation): string {
  const text = phaseTask(obs);
  return obs.round === obs.spec.maxRounds ? `${lastRoundText(obs.spec)}\n${text}` : text;
}

function phaseTask(obs: Observation): string {
  const { spec } = obs;
  switch (obs.phase) {
    case 'discussion':
      return 'It is your turn to speak in the public discussion. Every agent will see what you write. Reply with your message only, in plain text (a few sentences, no JSON).';
    case 'thinking':
      return 'Think privately about this round: what the others seem to want, what you can concede, and what you will propose. Only you will see these notes. Reply in plain text.';
    case 'proposal':
      return promptsOf(spec).proposalTask(spec);
    case 'voting': {
      const props = obs.proposals ?? [];
      return [
        `Proposals on the table in round ${obs.round}:`,
        ...props.map((p) => proposalLine(spec, p, obs.self)),
        `Vote on every proposal: accept or reject each of the ${props.length}. Reply with JSON only, in exactly this form, with "accept": true to accept or false to reject each proposal:`,
        votesFormat(props.length),
      ].join('\n');
    }
    case 'reflection':
      return `No proposal passed in round ${obs.round}. Reflect privately: what did you learn about the others' priorities, and what will you change next round? Only you will see these notes. Reply in plain text.`;
  }
}

export function repairText(obs: Observation): string {
  const r = obs.repair!;
  return ['Your previous answer could not be used.', `Your answer: ${q(r.previous)}`, `Problem: ${r.error}`].join('\n');
}

/** The user turn for one agent turn: new events since its last turn, then the phase instruction. */
export function userTurn(
  obs: Observation,
  newPublic: readonly PublicFact[],
  newPrivate: readonly PrivateFact[],
  opening = false,
): string {
  const events = [
    ...newPublic.map((f) => publicFactLine(obs.spec, f, obs.self)),
    ...newPrivate.map((f) => privateFactLine(f)),
  ].filter((l): l is string => l !== null);
  const parts: string[] = [];
  if (opening) parts.push('The negotiation begins.');
  if (events.length) parts.push(['New since your last turn:', ...events].join('\n'));
  parts.push(phaseHeader(obs));
  if (obs.repair) parts.push(repairText(obs));
  parts.push(phaseInstruction(obs));
  return parts.join('\n\n');
}

// ---------- compaction digest ----------

export interface DigestTurn {
  round: number;
  phase: Phase;
  publicFacts: readonly PublicFact[];
  privateFacts: readonly PrivateFact[];
  /** the agent's accepted output of the turn (text phases only; proposals and votes come back as facts) */
  own: string | null;
}

/**
 * A deterministic digest of condensed turns: every proposal, void, tally and own vote in
 * full; public messages and own messages/notes cut to `excerpt` characters.
 */
export function digestText(spec: GameSpec, self: string, turns: readonly DigestTurn[], excerpt: number): string {
  if (turns.length === 0) return '';
  const lines: string[] = [];
  for (const t of turns) {
    for (const f of t.publicFacts) {
      const l = publicFactLine(spec, f, self, f.kind === 'message' ? excerpt : undefined);
      if (l && !(f.kind === 'message' && f.from === self)) lines.push(l);
    }
    for (const f of t.privateFacts) {
      const l = privateFactLine(f);
      if (l) lines.push(l);
    }
    if (t.own !== null && excerpt > 0) {
      if (t.phase === 'discussion') lines.push(`[round ${t.round}] You said: ${q(cut(t.own, excerpt))}`);
      else if (t.phase === 'thinking' || t.phase === 'reflection')
        lines.push(`[round ${t.round}] Your notes (${t.phase}): ${q(cut(t.own, excerpt))}`);
    }
  }
  const first = turns[0].round,
    last = turns[turns.length - 1].round;
  const span = first === last ? `round ${first}` : `rounds ${first}-${last}`;
  return [
    `Summary of ${span} (earlier turns condensed to fit the context window; long texts are shortened):`,
    ...lines,
  ].join('\n');
}
