/**
 * The mock's prompt cache (issue 12 §4): which input tokens of a request each provider would
 * read from its prefix cache, and which it would write, as each documents it. Pure apart
 * from the entries it keeps (prefix hashes with an expiry on the clock it is given).
 *
 * Tokens are the one estimate (providers/tokens.ts, as the server counts them): a prompt is
 * Σ(4 + ⌈content/4⌉) per message plus 3 priming tokens at the end, so a prefix ending at a
 * message or block boundary has a well-defined count and the priming tokens are never cached.
 *
 *   openai      automatic for prompts of 1024 tokens or more; a hit is the longest previously
 *               seen prefix, in 128-token increments from 1024; scoped per key, model and
 *               prompt_cache_key. https://developers.openai.com/api/docs/guides/prompt-caching,
 *               https://developers.openai.com/cookbook/examples/prompt_caching_201 (read 2026-12-02).
 *               Retention "5 to 10 minutes of inactivity": the mock keeps 5 minutes, refreshed on use.
 *   anthropic   only up to cache_control breakpoints (max 4, a top-level cache_control takes the
 *               last block and one slot); a breakpoint's prefix is written when it reaches the
 *               model's minimum; each breakpoint looks back up to 20 blocks for a hit; 5-minute
 *               TTL refreshed on each hit. https://platform.claude.com/docs/en/build-with-claude/prompt-caching
 *               (read 2026-12-02; minimums as its table and https://github.com/anthropics/anthropic-sdk-python/issues/1194,
 *               https://dev.to/creeta/claudes-prompt-cache-fails-silently-below-1024-tokens-1ch1).
 *   gemini      implicit on 2.5 and newer: 2048 tokens minimum on 2.5, 4096 on 3.x and later;
 *               https://ai.google.dev/gemini-api/docs/caching (read 2026-12-02, updated 2026-10-13).
 *               Granularity and TTL are not documented: the mock hits at message boundaries and
 *               keeps 5 minutes.
 */
import {
  claudeCacheMinTokens as anthropicMinTokensOf,
  geminiCacheMinTokens as geminiMinTokensOf,
  OPENAI_CACHE,
} from '../providers/prompt-cache.ts';
import { estimateTextTokens, MESSAGE_OVERHEAD_TOKENS } from '../providers/tokens.ts';

/** One cacheable text block of a prompt, in order (system first). */
export interface CacheUnit {
  /** index of the message it belongs to (system counts as one) */
  msg: number;
  text: string;
  /** carries cache_control (Anthropic, OpenRouter's content parts) */
  breakpoint: boolean;
}

export type CacheRule = 'openai' | 'anthropic' | 'gemini' | 'none';

export interface CachePlan {
  /** input tokens read from the cache */
  read: number;
  /** input tokens written to it (Anthropic only reports writes) */
  write: number;
  /** stores the entries this request writes and refreshes the one it read */
  commit(now: number): void;
}

export const CACHE_TTL_MS = 5 * 60_000;
export const MAX_BREAKPOINTS = 4;
/** "up to 20 blocks before each explicit breakpoint" */
export const LOOKBACK_BLOCKS = 20;
const OPENAI_MIN = OPENAI_CACHE.minTokens;
const OPENAI_STEP = OPENAI_CACHE.step;

const tailOf = (model: string) => model.slice(model.lastIndexOf('/') + 1);

// one home for the providers' documented minimums (sources there)
export {
  claudeCacheMinTokens as anthropicMinTokens,
  geminiCacheMinTokens as geminiMinTokens,
} from '../providers/prompt-cache.ts';

/** Which provider's caching a wire format and model follow (OpenRouter: the upstream's). */
export function cacheRule(format: string, model: string): CacheRule {
  if (model.startsWith('sim:') && format !== 'openai') return 'none';
  if (format === 'openai') return 'openai';
  if (format === 'anthropic') return 'anthropic';
  if (format === 'gemini') return geminiMinTokensOf(model) === null ? 'none' : 'gemini';
  if (model.startsWith('anthropic/')) return 'anthropic';
  if (model.startsWith('openai/')) return 'openai';
  if (model.startsWith('google/') && geminiMinTokensOf(model) !== null) return 'gemini';
  return 'none';
}

/** A running 2×32-bit FNV-1a hash of the prompt, read at boundaries. */
class Running {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  add(s: string): void {
    let a = this.a,
      b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    this.a = a;
    this.b = b;
  }
  get value(): string {
    return (this.a >>> 0).toString(36) + '.' + (this.b >>> 0).toString(36);
  }
}

interface Boundary {
  tokens: number;
  hash: string;
}

