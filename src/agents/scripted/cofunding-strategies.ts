/**
 * The scripted negotiators in co-funding (participatory budgeting), under the same strategy
 * names as in the other games (so grids and the mock's strategy maps serve all three). Each
 * round every agent pledges a contribution vector; everyone votes on the one joint proposal
 * (per project: total pledged, funded). Most strategies start from the estimated Lindahl share
 * c_j·v_j/(v_j + V̂_{-i,j}), the others' valuation V̂ learned from the aggregates (cofunding-planner.ts):
 *   nash: the proportional, Lindahl-seeking contributor: pledges its estimated Lindahl share on
 *     projects where that leaves it a gain; accepts near its estimated Lindahl utility;
 *   boulware, conceder, linear (time-dependent): pledge a fraction of their share that rises over
 *     the game along the concession curve t^(1/β) (the conceder's early and past its share, the
 *     boulware's late and only up to it); accept what keeps what they planned to keep;
 *   tit-for-tat: opens at part of its share, then adds what the others added the round before
 *     and moves a step towards its share, holding once a project is funded;
 *   greedy: the free rider: pledges nothing at first, then only tops up the gap the others
 *     leave, and accepts any deal worth more than nothing;
 *   random: random legal vectors, accepts with probability 1/2.
 * A proportional contributor reads a low pledge as a low valuation, so whoever pledges less
 * than its share shifts the cost onto it: the free rider's lever.
 * Policies are functions of the observation (and, for random, the agent's rng) only: the own
 * pledges of earlier rounds, which the observation does not record, are recomputed by replaying
 * the policy over the joint proposals seen so far, so a replayed conversation (the mock server)
 * yields the same moves as a live run.
 */
import type { Rng } from '../../game/index.ts';
import type { AgentReply, Observation } from '../agent.ts';
import {
  asJointView,
  budgetCents,
  costsOf,
  fitBudget,
  jointRecords,
  lindahlShare,
  observe,
  ownUtility,
  priorBelief,
  progressAt,
  toCents,
  topProjects,
  toWire,
  type Belief,
} from './cofunding-planner.ts';
import { CONCESSION } from './planner.ts';

/** What a policy wants to pledge this round, before the budget and cents. */
interface Draft {
  pledge: number[];
  /** projects the agent counts on being funded (a backed project may have a zero pledge) */
  backed: boolean[];
}

/** A round's plan: legal pledges and what the agent keeps if every project it backs is funded. */
export interface Plan {
  cents: number[];
  backed: boolean[];
  expect: number;
}

interface CofundingPolicy {
  draft(obs: Observation, b: Belief, k: number): Draft;
  /**
   * Accept a joint proposal worth `own` to the agent. `now` is the belief once this round's
   * joint proposal is seen, with the own pledge that went into it.
   */
  accept(obs: Observation, own: number, now: Belief, plan: Plan): boolean;
  lines: string[];
}

/** A project the agent values below this estimated gain (points) is not worth backing. */
const MIN_GAIN = 1;
/** nash accepts down to this fraction of its estimated Lindahl utility, easing to NASH_FLOOR at the deadline */
const NASH_NEAR = 0.9;
const NASH_FLOOR = 0.6;
/** the free rider tops up the gap the others leave while it costs at most this fraction of its value */
const GREEDY_REACH = 0.9;
/** tit-for-tat opens at this fraction of its Lindahl share and moves towards it by this fraction every round */
const TFT_OPEN = 0.6;
const TFT_EASE = 0.2;
/**
 * Time-dependent pledges: the fraction of the estimated Lindahl share pledged rises from
 * SCALE_OPEN in round 1 to `close` in the last, along the concession curve t^(1/β).
 */
const SCALE_OPEN = 0.5;
const TIME_DEPENDENT = {
  boulware: { beta: CONCESSION.boulware.beta, close: 1 },
  conceder: { beta: CONCESSION.conceder.beta, close: 1.2 },
  linear: { beta: CONCESSION.linear.beta, close: 1.1 },
};

const zeros = (m: number) => new Array<number>(m).fill(0);
const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

/** `scale` times the estimated Lindahl shares, on the projects where the share leaves at least MIN_GAIN. */
function lindahlDraft(obs: Observation, b: Belief, scale = 1): Draft {
  const c = costsOf(obs);
  const pledge = zeros(obs.spec.m),
    backed = new Array<boolean>(obs.spec.m).fill(false);
  obs.values.forEach((v, j) => {
    const share = lindahlShare(v, c[j], b.others[j]);
    if (v - share < MIN_GAIN) return;
    backed[j] = true;
    pledge[j] = Math.min(scale * share, v, c[j]);
  });
  return { pledge, backed };
}

/** What the agent keeps if every project of the draft that fits its budget is funded at the drafted pledges. */
function expected(obs: Observation, d: Draft): number {
  return finish(obs, d).expect;
}

