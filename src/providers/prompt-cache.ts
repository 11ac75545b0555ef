/**
 * What a call sends to have its conversation prefix cached by the provider (when the request's
 * promptCache is not false):
 *   Anthropic (direct, and Claude via OpenRouter)  `cache_control: {type: 'ephemeral'}` on the
 *       system message and on the last message (the growing prefix: the next call's lookback
 *       finds this call's entry), each only where the prefix up to it can reach the model's
 *       minimum cacheable length; 2 of the API's 4 breakpoints. A breakpoint caches the whole
 *       prefix through its block, and a read looks back up to 20 blocks from each breakpoint for
 *       an earlier entry: this call's last message is 2 blocks past the previous call's
 *       (https://platform.claude.com/docs/en/build-with-claude/prompt-caching, read 2026-12-02).
 *   OpenAI  `prompt_cache_key`: one stable key per agent conversation, so its calls are routed
 *       to the machine holding its prefix.
 *   Gemini  nothing: implicit caching is automatic; only the usage is read.
 * Pure; no SDK imports.
 */
import { createHash } from 'node:crypto';
import type { ChatMessage, Usage } from './types.ts';
import type { TokenCharge } from '../governor/key-budget.ts';

/**
 * Anthropic's minimum cacheable prompt length per model, in tokens: a shorter prefix is
 * processed uncached, with no error. Sources, read 2026-12-02:
 *   https://platform.claude.com/docs/en/build-with-claude/prompt-caching (as quoted in
 *     https://github.com/anthropics/anthropic-sdk-python/issues/1194): 4096 Opus 4.6, Opus 4.5,
 *     Haiku 4.5; 1024 Sonnet 4.6, Sonnet 4.5, Opus 4.1, Opus 4, Sonnet 4, Sonnet 3.7; 2048 Haiku 3.5, Haiku 3
 *   https://docs.litellm.ai/docs/completion/prompt_caching (2026-10-07): 512 Opus 5, Fable 5,
 *     Mythos 5; 1024 Sonnet 5, Opus 4.8
 *   Opus 4.7: 2048 (https://dev.to/creeta/claudes-prompt-cache-fails-silently-below-1024-tokens-1ch1)
 *     or 4096 (other pages); the lower is kept: we only skip a breakpoint that surely cannot cache.
 * A model not listed gets the lowest documented minimum (512).
 */
const CLAUDE_CACHE_MIN: ReadonlyArray<{ family: RegExp; from: number; to: number; tokens: number }> = [
  { family: /^haiku$/, from: 3, to: 3.5, tokens: 2048 },
  // Haiku after 4.5 is in no table read: taken as Haiku 4.5's
  { family: /^haiku$/, from: 4.5, to: 99, tokens: 4096 },
  { family: /^opus$/, from: 4.5, to: 4.6, tokens: 4096 },
  { family: /^opus$/, from: 4.7, to: 4.7, tokens: 2048 },
  { family: /^opus$/, from: 3, to: 4.1, tokens: 1024 },
  { family: /^opus$/, from: 4.8, to: 4.8, tokens: 1024 },
  { family: /^sonnet$/, from: 3.5, to: 5, tokens: 1024 },
  { family: /^(opus|fable|mythos)$/, from: 5, to: 5, tokens: 512 },
];
export const CLAUDE_CACHE_MIN_FALLBACK = 512;

/** family and generation of a Claude id: claude-opus-4-1-20250805, claude-3-5-haiku-20241022, anthropic/claude-opus-4.1 */
export function claudeModel(modelId: string): { family: string; version: number } | null {
  const t = modelId.slice(modelId.lastIndexOf('/') + 1);
  const old = /^claude-(\d+)(?:[-.](\d)(?!\d))?-(opus|sonnet|haiku)/.exec(t);
  if (old) return { family: old[3], version: Number(old[1]) + (old[2] ? Number(old[2]) / 10 : 0) };
  const m = /^claude-(opus|sonnet|haiku|fable|mythos)-(\d+)(?:[-.](\d)(?!\d))?/.exec(t);
  return m ? { family: m[1], version: Number(m[2]) + (m[3] ? Number(m[3]) / 10 : 0) } : null;
}

/** the minimum cacheable prefix of a Claude model, in tokens (see the table's sources) */
export function claudeCacheMinTokens(modelId: string): number {
  const c = claudeModel(modelId);
  if (!c) return CLAUDE_CACHE_MIN_FALLBACK;
  const row = CLAUDE_CACHE_MIN.find(
    (r) => r.family.test(c.family) && c.version >= r.from - 1e-9 && c.version <= r.to + 1e-9,
  );
  return row?.tokens ?? CLAUDE_CACHE_MIN_FALLBACK;
}

