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
import { roundUsd } from '../providers/cost.ts';
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

const off = (note: string): CacheRule => ({ enabled: false, minTokens: Infinity, step: 1, writes: false, writePrice: 0, readsCountTowardTpm: true, note });

/** --no-prompt-cache: nothing cached. */
export const NO_CACHE: CacheRule = off('prompt caching off (--no-prompt-cache)');

/**
 * Anthropic's minimum cacheable length by model, from LiteLLM's prompt-caching page (last updated
 * 2026-10-07), which restates Anthropic's table: 512 for Opus 5 / Fable 5 / Mythos 5; 1,024 for
 * Sonnet 5, Opus 4.8, Sonnet 4.x, Opus 4 / 4.1 and Claude 3.x; 4,096 for Haiku 4.5 and Opus
 * 4.5 / 4.6 (4.7 in its Bedrock table); 2,048 for Claude 3 / 3.5 Haiku (truefoundry's table).
 * https://docs.litellm.ai/docs/completion/prompt_caching (read 2026-12-02);
 * https://platform.claude.com/docs/en/build-with-claude/prompt-caching (read 2026-12-02)
 */
function anthropicMin(id: string): { min: number; note?: string } {
  if (/claude-3(-5)?-haiku/.test(id)) return { min: 2048 };
  if (/(opus|fable|mythos)-5/.test(id)) return { min: 512 };
  if (/haiku-4-5|opus-4-[567]/.test(id)) return { min: 4096 };
  if (/sonnet-5|opus-4-8|sonnet-4|opus-4|claude-3/.test(id)) return { min: 1024 };
  if (/haiku/.test(id)) return { min: 4096, note: 'minimum cacheable length not documented; assumed 4,096 as for Haiku 4.5' };
  return { min: 1024, note: 'minimum cacheable length not documented; assumed 1,024' };
}

/**
 * Gemini's implicit caching: Gemini 2.5 and newer only; minimum 2,048 tokens for 2.5 Flash/Pro and
 * 4,096 for Gemini 3.x and 4. https://ai.google.dev/gemini-api/docs/caching (page updated
 * 2026-10-13; read 2026-12-02)
 */
function geminiMin(id: string): number | null {
  const m = /gemini-(\d+)(?:\.(\d+))?/.exec(id);
  if (!m) return null;
  const v = Number(m[1]) + Number(m[2] ?? 0) / 10;
  if (v < 2.5) return null;
  return v < 3 ? 2048 : 4096;
}

/** How `model_id` of `provider` (the model's own provider, also when routed through OpenRouter) caches. */
export function cacheRule(provider: string, modelId: string, price: Price): CacheRule {
  if (price.cached_input === undefined) return off('no cached-input price in the registry: modelled without caching');
  switch (provider) {
    case 'anthropic': {
      const { min, note } = anthropicMin(modelId);
      return {
        enabled: true, minTokens: min, step: 1, writes: true,
        // 5-minute cache writes cost 1.25× the input price where the registry gives no cache_write
        writePrice: price.cache_write ?? price.input * 1.25,
        // "only uncached input tokens count toward ITPM" on current models; Claude 3.x counted cache reads
        // https://wpnews.pro/news/higher-rate-limits-on-the-claude-api (Anthropic's rate-limits page, read 2026-12-02);
        // https://www.developersdigest.tech/glossary/rate-limits ("on most models", source platform.claude.com; read 2026-12-02)
        readsCountTowardTpm: /claude-3/.test(modelId),
        note,
      };
    }
    case 'openai':
      // automatic from 1,024 tokens, hits in 128-token steps; cache writes billed from GPT-5.6 on (the
      // registry's cache_write where it has one). https://raw.githubusercontent.com/openai/openai-cookbook/main/examples/Prompt_Caching_201.ipynb
      // (read 2026-12-02); https://github.com/coder/mux/issues/3705 (GPT-5.6 cache_write_tokens at 1.25×; read 2026-12-02).
      // OpenAI's TPM counts every input token, cached ones included.
      return { enabled: true, minTokens: 1024, step: 128, writes: price.cache_write !== undefined, writePrice: price.cache_write ?? price.input, readsCountTowardTpm: true };
    case 'google': {
      const min = geminiMin(modelId);
      if (min === null) return off('no implicit caching before Gemini 2.5: modelled without caching');
      return { enabled: true, minTokens: min, step: 1, writes: false, writePrice: price.input, readsCountTowardTpm: true };
    }
    default:
      return { enabled: true, minTokens: 1024, step: 1, writes: price.cache_write !== undefined, writePrice: price.cache_write ?? price.input, readsCountTowardTpm: true, note: 'caching assumed automatic from 1,024 tokens, as OpenAI\'s' };
  }
}

export interface CacheSplit { read: number; write: number }

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
      const read = prefix >= rule.minTokens ? rule.minTokens + Math.floor((prefix - rule.minTokens) / rule.step) * rule.step : 0;
      out.read += read;
      if (rule.writes && input >= rule.minTokens) out.write += input - read;
      prev = input;
    }
  }
  return out;
}

export interface CachedUsage { input: number; read: number; write: number; output: number; reasoning: number }

/** Dollars with caching (callCostUsd's figure when nothing is cached): uncached input at the input price, reads at the cached price, writes at the write price. */
export function cachedCostUsd(price: Price, rule: CacheRule, u: CachedUsage, priceMultiplier = 1): number {
  const output = Math.max(u.output, u.reasoning);
  const read = rule.enabled ? u.read : 0, write = rule.enabled && rule.writes ? u.write : 0;
  const dollars = (u.input - read - write) * price.input + read * (price.cached_input ?? price.input) + write * rule.writePrice + output * price.output;
  // rounded as callCostUsd rounds, so with nothing cached the two agree to the cent's millionth
  return roundUsd((dollars / 1e6) * priceMultiplier);
}
