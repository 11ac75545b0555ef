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
  /** position of this call within its negotiation run (part of the cache key) */
  callIndex?: number;
  /** identifies the run for caching/accounting, e.g. "exp12/run3/Agent_1" */
  scope?: string;
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'error' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** reasoning tokens, included in outputTokens where the provider bills them as output */
  reasoningTokens: number;
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
  /** the model id the provider says answered (OpenAI/OpenRouter/Anthropic `model`, Gemini `modelVersion`) */
  servedModelId?: string;
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
  | 'rate_limit'   // 429: pause the key for retryAfterMs, never an experiment failure
  | 'transient'    // 5xx, reset, timeout: back off with jitter, bounded retries
  | 'key'          // invalid key, quota exhausted, insufficient funds: rotate to the next key
  | 'fatal';       // bad request, unknown model, context too long: do not retry

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly provider: string;
  constructor(opts: { message: string; kind: ProviderErrorKind; provider: string; status?: number; retryAfterMs?: number; cause?: unknown }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.kind = opts.kind;
    this.provider = opts.provider;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }
}
