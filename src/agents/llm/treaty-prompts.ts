/**
 * The diplomatic treaty's text in the LLM conversation: the rules with what each issue's
 * 0% and 100% mean, the payoff formula with a worked example, the agent's own ideal
 * positions and weights, agreement-vector proposal lines, and the agreement answer format.
 * prompt-reader.ts reads this text back, so its line shapes are a contract. Pure.
 */
import { TREATY_ISSUES, type GameSpec, type PrivateView } from '../../game/index.ts';
import { agentIds, correctionsRule, discountExamples, roundRules, type GamePrompts } from './prompt-parts.ts';

/** The private section's header, and one line per issue in it (prompt-reader reads them back). */
export const TREATY_PRIVATE_HEADER = 'YOUR PRIVATE POSITIONS AND WEIGHTS (known only to you)';
export const treatyPrivateLine = (j: number, name: string, position: number, weight: number): string =>
  `- ${j} ${name}: ideal position ${position}%, weight ${weight}`;

function meaning(name: string): string {
  const issue = TREATY_ISSUES.find((i) => i.name === name);
  return issue ? `0% = ${issue.zero}, 100% = ${issue.full}` : '0% to 100%';
}

function systemPrompt(spec: GameSpec, self: string, own: PrivateView): string {
  const { values, positions } = own;
  if (!positions || positions.length !== spec.m)
    throw new Error(`a treaty prompt needs ${spec.m} ideal positions for ${self}`);
  const s = spec.m > 1 ? 's' : '';
  const lines = [
    `You are ${self}, one of ${spec.n} agents negotiating a diplomatic treaty on ${spec.m} issue${s}. The agents are ${agentIds(spec.n).join(', ')}; you are ${self}.`,
    '',
    'RULES',
    'Issues (index name: what 0% and 100% mean). A treaty sets every issue to a whole percentage from 0 to 100 and binds every agent alike.',
    ...spec.items.map((name, j) => `- ${j} ${name}: ${meaning(name)}`),
    ...roundRules(
      spec,
      'Proposals: every agent proposes a complete treaty, a whole percentage from 0 to 100 for every issue. Proposals are numbered and revealed together.',
    ),
    `Payoff: every agent has a private ideal position on each issue (a percentage) and private weights on the issues (non-negative whole numbers summing to 100). An issue with weight w and ideal position p earns w × (1 − |p − a| / 100) points when the treaty sets it at a; your payoff is the sum over all issues (100 if the treaty meets every one of your ideal positions). If a proposal passes in round r, you receive that payoff multiplied by ${spec.gamma}^(r-1) (the discount: ${discountExamples(spec.gamma)} of full value). If no proposal has passed by the end of round ${spec.maxRounds}, every agent gets 0.`,
    'Worked example: an issue you weigh 30 earns you 30 points when the treaty sets it at your ideal position, 30 × (1 − 20/100) = 24 points when it is 20 percentage points away from your ideal (in either direction), and 0 points when it is 100 points away.',
    'Nobody else knows your ideal positions and weights, and you do not know theirs.',
    correctionsRule('not a whole percentage from 0 to 100 for every issue'),
    '',
    TREATY_PRIVATE_HEADER,
    ...spec.items.map((name, j) => treatyPrivateLine(j, name, positions[j], values[j])),
    `Total weight: ${values.reduce((a, b) => a + b, 0)}.`,
    '',
    'Your goal is to maximise your own payoff.',
  ];
  return lines.join('\n');
}

/** `[40, 75, 10] (Carbon cost on imports 40%, Tariff reduction 75%, Fishing quota cut 10%)` */
function termsText(spec: GameSpec, p: { agreement?: number[] }): string {
  const a = p.agreement!;
  return `[${a.join(', ')}] (${a.map((x, j) => `${spec.items[j] ?? `#${j}`} ${x}%`).join(', ')})`;
}

/** Placeholders naming each issue (types, not values), so that the example suggests no figure. */
function proposalFormat(spec: Pick<GameSpec, 'items'>): string {
  return `{"agreement": [${spec.items.map((name) => `<${name}>`).join(', ')}], "reasoning": "…"}`;
}

function proposalTask(spec: GameSpec): string {
  const which = spec.m === 1 ? 'for the one issue' : `for each of the ${spec.m} issues, in issue order (index 0 first)`;
  return [
    `Propose a complete treaty: a whole percentage from 0 to 100 ${which}.`,
    'Reply with JSON only, in exactly this form, with each <issue> replaced by the percentage you propose for it, a whole number:',
    proposalFormat(spec),
  ].join('\n');
}

export const treatyPrompts: GamePrompts = { systemPrompt, termsText, proposalFormat, proposalTask };
