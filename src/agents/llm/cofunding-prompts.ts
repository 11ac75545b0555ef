/**
 * Co-funding's text in the LLM conversation: the rules (public costs, the all-or-nothing
 * funding threshold, private budget and values, what a pledge costs, the one joint proposal
 * and its vote) with a worked example in letters (no figure to anchor on), the agent's own
 * values and budget, the joint proposal's lines (pledged per project against its cost, funded
 * or not), the voting task with what the joint proposal gives this agent by its own pledge,
 * and the contributions answer format. prompt-reader.ts reads this text back, so its line
 * shapes are a contract. Pure.
 */
import { toCents as cents } from '../../game/cofunding/contributions.ts';
import { COFUNDING_PROJECTS, type GameSpec, type PrivateView } from '../../game/index.ts';
import type { JointView } from '../../game/cofunding/game.ts';
import type { Observation, ProposalView } from '../agent.ts';
import {
  agentIds,
  correctionsRule,
  discountExamples,
  passRuleText,
  roundRules,
  type GamePrompts,
} from './prompt-parts.ts';

/** The private section's header, its line per project and its budget line (prompt-reader reads them back). */
export const COFUNDING_PRIVATE_HEADER = 'YOUR PRIVATE VALUES AND BUDGET (known only to you)';
export const cofundingValueLine = (j: number, name: string, value: number): string => `- ${j} ${name}: value ${value}`;
export const cofundingBudgetLine = (budget: number): string => `Your budget: ${budget}.`;
/** The public cost list's line per project (in the rules), with what the project delivers. */
export function cofundingCostLine(j: number, name: string, cost: number): string {
  const what = COFUNDING_PROJECTS.find((p) => p.name === name)?.what;
  return `- ${j} ${name}: cost ${cost}${what ? ` — ${what}` : ''}`;
}

export type { JointView };

/** A joint proposal's view as the game makes it (ProposalView.joint is unknown to the protocol). */
export function isJointView(x: unknown): x is JointView {
  const v = x as JointView;
  return !!v && typeof v === 'object' && Array.isArray(v.pledged) && Array.isArray(v.funded);
}

/** An amount as the prompt writes it: the number itself (amounts have at most 2 decimals). */
const amount = (x: number): string => String(x);
/** a − b for amounts of at most 2 decimals, without float noise */
const minus = (a: number, b: number): number => (cents(a) - cents(b)) / 100;
const name = (spec: Pick<GameSpec, 'items'>, j: number): string => spec.items[j] ?? `#${j}`;