/** Token count and prefix hash at the end of each unit. */
function unitBoundaries(units: readonly CacheUnit[]): Boundary[] {
  const out: Boundary[] = [];
  const h = new Running();
  let before = 0; // tokens of the messages before the current one
  let msg = -1;
  let text = ''; // current message's text so far
  for (const u of units) {
    if (u.msg !== msg) {
      if (msg >= 0) before += MESSAGE_OVERHEAD_TOKENS + estimateTextTokens(text);
      msg = u.msg;
      text = '';
      h.add(`\u0001${u.msg}\u0002`);
    }
    text += u.text;
    h.add(u.text);
    h.add('\u0003');
    out.push({ tokens: before + MESSAGE_OVERHEAD_TOKENS + estimateTextTokens(text), hash: h.value });
  }
  return out;
}

/** Hashes of the prompt's prefixes at every multiple of 128 tokens from 1024 (OpenAI). */
function stepBoundaries(units: readonly CacheUnit[]): Boundary[] {
  const out: Boundary[] = [];
  const h = new Running();
  let tokens = 0;
  let next = OPENAI_MIN;
  const mark = () => {
    while (tokens >= next) {
      out.push({ tokens: next, hash: `${h.value}@${next}` });
      next += OPENAI_STEP;
    }
  };
  for (const u of units) {
    h.add(`\u0001${u.msg}\u0002`);
    tokens += 4;
    mark();
    for (let i = 0; i < u.text.length; i += 4) {
      h.add(u.text.slice(i, i + 4));
      tokens += 1;
      mark();
    }
  }
  return out;
}

export class PromptCache {
  private readonly scopes = new Map<string, Map<string, number>>();
  private writes = 0;

  constructor(private readonly ttlMs = CACHE_TTL_MS) {}

  /** What `rule` would read and write for this prompt in `scope` (key, model, cache key) at `now`. */
  plan(rule: CacheRule, scope: string, model: string, units: readonly CacheUnit[], now: number): CachePlan {
    const entries = this.scopes.get(scope);
    const live = (hash: string) => {
      const e = entries?.get(hash);
      return e !== undefined && e > now;
    };
    const none: CachePlan = { read: 0, write: 0, commit: () => {} };
    if (rule === 'none' || units.length === 0) return none;

    if (rule === 'openai') {
      const steps = stepBoundaries(units);
      if (steps.length === 0) return none;
      let hit: Boundary | null = null;
      for (const s of steps) if (live(s.hash)) hit = s;
      return {
        read: hit?.tokens ?? 0,
        write: 0,
        commit: (t) =>
          this.put(
            scope,
            steps.map((s) => s.hash),
            t,
          ),
      };
    }

    const bounds = unitBoundaries(units);
    if (rule === 'gemini') {
      const min = geminiMinTokensOf(model) ?? Infinity;
      const cacheable = bounds.filter(
        (b, i) => b.tokens >= min && (i === bounds.length - 1 || units[i + 1].msg !== units[i].msg),
      );
      let hit: Boundary | null = null;
      for (const b of cacheable) if (live(b.hash)) hit = b;
      return {
        read: hit?.tokens ?? 0,
        write: 0,
        commit: (t) =>
          this.put(
            scope,
            cacheable.map((b) => b.hash),
            t,
          ),
      };
    }

    // anthropic: reads only at breakpoints or up to 20 blocks before one; writes at breakpoints
    const min = anthropicMinTokensOf(model);
    const bps = units.flatMap((u, i) => (u.breakpoint ? [i] : []));
    if (bps.length === 0) return none;
    let read: Boundary | null = null;
    for (const b of bps) {
      for (let j = b; j >= Math.max(0, b - LOOKBACK_BLOCKS); j--) {
        if (live(bounds[j].hash)) {
          if (!read || bounds[j].tokens > read.tokens) read = bounds[j];
          break;
        }
      }
    }
    const writable = bps.map((b) => bounds[b]).filter((b) => b.tokens >= min && b.tokens > (read?.tokens ?? 0));
    const top = writable.at(-1);
    return {
      read: read?.tokens ?? 0,
      write: top ? top.tokens - (read?.tokens ?? 0) : 0,
      commit: (t) => this.put(scope, [...writable.map((b) => b.hash), ...(read ? [read.hash] : [])], t),
    };
  }

  private put(scope: string, hashes: readonly string[], now: number): void {
    let m = this.scopes.get(scope);
    if (!m) this.scopes.set(scope, (m = new Map()));
    for (const h of hashes) m.set(h, now + this.ttlMs);
    // drop expired entries now and then, so a long bench does not grow without bound
    if (++this.writes % 1000 === 0) {
      for (const [s, es] of this.scopes) {
        for (const [h, exp] of es) if (exp <= now) es.delete(h);
        if (es.size === 0) this.scopes.delete(s);
      }
    }
  }
}
