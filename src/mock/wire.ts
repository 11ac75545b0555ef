/**
 * The four wire formats the mock server speaks, as the official APIs shape them:
 * where the key travels, what a valid request holds (and the real 400 for what the API
 * rejects), the success body (with usage, including reasoning tokens), the error body for
 * each status, and the list-models body. One WireFormat per API; pure functions of their
 * inputs (ids and timestamps are passed in).
 *   openai      POST /v1/chat/completions, GET /v1/models             Authorization: Bearer
 *   openrouter  POST /api/v1/chat/completions, GET /api/v1/models     Authorization: Bearer (list: public)
 *   anthropic   POST /v1/messages, GET /v1/models                     x-api-key or Authorization: Bearer; anthropic-version
 *   gemini      POST /v1beta/models/{model}:generateContent, GET /v1beta/models   x-goog-api-key or ?key=
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CatalogEntry, FormatName } from './catalog.ts';

export interface WireMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** OpenAI's reasoning_effort values (openai SDK 6.x `ReasoningEffort`); Anthropic's output_config.effort is a subset. */
export const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export type Effort = (typeof EFFORTS)[number];

export interface WireRequest {
  model: string;
  messages: WireMessage[];
  /** output-token cap, including reasoning where the API counts it there; null = none */
  maxTokens: number | null;
  /** reasoning asked for as an effort (OpenAI/OpenRouter reasoning_effort, Anthropic adaptive thinking) */
  reasoningEffort: Effort | null;
  /** a thinking budget (Anthropic enabled thinking, Gemini thinkingBudget, OpenRouter reasoning.max_tokens); -1 = dynamic */
  thinkingBudget: number | null;
  /** Gemini includeThoughts / Anthropic thinking: return the thought text too */
  includeThoughts: boolean;
  /** what prompt caching needs (kept out of the request's hash) */
  cache?: CacheHints;
}

/** The prompt as cacheable blocks, and OpenAI's prompt_cache_key (prompt-cache.ts). */
export interface CacheHints {
  units: { msg: number; text: string; breakpoint: boolean }[];
  cacheKey: string | null;
}

/**
 * Anthropic's limit on cache_control blocks and its 400 when exceeded
 * (https://platform.claude.com/docs/en/build-with-claude/prompt-caching, read 2026-12-02;
 * wording as in https://github.com/envoyproxy/ai-gateway/pull/1712).
 */
export const MAX_CACHE_BREAKPOINTS = 4;
export const tooManyBreakpoints = (n: number) =>
  `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${n}.`;

/** A request the API refuses with a 400: its message, and (OpenAI) the parameter and code it names. */
export interface Rejection {
  message: string;
  param?: string;
  code?: string;
  /** OpenRouter: the upstream provider's error body it passes on (metadata.raw) */
  upstream?: { provider: string; raw: string };
}

export type ErrorKind =
  | 'bad_request'
  | 'auth'
  | 'no_key'
  | 'no_funds'
  | 'rate_limit'
  | 'server'
  | 'overloaded'
  | 'not_found'
  | 'model_not_found';

export interface ErrorExtra {
  retryAfterS?: number;
  /** the model asked for (rate limits, model not found) */
  model?: string;
  /** the per-key requests-per-minute limit that was hit, if any */
  rpm?: number;
  param?: string;
  code?: string;
  /** Anthropic's request id, echoed in the body and the request-id header */
  requestId?: string;
  /** OpenAI: the rate-limit error's type (requests or tokens) */
  rateType?: 'requests' | 'tokens';
  upstream?: { provider: string; raw: string };
}

export interface Completion {
  id: string;
  created: number; // unix seconds
  /** the model that answered (the one asked for, unless rerouted) */
  model: string;
  text: string;
  thought: string | null;
  finish: 'stop' | 'length';
  inputTokens: number;
  outputTokens: number; // answer tokens, reasoning excluded
  reasoningTokens: number;
  /** parts of inputTokens read from and written to the prompt cache */
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** OpenRouter: dollars for the call at the registry's prices */
  costUsd?: number;
}

