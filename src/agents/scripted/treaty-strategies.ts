/**
 * The scripted negotiators in the diplomatic treaty, under the same strategy names as in
 * item allocation (so grids and the mock's strategy maps serve both games). A proposal is
 * an agreement vector of whole percentages, one per issue. Each policy is a function of
 * the observation and the agent's rng only (no memory), so a replayed conversation
 * (the mock server) yields the same moves as a live run.
 */
import { gameOf, type Rng } from '../../game/index.ts';
import type { AgentReply, Observation } from '../agent.ts';
import { CONCESSION, progress, timeTarget } from './planner.ts';
import {
  bestReceived,
  estimatedNash,
  offerAbove,
  offeredUtilities,
  ownUtility,
  receivedByRound,
  topIssues,
} from './treaty-planner.ts';

interface TreatyPolicy {
  /** own-utility floor (0..100) for proposing and accepting this round */
  target(obs: Observation): number;
  /** default: the estimated frontier agreement meeting the target */
  /** a policy that proposes on its own terms, without a concession target */
  propose?(obs: Observation, rng: Rng): number[];
  /** default: accept what meets the target */
  accept?(obs: Observation, own: number, target: number, rng: Rng): boolean;
  lines: string[];
}

const timeDependent = (c: { beta: number; floor: number }) => (obs: Observation) => timeTarget(c.beta, c.floor, obs);

const ideal = (obs: Observation) => (obs.positions ?? []).map((x) => Math.round(x));

/** nash gives up at most this fraction of its estimated Nash utility, and only near the deadline */
const NASH_SLACK = 0.15;

const POLICIES: Record<string, TreatyPolicy> = {
  boulware: {
    target: timeDependent(CONCESSION.boulware),
    lines: [
      'I know what {issues} are worth to my country and I am in no hurry to give ground.',
      'My position is firm: {issues} matter a great deal to us.',
      'We can wait for a fair text; on {issues} we stay where we are for now.',
    ],
  },
  conceder: {
    target: timeDependent(CONCESSION.conceder),
    lines: [
      'I would like us to sign quickly; even on {issues} my delegation is flexible.',
      'We care most about {issues}, but we are happy to meet you on the rest.',
      'Let us not waste rounds: tell me what you need beyond {issues} and I will try to accommodate it.',
    ],
  },
  linear: {
    target: timeDependent(CONCESSION.linear),
    lines: [
      'I will move towards you a little each round, {issues} included.',
      'We need {issues} close to our position; the rest is open.',
      'Step by step we can find a text on {issues} that works for both of us.',
    ],
  },
  'tit-for-tat': {
    // start firm, ease 2 points a round, and give back what the others have given (in own points)
    target: (obs) => {
      const got = receivedByRound(obs, obs.round);
      const conceded = got.length ? Math.max(0, Math.max(...got) - got[0]) : 0;
      return Math.max(40, Math.min(95, 95 - 2 * (obs.round - 1) - conceded));
    },
    lines: [
      'I will match whatever steps you take towards me on {issues}.',
      'Move a little on {issues} and I will move a little back.',
      'Fair is fair: your concessions will be returned in kind, starting with {issues}.',
    ],
  },
  greedy: {
    target: (obs) => (obs.round === obs.spec.maxRounds ? 65 : 90),
    propose: ideal,
    lines: [
      'The treaty should be written our way, above all on {issues}.',
      'We want {issues} exactly where we stand, and the rest too.',
      'Our text stands, {issues} and all: take it.',
    ],
  },
  nash: {
    // hold near the estimated Nash agreement, easing a little near the deadline
    target: (obs) => ownUtility(obs, estimatedNash(obs)) * (1 - NASH_SLACK * Math.pow(progress(obs), 3)),
    propose: estimatedNash,
    lines: [
      'A treaty that is good for both of us is the fastest way to a signature; {issues} are where we need it most.',
      'We care about {issues}; I expect you care about other things, so we can both do well.',
      'Let us find the text where neither side can gain without the other losing, trading {issues} against what you value.',
    ],
  },
  random: {
    target: () => 0,
    propose: (obs, rng) => gameOf(obs.spec).randomWire(obs.spec, rng) as number[],
    accept: (obs, own, target, rng) => rng.next() < 0.5,
    lines: [
      'Who knows what a good treaty on {issues} is?',
      'Maybe {issues}, maybe not.',
      'Let us see what happens to {issues}.',
    ],
  },
};

/** Every line names the issues the agent weighs most. */
function fill(line: string, obs: Observation): string {
  const issues = topIssues(obs);
  return line.replace('{issues}', issues.length ? issues.join(' and ') : 'a few issues');
}

/** One treaty turn of a science strategy. */
export function treatyAct(strategy: string, obs: Observation, rng: Rng): AgentReply {
  const p = POLICIES[strategy];
  switch (obs.phase) {
    case 'discussion':
      return { text: fill(p.lines[(obs.round + obs.seat + obs.turn) % p.lines.length], obs) };
    case 'thinking':
      return {
        text: `Round ${obs.round}: I aim for at least ${Math.round(p.target(obs))} of my 100 points; best offered so far ${bestReceived(obs)}.`,
      };
    case 'proposal': {
      const value = p.propose ? p.propose(obs, rng) : offerAbove(obs, p.target(obs));
      return { text: JSON.stringify({ agreement: value }), value };
    }
    case 'voting': {
      const t = p.target(obs);
      const value = offeredUtilities(obs).map(
        (own, k) => obs.proposals![k].from === obs.self || (p.accept ? p.accept(obs, own, t, rng) : own >= t),
      );
      return { text: JSON.stringify({ votes: value }), value };
    }
    case 'reflection':
      return { text: `No deal in round ${obs.round}. The best anyone offered me was ${bestReceived(obs)} points.` };
  }
}

/** The invalid diagnostic's treaty proposal: one rate too many, out of range. */
export function invalidAgreement(obs: Observation): AgentReply {
  const value = [...new Array<number>(obs.spec.m).fill(50), 101];
  return { text: JSON.stringify({ agreement: value }), value };
}
