/**
 * The inverse of prompts.ts: rebuilds an agent's Observation (rules, own values, phase,
 * round, the public messages/proposals/voids/tallies, own votes, the repair request) from the
 * conversation an LlmAgent sends, in every game (the treaty's own positions and weights; in
 * co-funding the own budget, the public costs, the joint proposals and the own pledge a vote shows).
 * The mock server uses it to answer in character; the round-trip test keeps writer and reader
 * in step. Only lines of the shapes prompts.ts
 * writes are read; model-written text is JSON-escaped there, so it cannot forge them.
 * Pure; imports src/game and src/protocol types only.
 */
import { makeSpec, type AllocationMap, type GameParams, type GameSpec } from '../../game/index.ts';
import {
  PHASES,
  type Observation,
  type Phase,
  type PrivateFact,
  type ProposalView,
  type PublicFact,
  type TallyView,
} from '../agent.ts';
import { TREATY_PRIVATE_HEADER } from './treaty-prompts.ts';
import { COFUNDING_PRIVATE_HEADER, OWN_PLEDGE_PREFIX, type JointView } from './cofunding-prompts.ts';

export interface PromptMessage {
  role: string;
  content: string;
}

const HEADER =
  /^=== Round (\d+) of (\d+) \| (\w+)(?: \(pass (\d+) of (\d+)\))?(?: \| correction (\d+) of (\d+))? ===$/m;

/**
 * `pledge`: co-funding, at a vote, the agent's own pledge in the joint proposal as its voting
 * turn shows it (the agent remembers it; no Observation field carries it).
 */
export type ReadResult = { ok: true; obs: Observation; pledge?: number[] } | { ok: false; error: string };