export interface WireFormat {
  name: FormatName;
  /** the API key, or null when none is sent */
  key(headers: IncomingHttpHeaders, url: URL): string | null;
  /** a normalised request, or the 400 the real API would give */
  parse(body: unknown, pathModel: string | null, headers: IncomingHttpHeaders): WireRequest | string | Rejection;
  success(c: Completion): unknown;
  error(
    kind: ErrorKind,
    message: string,
    extra?: ErrorExtra,
  ): { status: number; body: unknown; headers: Record<string, string> };
  /** the list-models body for one page (Gemini pages; the others list everything at once) */
  list(models: CatalogEntry[], url: URL): unknown;
}

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** text of a content field: a string or a list of text parts */
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts: string[] = [];
    for (const p of content) {
      if (isObj(p) && typeof p.text === 'string') parts.push(p.text);
      else if (isObj(p) && (p.type === 'thinking' || p.type === 'redacted_thinking')) continue;
      else return null;
    }
    return parts.join('');
  }
  return null;
}

/** A content field's text blocks and which carry cache_control; null where textOf is null. */
function unitsOf(content: unknown, msg: number): CacheHints['units'] | null {
  if (typeof content === 'string') return [{ msg, text: content, breakpoint: false }];
  if (!Array.isArray(content)) return null;
  const out: CacheHints['units'] = [];
  for (const p of content) {
    if (isObj(p) && typeof p.text === 'string') out.push({ msg, text: p.text, breakpoint: isObj(p.cache_control) });
  }
  return out;
}

function bearer(headers: IncomingHttpHeaders): string | null {
  const a = headers.authorization;
  if (typeof a !== 'string') return null;
  const m = /^Bearer\s+(.+)$/i.exec(a.trim());
  return m ? m[1] : null;
}

/** 'a', 'b', and 'c' — OpenAI's way of listing supported values */
function oxford(values: readonly string[]): string {
  const q = values.map((v) => `'${v}'`);
  return q.length <= 2 ? q.join(' and ') : `${q.slice(0, -1).join(', ')}, and ${q.at(-1)}`;
}

const tailOf = (model: string) => model.slice(model.lastIndexOf('/') + 1);
const unixOf = (date: string | undefined) =>
  date ? Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000) : 1_700_000_000;

/** OpenAI's reasoning families: they take max_completion_tokens, reasoning_effort, and no temperature. */
export function isOpenAiReasoning(model: string): boolean {
  return /^(o\d|gpt-5|gpt-[6-9])/.test(tailOf(model));
}

/**
 * reasoning_effort values each OpenAI reasoning family accepts, per the reasoning guide and
 * model pages (https://platform.openai.com/docs/guides/reasoning): o-series low/medium/high;
 * gpt-5 adds minimal; gpt-5.1 trades minimal for none
 * (https://github.com/anomalyco/opencode/issues/4451 shows the 400); gpt-5.2 and later add
 * xhigh. Families not listed here (new models, --serve ids) take every value of the enum.
 */
export function openAiEfforts(model: string): readonly Effort[] {
  const t = tailOf(model);
  if (/^o\d/.test(t)) return ['low', 'medium', 'high'];
  if (/^gpt-5(-mini|-nano|-codex)?(-\d{4}-\d{2}-\d{2})?$/.test(t)) return ['minimal', 'low', 'medium', 'high'];
  if (/^gpt-5\.1(\D|$)/.test(t)) return ['none', 'low', 'medium', 'high'];
  if (/^gpt-5\.[2-9]/.test(t)) return ['none', 'low', 'medium', 'high', 'xhigh'];
  return EFFORTS;
}

export function isGeminiThinking(model: string): boolean {
  return /gemini-2\.5|gemini-3/.test(model);
}

/**
 * Claude's generation as a number (3, 3.5, 4, 4.1, 4.6, 4.7, 5 …) from its API id, old style
 * (claude-3-5-haiku-20241022) or new (claude-opus-4-1-20250805, claude-sonnet-4-6,
 * anthropic/claude-opus-4.1); null when the id is not a Claude id (e.g. a --serve id).
 */
export function claudeVersion(model: string): number | null {
  const t = tailOf(model);
  const old = /^claude-(\d+)(?:-(\d)(?!\d))?-(?:opus|sonnet|haiku)/.exec(t);
  const m = old ?? /^claude-(?:opus|sonnet|haiku|fable|mythos)-(\d+)(?:[-.](\d)(?!\d))?/.exec(t);
  return m ? Number(m[1]) + (m[2] ? Number(m[2]) / 10 : 0) : null;
}