/**
 * Gemini's implicit caching: 2.5 and newer only, from 2,048 tokens on 2.5 and 4,096 on 3.x
 * and later; null where the model has none.
 * https://ai.google.dev/gemini-api/docs/caching (page updated 2026-10-13; read 2026-12-02)
 */
export function geminiCacheMinTokens(modelId: string): number | null {
  const m = /gemini-(\d+)(?:\.(\d+))?/.exec(modelId);
  if (!m) return null;
  const v = Number(m[1]) + Number(m[2] ?? 0) / 10;
  return v < 2.5 ? null : v < 3 ? 2048 : 4096;
}

/**
 * OpenAI's automatic caching: prompts of 1,024 tokens or more, hits in 128-token steps.
 * https://platform.openai.com/docs/guides/prompt-caching (as restated in
 * https://raw.githubusercontent.com/openai/openai-cookbook/main/examples/Prompt_Caching_201.ipynb, read 2026-12-02)
 */
export const OPENAI_CACHE = Object.freeze({ minTokens: 1024, step: 128 });

/**
 * Whether cache reads count toward the key's (input) tokens-per-minute limit. Anthropic: only
 * on the Claude 3 / 3.5 models (marked † on https://platform.claude.com/docs/en/api/rate-limits,
 * read 2026-12-02; on later models "cache_read_input_tokens do not count towards ITPM").
 * OpenAI counts every input token (its limiter counts a request before any cache lookup:
 * https://community.openai.com/t/does-prompt-caching-reduce-tpm/1138631, read 2026-12-02);
 * others: assumed counted.
 */
export function cacheReadsCountTowardTpm(provider: string, modelId: string): boolean {
  if (provider !== 'anthropic') return true;
  // cache-aware ITPM came with Claude 3.7 Sonnet; the † models are Claude 3 Haiku/Opus and 3.5 Sonnet/Haiku
  const c = claudeModel(modelId);
  return c !== null && c.version < 3.7;
}

/**
 * What a call costs a key's token budget (input and output as its provider counts them): OpenAI counts every input token, cached ones
 * included (its limiter counts a request before any cache lookup:
 * https://community.openai.com/t/does-prompt-caching-reduce-tpm/1138631, read 2026-12-02);
 * Anthropic leaves cache reads out of ITPM on current models (cache writes count). Other
 * providers: every input token.
 */
export function chargedTokens(provider: string, modelId: string, usage: Usage): TokenCharge {
  let input = usage.inputTokens;
  if (!cacheReadsCountTowardTpm(provider, modelId)) input -= usage.cacheReadTokens ?? 0;
  return { input: Math.max(0, input), output: Math.max(0, usage.outputTokens) };
}

/**
 * An upper bound of a prefix's tokens: English and JSON average well over 2 characters a
 * token, plus a few tokens of framing per message. Below the minimum by this bound, a
 * breakpoint surely cannot cache.
 */
export function maxTokensOf(messages: readonly Pick<ChatMessage, 'content'>[]): number {
  let t = 0;
  for (const m of messages) t += 8 + Math.ceil(m.content.length / 2);
  return t;
}

/**
 * Indexes of the messages that get a breakpoint: the system message (when first) and the last
 * message, each only when the prefix through it may reach `minTokens`. At most 2, within
 * Anthropic's limit of 4.
 */
export function breakpointIndexes(
  messages: readonly Pick<ChatMessage, 'role' | 'content'>[],
  minTokens: number,
): number[] {
  const out: number[] = [];
  if (messages.length === 0) return out;
  const last = messages.length - 1;
  if (messages[0].role === 'system' && last > 0 && maxTokensOf(messages.slice(0, 1)) >= minTokens) out.push(0);
  if (maxTokensOf(messages) >= minTokens) out.push(last);
  return out;
}

/**
 * OpenAI's prompt_cache_key for one agent conversation: a hash of the request's scope (e.g.
 * "exp12/run3/Agent_1") and of its system message, which holds the rules and the agent's own
 * values (a grid's scope names the run and seat but not the experiment, so two experiments'
 * Agent_1 of run 3 would otherwise share a key). Hashed so no prompt text or path leaves in
 * it; 40 characters, within the 64 the API takes (the limit as clients enforce it, e.g.
 * https://docs.rs/crate/ai/0.4.1/source/src/providers/openai_prompt_cache.rs, read 2026-12-02).
 * Undefined without a scope or system message (nothing marks the conversation).
 */
export function promptCacheKey(scope: string | undefined, messages: readonly ChatMessage[]): string | undefined {
  const system = messages[0]?.role === 'system' ? messages[0].content : undefined;
  if (scope === undefined && system === undefined) return undefined;
  return `bargain-${createHash('sha256')
    .update(`${scope ?? ''}\n${system ?? ''}`)
    .digest('hex')
    .slice(0, 32)}`;
}
