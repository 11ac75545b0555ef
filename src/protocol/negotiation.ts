/**
 * One negotiation of n agents over T rounds (DESIGN §2): discussion, private thinking,
 * proposals, votes, tabulation, reflection. Emits the transcript as it goes.
 * Invalid output gets repair turns, then is voided and recorded; nothing is fabricated.
 * No I/O: agents and the rng are injected. Imports src/game and ./agent, ./events only.
 */
import {
  agentId,
  agreementWireOf,
  discount,
  gameOf,
  privateView,
  tabulate,
  type Draw,
  type GameSpec,
  type Rng,
} from '../game/index.ts';
import {
  PHASES,
  type Agent,
  type AgentReply,
  type Observation,
  type Phase,
  type PrivateFact,
  type ProposalView,
  type PublicFact,
} from '../agents/agent.ts';
import type { TranscriptEvent } from './events.ts';

export const PROPOSAL_REPAIRS = 3;
export const VOTE_REPAIRS = 2;
/** A message or note the agent could not give (empty, a refusal) gets one repair turn, then is voided. */
export const TEXT_REPAIRS = 1;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<TranscriptEvent, 'v' | 'seq' | 'run'>;

export interface NegotiationInput {
  spec: GameSpec;
  agents: Agent[]; // in seat order
  /** the preference draw; tests of item allocation may give `values` and `cosine` instead */
  draw?: Draw;
  values?: number[][]; // values[seat][item]
  cosine?: number;
  rng: Rng; // tie-breaks
  runIndex: number;
  roles?: (string | null)[];
  signal?: AbortSignal;
  /** wall clock for turn durations; injected so the protocol stays deterministic in tests */
  now?: () => number;
}

export interface NegotiationOutcome {
  consensus: boolean;
  round: number | null;
  /** the agreement in the game's internal form (item allocation: owners[item] = seat; a joint game: every seat's terms) */
  terms: unknown | null;
  rawUtilities: number[];
  utilities: number[];
  repairs: number[];
  voided: number[];
  tieBreak: number[] | null;
  events: TranscriptEvent[];
}

