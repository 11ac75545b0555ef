/**
 * Maps what a provider call threw into one ProviderError kind (STYLE §6), reading each
 * provider's own error bodies rather than loose words (Gemini's ordinary per-minute 429 says
 * "…check your plan and billing details…", exactly like OpenAI's dead-key 429):
 *   429                                      -> rate_limit, retryAfterMs from retry-after-ms /
 *                                               retry-after / Gemini RetryInfo (a per-day Gemini
 *                                               quota waits until its reset); except OpenAI's
 *                                               `insufficient_quota`, which is a key error
 *   5xx, 408, 409, 529, resets, bad bodies   -> transient
 *   invalid key (401, 403, 400 API_KEY_INVALID), no credit (OpenAI insufficient_quota,
 *   Anthropic credit balance / billing_error, 402)
 *                                            -> key   (set the key aside, use the next one)
 *   other 4xx                                -> fatal, with `reason` model_not_found or
 *                                               unsupported_parameter when the body says so
 * Messages are scrubbed of keys and carry the route, model id and status; the raw SDK error
 * is not attached as `cause` (its response body and headers could echo a key).
 * Returns null for an abort, which the caller handles (timeout vs cancellation).
 *
 * Sources for the wording matched here (read 2026-12-02):
 *   OpenAI      https://platform.openai.com/docs/guides/error-codes (401 invalid key; 429 "Rate limit
 *               reached" vs 429 "You exceeded your current quota" = type/code insufficient_quota;
 *               404 code model_not_found; 400 code unsupported_parameter / unsupported_value)
 *   Anthropic   https://docs.anthropic.com/en/api/errors (authentication_error 401, permission_error 403,
 *               billing_error, not_found_error 404; 400 "Your credit balance is too low to access
 *               the Anthropic API")
 *   Gemini      https://ai.google.dev/gemini-api/docs/troubleshooting (400 INVALID_ARGUMENT with
 *               ErrorInfo API_KEY_INVALID, 403 PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED)
 *               and https://ai.google.dev/gemini-api/docs/rate-limits (every quota 429 carries
 *               QuotaFailure + RetryInfo; requests-per-day quotas reset at midnight Pacific time)
 *   OpenRouter  https://openrouter.ai/docs/api-reference/errors (401 invalid credentials, 402 insufficient
 *               credits, 403 moderation/guardrail — not a key problem; 400 "<id> is not a valid model ID")
 */
import type { APICallError } from 'ai';

// The SDK marks its errors with global symbols (what its own isInstance checks), so they
// are recognised here without loading the SDK at start-up.
const hasMarker = (e: unknown, marker: string): boolean =>
  e != null && typeof e === 'object' && (e as Record<symbol, unknown>)[Symbol.for(marker)] === true;
const isSdkError = (e: unknown): e is Error => hasMarker(e, 'vercel.ai.error');
const isApiCallError = (e: unknown): e is APICallError => hasMarker(e, 'vercel.ai.error.AI_APICallError');
import { ProviderError, type ProviderErrorKind, type ProviderErrorReason } from './types.ts';
import { displayUrl, scrub } from './scrub.ts';
import type { Route } from './route.ts';
import { parseRateLimitHeaders } from './rate-headers.ts';

/** A key that is not accepted: wrong, revoked, or not allowed to call this API. */
const INVALID_KEY =
  /api[_ ]key[_ ](?:not[_ ]valid|invalid)|API_KEY_INVALID|invalid[_ ](?:api[_ ])?key|incorrect api key|invalid x-api-key|authentication_error|permission_error|UNAUTHENTICATED|unregistered callers|no auth credentials|key (?:is )?(?:disabled|revoked|expired)/i;
/** An account without money: a key error, since another key (another account) may have some. */
const NO_CREDIT =
  /insufficient_quota|credit_balance_exhausted|(?:organization|project)_spend_limit_exceeded|credit balance is too low|billing_error|insufficient[_ ](?:funds|credits?)/i;
/** The model is gone or never existed under this id. */
const MODEL_GONE =
  /model_not_found|not_found_error|is not a valid model id|no endpoints found for|does not exist or you do not have access to it/i;