const timeScale = (c: { beta: number; close: number }, obs: Observation, k: number) =>
  SCALE_OPEN + (c.close - SCALE_OPEN) * Math.pow(progressAt(obs, k), 1 / c.beta);

function timeDependent(c: { beta: number; close: number }): Pick<CofundingPolicy, 'draft' | 'accept'> {
  return {
    draft: (obs, b, k) => lindahlDraft(obs, b, timeScale(c, obs, k)),
    // keeps what it planned to keep, or what its demand leaves it by what the joint proposal revealed (cents aside)
    accept: (obs, own, now, plan) =>
      own > 0 &&
      own >=
        0.95 * Math.min(plan.expect, expected(obs, lindahlDraft(obs, now, timeScale(c, obs, obs.round)))) -
          0.01 * obs.spec.m,
  };
}

const POLICIES: Record<string, CofundingPolicy> = {
  boulware: {
    ...timeDependent(TIME_DEPENDENT.boulware),
    lines: [
      'I know what {items} are worth to me, and I am in no hurry to pay for everyone.',
      'My position is firm: {items} matter to me, but the others who use them should pay their part.',
      'I can wait for fair contributions; my money for {items} stays in my pocket until then.',
    ],
  },
  conceder: {
    ...timeDependent(TIME_DEPENDENT.conceder),
    lines: [
      'I would like us to fund something quickly; I am ready to put money into {items}.',
      'I care most about {items}, and I am happy to pay more than my share to get them built.',
      'Let us not waste rounds: tell me what you can give and I will cover much of the rest of {items}.',
    ],
  },
  linear: {
    ...timeDependent(TIME_DEPENDENT.linear),
    lines: [
      'I will put in a little more each round, above all for {items}.',
      'I want {items} funded; I will raise my contribution step by step.',
      'Step by step we can cover the cost of {items} together.',
    ],
  },
  'tit-for-tat': {
    draft: (obs, b) => {
      if (!b.lastOwn) return lindahlDraft(obs, b, TFT_OPEN);
      const base = lindahlDraft(obs, b);
      const { n } = obs.spec;
      const c = costsOf(obs);
      const pledge = base.pledge.map((share, j) => {
        if (!base.backed[j]) return 0;
        const last = b.lastOwn![j] > 0 ? b.lastOwn![j] : TFT_OPEN * share;
        // funded last time: hold, shedding what it paid beyond its fair share
        if (b.lastOthers && b.lastOthers[j] + b.lastOwn![j] >= c[j]) return Math.min(last, share);
        // else match what the others added per head since the round before, and ease towards its share
        const added = b.lastOthers && b.prevOthers ? (b.lastOthers[j] - b.prevOthers[j]) / (n - 1) : 0;
        const ease = clamp(share - last, 0, TFT_EASE * share);
        return clamp(last + added + ease, 0, Math.min(obs.values[j], c[j]));
      });
      return { pledge, backed: base.backed };
    },
    accept: (obs, own, now) => own > 0 && own >= 0.9 * expected(obs, lindahlDraft(obs, now)) - 0.01 * obs.spec.m,
    lines: [
      'I will match whatever you add to {items}, round by round.',
      'Put a little more into {items} and I will put in as much.',
      'Fair is fair: every unit you add to {items} I will match.',
    ],
  },
  greedy: {
    draft: (obs, b) => {
      const m = obs.spec.m;
      const pledge = zeros(m),
        backed = new Array<boolean>(m).fill(false);
      if (!b.lastOthers) return { pledge, backed }; // let the others show what they pay first
      const c = costsOf(obs);
      obs.values.forEach((v, j) => {
        if (v <= 0) return;
        // count on the others paying what they paid lately
        const theirs = Math.max(b.lastOthers![j], b.prevOthers?.[j] ?? 0);
        const gap = Math.max(0, toCents(c[j]) - toCents(theirs)) / 100;
        if (gap <= GREEDY_REACH * v) {
          backed[j] = true;
          pledge[j] = gap;
        }
      });
      return { pledge, backed };
    },
    accept: (obs, own) => own > 0,
    lines: [
      'Others use {items} more than I do; they should pay for them.',
      'I might chip in for {items}, but only the last bit.',
      'My budget is tight; I expect the rest of you to fund {items}.',
    ],
  },
  nash: {
    draft: (obs, b) => lindahlDraft(obs, b),
    // near its Lindahl utility by what the joint proposal revealed, easing towards the deadline
    accept: (obs, own, now) =>
      own > 0 &&
      own >=
        expected(obs, lindahlDraft(obs, now)) *
          (NASH_NEAR - (NASH_NEAR - NASH_FLOOR) * Math.pow(progressAt(obs, obs.round), 3)) -
          0.01 * obs.spec.m,
    lines: [
      'Let each of us pay for {items} in proportion to how much we value them.',
      'I value {items}; I will pay my fair share of them and expect the same of you.',
      'Contributions in proportion to benefit fund the most for all of us, starting with {items}.',
    ],
  },
};

