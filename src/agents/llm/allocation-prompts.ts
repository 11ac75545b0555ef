/**
 * Item allocation's text in the LLM conversation: the rules and own item values, allocation
 * proposal lines, and the allocation answer format. prompt-reader.ts reads this text back,
 * so its line shapes are a contract. Pure.
 */
import type { AllocationMap, GameSpec } from '../../game/index.ts';
import { agentIds, correctionsRule, discountExamples, roundRules, type GamePrompts } from './prompt-parts.ts';

function systemPrompt(spec: GameSpec, self: string, own: { values: readonly number[] }): string {
  const { values } = own;
  const lines = [
    `You are ${self}, one of ${spec.n} agents negotiating how to divide ${spec.m} items. The agents are ${agentIds(spec.n).join(', ')}; you are ${self}.`,
    '',
    'RULES',
    `Items (index: name): ${spec.items.map((name, j) => `${j}: ${name}`).join(', ')}. Items are indivisible; every item goes to exactly one agent.`,
    ...roundRules(
      spec,
      'Proposals: every agent proposes a complete allocation, each item to exactly one agent (an agent may receive no items). Proposals are numbered and revealed together.',
    ),
    `Payoff: if a proposal passes in round r, you receive the sum of your values of the items it gives you, multiplied by ${spec.gamma}^(r-1) (the discount: ${discountExamples(spec.gamma)} of full value). If no proposal has passed by the end of round ${spec.maxRounds}, every agent gets 0.`,
    'Every agent has its own private values, non-negative whole numbers summing to 100; nobody else knows yours and you do not know theirs.',
    correctionsRule('not a complete allocation'),
    '',
    'YOUR PRIVATE VALUES (known only to you)',
    ...spec.items.map((name, j) => `- ${j} ${name}: ${values[j]}`),
    `Total: ${values.reduce((a, b) => a + b, 0)}.`,
    '',
    'Your goal is to maximise your own payoff.',
  ];
  return lines.join('\n');
}

function compactMap(a: AllocationMap, n: number): string {
  const out: AllocationMap = {};
  for (const id of agentIds(n)) out[id] = (a[id] ?? []).slice();
  return JSON.stringify(out);
}

function namedMap(a: AllocationMap, n: number, items: readonly string[]): string {
  return agentIds(n)
    .map((id) => `${id}: ${(a[id] ?? []).map((j) => items[j] ?? `#${j}`).join(', ') || 'nothing'}`)
    .join(' | ');
}

/** Placeholders (types, not values), so that the example suggests no split. */
function proposalFormat(spec: Pick<GameSpec, 'n'>): string {
  const agents = agentIds(spec.n)
    .map((id) => `"${id}": [item indices]`)
    .join(', ');
  return `{"allocation": {${agents}}, "reasoning": "…"}`;
}

export const allocationPrompts: GamePrompts = {
  systemPrompt,
  termsText: (spec, p) => `${compactMap(p.allocation!, spec.n)} (${namedMap(p.allocation!, spec.n, spec.items)})`,
  proposalFormat,
  proposalTask: (spec) =>
    [
      `Propose a complete allocation: every item 0..${spec.m - 1} to exactly one of ${agentIds(spec.n).join(', ')} (an agent may receive none). Use item indices.`,
      'Reply with JSON only, in exactly this form, listing under each agent the indices of the items it receives ([] for none):',
      proposalFormat(spec),
    ].join('\n'),
};