/** A parameter this model rejects (OpenAI codes; Anthropic and Gemini say it in words). */
const UNSUPPORTED =
  /unsupported_parameter|unsupported_value|unsupported (?:parameter|value)\b|not supported (?:with|for|by|on) (?:this|the) model|this model (?:does not|doesn't) support|deprecated for this model|only works in thinking mode/i;

export interface HttpFailure {
  status: number | undefined;
  headers?: Record<string, string | undefined>;
  body?: string;
  /** message the SDK extracted from the error body */
  message: string;
  /** openai | anthropic | google | openrouter | compatible | sim: where a status means something else */
  provider?: string;
}

export interface Classified {
  kind: ProviderErrorKind;
  retryAfterMs?: number;
  detail: string;
  reason?: ProviderErrorReason;
}

/** Classifies an HTTP failure; pure, so every rule can be tested without a server. */
export function classifyHttp(f: HttpFailure, now = Date.now()): Classified {
  const body = f.body ?? '';
  const e = errorObject(body);
  const detail = errorDetail(e, body) ?? f.message;
  // codes and types say it exactly; messages are the fallback for providers without codes
  const text = `${detail} ${e.type ?? ''} ${e.code ?? ''} ${e.status ?? ''} ${e.reasons.join(' ')} ${e.bare ? body : ''}`;
  const s = f.status;
  if (s === undefined) return { kind: 'transient', detail };
  const key = (reason: ProviderErrorReason): Classified => ({ kind: 'key', detail, reason });
  const limited = (): Classified => ({
    kind: 'rate_limit',
    retryAfterMs: rateLimitWait(f.headers, e, now),
    detail,
    ...(e.daily ? { reason: 'daily_quota' as const } : {}),
  });
  const fatal = (): Classified => {
    const reason: ProviderErrorReason | undefined =
      MODEL_GONE.test(text) || (e.status === 'NOT_FOUND' && /models\//.test(detail))
        ? 'model_not_found'
        : UNSUPPORTED.test(text)
          ? 'unsupported_parameter'
          : undefined;
    return reason ? { kind: 'fatal', detail, reason } : { kind: 'fatal', detail };
  };
  if (s === 429) {
    // Gemini's quota 429 (RESOURCE_EXHAUSTED, QuotaFailure) is a rate limit whatever its words;
    // OpenAI answers 429 both for rate limits and for an account out of credit
    if (e.status !== 'RESOURCE_EXHAUSTED' && NO_CREDIT.test(text)) return key('no_credit');
    // ...except a quota of 0 (the key's plan does not cover this model, or its billing is off):
    // no wait ends it, another key may serve
    if (e.status === 'RESOURCE_EXHAUSTED' && /\blimit: 0\b/.test(text)) return key('no_credit');
    return limited();
  }
  if (NO_CREDIT.test(text) && s >= 400 && s < 500) return key('no_credit');
  if (s === 402) return key('no_credit');
  if (s === 401) return key('invalid_key');
  if (s === 403) {
    // OpenRouter's 403 is moderation or a guardrail: the request, not the key
    if (f.provider === 'openrouter' && !INVALID_KEY.test(text)) return fatal();
    return key('invalid_key');
  }
  if (INVALID_KEY.test(text) && s >= 400 && s < 500) return key('invalid_key');
  if (s >= 500 || s === 408 || s === 409) return { kind: 'transient', detail };
  if (s >= 400) return fatal();
  // a 2xx whose body could not be used (OpenRouter puts upstream errors in a 200 body)
  if (NO_CREDIT.test(text)) return key('no_credit');
  if (INVALID_KEY.test(text)) return key('invalid_key');
  const code = typeof e.numericCode === 'number' ? e.numericCode : undefined;
  if (code === 429) return limited();
  if (code === 402) return key('no_credit');
  if (code !== undefined && code >= 400 && code < 500 && code !== 408) return fatal();
  return { kind: 'transient', detail };
}

/** Milliseconds to wait from retry-after-ms, retry-after (seconds or HTTP date) or a Gemini RetryInfo body. */
export function retryAfterMs(
  headers: Record<string, string | undefined> | undefined,
  body = '',
  now = Date.now(),
): number | undefined {
  return rateLimitWait(headers, errorObject(body), now);
}

function rateLimitWait(
  headers: Record<string, string | undefined> | undefined,
  e: ErrorObject,
  now: number,
): number | undefined {
  const h = lowerKeys(headers);
  const ms = h['retry-after-ms'];
  if (ms !== undefined && Number.isFinite(Number.parseFloat(ms))) return Math.max(0, Number.parseFloat(ms));
  const ra = h['retry-after'];
  if (ra !== undefined) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number.parseFloat(ra) * 1000);
    const t = Date.parse(ra);
    if (Number.isFinite(t)) return Math.max(0, t - now);
  }
  // Gemini sends no Retry-After: RetryInfo.retryDelay says how long. A per-day quota frees up
  // only at midnight Pacific, whatever retryDelay says; the caller caps the wait (--max-wait).
  if (e.daily) return Math.max(e.retryDelayMs ?? 0, msUntilPacificMidnight(now));
  return e.retryDelayMs;
}

/** Milliseconds from `now` to the next midnight in America/Los_Angeles (Gemini's daily quota reset). */
export function msUntilPacificMidnight(now: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(now));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const sinceMidnight = ((n('hour') * 60 + n('minute')) * 60 + n('second')) * 1000 + (now % 1000);
  return 24 * 3600_000 - sinceMidnight;
}

/** What to do about a fatal model error: the same call will fail for every experiment using the model. */
const FIX: Partial<Record<ProviderErrorReason, string>> = {
  model_not_found:
    '; fix: the provider no longer serves this id (or not to this key): use a current model or its named successor (bargain models)',
  unsupported_parameter:
    '; fix: this model rejects a parameter bargain sends: correct its sampling rules in a --models file',
};