// ---------------------------------------------------------------- OpenAI chat completions

function parseChat(body: unknown, strict: boolean): WireRequest | string | Rejection {
  if (!isObj(body)) return 'We could not parse the JSON body of your request.';
  if (typeof body.model !== 'string' || !body.model) return 'you must provide a model parameter';
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
  if (body.stream === true) return 'stream: the mock server does not stream; send stream: false';
  const messages: WireMessage[] = [];
  const units: CacheHints['units'] = [];
  for (const [i, m] of body.messages.entries()) {
    if (!isObj(m)) return `Invalid type for 'messages[${i}]'`;
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      return `Invalid value: '${String(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'developer'.`;
    const content = textOf(m.content);
    if (content === null) return `Invalid type for 'messages[${i}].content'`;
    messages.push({ role, content });
    units.push(...unitsOf(m.content, i)!);
  }
  // OpenRouter passes cache_control in content parts on to Anthropic, whose 400 it relays
  // (https://openrouter.ai/docs/features/prompt-caching, read 2026-12-02; the relayed body as in
  // https://github.com/oguzbilgic/kern-ai/pull/317); OpenAI ignores cache_control
  const breakpoints = units.filter((u) => u.breakpoint).length;
  if (!strict && body.model.startsWith('anthropic/') && breakpoints > MAX_CACHE_BREAKPOINTS) {
    const message = tooManyBreakpoints(breakpoints);
    return {
      message: 'Provider returned error',
      upstream: {
        provider: 'Anthropic',
        raw: JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message } }),
      },
    };
  }
  if (strict) for (const u of units) u.breakpoint = false;
  const cacheKey = typeof body.prompt_cache_key === 'string' && body.prompt_cache_key ? body.prompt_cache_key : null;
  const reasoning = isOpenAiReasoning(body.model);
  const effortRaw = body.reasoning_effort ?? (isObj(body.reasoning) ? body.reasoning.effort : undefined);
  if (strict) {
    // OpenAI's 400s, as its API words them (param and code included); see e.g.
    // https://github.com/anomalyco/opencode/issues/4451 and the reasoning guide
    // https://platform.openai.com/docs/guides/reasoning
    if (reasoning && body.max_tokens !== undefined) {
      return {
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        param: 'max_tokens',
        code: 'unsupported_parameter',
      };
    }
    if (reasoning && body.temperature !== undefined && body.temperature !== 1) {
      return {
        message: `Unsupported value: 'temperature' does not support ${String(body.temperature)} with this model. Only the default (1) value is supported.`,
        param: 'temperature',
        code: 'unsupported_value',
      };
    }
    if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
      const v = String(body.reasoning_effort);
      if (!(EFFORTS as readonly string[]).includes(v)) {
        return {
          message: `Invalid value: '${v}'. Supported values are: ${oxford(EFFORTS)}.`,
          param: 'reasoning_effort',
          code: 'invalid_value',
        };
      }
      if (!reasoning)
        return {
          message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
          param: 'reasoning_effort',
          code: 'unsupported_parameter',
        };
      const ok = openAiEfforts(body.model);
      if (!ok.includes(v as Effort)) {
        return {
          message: `Unsupported value: '${v}' is not supported with the '${body.model}' model. Supported values are: ${oxford(ok)}.`,
          param: 'reasoning_effort',
          code: 'unsupported_value',
        };
      }
    }
  }
  const cap = body.max_completion_tokens ?? body.max_tokens;
  if (cap !== undefined && (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 1))
    return "Invalid 'max_tokens': integer below minimum value.";
  const effort =
    typeof effortRaw === 'string' && (EFFORTS as readonly string[]).includes(effortRaw) ? (effortRaw as Effort) : null;
  const budget =
    isObj(body.reasoning) && typeof body.reasoning.max_tokens === 'number' ? body.reasoning.max_tokens : null;
  return {
    model: body.model,
    messages,
    maxTokens: typeof cap === 'number' ? cap : null,
    // reasoning models think at medium unless told otherwise
    reasoningEffort: effort ?? (reasoning && budget === null ? 'medium' : null),
    thinkingBudget: budget,
    includeThoughts: false,
    cache: { units, cacheKey },
  };
}