export class AgentError extends Error {
  constructor(
    readonly agent: string,
    readonly model: string,
    readonly cause: unknown,
  ) {
    super(`${agent} (${model}) failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'AgentError';
  }
}

export async function runNegotiation(input: NegotiationInput): Promise<NegotiationOutcome> {
  const { spec, agents, rng, runIndex, signal } = input;
  const game = gameOf(spec);
  const draw: Draw = input.draw ?? {
    values: input.values ?? [],
    cosine: (input.values ?? []).map((_, i) =>
      (input.values ?? []).map((__, j) => (i === j ? 1 : (input.cosine ?? 0))),
    ),
  };
  const values = draw.values;
  const now = input.now ?? (() => 0);
  const n = spec.n;
  if (agents.length !== n || values.length !== n) throw new Error(`expected ${n} agents and value vectors`);
  const key = game.termsKey;
  const ids = agents.map((_, s) => agentId(s));
  const events: TranscriptEvent[] = [];
  const publicFacts: PublicFact[] = [];
  const privateFacts: PrivateFact[][] = ids.map(() => []);
  const cursor = ids.map(() => 0); // first event seq not yet shown to each agent
  const repairs = ids.map(() => 0);
  const voided = ids.map(() => 0);

  const emit = (e: EventInput): number => {
    const seq = events.length;
    events.push({ v: 1, seq, run: runIndex, ...e } as TranscriptEvent);
    return seq;
  };
  /** seqs of events newly visible to this seat since its last turn */
  const newlySeen = (s: number): number[] => {
    const out: number[] = [];
    for (let q = cursor[s]; q < events.length; q++) {
      const to = events[q].to;
      if (to === 'all' || to === ids[s]) out.push(q);
    }
    cursor[s] = events.length;
    return out;
  };

  emit({
    type: 'run_start',
    round: 0,
    to: 'host',
    seats: agents.map((a, s) => ({ seat: s, agent: ids[s], model: a.model, role: input.roles?.[s] ?? null })),
    ...(game.startFields(draw, spec) as { preferences: number[][]; cosine_similarity: number }),
    params: { n, m: spec.m, max_rounds: spec.maxRounds, gamma: spec.gamma, discussion_turns: spec.discussionTurns },
  });

  const observe = (s: number, phase: Phase, round: number, extra: Partial<Observation> = {}): Observation => ({
    phase,
    round,
    turn: 0,
    self: ids[s],
    seat: s,
    spec,
    ...privateView(draw, s),
    public: publicFacts,
    private: privateFacts[s],
    ...extra,
  });

  /** One agent turn with up to `maxRepairs` repair turns; returns the accepted value or null (voided). */
  async function turn<T>(
    s: number,
    phase: Phase,
    round: number,
    maxRepairs: number,
    validate: (r: AgentReply) => { ok: true; value: T } | { ok: false; error: string },
    extra: Partial<Observation> = {},
  ): Promise<{ value: T; text: string } | { value: null; text: string; error: string }> {
    let repair: Observation['repair'];
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const obs = observe(s, phase, round, { ...extra, repair });
      const sees = newlySeen(s);
      const t0 = now();
      let reply: AgentReply;
      try {
        reply = await agents[s].act(obs, signal);
      } catch (err) {
        if (signal?.aborted) throw signal.reason ?? err;
        throw new AgentError(ids[s], agents[s].model, err);
      }
      const checked =
        reply.parseError !== undefined ? { ok: false as const, error: reply.parseError } : validate(reply);
      emit({
        type: 'turn',
        round,
        to: ids[s],
        phase,
        agent: ids[s],
        attempt,
        sees,
        ...(repair ? { repair_error: repair.error } : {}),
        text: reply.text,
        ...(reply.value !== undefined ? { value: reply.value } : {}),
        valid: checked.ok,
        ...(checked.ok ? {} : { error: checked.error }),
        ...(reply.calls?.length ? { calls: reply.calls } : {}),
        ms: now() - t0,
      });
      if (checked.ok) return { value: checked.value, text: reply.text };
      if (attempt >= maxRepairs) {
        voided[s]++;
        return { value: null, text: reply.text, error: checked.error };
      }
      repairs[s]++;
      repair = { attempt: attempt + 1, maxAttempts: maxRepairs, previous: reply.text, error: checked.error };
    }
  }

  const anyText = (r: AgentReply) =>
    typeof r.text === 'string' ? { ok: true as const, value: r.text } : { ok: false as const, error: 'expected text' };

  /** A private note (thinking, reflection): one turn per seat; a void note is recorded as empty. */
  async function notes(round: number, phase: 'thinking' | 'reflection'): Promise<void> {
    for (let s = 0; s < n; s++) {
      const r = await turn(s, phase, round, TEXT_REPAIRS, anyText);
      const text = r.value ?? '';
      privateFacts[s].push({ kind: 'note', round, phase, text });
      emit({ type: 'note', round, to: ids[s], agent: ids[s], phase, text });
    }
  }

  /** This round's valid proposals (index k is proposal k + 1), set by the proposal phase. */
  let accepted: { seat: number; terms: unknown }[] = [];
  let proposals: ProposalView[] = [];
  /** a joint game's proposal of the round (every seat's terms combined), when there is one */
  let joint: unknown = null;

  /**
   * The phases of a round, one function each, run in the order PHASES declares. A phase
   * returns the outcome when the negotiation ends in it (a proposal passed), else nothing.
   */
  const phases: Record<Phase, (round: number) => Promise<NegotiationOutcome | void>> = {
    // Discussion: seat order, every agent sees all public talk so far.
    async discussion(round) {
      for (let pass = 0; pass < spec.discussionTurns; pass++) {
        for (let s = 0; s < n; s++) {
          const r = await turn(s, 'discussion', round, TEXT_REPAIRS, anyText, { turn: pass });
          if (r.value !== null) {
            publicFacts.push({ kind: 'message', round, from: ids[s], text: r.value });
            emit({ type: 'message', round, to: 'all', agent: ids[s], text: r.value });
          } else {
            // the others learn only that there was no message; the error stays host data
            publicFacts.push({ kind: 'message_void', round, from: ids[s] });
            emit({ type: 'message_void', round, to: 'all', agent: ids[s], reason: r.error });
          }
        }
      }
    },
    async thinking(round) {
      if (spec.privateThinking) await notes(round, 'thinking');
    },
    // Each agent proposes complete terms (made in turn, revealed together; a joint game
    // reveals only the joint proposal they make together).
    async proposal(round) {
      accepted = [];
      joint = null;
      const voids: { seat: number; reason: string }[] = [];
      for (let s = 0; s < n; s++) {
        const own = privateView(draw, s);
        const r = await turn(s, 'proposal', round, PROPOSAL_REPAIRS, (rep) => game.validate(rep.value, spec, own));
        if ('error' in r) voids.push({ seat: s, reason: r.error });
        else accepted.push({ seat: s, terms: r.value });
      }
      if (game.ballot === 'joint') {
        // each pledge is seen by its author and the host only
        for (const p of accepted) {
          const wire = game.toWire(p.terms, spec);
          emit({
            type: 'proposal',
            round,
            to: ids[p.seat],
            agent: ids[p.seat],
            proposal: 1,
            [key]: wire,
          } as EventInput);
        }
        proposals = [];
        if (voids.length === 0) {
          joint = game.combine!(
            accepted.map((p) => p.terms),
            spec,
          );
          const view = game.jointView!(joint, draw, spec);
          proposals = [{ proposal: 1, from: 'all', joint: view }];
          publicFacts.push({ kind: 'proposal', round, proposal: 1, from: 'all', joint: view });
          emit({ type: 'joint_proposal', round, to: 'all', proposal: 1, joint: view });
        }
      } else {
        proposals = accepted.map(
          (p, k) => ({ proposal: k + 1, from: ids[p.seat], [key]: game.toWire(p.terms, spec) }) as ProposalView,
        );
        for (const p of proposals) {
          publicFacts.push({
            kind: 'proposal',
            round,
            from: p.from,
            proposal: p.proposal,
            [key]: p[key],
          } as PublicFact);
          emit({
            type: 'proposal',
            round,
            to: 'all',
            agent: p.from,
            proposal: p.proposal,
            [key]: p[key],
          } as EventInput);
        }
      }
      for (const v of voids) {
        // The error may quote the proposer's raw answer (a refusal): the others learn only
        // that there was no proposal; the reason is kept for the host.
        const reason = `${ids[v.seat]} made no valid proposal this round (${v.reason})`;
        publicFacts.push({ kind: 'proposal_void', round, from: ids[v.seat] });
        emit({ type: 'proposal_void', round, to: 'all', agent: ids[v.seat], reason });
      }
    },
    // Each agent accepts or rejects every proposal in one turn; votes are private, tallies public.
    async voting(round) {
      if (proposals.length === 0) {
        publicFacts.push({ kind: 'tally', round, results: [], winner: null });
        emit({ type: 'tally', round, to: 'all', results: [], winner: null, tie_between: null });
        return;
      }
      const accept: boolean[][] = [];
      for (let s = 0; s < n; s++) {
        const r = await turn(s, 'voting', round, VOTE_REPAIRS, (rep) => validateVotes(rep.value, proposals.length), {
          proposals,
        });
        const votes = r.value;
        accept.push(votes ?? proposals.map(() => false)); // an invalid vote counts as reject
        privateFacts[s].push({ kind: 'vote', round, votes });
        emit({ type: 'vote', round, to: ids[s], agent: ids[s], votes, voided: votes === null });
      }
      const t = tabulate(joint !== null ? [-1] : accepted.map((p) => p.seat), accept, n, rng);
      const results = t.tallies.map((x, k) => ({
        proposal: k + 1,
        from: x.proposer < 0 ? 'all' : ids[x.proposer],
        accepts: x.accepts,
        rejects: x.rejects,
        passed: x.passed,
      }));
      const winner = t.winner;
      publicFacts.push({ kind: 'tally', round, results, winner: winner === null ? null : winner + 1 });
      emit({
        type: 'tally',
        round,
        to: 'all',
        results,
        winner: winner === null ? null : winner + 1,
        tie_between: t.tieBetween ? t.tieBetween.map((k) => k + 1) : null,
      });
      if (winner === null) return;
      const terms = joint !== null ? joint : accepted[winner].terms;
      const raw = game.rawUtilities(draw, terms);
      const utilities = raw.map((u) => discount(u, spec.gamma, round));
      emit({
        type: 'run_end',
        round,
        to: 'host',
        consensus: true,
        agreement_round: round,
        [key]: agreementWireOf(game, terms, spec),
        raw_utilities: raw,
        utilities,
      } as EventInput);
      return {
        consensus: true,
        round,
        terms,
        rawUtilities: raw,
        utilities,
        repairs,
        voided,
        tieBreak: t.tieBetween ? t.tieBetween.map((k) => k + 1) : null,
        events,
      };
    },
    // Private reflection before the next round (reached only when nothing passed).
    async reflection(round) {
      if (spec.reflection && round < spec.maxRounds) await notes(round, 'reflection');
    },
  };

  for (let round = 1; round <= spec.maxRounds; round++) {
    emit({ type: 'round_start', round, to: 'all' });
    for (const phase of PHASES) {
      const outcome = await phases[phase](round);
      if (outcome) return outcome;
    }
  }
  const zeros = ids.map(() => 0);
  emit({
    type: 'run_end',
    round: spec.maxRounds,
    to: 'host',
    consensus: false,
    agreement_round: null,
    [key]: null,
    raw_utilities: zeros,
    utilities: zeros,
  } as EventInput);
  return {
    consensus: false,
    round: null,
    terms: null,
    rawUtilities: zeros,
    utilities: zeros,
    repairs,
    voided,
    tieBreak: null,
    events,
  };
}

export function validateVotes(x: unknown, k: number): { ok: true; value: boolean[] } | { ok: false; error: string } {
  if (!Array.isArray(x)) return { ok: false, error: `expected one accept/reject vote for each of the ${k} proposals` };
  if (x.length !== k) return { ok: false, error: `expected ${k} votes (one per proposal), got ${x.length}` };
  if (!x.every((b) => typeof b === 'boolean')) return { ok: false, error: 'each vote must be accept or reject' };
  return { ok: true, value: x as boolean[] };
}