function jsonString(s: string): string | null {
  try {
    const v = JSON.parse(s);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

export interface ReadRules {
  spec: GameSpec;
  self: string;
  /** item values, or the treaty's issue weights */
  values: number[];
  /** treaty: ideal positions */
  positions?: number[];
  /** co-funding: own budget */
  budget?: number;
  /** co-funding: the public project costs */
  costs?: number[];
}

/** The rules every game states alike: rounds, discount and the round's phases. */
function commonParams(system: string): Omit<GameParams, 'game' | 'n' | 'm'> | string {
  const rounds = /lasts at most (\d+) rounds?\./.exec(system);
  const gamma = /multiplied by ([0-9.eE+-]+)\^\(r-1\)/.exec(system);
  const passes = /in seat order \((\d+) pass(?:es)? per round\)/.exec(system);
  if (!rounds || !gamma) return 'the rules do not state the number of rounds or the discount';
  return {
    maxRounds: Number(rounds[1]),
    gamma: Number(gamma[1]),
    discussionTurns: passes ? Number(passes[1]) : 0,
    privateThinking: /^\d+\. Private thinking:/m.test(system),
    reflection: /^\d+\. Reflection:/m.test(system),
  };
}

/** The private section's lines, from its header on. */
const sectionLines = (system: string, header: string): string[] => {
  const at = system.indexOf(header);
  return at < 0 ? [] : system.slice(at).split('\n');
};

export function readRules(system: string): ReadRules | string {
  const who = /^You are (Agent_\d+), one of (\d+) agents negotiating how to divide (\d+) items\./m.exec(system);
  if (!who)
    return readTreatyRules(system) ?? readCofundingRules(system) ?? 'no negotiation rules in the system message';
  const [, self, nStr, mStr] = who;
  const common = commonParams(system);
  if (typeof common === 'string') return common;
  const m = Number(mStr);
  const values = new Array<number>(m).fill(NaN);
  for (const line of sectionLines(system, 'YOUR PRIVATE VALUES')) {
    const v = /^- (\d+) .+: (\d+)$/.exec(line);
    if (v && Number(v[1]) < m) values[Number(v[1])] = Number(v[2]);
  }
  if (values.some((v) => !Number.isFinite(v))) return 'the system message does not list a value for every item';
  const spec = makeSpec({ n: Number(nStr), m, ...common });
  return { spec, self, values };
}

/** The treaty's rules (treaty-prompts.ts); its ρ is not in the prompt, so the spec says 0. Null if not a treaty. */
function readTreatyRules(system: string): ReadRules | string | null {
  const who = /^You are (Agent_\d+), one of (\d+) agents negotiating a diplomatic treaty on (\d+) issues?\./m.exec(
    system,
  );
  if (!who) return null;
  const [, self, nStr, mStr] = who;
  const common = commonParams(system);
  if (typeof common === 'string') return common;
  const m = Number(mStr);
  const values = new Array<number>(m).fill(NaN);
  const positions = new Array<number>(m).fill(NaN);
  for (const line of sectionLines(system, TREATY_PRIVATE_HEADER)) {
    const v = /^- (\d+) .+: ideal position (\d+)%, weight (\d+)$/.exec(line);
    if (v && Number(v[1]) < m) {
      positions[Number(v[1])] = Number(v[2]);
      values[Number(v[1])] = Number(v[3]);
    }
  }
  if ([...values, ...positions].some((v) => !Number.isFinite(v)))
    return 'the system message does not list a position and a weight for every issue';
  const spec = makeSpec({ game: 'treaty', n: Number(nStr), m, rho: 0, ...common });
  return { spec, self, values, positions };
}

/**
 * Co-funding's rules (cofunding-prompts.ts): projects with their public costs, own values and
 * budget. Its σ is not in the prompt, so the spec has the default. Null if not co-funding.
 */
function readCofundingRules(system: string): ReadRules | string | null {
  const who =
    /^You are (Agent_\d+), one of (\d+) agents deciding together which of (\d+) public projects? to fund from their own budgets\./m.exec(
      system,
    );
  if (!who) return null;
  const [, self, nStr, mStr] = who;
  const common = commonParams(system);
  if (typeof common === 'string') return common;
  const m = Number(mStr);
  const costs = new Array<number>(m).fill(NaN);
  const rules = system.slice(0, Math.max(0, system.indexOf(COFUNDING_PRIVATE_HEADER)));
  for (const line of rules.split('\n')) {
    const c = /^- (\d+) .+?: cost (\d+(?:\.\d+)?)(?: — .*)?$/.exec(line);
    if (c && Number(c[1]) < m) costs[Number(c[1])] = Number(c[2]);
  }
  const values = new Array<number>(m).fill(NaN);
  let budget = NaN;
  for (const line of sectionLines(system, COFUNDING_PRIVATE_HEADER)) {
    const v = /^- (\d+) .+: value (\d+(?:\.\d+)?)$/.exec(line);
    if (v && Number(v[1]) < m) values[Number(v[1])] = Number(v[2]);
    const b = /^Your budget: (\d+(?:\.\d+)?)\.$/.exec(line);
    if (b) budget = Number(b[1]);
  }
  if ([...values, ...costs, budget].some((v) => !Number.isFinite(v)))
    return 'the system message does not list a cost and a value for every project and the budget';
  const spec = makeSpec({ game: 'cofunding', n: Number(nStr), m, ...common });
  return { spec, self, values, budget, costs };
}

/** A joint proposal's projects: `Park renovation: 45 of 60 pledged, not funded; …` (the cost may be absent). */
function parseJoint(parts: string): JointView | null {
  const pledged: number[] = [];
  const funded: boolean[] = [];
  for (const part of parts.split('; ')) {
    const p = /^.+?: (\d+(?:\.\d+)?)(?: of \d+(?:\.\d+)?)? pledged, (funded|not funded)$/.exec(part);
    if (!p) return null;
    pledged.push(Number(p[1]));
    funded.push(p[2] === 'funded');
  }
  return { pledged, funded };
}

function parseTally(round: number, rest: string): PublicFact {
  const results: TallyView[] = [];
  const re = /proposal (\d+) \((Agent_\d+|all)\) (\d+) accept \/ (\d+) reject, (passed|failed)/g;
  for (let t; (t = re.exec(rest)); ) {
    results.push({
      proposal: Number(t[1]),
      from: t[2],
      accepts: Number(t[3]),
      rejects: Number(t[4]),
      passed: t[5] === 'passed',
    });
  }
  const w = /Result: proposal (\d+) wins\./.exec(rest);
  return { kind: 'tally', round, results, winner: w ? Number(w[1]) : null };
}

/** Event lines of one user message, in order. */
export function readEvents(content: string, self: string): { pub: PublicFact[]; priv: PrivateFact[] } {
  const pub: PublicFact[] = [];
  const priv: PrivateFact[] = [];
  for (const line of content.split('\n')) {
    const ev = /^\[round (\d+)\] (.*)$/.exec(line);
    if (!ev) continue;
    const round = Number(ev[1]);
    const rest = ev[2];
    let m: RegExpExecArray | null;
    if ((m = /^(Agent_\d+) said: (".*")$/.exec(rest))) {
      const text = jsonString(m[2]);
      if (text !== null) pub.push({ kind: 'message', round, from: m[1], text });
    } else if ((m = /^You said: (".*")$/.exec(rest))) {
      const text = jsonString(m[1]);
      if (text !== null) pub.push({ kind: 'message', round, from: self, text });
    } else if ((m = /^Proposal (\d+) by (Agent_\d+)(?: \(yours\))?: (\{\S*\}|\[[\d, ]*\])/.exec(rest))) {
      try {
        const head = { kind: 'proposal' as const, round, from: m[2], proposal: Number(m[1]) };
        // an allocation map (item allocation) or an agreement vector (treaty)
        if (m[3].startsWith('[')) pub.push({ ...head, agreement: JSON.parse(m[3]) as number[] });
        else pub.push({ ...head, allocation: JSON.parse(m[3]) as AllocationMap });
      } catch {
        /* not one of ours */
      }
    } else if ((m = /^Joint proposal (\d+) \(every agent's pledges added up per project\): (.*)\.$/.exec(rest))) {
      const joint = parseJoint(m[2]);
      if (joint) pub.push({ kind: 'proposal', round, proposal: Number(m[1]), from: 'all', joint });
    } else if ((m = /^(Agent_\d+)'s message was void \(no usable message\)\.$/.exec(rest))) {
      pub.push({ kind: 'message_void', round, from: m[1] });
    } else if (rest === 'Your message was void (no usable message).') {
      pub.push({ kind: 'message_void', round, from: self });
    } else if ((m = /^No valid (?:proposal|pledge) from (Agent_\d+) this round\.$/.exec(rest))) {
      pub.push({ kind: 'proposal_void', round, from: m[1] });
    } else if (rest === 'You made no valid proposal this round.' || rest === 'You made no valid pledge this round.') {
      pub.push({ kind: 'proposal_void', round, from: self });
    } else if (rest.startsWith('Votes counted: ')) {
      pub.push(parseTally(round, rest));
    } else if ((m = /^Your votes \(private\): (.*)\.$/.exec(rest))) {
      priv.push({ kind: 'vote', round, votes: m[1].split(', ').map((p) => p.endsWith('accept')) });
    } else if (rest.startsWith('Your vote was void')) {
      priv.push({ kind: 'vote', round, votes: null });
    } else if ((m = /^Your notes \((thinking|reflection)\): (".*")$/.exec(rest))) {
      const text = jsonString(m[2]);
      if (text !== null) priv.push({ kind: 'note', round, phase: m[1] as 'thinking' | 'reflection', text });
    }
  }
  return { pub, priv };
}

/**
 * The Observation behind a conversation written by prompts.ts. Own discussion messages and
 * notes that are still assistant turns are not event lines, so they are not in `public`/`private`.
 */
export function readPrompt(messages: readonly PromptMessage[]): ReadResult {
  const system = messages.find((m) => m.role === 'system' || m.role === 'developer');
  if (!system) return { ok: false, error: 'no system message' };
  const rules = readRules(system.content);
  if (typeof rules === 'string') return { ok: false, error: rules };
  const { spec, self, values, positions, budget, costs } = rules;
  const users = messages.filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  if (!last) return { ok: false, error: 'no user message' };
  const h = HEADER.exec(last.content);
  if (!h) return { ok: false, error: 'the last user message has no phase header' };
  const phase = h[3] as Phase;
  if (!PHASES.includes(phase)) return { ok: false, error: `unknown phase "${h[3]}"` };
  const round = Number(h[1]);
  const pub: PublicFact[] = [];
  const priv: PrivateFact[] = [];
  for (const u of users) {
    const e = readEvents(u.content, self);
    pub.push(...e.pub);
    priv.push(...e.priv);
  }
  const obs: Observation = {
    phase,
    round,
    turn: h[4] ? Number(h[4]) - 1 : 0,
    self,
    seat: Number(self.slice(6)) - 1,
    spec,
    values,
    ...(positions ? { positions } : {}),
    ...(budget !== undefined ? { budget } : {}),
    ...(costs ? { costs } : {}),
    public: pub,
    private: priv,
  };
  if (phase === 'voting') {
    obs.proposals = pub
      .filter((f): f is Extract<PublicFact, { kind: 'proposal' }> => f.kind === 'proposal' && f.round === round)
      .map(
        (f): ProposalView =>
          f.joint
            ? { proposal: f.proposal, from: f.from, joint: f.joint }
            : f.agreement
              ? { proposal: f.proposal, from: f.from, agreement: f.agreement }
              : { proposal: f.proposal, from: f.from, allocation: f.allocation },
      );
  }
  const pledge = phase === 'voting' ? ownPledge(last.content) : null;
  if (h[6]) {
    const prev = /^Your answer: (".*")$/m.exec(last.content);
    const err = /^Problem: (.*)$/m.exec(last.content);
    obs.repair = {
      attempt: Number(h[6]),
      maxAttempts: Number(h[7]),
      previous: prev ? (jsonString(prev[1]) ?? '') : '',
      error: err ? err[1] : '',
    };
  }
  return pledge ? { ok: true, obs, pledge } : { ok: true, obs };
}

/** The own pledge a co-funding voting turn shows: `Your pledges this round (private): [10, 0, 12.5] (…)`. */
function ownPledge(content: string): number[] | null {
  const at = content.lastIndexOf(`\n${OWN_PLEDGE_PREFIX} [`);
  if (at < 0) return null;
  const list = /^\[([^\]]*)\]/.exec(content.slice(at + OWN_PLEDGE_PREFIX.length + 2));
  if (!list) return null;
  const values = list[1].split(', ').map(Number);
  return values.every(Number.isFinite) ? values : null;
}