/** Turns anything a client threw into a ProviderError; null for aborts; rethrows bugs. */
export function toProviderError(err: unknown, route: Route): ProviderError | null {
  if (isAbort(err)) return null;
  const where = `${route.name} (${route.modelId} via ${route.label})`;
  if (isApiCallError(err)) {
    if (err.statusCode === undefined) {
      const cause =
        err.cause instanceof Error ? ((err.cause as NodeJS.ErrnoException).code ?? err.cause.message) : err.message;
      return new ProviderError({
        kind: 'transient',
        provider: route.provider,
        message: scrub(
          `${where}: cannot reach ${displayUrl(route.baseUrl)} (${cause}); fix: check ${route.baseUrlSource === 'default' ? 'the network' : route.baseUrlSource} and that the server is running`,
        ),
      });
    }
    // OpenRouter reports upstream errors inside a 200 body: the SDK keeps them as `data`
    const body = err.responseBody ?? (err.data !== undefined ? JSON.stringify({ error: err.data }) : undefined);
    const c = classifyHttp({
      status: err.statusCode,
      headers: err.responseHeaders,
      body,
      message: err.message,
      provider: route.provider,
    });
    const status = err.statusCode === 200 ? 'invalid response' : `HTTP ${err.statusCode}`;
    return new ProviderError({
      kind: c.kind,
      provider: route.provider,
      status: err.statusCode,
      retryAfterMs: c.retryAfterMs,
      reason: c.reason,
      message: scrub(`${where}: ${status}: ${truncate(c.detail, 300)}${c.reason ? (FIX[c.reason] ?? '') : ''}`),
      // a 429 announces the key's real limits too (rate-headers.ts)
      rateLimits: parseRateLimitHeaders(route.provider, err.responseHeaders),
    });
  }
  if (isSdkError(err)) {
    // no choices, unparsable JSON, schema mismatch: a broken answer, worth another try
    return new ProviderError({
      kind: 'transient',
      provider: route.provider,
      message: scrub(`${where}: ${err.name}: ${truncate(err.message, 300)}`),
    });
  }
  if (err instanceof ProviderError) return err;
  throw err;
}

export function isAbort(err: unknown): boolean {
  return (
    (err instanceof Error || (typeof DOMException !== 'undefined' && err instanceof DOMException)) &&
    ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError')
  );
}

interface ErrorObject {
  message?: string;
  type?: string;
  code?: string;
  numericCode?: number;
  /** Gemini's google.rpc status, e.g. RESOURCE_EXHAUSTED, NOT_FOUND, PERMISSION_DENIED */
  status?: string;
  /** Gemini ErrorInfo reasons, e.g. API_KEY_INVALID */
  reasons: string[];
  /** Gemini RetryInfo.retryDelay */
  retryDelayMs?: number;
  /** a Gemini QuotaFailure naming a per-day quota */
  daily: boolean;
  /** the body is not a JSON error object: match its text */
  bare: boolean;
}

/** The error object of any of the four providers' bodies ({error: {...}}, Anthropic's {type, error}, a bare string). */
function errorObject(body: string): ErrorObject {
  const out: ErrorObject = { reasons: [], daily: false, bare: false };
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    out.bare = body.length > 0;
    return out;
  }
  const root = (j && typeof j === 'object' ? j : {}) as { error?: unknown; message?: unknown };
  const e = root.error;
  if (typeof e === 'string') {
    out.message = e;
    return out;
  }
  if (!e || typeof e !== 'object') {
    if (typeof root.message === 'string') out.message = root.message;
    else out.bare = true;
    return out;
  }
  const o = e as Record<string, unknown>;
  if (typeof o.message === 'string') out.message = o.message;
  if (typeof o.type === 'string') out.type = o.type;
  if (typeof o.code === 'string') out.code = o.code;
  if (typeof o.code === 'number') out.numericCode = o.code;
  if (typeof o.status === 'string') out.status = o.status;
  for (const d of Array.isArray(o.details) ? o.details : []) {
    if (!d || typeof d !== 'object') continue;
    const det = d as { '@type'?: unknown; reason?: unknown; retryDelay?: unknown; violations?: unknown };
    const t = String(det['@type'] ?? '');
    if (typeof det.reason === 'string') out.reasons.push(det.reason);
    if (t.endsWith('google.rpc.RetryInfo') && typeof det.retryDelay === 'string') {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(det.retryDelay.trim());
      if (m) out.retryDelayMs = Math.round(Number.parseFloat(m[1]) * 1000);
    }
    if (t.endsWith('google.rpc.QuotaFailure') && Array.isArray(det.violations)) {
      // e.g. GenerateRequestsPerDayPerProjectPerModel-FreeTier; a per-minute one alongside still frees up in a minute
      const ids = det.violations.map((v) => String((v as { quotaId?: unknown })?.quotaId ?? ''));
      out.daily = ids.some((id) => /PerDay/i.test(id)) && !ids.some((id) => /PerMinute/i.test(id));
    }
  }
  return out;
}

function errorDetail(e: ErrorObject, body: string): string | undefined {
  if (e.bare) return undefined; // HTML or plain text: the SDK's message says more
  const tag = [e.type, e.code ?? e.numericCode, e.status].filter((x) => x !== undefined).join('/');
  const msg = e.message ?? '';
  return tag ? `${tag}: ${msg}` : msg || undefined;
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
