/**
 * The one ChatModel interface every provider client implements (STYLE §5, DESIGN §3),
 * and the single error type providers throw. Policy (retry, rate governor, cache) is
 * layered around a ChatModel as decorators of the same type; no client sleeps or retries.
 * Must not import src/game, src/protocol or src/agents.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** output-token cap for this call (the phase's cap) */
  maxOutputTokens: number;
  /** omitted for reasoning models (the client drops it and warns) */
  temperature?: number;
  reasoningEffort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  /** multiplies the whole wire cap (answer + reasoning allowance), bounded: a repair turn after
   *  an answer cut off at the output limit gets more room (sampling.ts) */
  capScale?: number;
  /**
   * Replaces the reasoning reserve added to the cap of reasoning, adaptive and level models
   * (not a thinking budget, which is itself a parameter): `bargain check` bounds what its
   * one-word question may cost while sending every other parameter as the grid does.
   */
  reasoningAllowance?: number;
  /**
   * Ask the provider to cache the conversation's prefix (default true): Anthropic
   * cache_control breakpoints, OpenAI prompt_cache_key, OpenRouter cache_control on
   * Anthropic routes. `--no-prompt-cache` sends false; it is part of the response cache key.
   */
  promptCache?: boolean;
  /** position of this call within its negotiation run (part of the cache key) */
  callIndex?: number;
  /** identifies the run for caching/accounting, e.g. "exp12/run3/Agent_1" */
  scope?: string;
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'error' | 'other';

export interface Usage {
  /** every input token of the call, cached ones included */
  inputTokens: number;
  outputTokens: number;
  /** reasoning tokens, included in outputTokens where the provider bills them as output */
  reasoningTokens: number;
  /** input tokens read from the provider's prompt cache (part of inputTokens; billed at the cached price) */
  cacheReadTokens?: number;
  /** input tokens written to the prompt cache (part of inputTokens; Anthropic bills them at its cache-write price) */
  cacheWriteTokens?: number;
}

/** One limit as a provider announced it in a response's headers. */
export interface LimitReading {
  limit?: number;
  remaining?: number;
  /** ms from the response until the limit is fully replenished (OpenAI "6m0s", Anthropic RFC 3339 time) */
  resetMs?: number;
}

/**
 * The rate limits a response announced for its key (OpenAI x-ratelimit-*, Anthropic
 * anthropic-ratelimit-*); absent where the provider announces none (Gemini, OpenRouter).
 * Tokens are per minute; requests per minute.
 */
export interface RateLimitSnapshot {
  requests?: LimitReading;
  /** OpenAI's tokens (input + output), Anthropic's combined tokens */
  tokens?: LimitReading;
  /** Anthropic's input-tokens-per-minute */
  inputTokens?: LimitReading;
  /** Anthropic's output-tokens-per-minute */
  outputTokens?: LimitReading;
}

export interface ChatResult {
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage: Usage;
  /** the output-token cap actually sent (the request's cap plus any reasoning allowance) */
  wireMaxOutputTokens?: number;
  warnings: string[];
  /** e.g. openai, anthropic, google, openrouter, compatible, sim */
  provider: string;
  /** provider model id actually called */
  modelId: string;
  /** the route that served it, e.g. "openai direct" or "openrouter" */
  route: string;
  /** true when served from the response cache */
  cached?: boolean;
  /** attempts made (1 = first try succeeded) */
  attempts?: number;
  /** duration of the attempt that succeeded (retry waits excluded) */
  latencyMs?: number;
  /** label of the key that served this call (e.g. OPENAI_API_KEY_2, or "none"), never the key */
  keyLabel?: string;
  /** dollars for this call from registry prices (route fees included; 0 when cached) */
  costUsd?: number;
  /** the model id the provider says answered (OpenAI/OpenRouter/Anthropic `model`, Gemini `modelVersion`); undefined when it says none */
  servedModelId?: string;
  /** the served id is neither the requested id, one of its dated snapshots, nor a registry `served_ids` entry */
  servedModelMismatch?: boolean;
  /** registry name whose price was charged when it is not the requested model's (the served model's) */
  pricedAs?: string;
  /** the limits the response announced for this key (OpenAI, Anthropic); undefined where none */
  rateLimits?: RateLimitSnapshot;
}

export interface ChatModel {
  readonly spec: 'v1';
  /** provider family: openai | anthropic | google | openrouter | compatible | sim */
  readonly provider: string;
  readonly modelId: string;
  /** label of the API key in use (e.g. OPENAI_API_KEY_2), never the key itself */
  readonly keyLabel: string;
  generate(req: ChatRequest): Promise<ChatResult>;
}

export type ProviderErrorKind =
  | 'rate_limit' // 429: pause the key for retryAfterMs, never an experiment failure
  | 'transient' // 5xx, reset, timeout: back off with jitter, bounded retries
  | 'key' // invalid key, quota exhausted, insufficient funds: rotate to the next key
  | 'fatal'; // bad request, unknown model, context too long: do not retry

/** What the provider's body said, where callers act on it. */
export type ProviderErrorReason =
  | 'model_not_found' // fatal: retired, unknown or not served to this key (404 / "not a valid model ID")
  | 'unsupported_parameter' // fatal: this model rejects a parameter we send (400)
  | 'invalid_key' // key: wrong, revoked or not allowed
  | 'no_credit' // key: the account has no credit or quota left
  | 'daily_quota'; // rate_limit: a per-day quota, free again only at its reset

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly provider: string;
  readonly reason?: ProviderErrorReason;
  /** the limits announced in the error response's headers (a 429 tells the key's real limits too) */
  rateLimits?: RateLimitSnapshot;
  constructor(opts: {
    message: string;
    kind: ProviderErrorKind;
    provider: string;
    status?: number;
    retryAfterMs?: number;
    reason?: ProviderErrorReason;
    cause?: unknown;
    rateLimits?: RateLimitSnapshot;
  }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.kind = opts.kind;
    this.provider = opts.provider;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    if (opts.reason !== undefined) this.reason = opts.reason;
    if (opts.rateLimits !== undefined) this.rateLimits = opts.rateLimits;
  }

  /** The model itself cannot be called as configured: every call with it will fail the same way. */
  get modelUnavailable(): boolean {
    return this.kind === 'fatal' && (this.reason === 'model_not_found' || this.reason === 'unsupported_parameter');
  }
}

/**
 * The ProviderError behind `err` (looking through `cause`, e.g. the protocol's AgentError)
 * when it says the model cannot be called as configured (model not found, unsupported
 * parameter); undefined otherwise. Starting more experiments with that model is pointless.
 */
export function modelErrorOf(err: unknown): ProviderError | undefined {
  for (let e: unknown = err, depth = 0; e != null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ProviderError) return e.modelUnavailable ? e : undefined;
  }
  return undefined;
}

/** True when `err` (or its cause chain) is a fatal model error: see modelErrorOf. */
export function isModelError(err: unknown): boolean {
  return modelErrorOf(err) !== undefined;
}
