/**
 * The scripted negotiators (DESIGN §3): offline, instant, deterministic per seed.
 * Time-dependent concession after the classic automated-negotiation agents:
 * own-utility target(t) = 1 - (1 - floor) * t^(1/beta), t = game progress in [0, 1];
 * boulware (beta < 1) concedes late, conceder (beta > 1) early, linear (beta = 1).
 * Each proposes the allocation meeting its target that leaves the others the most
 * (by an opponent model learned from their proposals) and accepts what meets its target.
 * The diplomatic treaty's and co-funding's policies, under the same names, are in
 * treaty-strategies.ts and cofunding-strategies.ts.
 */
import { createRng, type Rng } from '../../game/index.ts';
import { abortableSleep } from '../../sleep.ts';
import type { Agent, AgentContext, AgentReply, Observation } from '../agent.ts';
import {
  asMap,
  bestOfferAbove,
  bestReceived,
  candidates,
  CONCESSION,
  estimatedNash,
  offeredUtilities,
  progress,
  timeTarget,
  topItems,
  type Candidate,
} from './planner.ts';
import { invalidAgreement, treatyAct } from './treaty-strategies.ts';
import { cofundingAct, invalidContributions } from './cofunding-strategies.ts';

interface Policy {
  /** own-utility floor (0..100) for proposing and accepting this round */
  target(obs: Observation, mem: Memory): number;
  propose?(obs: Observation, cands: Candidate[], mem: Memory, rng: Rng): Candidate;
  accept?(obs: Observation, own: number, mem: Memory, rng: Rng): boolean;
  lines: string[];
}

interface Memory {
  cache: { list?: Candidate[] };
  lastReceived: number;
  target: number;
}

export interface StrategyInfo {
  name: string;
  description: string;
  nominal_score: number;
  diagnostic?: boolean;
}

const timeDependent = (c: { beta: number; floor: number }) => (obs: Observation) => timeTarget(c.beta, c.floor, obs);

const POLICIES: Record<string, Policy & StrategyInfo> = {
  boulware: {
    name: 'boulware',
    description: 'time-dependent, concedes late (beta 0.2, floor 0.5)',
    nominal_score: 1400,
    target: timeDependent(CONCESSION.boulware),
    lines: [
      'I know what these items are worth to me and I am in no hurry to give them away.',
      'My position is firm: {items} matter a great deal to me.',
      'I can wait for a fair offer; {items} stay on my side for now.',
    ],
  },
  conceder: {
    name: 'conceder',
    description: 'time-dependent, concedes early (beta 3, floor 0.3)',
    nominal_score: 1320,
    target: timeDependent(CONCESSION.conceder),
    lines: [
      'I would like us to reach a deal quickly; I am flexible.',
      'I care most about {items}, but I am happy to give ground elsewhere.',
      'Let us not waste rounds: tell me what you need and I will try to accommodate it.',
    ],
  },
  linear: {
    name: 'linear',
    description: 'time-dependent, concedes at a steady rate (beta 1, floor 0.4)',
    nominal_score: 1350,
    target: timeDependent(CONCESSION.linear),
    lines: [
      'I will move towards you a little each round.',
      'I would like {items}; the rest is open.',
      'Step by step we can find a split that works for both of us.',
    ],
  },
  'tit-for-tat': {
    name: 'tit-for-tat',
    description: 'mirrors the concessions the others make, starting firm',
    nominal_score: 1370,
    target: (obs, mem) => {
      if (obs.phase !== 'proposal' && obs.phase !== 'discussion') return mem.target;
      const got = bestReceived(obs);
      const conceded = Math.max(0, got - mem.lastReceived);
      mem.lastReceived = Math.max(mem.lastReceived, got);
      const base = obs.round === 1 ? 90 : mem.target - conceded - 2;
      mem.target = Math.max(40, Math.min(95, base));
      return mem.target;
    },
    lines: [
      'I will match whatever steps you take towards me.',
      'Give a little on {items} and I will give a little back.',
      'Fair is fair: your concessions will be returned in kind.',
    ],
  },
  greedy: {
    name: 'greedy',
    description: 'claims everything it values; accepts only large shares',
    nominal_score: 1330,
    target: (obs) => (obs.round === obs.spec.maxRounds ? 60 : 85),
    propose: (obs, cands) => cands.reduce((a, b) => (b.own > a.own ? b : a)),
    lines: [
      'Everything I value should come to me.',
      'I want {items}, and more.',
      'My offer stands: I take what I value.',
    ],
  },
  nash: {
    name: 'nash',
    description: 'opponent model from their proposals; aims at the Nash bargaining point',
    nominal_score: 1420,
    target: (obs, mem) => mem.target,
    propose: (obs, cands, mem) => {
      const c = estimatedNash(obs, cands);
      // never ask for less than the estimated Nash share, conceding a little near the deadline
      mem.target = c.own * (1 - 0.15 * Math.pow(progress(obs), 3));
      return c;
    },
    accept: (obs, own, mem) => own >= mem.target,
    lines: [
      'A split that is good for both of us is the fastest way to a deal.',
      'I value {items}; I expect you value other things, so we can both do well.',
      'Let us find the split where neither of us can gain without the other losing.',
    ],
  },
  random: {
    name: 'random',
    description: 'random proposals; accepts any proposal with probability 1/2',
    nominal_score: 1250,
    target: () => 0,
    propose: (obs, cands, mem, rng) => cands[rng.int(cands.length)],
    accept: (obs, own, mem, rng) => rng.next() < 0.5,
    lines: ['Who knows what a good deal is?', 'Maybe {items}, maybe not.', 'Let us see what happens.'],
  },
};

