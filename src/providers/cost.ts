/**
 * Dollars for a call, per million tokens, from the registry's prices: input tokens read from
 * the provider's prompt cache at `cached_input`, tokens written to it at `cache_write`
 * (Anthropic's 5-minute write), the rest of the input at `input` (a missing cached or write
 * price falls back to `input`); output tokens (which include reasoning/thinking tokens, billed
 * as output) at `output`; times the route's multiplier (OpenRouter adds its 5.5% fee).
 * Usage.inputTokens counts every input token, cached and cache-written ones included.
 * Calls answered from our response cache cost nothing (the caller's rule).
 */
import type { Price } from './registry.ts';
import type { Usage } from './types.ts';

export function callCostUsd(price: Price, usage: Usage, priceMultiplier = 1): number {
  return roundUsd(callDollars(price, usage) * priceMultiplier);
}

/** The unrounded dollars of a call at list prices (the mock's OpenRouter `usage.cost` reports them so). */
export function callDollars(price: Price, usage: Usage): number {
  // a provider that reports reasoning outside outputTokens would otherwise be under-billed
  const output = Math.max(usage.outputTokens, usage.reasoningTokens);
  // clamped so a provider's inconsistent counts never bill a negative remainder
  const read = Math.min(Math.max(0, usage.cacheReadTokens ?? 0), usage.inputTokens);
  const write = Math.min(Math.max(0, usage.cacheWriteTokens ?? 0), usage.inputTokens - read);
  const uncached = usage.inputTokens - read - write;
  return (
    (uncached * price.input +
      read * (price.cached_input ?? price.input) +
      write * (price.cache_write ?? price.input) +
      output * price.output) /
    1e6
  );
}

/** Rounds to a millionth of a dollar, so sums of many calls stay stable in JSON. */
export function roundUsd(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
