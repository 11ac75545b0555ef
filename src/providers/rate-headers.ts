/**
 * The rate limits a provider announces on every response (and on its 429s), read into a
 * RateLimitSnapshot the governor learns from; and which of a call's tokens count against a
 * key's token budget. Gemini and OpenRouter announce no per-key limits: undefined.
 *
 * OpenAI (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers, read
 * 2026-12-02): x-ratelimit-{limit,remaining}-{requests,tokens} are counts; x-ratelimit-reset-
 * {requests,tokens} is "the time until the rate limit resets to its initial state" as a Go-style
 * duration ("1s", "6m0s", "20ms", "23h18m29.144s").
 * Anthropic (https://platform.claude.com/docs/en/api/rate-limits, "Response headers", read
 * 2026-12-02): anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,
 * reset}; reset is the RFC 3339 time the limit is fully replenished (token bucket); the tokens-*
 * headers show the most restrictive token limit in effect.
 */
import type { LimitReading, RateLimitSnapshot } from './types.ts';

type HeaderBag = Record<string, string | undefined> | Headers | undefined | null;

/** Milliseconds of an OpenAI reset duration ("1h2m3.5s", "6m0s", "20ms"; a bare number is seconds); undefined if unreadable. */
export function parseResetDuration(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number.parseFloat(s) * 1000;
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(s);
  if (!m || s === '' || m.slice(1).every((x) => x === undefined)) return undefined;
  const n = (x: string | undefined) => (x === undefined ? 0 : Number.parseFloat(x));
  return Math.round(((n(m[1]) * 60 + n(m[2])) * 60 + n(m[3])) * 1000 + n(m[4]));
}

/** Milliseconds from `now` to an RFC 3339 time (never negative); undefined if unreadable. */
function untilTime(v: string | undefined, now: number): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v.trim());
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

function count(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(v)) return undefined;
  return Number.parseFloat(v);
}

function getter(headers: HeaderBag): (name: string) => string | undefined {
  if (!headers) return () => undefined;
  if (typeof (headers as Headers).get === 'function') return (n) => (headers as Headers).get(n) ?? undefined;
  const lower = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(headers as Record<string, string | undefined>)) lower.set(k.toLowerCase(), v);
  return (n) => lower.get(n);
}

function reading(
  limit: number | undefined,
  remaining: number | undefined,
  resetMs: number | undefined,
): LimitReading | undefined {
  if (limit === undefined && remaining === undefined && resetMs === undefined) return undefined;
  const r: LimitReading = {};
  if (limit !== undefined) r.limit = limit;
  if (remaining !== undefined) r.remaining = remaining;
  if (resetMs !== undefined) r.resetMs = resetMs;
  return r;
}

/** The limits a response's headers announce for its key; undefined when it announces none. */
export function parseRateLimitHeaders(
  provider: string,
  headers: HeaderBag,
  now = Date.now(),
): RateLimitSnapshot | undefined {
  const h = getter(headers);
  const out: RateLimitSnapshot = {};
  if (provider === 'openai') {
    for (const [dim, key] of [
      ['requests', 'requests'],
      ['tokens', 'tokens'],
    ] as const) {
      const r = reading(
        count(h(`x-ratelimit-limit-${dim}`)),
        count(h(`x-ratelimit-remaining-${dim}`)),
        parseResetDuration(h(`x-ratelimit-reset-${dim}`)),
      );
      if (r) out[key] = r;
    }
  } else if (provider === 'anthropic') {
    for (const [dim, key] of [
      ['requests', 'requests'],
      ['tokens', 'tokens'],
      ['input-tokens', 'inputTokens'],
      ['output-tokens', 'outputTokens'],
    ] as const) {
      const p = `anthropic-ratelimit-${dim}`;
      const r = reading(count(h(`${p}-limit`)), count(h(`${p}-remaining`)), untilTime(h(`${p}-reset`), now));
      if (r) out[key] = r;
    }
  } else {
    return undefined; // Gemini, OpenRouter, compatible servers: configured budgets stay
  }
  return Object.keys(out).length ? out : undefined;
}