/** Diagnostic strategies, for testing the pipeline; never part of a science grid. */
const DIAGNOSTICS: Record<string, StrategyInfo> = {
  invalid: {
    name: 'invalid',
    description: 'diagnostic: always answers with invalid proposals and votes (exercises repair and void)',
    nominal_score: 1000,
    diagnostic: true,
  },
  crash: {
    name: 'crash',
    description: 'diagnostic: throws an error on its first proposal (exercises FAILED experiments)',
    nominal_score: 1000,
    diagnostic: true,
  },
  slow: {
    name: 'slow',
    description: 'diagnostic: linear, but each turn takes 200 ms (exercises timeouts)',
    nominal_score: 1350,
    diagnostic: true,
  },
  xss: {
    name: 'xss',
    description:
      'diagnostic: linear, but every text it writes carries HTML/script injection payloads (exercises report escaping)',
    nominal_score: 1350,
    diagnostic: true,
  },
};

/** Untrusted-text payloads the xss diagnostic writes; the report must show them literally and never run them. */
export const XSS_PAYLOADS = [
  '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">',
  '"><svg onload="window.__pwned=3"></svg><a href="javascript:window.__pwned=4">x</a>',
  '\'--></style></details></pre></textarea><iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>',
];

export const STRATEGIES: StrategyInfo[] = [
  ...Object.values(POLICIES).map(({ name, description, nominal_score }) => ({ name, description, nominal_score })),
  ...Object.values(DIAGNOSTICS),
];

export function isStrategy(name: string): boolean {
  // own names only: `in` would take constructor, toString, … as strategies
  return Object.hasOwn(POLICIES, name) || Object.hasOwn(DIAGNOSTICS, name);
}

function fill(line: string, obs: Observation): string {
  const items = topItems(obs);
  return line.replace('{items}', items.length ? items.join(' and ') : 'a few items');
}

export class ScriptedAgent implements Agent {
  readonly model: string;
  private readonly rng: Rng;
  private readonly mem: Memory = { cache: {}, lastReceived: 0, target: 100 };
  private readonly inner: ScriptedAgent | null;

  constructor(
    readonly strategy: string,
    ctx: AgentContext,
  ) {
    if (!isStrategy(strategy)) throw new Error(`unknown scripted strategy "${strategy}"`);
    this.model = `scripted:${strategy}`;
    this.rng = createRng(ctx.seed);
    this.inner = strategy === 'xss' ? new ScriptedAgent('linear', ctx) : null;
  }

  async act(obs: Observation, signal?: AbortSignal): Promise<AgentReply> {
    if (this.inner) {
      // xss: linear's moves, payload-laden text
      const r = await this.inner.act(obs, signal);
      return { ...r, text: `${r.text} ${XSS_PAYLOADS[(obs.round + obs.seat) % XSS_PAYLOADS.length]}` };
    }
    if (this.strategy === 'invalid') return this.invalid(obs);
    if (this.strategy === 'crash' && obs.phase === 'proposal') throw new Error('scripted:crash failed on purpose');
    if (this.strategy === 'slow') await abortableSleep(200, signal);
    const name = this.strategy === 'slow' || this.strategy === 'crash' ? 'linear' : this.strategy;
    if (obs.spec.game === 'treaty') return treatyAct(name, obs, this.rng);
    if (obs.spec.game === 'cofunding') return cofundingAct(name, obs, this.rng);
    const p = POLICIES[name];
    const cands = candidates(obs, this.mem.cache);
    switch (obs.phase) {
      case 'discussion':
        return { text: fill(p.lines[(obs.round + obs.seat + obs.turn) % p.lines.length], obs) };
      case 'thinking': {
        const t = p.target(obs, this.mem);
        return {
          text: `Round ${obs.round}: I aim for at least ${Math.round(t)} of my 100 points; best offered so far ${bestReceived(obs)}.`,
        };
      }
      case 'proposal': {
        const t = p.target(obs, this.mem);
        const c = p.propose ? p.propose(obs, cands, this.mem, this.rng) : bestOfferAbove(obs, cands, t);
        const value = asMap(obs, c);
        return { text: JSON.stringify({ allocation: value }), value };
      }
      case 'voting': {
        const t = p.target(obs, this.mem);
        const value = offeredUtilities(obs).map(
          (own, k) =>
            obs.proposals![k].from === obs.self || (p.accept ? p.accept(obs, own, this.mem, this.rng) : own >= t),
        );
        return { text: JSON.stringify({ votes: value }), value };
      }
      case 'reflection':
        return { text: `No deal in round ${obs.round}. The best anyone offered me was ${bestReceived(obs)} points.` };
    }
  }

  private invalid(obs: Observation): AgentReply {
    switch (obs.phase) {
      case 'proposal':
        if (obs.spec.game === 'treaty') return invalidAgreement(obs);
        if (obs.spec.game === 'cofunding') return invalidContributions(obs);
        return { text: '{"allocation": {"Agent_1": [0, 0]}}', value: { Agent_1: [0, 0] } };
      case 'voting':
        return { text: '{"votes": "maybe"}', value: 'maybe' };
      default:
        return { text: 'I have nothing to say.' };
    }
  }
}