function chatUsage(c: Completion) {
  return {
    prompt_tokens: c.inputTokens,
    completion_tokens: c.outputTokens + c.reasoningTokens,
    total_tokens: c.inputTokens + c.outputTokens + c.reasoningTokens,
    prompt_tokens_details: { cached_tokens: c.cacheReadTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: c.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export const openai: WireFormat = {
  name: 'openai',
  key: (h) => bearer(h),
  parse: (body) => parseChat(body, true),
  success: (c) => ({
    id: `chatcmpl-${c.id}`,
    object: 'chat.completion',
    created: c.created,
    model: c.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: c.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: c.finish === 'length' ? 'length' : 'stop',
      },
    ],
    usage: chatUsage(c),
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  }),
  error: (kind, message, x = {}) => {
    const [status, type, code] = (
      {
        bad_request: [400, 'invalid_request_error', null],
        auth: [401, 'invalid_request_error', 'invalid_api_key'],
        no_key: [401, 'invalid_request_error', null],
        no_funds: [429, 'insufficient_quota', 'insufficient_quota'],
        rate_limit: [429, 'requests', 'rate_limit_exceeded'],
        server: [500, 'server_error', null],
        overloaded: [503, 'server_error', null],
        not_found: [404, 'invalid_request_error', 'unknown_url'],
        // https://github.com/rd-1-2022/ai-openai-helloworld/issues/9 (the 404 body as the API sends it)
        model_not_found: [404, 'invalid_request_error', 'model_not_found'],
      } as const
    )[kind];
    const headers: Record<string, string> = x.retryAfterS !== undefined ? { 'retry-after': String(x.retryAfterS) } : {};
    return {
      status,
      body: {
        error: {
          message,
          type: kind === 'rate_limit' ? (x.rateType ?? type) : type,
          param: x.param ?? null,
          code: x.code ?? code,
        },
      },
      headers,
    };
  },
  // https://platform.openai.com/docs/api-reference/models/list
  list: (models) => ({
    object: 'list',
    data: models.map((m) => ({
      id: m.id,
      object: 'model',
      created: unixOf(m.released),
      owned_by: m.id.startsWith('sim:') ? 'bargain' : 'system',
    })),
  }),
};

// ---------------------------------------------------------------- OpenRouter

export const openrouter: WireFormat = {
  name: 'openrouter',
  key: (h) => bearer(h),
  parse: (body) => parseChat(body, false),
  success: (c) => ({
    id: `gen-${c.id}`,
    provider: 'Mock',
    model: c.model,
    object: 'chat.completion',
    created: c.created,
    choices: [
      {
        logprobs: null,
        finish_reason: c.finish === 'length' ? 'length' : 'stop',
        native_finish_reason: c.finish === 'length' ? 'length' : 'stop',
        index: 0,
        message: {
          role: 'assistant',
          content: c.text,
          refusal: null,
          reasoning: c.reasoningTokens > 0 ? c.thought : null,
        },
      },
    ],
    // usage (cost in dollars, cache reads and writes) comes with every response; usage.include is
    // deprecated and changes nothing: https://openrouter.ai/docs/use-cases/usage-accounting (read 2026-12-02)
    usage: (() => {
      const u = chatUsage(c);
      return {
        ...u,
        prompt_tokens_details: {
          cached_tokens: c.cacheReadTokens,
          cache_write_tokens: c.cacheWriteTokens,
          audio_tokens: 0,
        },
        cost: c.costUsd ?? 0,
      };
    })(),
  }),
  error: (kind, message, x = {}) => {
    // an unknown or removed model is a 400 on OpenRouter, with the account's user_id beside the error:
    // https://github.com/RightNow-AI/openfang/issues/697, https://github.com/OpenRouterTeam/openrouter-examples/issues/74
    const status = (
      {
        bad_request: 400,
        auth: 401,
        no_key: 401,
        no_funds: 402,
        rate_limit: 429,
        server: 502,
        overloaded: 503,
        not_found: 404,
        model_not_found: 400,
      } as const
    )[kind];
    const headers: Record<string, string> = x.retryAfterS !== undefined ? { 'retry-after': String(x.retryAfterS) } : {};
    const metadata = x.upstream
      ? { raw: x.upstream.raw, provider_name: x.upstream.provider }
      : kind === 'server'
        ? { provider_name: 'Mock' }
        : undefined;
    return {
      status,
      body: {
        error: { message, code: status, metadata },
        ...(kind === 'model_not_found' ? { user_id: 'user_mock' } : {}),
      },
      headers,
    };
  },
  // https://openrouter.ai/docs/api-reference/list-available-models: prices are USD per token, as strings
  list: (models) => ({
    data: models.map((m) => ({
      id: m.id,
      canonical_slug: m.id,
      name: m.name,
      created: unixOf(m.released),
      context_length: m.contextWindow,
      pricing: { prompt: perToken(m.price.input), completion: perToken(m.price.output) },
      top_provider: { context_length: m.contextWindow, max_completion_tokens: m.maxOutputTokens, is_moderated: false },
    })),
  }),
};

/** dollars per million tokens -> dollars per token as OpenRouter writes it ("0.0000025") */
function perToken(perMillion: number): string {
  return perMillion === 0 ? '0' : (perMillion / 1e6).toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}

// ---------------------------------------------------------------- Anthropic messages

/**
 * API versions: 2023-06-01, and 2026-10-21 (sent by the 1.x TypeScript / 2.x Python SDKs),
 * which rejects temperature, top_p and top_k at any value ("temperature: Extra inputs are not
 * permitted"): https://docs.claude.com/en/api/versioning,
 * https://github.com/ttlequals0/MinusPod/releases/tag/v2.101.10,
 * https://developersdigest.tech/blog/claude-api-version-2026-10-21-sdk-migration
 */
export const ANTHROPIC_VERSIONS = ['2023-01-01', '2023-06-01', '2026-10-21'] as const;
const SAMPLING_REMOVED_IN = '2026-10-21';
/** output_config.effort values (https://docs.claude.com/en/docs/build-with-claude/effort; xhigh came with Opus 4.7) */
const ANTHROPIC_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

export const anthropic: WireFormat = {
  name: 'anthropic',
  // the current SDKs send the key as a Bearer token; x-api-key wins when both come
  key: (h) => (typeof h['x-api-key'] === 'string' ? h['x-api-key'] : bearer(h)),
  parse: (body, _m, headers) => {
    const version = headers['anthropic-version'];
    if (typeof version !== 'string') return 'anthropic-version: header is required';
    if (!(ANTHROPIC_VERSIONS as readonly string[]).includes(version))
      return `anthropic-version: "${version}" is not a valid version; use one of ${ANTHROPIC_VERSIONS.join(', ')}`;
    if (!isObj(body)) return 'messages: Input should be a valid object';
    if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1)
      return 'max_tokens: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return 'messages: at least one message is required';
    if (body.stream === true) return 'stream: the mock server does not stream; send stream: false';
    if (version >= SAMPLING_REMOVED_IN) {
      for (const p of ['temperature', 'top_p', 'top_k'])
        if (body[p] !== undefined) return `${p}: Extra inputs are not permitted`;
    }
    const messages: WireMessage[] = [];
    const units: CacheHints['units'] = [];
    if (body.system !== undefined) {
      const sys = textOf(body.system);
      if (sys === null) return 'system: Input should be a valid string or list of text blocks';
      messages.push({ role: 'system', content: sys });
      units.push(...unitsOf(body.system, 0)!);
    }
    for (const [i, m] of body.messages.entries()) {
      if (!isObj(m) || (m.role !== 'user' && m.role !== 'assistant'))
        return `messages.${i}.role: Input should be 'user' or 'assistant'`;
      const content = textOf(m.content);
      if (content === null) return `messages.${i}.content: Input should be a valid string or list of content blocks`;
      if (content === '' && i < body.messages.length - 1)
        return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
      units.push(...unitsOf(m.content, messages.length)!);
      messages.push({ role: m.role, content });
    }
    // a top-level cache_control (automatic caching) puts a breakpoint on the last block and takes a slot
    let breakpoints = units.filter((u) => u.breakpoint).length;
    if (isObj(body.cache_control) && units.length) {
      breakpoints++;
      units[units.length - 1].breakpoint = true;
    }
    if (breakpoints > MAX_CACHE_BREAKPOINTS) return tooManyBreakpoints(breakpoints);
    const gen = claudeVersion(body.model);
    const thinking = isObj(body.thinking) ? body.thinking : null;
    let budget: number | null = null;
    let effort: Effort | null = null;
    const oc = isObj(body.output_config) ? body.output_config : null;
    if (oc?.effort !== undefined && !(ANTHROPIC_EFFORTS as readonly string[]).includes(String(oc.effort))) {
      return `output_config.effort: Input should be ${ANTHROPIC_EFFORTS.slice(0, -1)
        .map((e) => `'${e}'`)
        .join(', ')} or '${ANTHROPIC_EFFORTS.at(-1)}'`;
    }
    if (thinking?.type === 'enabled') {
      // Claude 4.7 and later only think adaptively; the 400 as the API words it:
      // https://github.com/earendil-works/pi/issues/3297, https://docs.claude.com/en/docs/build-with-claude/adaptive-thinking
      if (gen !== null && gen >= 4.7)
        return '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.';
      budget = Number(thinking.budget_tokens);
      if (!Number.isInteger(budget) || budget < 1024)
        return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
      if (budget >= body.max_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`';
    } else if (thinking?.type === 'adaptive') {
      // adaptive thinking came with Claude 4.6: https://github.com/anthropics/claude-code/issues/51212 shows the 400 on older models
      if (gen !== null && gen < 4.6) return 'adaptive thinking is not supported on this model';
      effort = (oc?.effort as Effort | undefined) ?? 'high';
    } else if (thinking !== null && thinking.type !== 'disabled') {
      return `thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'`;
    }
    if ((budget !== null || effort !== null) && body.temperature !== undefined && body.temperature !== 1) {
      return '`temperature` may only be set to 1 when thinking is enabled or in interleaved thinking mode.';
    }
    return {
      model: body.model,
      messages,
      maxTokens: body.max_tokens,
      reasoningEffort: effort,
      thinkingBudget: budget,
      includeThoughts: budget !== null || effort !== null,
      cache: { units, cacheKey: null },
    };
  },
  success: (c) => ({
    id: `msg_${c.id}`,
    type: 'message',
    role: 'assistant',
    model: c.model,
    content: [
      ...(c.thought !== null ? [{ type: 'thinking', thinking: c.thought, signature: `mocksig_${c.id}` }] : []),
      ...(c.text !== '' || c.thought === null ? [{ type: 'text', text: c.text }] : []),
    ],
    stop_reason: c.finish === 'length' ? 'max_tokens' : 'end_turn',
    stop_sequence: null,
    // Anthropic bills thinking as output tokens and does not report it separately; its
    // input_tokens are only those after the last cache breakpoint (neither read nor written):
    // https://platform.claude.com/docs/en/build-with-claude/prompt-caching (read 2026-12-02)
    usage: {
      input_tokens: c.inputTokens - c.cacheReadTokens - c.cacheWriteTokens,
      cache_creation_input_tokens: c.cacheWriteTokens,
      cache_read_input_tokens: c.cacheReadTokens,
      cache_creation: { ephemeral_5m_input_tokens: c.cacheWriteTokens, ephemeral_1h_input_tokens: 0 },
      output_tokens: c.outputTokens + c.reasoningTokens,
      service_tier: 'standard',
    },
  }),
  error: (kind, message, x = {}) => {
    const [status, type] = (
      {
        bad_request: [400, 'invalid_request_error'],
        auth: [401, 'authentication_error'],
        no_key: [401, 'authentication_error'],
        no_funds: [400, 'invalid_request_error'],
        rate_limit: [429, 'rate_limit_error'],
        server: [500, 'api_error'],
        overloaded: [529, 'overloaded_error'],
        not_found: [404, 'not_found_error'],
        model_not_found: [404, 'not_found_error'],
      } as const
    )[kind];
    // every error carries its request id, in the body and the request-id header:
    // https://docs.claude.com/en/api/errors, e.g. https://github.com/siddartha19/investormate/issues/3
    const requestId = x.requestId ?? 'req_mock';
    const headers: Record<string, string> = {
      'request-id': requestId,
      ...(x.retryAfterS !== undefined ? { 'retry-after': String(x.retryAfterS) } : {}),
    };
    return { status, body: { type: 'error', error: { type, message }, request_id: requestId }, headers };
  },
  // https://docs.claude.com/en/api/models-list (no pagination here: has_more is false)
  list: (models) => ({
    data: models.map((m) => ({
      type: 'model',
      id: m.id,
      display_name: displayName(m),
      created_at: new Date(unixOf(m.released) * 1000).toISOString().replace('.000Z', 'Z'),
    })),
    has_more: false,
    first_id: models[0]?.id ?? null,
    last_id: models.at(-1)?.id ?? null,
  }),
};

function displayName(m: CatalogEntry): string {
  return m.id
    .split('-')
    .map((w) => (/^[a-z]/.test(w) ? w[0].toUpperCase() + w.slice(1) : w))
    .join(' ');
}

// ---------------------------------------------------------------- Gemini generateContent

const GEMINI_PAGE = 50;

export const gemini: WireFormat = {
  name: 'gemini',
  key: (h, url) => (typeof h['x-goog-api-key'] === 'string' ? h['x-goog-api-key'] : url.searchParams.get('key')),
  parse: (body, pathModel) => {
    if (!pathModel) return 'model name is missing from the path';
    if (!isObj(body)) return 'Invalid JSON payload received.';
    if (!Array.isArray(body.contents) || body.contents.length === 0)
      return '* GenerateContentRequest.contents: contents is not specified';
    const messages: WireMessage[] = [];
    const sysField = body.systemInstruction ?? body.system_instruction;
    if (sysField !== undefined) {
      const sys = isObj(sysField) ? textOf(sysField.parts) : null;
      if (sys === null) return "Invalid value at 'system_instruction'";
      messages.push({ role: 'system', content: sys });
    }
    for (const [i, c] of body.contents.entries()) {
      if (!isObj(c)) return `Invalid value at 'contents[${i}]'`;
      const role = c.role === undefined || c.role === 'user' ? 'user' : c.role === 'model' ? 'assistant' : null;
      if (role === null) return `Please use a valid role: user, model.`;
      const text = textOf(c.parts);
      if (text === null) return `Invalid value at 'contents[${i}].parts'`;
      messages.push({ role, content: text });
    }
    const units = messages.map((m, i) => ({ msg: i, text: m.content, breakpoint: false }));
    const gc = isObj(body.generationConfig)
      ? body.generationConfig
      : isObj(body.generation_config)
        ? body.generation_config
        : {};
    const cap = gc.maxOutputTokens ?? gc.max_output_tokens;
    const tc = isObj(gc.thinkingConfig) ? gc.thinkingConfig : isObj(gc.thinking_config) ? gc.thinking_config : {};
    const budgetRaw = tc.thinkingBudget ?? tc.thinking_budget;
    const thinking = isGeminiThinking(pathModel);
    if (typeof budgetRaw === 'number' && budgetRaw === 0 && /pro/.test(pathModel))
      return 'Budget 0 is invalid. This model only works in thinking mode.';
    return {
      model: pathModel,
      messages,
      maxTokens: typeof cap === 'number' ? cap : null,
      reasoningEffort: null,
      thinkingBudget: thinking ? (typeof budgetRaw === 'number' && budgetRaw >= 0 ? budgetRaw : -1) : null,
      includeThoughts: (tc.includeThoughts ?? tc.include_thoughts) === true,
      cache: { units, cacheKey: null },
    };
  },
  success: (c) => ({
    candidates: [
      {
        content: {
          parts: [
            ...(c.thought !== null ? [{ text: c.thought, thought: true }] : []),
            ...(c.text !== '' ? [{ text: c.text }] : []),
          ],
          role: 'model',
        },
        finishReason: c.finish === 'length' ? 'MAX_TOKENS' : 'STOP',
        index: 0,
      },
    ],
    usageMetadata: {
      // cached tokens are part of promptTokenCount, reported only on a hit
      // (https://ai.google.dev/api/generate-content#UsageMetadata, read 2026-12-02)
      promptTokenCount: c.inputTokens,
      ...(c.cacheReadTokens > 0 ? { cachedContentTokenCount: c.cacheReadTokens } : {}),
      candidatesTokenCount: c.outputTokens,
      totalTokenCount: c.inputTokens + c.outputTokens + c.reasoningTokens,
      ...(c.reasoningTokens > 0 ? { thoughtsTokenCount: c.reasoningTokens } : {}),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: c.inputTokens }],
      ...(c.cacheReadTokens > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: c.cacheReadTokens }] } : {}),
    },
    modelVersion: c.model,
    responseId: c.id,
  }),
  error: (kind, message, x = {}) => {
    const [status, code] = (
      {
        bad_request: [400, 'INVALID_ARGUMENT'],
        auth: [400, 'INVALID_ARGUMENT'],
        no_key: [403, 'PERMISSION_DENIED'],
        no_funds: [429, 'RESOURCE_EXHAUSTED'],
        rate_limit: [429, 'RESOURCE_EXHAUSTED'],
        server: [500, 'INTERNAL'],
        overloaded: [503, 'UNAVAILABLE'],
        not_found: [404, 'NOT_FOUND'],
        model_not_found: [404, 'NOT_FOUND'],
      } as const
    )[kind];
    const details: unknown[] = [];
    if (kind === 'auth')
      details.push({
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      });
    if (kind === 'rate_limit') {
      // every quota 429, per-minute ones included, names the quota it hit and when to retry, and
      // sends no Retry-After header: https://ai.google.dev/gemini-api/docs/rate-limits,
      // https://github.com/RooCodeInc/Roo-Code/issues/3883, https://github.com/google-gemini/gemini-cli/issues/8437
      details.push(
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
              quotaDimensions: { location: 'global', model: x.model ?? 'unknown' },
              ...(x.rpm !== undefined ? { quotaValue: String(x.rpm) } : {}),
            },
          ],
        },
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [
            {
              description: 'Learn more about Gemini API quotas',
              url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
            },
          ],
        },
        ...(x.retryAfterS !== undefined
          ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${x.retryAfterS}s` }]
          : []),
      );
    }
    return {
      status,
      body: { error: { code: status, message, status: code, ...(details.length ? { details } : {}) } },
      headers: {},
    };
  },
  // https://ai.google.dev/api/models#method:-models.list (pageSize default 50, pageToken from nextPageToken)
  list: (models, url) => {
    const size = Math.min(1000, Math.max(1, Number(url.searchParams.get('pageSize')) || GEMINI_PAGE));
    const from = Number(Buffer.from(url.searchParams.get('pageToken') ?? '', 'base64url').toString() || 0) || 0;
    const page = models.slice(from, from + size);
    return {
      models: page.map((m) => ({
        name: `models/${m.id}`,
        version: m.id.replace(/^gemini-/, ''),
        displayName: displayName(m),
        inputTokenLimit: m.contextWindow,
        outputTokenLimit: m.maxOutputTokens,
        supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
        thinking: isGeminiThinking(m.id),
      })),
      ...(from + size < models.length ? { nextPageToken: Buffer.from(String(from + size)).toString('base64url') } : {}),
    };
  },
};

export const FORMATS: Record<FormatName, WireFormat> = { openai, openrouter, anthropic, gemini };

/**
 * Which format serves a path, and the model named in the path (Gemini); `list` for a
 * list-models request.
 */
export function route(
  method: string,
  path: string,
): { format: WireFormat; pathModel: string | null; list: boolean } | null {
  if (method === 'GET') {
    if (path === '/v1/models' || path === '/models') return { format: openai, pathModel: null, list: true };
    if (path === '/api/v1/models') return { format: openrouter, pathModel: null, list: true };
    if (path === '/v1beta/models') return { format: gemini, pathModel: null, list: true };
    return null;
  }
  if (method !== 'POST') return null;
  if (path === '/v1/chat/completions' || path === '/chat/completions')
    return { format: openai, pathModel: null, list: false };
  if (path === '/api/v1/chat/completions') return { format: openrouter, pathModel: null, list: false };
  if (path === '/v1/messages') return { format: anthropic, pathModel: null, list: false };
  const g = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path);
  if (g) return { format: gemini, pathModel: decodeURIComponent(g[1]), list: false };
  return null;
}