const RANDOM_LINES = [
  'Who knows what {items} are worth to anyone?',
  'Maybe {items}, maybe not.',
  'Let us see what gets funded, {items} or something else.',
];

/** Every line names the projects the agent values most. */
function fill(line: string, obs: Observation): string {
  const items = topProjects(obs);
  return line.replace('{items}', items.length ? items.join(' and ') : 'a few projects');
}

/** The draft made legal: whole cents, within the budget (best gain per unit first), what is dropped unbacked. */
function finish(obs: Observation, d: Draft): Plan {
  const pledge = d.pledge.map((x, j) => (d.backed[j] ? x : 0));
  const gain = obs.values.map((v, j) => v - pledge[j]);
  const cents = fitBudget(pledge, gain, budgetCents(obs));
  const backed = d.backed.map((on, j) => on && (pledge[j] <= 0 || cents[j] > 0));
  const expect = backed.reduce((s, on, j) => (on ? s + obs.values[j] - cents[j] / 100 : s), 0);
  return { cents, backed, expect };
}

/**
 * The plan of the current round: the policy replayed over the earlier rounds (each round's
 * own pledge, then what the joint proposal revealed), then applied to this one.
 */
export function planFor(strategy: string, obs: Observation): Plan & { belief: Belief } {
  const p = POLICIES[strategy];
  const records = jointRecords(obs);
  let b = priorBelief(obs);
  for (let k = 1; k < obs.round; k++) {
    const own = finish(obs, p.draft(obs, b, k)).cents.map((c) => c / 100);
    const r = records.get(k);
    b = observe(b, obs, r?.own ?? own, r?.view ?? null);
  }
  return { ...finish(obs, p.draft(obs, b, obs.round)), belief: b };
}

/** A random legal vector: a random part of the budget over a random subset of the projects. */
function randomPledge(obs: Observation, rng: Rng): number[] {
  const budget = budgetCents(obs);
  const w = Array.from({ length: obs.spec.m }, () => (rng.next() < 0.5 ? 0 : rng.next()));
  const total = w.reduce((a, b) => a + b, 0);
  const spend = rng.int(budget + 1);
  return toWire(
    w.map((x) => (total > 0 ? Math.floor((x / total) * spend) : 0)),
    budget,
  );
}

const fmt = (x: number) => String(Math.round(x * 100) / 100);

/** One co-funding turn of a science strategy. */
export function cofundingAct(strategy: string, obs: Observation, rng: Rng): AgentReply {
  const random = strategy === 'random';
  const lines = random ? RANDOM_LINES : POLICIES[strategy].lines;
  switch (obs.phase) {
    case 'discussion':
      return { text: fill(lines[(obs.round + obs.seat + obs.turn) % lines.length], obs) };
    case 'thinking': {
      if (random) return { text: `Round ${obs.round}: I will pledge at random within my budget of ${obs.budget}.` };
      const plan = planFor(strategy, obs);
      const names = obs.spec.items.filter((_, j) => plan.backed[j]);
      const total = plan.cents.reduce((a, b) => a + b, 0) / 100;
      return {
        text:
          `Round ${obs.round}: I plan to pledge ${fmt(total)} of my budget of ${obs.budget}` +
          (names.length
            ? ` towards ${names.join(', ')}; if those are funded I keep about ${fmt(plan.expect)} of my 100 points.`
            : '; no project looks worth my money yet.'),
      };
    }
    case 'proposal': {
      const value = random ? randomPledge(obs, rng) : toWire(planFor(strategy, obs).cents, budgetCents(obs));
      return { text: JSON.stringify({ contributions: value }), value };
    }
    case 'voting': {
      const plan = random ? null : planFor(strategy, obs);
      const value = (obs.proposals ?? []).map((p) => {
        if (random) return rng.next() < 0.5;
        const view = asJointView(p.joint, obs.spec.m);
        if (!view) return false;
        const own = p.contributions ?? plan!.cents.map((c) => c / 100);
        const now = observe(plan!.belief, obs, own, view);
        return POLICIES[strategy].accept(obs, ownUtility(obs.values, own, view.funded), now, plan!);
      });
      return { text: JSON.stringify({ votes: value }), value };
    }
    case 'reflection': {
      const view = jointRecords(obs).get(obs.round)?.view;
      if (!view) return { text: `No deal in round ${obs.round}, and no joint proposal formed.` };
      const funded = obs.spec.items.filter((_, j) => view.funded[j]);
      return {
        text:
          `No deal in round ${obs.round}. Funded: ${funded.length ? funded.join(', ') : 'nothing'}; ` +
          `${fmt(view.pledged.reduce((a, b) => a + b, 0))} pledged in all.`,
      };
    }
  }
}

/** The invalid diagnostic's pledge: more than its whole budget on the first project. */
export function invalidContributions(obs: Observation): AgentReply {
  const value = zeros(obs.spec.m);
  value[0] = (obs.budget ?? 0) + 1;
  return { text: JSON.stringify({ contributions: value }), value };
}
