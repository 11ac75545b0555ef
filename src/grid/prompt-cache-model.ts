/**
 * An offline model of the providers' prompt caching, for `bargain estimate`. Each agent's
 * call re-sends its previous prompt as the prefix, so with caching the cached part of call k
 * is about the prompt of call k-1 — when that prompt reached the provider's minimum
 * cacheable length. Anthropic (and OpenAI from GPT-5.6, where the registry prices it) also
 * bills the new part as a cache write. Pure functions; no I/O.
 *
 * Assumed: an agent's next call comes within the cache's lifetime (5 minutes; seconds apart
 * in a negotiation), and every call's prompt extends the previous one byte for byte (the
 * agents lay their conversation out for it). A model without a cached price in the registry
 * is modelled without caching: what it would save is not known.
 */
import { callCostUsd } from '../providers/cost.ts';
import {
  cacheReadsCountTowardTpm,
  claudeCacheMinTokens,
  claudeModel,
  geminiCacheMinTokens,
  OPENAI_CACHE,
} from '../providers/prompt-cache.ts';
import type { Price } from '../providers/registry.ts';

export interface CacheRule {
  /** false: no caching modelled for this model (reason in `note`) */
  enabled: boolean;
  /** the provider's minimum cacheable prompt length for this model */
  minTokens: number;
  /** cache hits come in steps of this many tokens beyond the minimum (OpenAI: 128) */
  step: number;
  /** the new part of each cacheable prompt is billed as a cache write */
  writes: boolean;
  /** dollars per million written tokens (when `writes`) */
  writePrice: number;
  /** cache reads count toward the provider's (input) tokens-per-minute budget */
  readsCountTowardTpm: boolean;
  note?: string;
}

const off = (note: string): CacheRule => ({
  enabled: false,
  minTokens: Infinity,
  step: 1,
  writes: false,
  writePrice: 0,
  readsCountTowardTpm: true,
  note,
});

/** --no-prompt-cache: nothing cached. */
export const NO_CACHE: CacheRule = off('prompt caching off (--no-prompt-cache)');

/** How `model_id` of `provider` (the model's own provider, also when routed through OpenRouter) caches. */
export function cacheRule(provider: string, modelId: string, price: Price): CacheRule {
  if (price.cached_input === undefined) return off('no cached-input price in the registry: modelled without caching');
  switch (provider) {
    case 'anthropic': {
      const known = claudeModel(modelId) !== null;
      return {
        enabled: true,
        minTokens: claudeCacheMinTokens(modelId),
        step: 1,
        writes: true,
        // 5-minute cache writes cost 1.25× the input price where the registry gives no cache_write
        writePrice: price.cache_write ?? price.input * 1.25,
        readsCountTowardTpm: cacheReadsCountTowardTpm('anthropic', modelId),
        ...(known ? {} : { note: 'not a Claude id this tool knows: minimum cacheable length assumed' }),
      };
    }
    case 'openai':
      // cache writes billed from GPT-5.6 on (the registry's cache_write where it has one):
      // https://github.com/coder/mux/issues/3705 (GPT-5.6 cache_write_tokens at 1.25×; read 2026-12-02)
      return {
        enabled: true,
        minTokens: OPENAI_CACHE.minTokens,
        step: OPENAI_CACHE.step,
        writes: price.cache_write !== undefined,
        writePrice: price.cache_write ?? price.input,
        readsCountTowardTpm: true,
      };
    case 'google': {
      const min = geminiCacheMinTokens(modelId);
      if (min === null) return off('no implicit caching before Gemini 2.5: modelled without caching');
      return {
        enabled: true,
        minTokens: min,
        step: 1,
        writes: false,
        writePrice: price.input,
        readsCountTowardTpm: true,
      };
    }
    default:
      return {
        enabled: true,
        minTokens: 1024,
        step: 1,
        writes: price.cache_write !== undefined,
        writePrice: price.cache_write ?? price.input,
        readsCountTowardTpm: true,
        note: "caching assumed automatic from 1,024 tokens, as OpenAI's",
      };
  }
}

export interface CacheSplit {
  read: number;
  write: number;
}

/**
 * Cache reads and writes over chains of prompt sizes (one chain per agent and run, in call
 * order): call k reads the previous prompt (if it reached the minimum, whole `step`s beyond
 * it) and, where writes are billed, writes the rest of its own prompt if that reaches it.
 */
export function cacheSplit(chains: readonly (readonly number[])[], rule: CacheRule): CacheSplit {
  const out = { read: 0, write: 0 };
  if (!rule.enabled) return out;
  for (const chain of chains) {
    let prev = 0;
    for (const input of chain) {
      const prefix = Math.min(prev, input);
      const read =
        prefix >= rule.minTokens ? rule.minTokens + Math.floor((prefix - rule.minTokens) / rule.step) * rule.step : 0;
      out.read += read;
      if (rule.writes && input >= rule.minTokens) out.write += input - read;
      prev = input;
    }
  }
  return out;
}

export interface CachedUsage {
  input: number;
  read: number;
  write: number;
  output: number;
  reasoning: number;
}

/** Dollars with caching: the call cost (cost.ts) of the same usage with its cache reads and writes (writes at the rule's price). */
export function cachedCostUsd(price: Price, rule: CacheRule, u: CachedUsage, priceMultiplier = 1): number {
  const usage = {
    inputTokens: u.input,
    outputTokens: u.output,
    reasoningTokens: u.reasoning,
    cacheReadTokens: rule.enabled ? u.read : 0,
    cacheWriteTokens: rule.enabled && rule.writes ? u.write : 0,
  };
  return callCostUsd({ ...price, cache_write: rule.writePrice }, usage, priceMultiplier);
}