function systemPrompt(spec: GameSpec, self: string, own: PrivateView): string {
  const { values, budget, costs } = own;
  if (budget === undefined || !costs || costs.length !== spec.m)
    throw new Error(`a co-funding prompt needs ${self}'s budget and the ${spec.m} project costs`);
  const s = spec.m > 1 ? 's' : '';
  const lines = [
    `You are ${self}, one of ${spec.n} agents deciding together which of ${spec.m} public project${s} to fund from their own budgets. The agents are ${agentIds(spec.n).join(', ')}; you are ${self}.`,
    '',
    'RULES',
    `Projects (index name: cost — what it delivers). The costs are public. A project is funded only if the pledges of all agents to it add up to at least its cost; a project whose pledges fall short is not funded, even by a little (all or nothing).`,
    ...spec.items.map((it, j) => cofundingCostLine(j, it, costs[j])),
    ...roundRules(
      spec,
      'Pledges: every agent privately pledges a contribution to every project: amounts of 0 or more (at most 2 decimals) that together stay within its own budget. No agent sees another agent’s pledges: they are added up per project into one joint proposal, which every agent sees as the total pledged to each project and whether that reaches the project’s cost. If any agent makes no valid pledge, there is no joint proposal that round.',
      {
        votes: 'Votes: every agent accepts or rejects the joint proposal. Individual votes are private.',
        tabulation: `Tabulation: ${passRuleText(spec, 'the joint proposal')}. Tallies are public. If it passes, the negotiation ends: every project whose pledges reach its cost is funded, and every agent pays its own pledges to the funded projects.`,
      },
    ),
    'Budget: you have a private budget for the whole game. Your pledges in a round may add up to at most your budget; a pledge above it is returned to you for correction, never scaled down. Only the pledges of the joint proposal that passes are ever paid: pledges of rounds that do not pass cost nothing.',
    `Payoff: every agent has its own private values of the projects, non-negative whole numbers summing to 100. For each funded project you gain your value of it minus your pledge to it; a project that is not funded gives you nothing and costs you nothing (your pledge to it is not paid). Your payoff is the sum over the funded projects. If the pledges to a project add up to more than its cost, every agent still pays its full pledge (nothing is refunded). If you pledge more to a funded project than your value of it, that project gives you a negative amount (a loss), which lowers your payoff. If the joint proposal passes in round r, you receive your payoff multiplied by ${spec.gamma}^(r-1) (the discount: ${discountExamples(spec.gamma)} of full value). If no proposal has passed by the end of round ${spec.maxRounds}, every agent gets 0.`,
    'Worked example: say you value a project at v and pledge p to it. If all pledges to it together reach its cost, it is funded and it adds v − p to your payoff (a loss of p − v when p is more than v). If they fall short of its cost, it is not funded and adds nothing, whatever you pledged, and your pledge to it is not paid.',
    'Nobody else knows your values and budget, and you do not know theirs.',
    correctionsRule(
      'not an amount of 0 or more for every project, or more than your budget in total',
      'After that you have no pledge that round (so there is no joint proposal), or your vote counts as a reject.',
    ),
    '',
    COFUNDING_PRIVATE_HEADER,
    ...spec.items.map((it, j) => cofundingValueLine(j, it, values[j])),
    `Total value: ${values.reduce((a, b) => a + b, 0)}.`,
    cofundingBudgetLine(budget),
    '',
    'Your goal is to maximise your own payoff.',
  ];
  return lines.join('\n');
}

/** One project of a joint proposal: `Park renovation: 45 of 60 pledged, not funded` (the cost when known). */
function jointPart(spec: GameSpec, v: JointView, j: number, costs?: readonly number[]): string {
  const of = costs?.[j] !== undefined ? ` of ${costs[j]}` : '';
  return `${name(spec, j)}: ${amount(v.pledged[j])}${of} pledged, ${v.funded[j] ? 'funded' : 'not funded'}`;
}

/** `Joint proposal 1 (every agent's pledges added up per project): A: 45 of 60 pledged, not funded; B: …` */
function proposalLine(spec: GameSpec, p: ProposalView, _self: string, costs?: readonly number[]): string {
  if (!isJointView(p.joint)) throw new Error(`co-funding proposal ${p.proposal} has no joint view`);
  const v = p.joint;
  const parts = v.pledged.map((_, j) => jointPart(spec, v, j, costs));
  return `Joint proposal ${p.proposal} (every agent's pledges added up per project): ${parts.join('; ')}.`;
}

/** A pledge as the voting turn shows it: `[10, 0, 25] (Community solar array 10, …)`. */
const pledgeText = (spec: GameSpec, x: readonly number[]): string =>
  `[${x.map(amount).join(', ')}] (${x.map((a, j) => `${name(spec, j)} ${amount(a)}`).join(', ')})`;

/** The private lines of the voting turn: own pledge, and the payoff if the joint proposal passes now. */
export const OWN_PLEDGE_PREFIX = 'Your pledges this round (private):';
export const OWN_PAYOFF_PREFIX = 'Your payoff if it passes in this round';

