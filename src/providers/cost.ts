/**
 * Dollars for a call: input tokens at the input price, output tokens (which include
 * reasoning/thinking tokens, billed as output) at the output price, per million tokens,
 * times the route's multiplier (OpenRouter adds its 5.5% fee). Cached calls cost nothing.
 * Cached-input discounts are not applied (providers do not report them uniformly): the
 * figure is the list price, an upper bound.
 */
import type { Price } from './registry.ts';
import type { Usage } from './types.ts';

export function callCostUsd(price: Price, usage: Usage, priceMultiplier = 1): number {
  // a provider that reports reasoning outside outputTokens would otherwise be under-billed
  const output = Math.max(usage.outputTokens, usage.reasoningTokens);
  const dollars = (usage.inputTokens * price.input + output * price.output) / 1e6;
  return roundUsd(dollars * priceMultiplier);
}

/** Rounds to a millionth of a dollar, so sums of many calls stay stable in JSON. */
export function roundUsd(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
