/**
 * Maps what a provider call threw into one ProviderError kind (STYLE §6):
 *   429 (not quota)                          -> rate_limit, retryAfterMs from retry-after-ms /
 *                                               retry-after / Gemini RetryInfo
 *   5xx, 408, 409, 529, resets, bad bodies   -> transient
 *   401, 403, 402, quota, insufficient funds,
 *   invalid key (any status)                 -> key   (rotate to the next key)
 *   other 4xx                                -> fatal
 * Messages are scrubbed of keys and carry the route, model id and status; the raw SDK error
 * is not attached as `cause` (its response body and headers could echo a key).
 * Returns null for an abort, which the caller handles (timeout vs cancellation).
 */
import type { APICallError } from 'ai';

// The SDK marks its errors with global symbols (what its own isInstance checks), so they
// are recognised here without loading the SDK at start-up.
const hasMarker = (e: unknown, marker: string): boolean =>
  e != null && typeof e === 'object' && (e as Record<symbol, unknown>)[Symbol.for(marker)] === true;
const isSdkError = (e: unknown): e is Error => hasMarker(e, 'vercel.ai.error');
const isApiCallError = (e: unknown): e is APICallError => hasMarker(e, 'vercel.ai.error.AI_APICallError');
import { ProviderError, type ProviderErrorKind } from './types.ts';
import { displayUrl, scrub } from './scrub.ts';
import type { Route } from './route.ts';

const KEY_PATTERNS = /insufficient[_ ]quota|insufficient[_ ](?:funds|credits?)|credit balance|billing|exceeded your current quota.*(?:plan|billing)|api[_ ]key[_ ](?:not[_ ]valid|invalid)|invalid[_ ](?:api[_ ])?key|incorrect api key|API_KEY_INVALID|authentication_error|permission_error|PERMISSION_DENIED|UNAUTHENTICATED|no auth credentials|key (?:is )?(?:disabled|revoked|expired)/i;

export interface HttpFailure {
  status: number | undefined;
  headers?: Record<string, string | undefined>;
  body?: string;
  /** message the SDK extracted from the error body */
  message: string;
}

/** Classifies an HTTP failure; pure, so every rule can be tested without a server. */
export function classifyHttp(f: HttpFailure): { kind: ProviderErrorKind; retryAfterMs?: number; detail: string } {
  const body = f.body ?? '';
  const detail = errorDetail(body) ?? f.message;
  const text = `${detail} ${body}`;
  const s = f.status;
  if (s === undefined) return { kind: 'transient', detail };
  if (s === 429) {
    // Gemini words every quota 429, per-minute ones included, "…check your plan and billing
    // details…"; a RetryInfo says when it passes, so it is a rate limit, not a dead key
    // (https://ai.google.dev/gemini-api/docs/rate-limits; issue 10 §5)
    if (/"retryDelay"\s*:/.test(body)) return { kind: 'rate_limit', retryAfterMs: retryAfterMs(f.headers, body), detail };
    // OpenAI answers 429 both for rate limits and for an exhausted quota; only the first passes
    if (/insufficient_quota|insufficient[_ ](?:funds|credits?)|billing/i.test(text)) return { kind: 'key', detail };
    return { kind: 'rate_limit', retryAfterMs: retryAfterMs(f.headers, body), detail };
  }
  if (s === 401 || s === 402 || s === 403) return { kind: 'key', detail };
  if (KEY_PATTERNS.test(text) && s >= 400 && s < 500) return { kind: 'key', detail };
  if (s >= 500 || s === 408 || s === 409) return { kind: 'transient', detail };
  if (s >= 400) return { kind: 'fatal', detail };
  // a 2xx whose body could not be used (OpenRouter puts upstream errors in a 200 body)
  if (KEY_PATTERNS.test(text)) return { kind: 'key', detail };
  const code = embeddedCode(body);
  if (code === 429) return { kind: 'rate_limit', retryAfterMs: retryAfterMs(f.headers, body), detail };
  if (code !== undefined && code >= 400 && code < 500 && code !== 408) return { kind: 'fatal', detail };
  return { kind: 'transient', detail };
}

/** Milliseconds to wait from retry-after-ms, retry-after (seconds or HTTP date) or a Gemini RetryInfo body. */
export function retryAfterMs(headers: Record<string, string | undefined> | undefined, body = '', now = Date.now()): number | undefined {
  const h = lowerKeys(headers);
  const ms = h['retry-after-ms'];
  if (ms !== undefined && Number.isFinite(Number.parseFloat(ms))) return Math.max(0, Number.parseFloat(ms));
  const ra = h['retry-after'];
  if (ra !== undefined) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number.parseFloat(ra) * 1000);
    const t = Date.parse(ra);
    if (Number.isFinite(t)) return Math.max(0, t - now);
  }
  const m = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body);
  if (m) return Number.parseFloat(m[1]) * 1000;
  return undefined;
}

/** Turns anything a client threw into a ProviderError; null for aborts; rethrows bugs. */
export function toProviderError(err: unknown, route: Route): ProviderError | null {
  if (isAbort(err)) return null;
  const where = `${route.name} (${route.modelId} via ${route.label})`;
  if (isApiCallError(err)) {
    if (err.statusCode === undefined) {
      const cause = err.cause instanceof Error ? ((err.cause as NodeJS.ErrnoException).code ?? err.cause.message) : err.message;
      return new ProviderError({
        kind: 'transient', provider: route.provider,
        message: scrub(`${where}: cannot reach ${displayUrl(route.baseUrl)} (${cause}); fix: check ${route.baseUrlSource === 'default' ? 'the network' : route.baseUrlSource} and that the server is running`),
      });
    }
    // OpenRouter reports upstream errors inside a 200 body: the SDK keeps them as `data`
    const body = err.responseBody ?? (err.data !== undefined ? JSON.stringify({ error: err.data }) : undefined);
    const c = classifyHttp({ status: err.statusCode, headers: err.responseHeaders, body, message: err.message });
    const status = err.statusCode === 200 ? 'invalid response' : `HTTP ${err.statusCode}`;
    return new ProviderError({
      kind: c.kind, provider: route.provider, status: err.statusCode, retryAfterMs: c.retryAfterMs,
      message: scrub(`${where}: ${status}: ${truncate(c.detail, 300)}`),
    });
  }
  if (isSdkError(err)) {
    // no choices, unparsable JSON, schema mismatch: a broken answer, worth another try
    return new ProviderError({ kind: 'transient', provider: route.provider, message: scrub(`${where}: ${err.name}: ${truncate(err.message, 300)}`) });
  }
  if (err instanceof ProviderError) return err;
  throw err;
}

export function isAbort(err: unknown): boolean {
  return (err instanceof Error || (typeof DOMException !== 'undefined' && err instanceof DOMException)) &&
    ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError');
}

function errorDetail(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    const e = j.error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object') {
      const o = e as { message?: unknown; type?: unknown; code?: unknown; status?: unknown };
      const tag = [o.type, o.code, o.status].filter((x) => typeof x === 'string' || typeof x === 'number').join('/');
      const msg = typeof o.message === 'string' ? o.message : '';
      return tag ? `${tag}: ${msg}` : msg || undefined;
    }
    if (typeof j.message === 'string') return j.message;
  } catch { /* not JSON */ }
  return undefined;
}

function embeddedCode(body: string): number | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}

function lowerKeys(h: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