function ownLines(obs: Observation, v: JointView, pledge: readonly number[] | null): string[] {
  const { spec } = obs;
  const factor = `${spec.gamma}^(${obs.round}-1)`;
  if (pledge === null)
    return [
      `${OWN_PAYOFF_PREFIX}: the sum over the funded projects of (your value − your pledge), multiplied by ${factor}.`,
    ];
  const total = pledge.reduce((a, x) => a + cents(x), 0) / 100;
  const budget = obs.budget !== undefined ? ` of your budget ${obs.budget}` : '';
  const lines = [`${OWN_PLEDGE_PREFIX} ${pledgeText(spec, pledge)}, ${amount(total)} in total${budget}.`];
  const funded = v.funded.map((f, j) => (f ? j : -1)).filter((j) => j >= 0);
  if (funded.length === 0) {
    lines.push(`${OWN_PAYOFF_PREFIX}: 0 (no project is funded, so nothing is built and nothing is paid).`);
    return lines;
  }
  const terms = funded.map((j) => {
    const gain = minus(obs.values[j], pledge[j]);
    const loss = gain < 0 ? ' (a loss)' : '';
    return `${name(spec, j)} ${obs.values[j]} − ${amount(pledge[j])} = ${amount(gain)}${loss}`;
  });
  const raw = funded.reduce((a, j) => a + cents(obs.values[j]) - cents(pledge[j]), 0) / 100;
  const discounted = +(raw * Math.pow(spec.gamma, obs.round - 1)).toFixed(2);
  const unpaid = funded.length < spec.m ? ' Your pledges to the projects that are not funded are not paid.' : '';
  lines.push(
    `${OWN_PAYOFF_PREFIX} (your value − your pledge, per funded project): ${terms.join('; ')}; total ${amount(raw)}, multiplied by ${factor} = ${amount(discounted)}.${unpaid}`,
  );
  return lines;
}

/**
 * The agent's own pledge when it is part of this joint proposal, else null: a pledge of the
 * wrong length, or above the total pledged to a project, cannot be this round's valid one.
 */
export function pledgeIn(v: JointView, pledge: readonly number[] | null | undefined): readonly number[] | null {
  if (!pledge || pledge.length !== v.pledged.length) return null;
  return pledge.every((x, j) => x >= 0 && cents(x) <= cents(v.pledged[j])) ? pledge : null;
}

/** The voting turn: the joint proposal project by project, then what it gives this agent, then the task. */
function votingTask(obs: Observation, pledge: readonly number[] | null): string {
  const { spec } = obs;
  const p = (obs.proposals ?? [])[0];
  if (!p || !isJointView(p.joint)) throw new Error('a co-funding vote needs the joint proposal');
  const v = p.joint;
  const costs = obs.costs;
  return [
    `The joint proposal of round ${obs.round} (proposal ${p.proposal}: every agent's pledges added up per project; individual pledges stay private):`,
    ...v.pledged.map((x, j) => {
      const c = costs?.[j];
      const short = c !== undefined && !v.funded[j] ? ` (${amount(minus(c, x))} short)` : '';
      const of = c !== undefined ? ` pledged of cost ${c}` : ' pledged';
      return `- ${j} ${name(spec, j)}: ${amount(x)}${of}, ${v.funded[j] ? 'funded' : 'not funded'}${short}`;
    }),
    ...ownLines(obs, v, pledgeIn(v, pledge)),
    'Vote: accept or reject the joint proposal. If it passes, the negotiation ends: the funded projects are built and every agent pays its own pledges to them. Reply with JSON only, in exactly this form, with "accept": true to accept or false to reject it:',
  ].join('\n');
}

/** Placeholders naming each project (types, not values), so that the example suggests no amount. */
function proposalFormat(spec: Pick<GameSpec, 'items'>): string {
  return `{"contributions": [${spec.items.map((it) => `<${it}>`).join(', ')}], "reasoning": "…"}`;
}

function proposalTask(spec: GameSpec): string {
  const which =
    spec.m === 1 ? 'for the one project' : `for each of the ${spec.m} projects, in project order (index 0 first)`;
  return [
    `Pledge your contributions for this round: an amount of 0 or more ${which}, at most 2 decimals, 0 for a project you do not fund; together at most your budget. No other agent sees your pledges, only their totals per project.`,
    'Reply with JSON only, in exactly this form, with each <project> replaced by the amount you pledge to it:',
    proposalFormat(spec),
  ].join('\n');
}

export const cofundingPrompts: GamePrompts = {
  systemPrompt,
  termsText: (spec, p) => (p.contributions ? pledgeText(spec, p.contributions) : ''),
  proposalFormat,
  proposalTask,
  proposalLine,
  votingTask,
  nothingToVote: 'there was no joint proposal to vote on (not every agent made a valid pledge)',
  proposalVoid: (from, self) =>
    from === self ? 'You made no valid pledge this round.' : `No valid pledge from ${from} this round.`,
};
