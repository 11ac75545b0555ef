/**
 * The four wire formats the mock server speaks, as the official APIs shape them:
 * where the key travels, what a valid request holds, the success body (with usage,
 * including reasoning tokens) and the error body for each status. One WireFormat per API;
 * pure functions of their inputs (ids and timestamps are passed in).
 *   openai      POST /v1/chat/completions                 Authorization: Bearer
 *   openrouter  POST /api/v1/chat/completions             Authorization: Bearer
 *   anthropic   POST /v1/messages                         x-api-key, anthropic-version
 *   gemini      POST /v1beta/models/{model}:generateContent  x-goog-api-key or ?key=
 */
import type { IncomingHttpHeaders } from 'node:http';

export type FormatName = 'openai' | 'openrouter' | 'anthropic' | 'gemini';

export interface WireMessage { role: 'system' | 'user' | 'assistant'; content: string }

export interface WireRequest {
  model: string;
  messages: WireMessage[];
  /** output-token cap, including reasoning where the API counts it there; null = none */
  maxTokens: number | null;
  /** reasoning asked for: effort (openai/openrouter) or a thinking budget (anthropic/gemini/openrouter) */
  reasoningEffort: 'minimal' | 'low' | 'medium' | 'high' | null;
  thinkingBudget: number | null;
  /** Gemini includeThoughts / Anthropic thinking: return the thought text too */
  includeThoughts: boolean;
}

export type ErrorKind = 'bad_request' | 'auth' | 'no_funds' | 'rate_limit' | 'server' | 'overloaded' | 'not_found';

export interface Completion {
  id: string;
  created: number;       // unix seconds
  model: string;
  text: string;
  thought: string | null;
  finish: 'stop' | 'length';
  inputTokens: number;
  outputTokens: number;   // answer tokens, reasoning excluded
  reasoningTokens: number;
}

export interface WireFormat {
  name: FormatName;
  /** the API key, or null when none is sent */
  key(headers: IncomingHttpHeaders, url: URL): string | null;
  /** a normalised request, or the 400 message the real API would give */
  parse(body: unknown, pathModel: string | null, headers: IncomingHttpHeaders): WireRequest | string;
  success(c: Completion): unknown;
  error(kind: ErrorKind, message: string, retryAfterS?: number): { status: number; body: unknown };
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

function bearer(headers: IncomingHttpHeaders): string | null {
  const a = headers.authorization;
  if (typeof a !== 'string') return null;
  const m = /^Bearer\s+(.+)$/i.exec(a.trim());
  return m ? m[1] : null;
}

/** OpenAI's reasoning families: they take max_completion_tokens, reasoning_effort, and no temperature. */
export function isOpenAiReasoning(model: string): boolean {
  const tail = model.slice(model.lastIndexOf('/') + 1);
  return /^(o\d|gpt-5)/.test(tail);
}

export function isGeminiThinking(model: string): boolean {
  return /gemini-2\.5|gemini-3/.test(model);
}

// ---------------------------------------------------------------- OpenAI chat completions

function parseChat(body: unknown, strict: boolean): WireRequest | string {
  if (!isObj(body)) return 'We could not parse the JSON body of your request.';
  if (typeof body.model !== 'string' || !body.model) return "you must provide a model parameter";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
  if (body.stream === true) return 'stream: the mock server does not stream; send stream: false';
  const messages: WireMessage[] = [];
  for (const [i, m] of body.messages.entries()) {
    if (!isObj(m)) return `Invalid type for 'messages[${i}]'`;
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') return `Invalid value: '${String(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'developer'.`;
    const content = textOf(m.content);
    if (content === null) return `Invalid type for 'messages[${i}].content'`;
    messages.push({ role, content });
  }
  const reasoning = isOpenAiReasoning(body.model);
  if (strict && reasoning) {
    if (body.max_tokens !== undefined) return "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
    if (body.temperature !== undefined && body.temperature !== 1) return `Unsupported value: 'temperature' does not support ${String(body.temperature)} with this model. Only the default (1) value is supported.`;
  }
  const cap = body.max_completion_tokens ?? body.max_tokens;
  if (cap !== undefined && (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 1)) return "Invalid 'max_tokens': integer below minimum value.";
  const effortRaw = body.reasoning_effort ?? (isObj(body.reasoning) ? body.reasoning.effort : undefined);
  const effort = typeof effortRaw === 'string' && ['minimal', 'low', 'medium', 'high'].includes(effortRaw) ? effortRaw as WireRequest['reasoningEffort'] : null;
  const budget = isObj(body.reasoning) && typeof body.reasoning.max_tokens === 'number' ? body.reasoning.max_tokens : null;
  return {
    model: body.model, messages, maxTokens: typeof cap === 'number' ? cap : null,
    reasoningEffort: effort ?? (reasoning ? 'medium' : null), thinkingBudget: budget, includeThoughts: false,
  };
}

function chatUsage(c: Completion) {
  return {
    prompt_tokens: c.inputTokens,
    completion_tokens: c.outputTokens + c.reasoningTokens,
    total_tokens: c.inputTokens + c.outputTokens + c.reasoningTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: c.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export const openai: WireFormat = {
  name: 'openai',
  key: (h) => bearer(h),
  parse: (body) => parseChat(body, true),
  success: (c) => ({
    id: `chatcmpl-${c.id}`, object: 'chat.completion', created: c.created, model: c.model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: c.text, refusal: null, annotations: [] },
      logprobs: null, finish_reason: c.finish === 'length' ? 'length' : 'stop',
    }],
    usage: chatUsage(c), service_tier: 'default', system_fingerprint: 'fp_mock',
  }),
  error: (kind, message) => {
    const [status, type, code] = ({
      bad_request: [400, 'invalid_request_error', null], auth: [401, 'invalid_request_error', 'invalid_api_key'],
      no_funds: [429, 'insufficient_quota', 'insufficient_quota'], rate_limit: [429, 'requests', 'rate_limit_exceeded'],
      server: [500, 'server_error', null], overloaded: [503, 'server_error', null], not_found: [404, 'invalid_request_error', 'unknown_url'],
    } as const)[kind];
    return { status, body: { error: { message, type, param: null, code } } };
  },
};

// ---------------------------------------------------------------- OpenRouter

export const openrouter: WireFormat = {
  name: 'openrouter',
  key: (h) => bearer(h),
  parse: (body) => parseChat(body, false),
  success: (c) => ({
    id: `gen-${c.id}`, provider: 'Mock', model: c.model, object: 'chat.completion', created: c.created,
    choices: [{
      logprobs: null, finish_reason: c.finish === 'length' ? 'length' : 'stop', native_finish_reason: c.finish === 'length' ? 'length' : 'stop', index: 0,
      message: { role: 'assistant', content: c.text, refusal: null, reasoning: c.reasoningTokens > 0 ? c.thought : null },
    }],
    usage: { ...chatUsage(c), cost: 0 },
  }),
  error: (kind, message) => {
    const status = ({ bad_request: 400, auth: 401, no_funds: 402, rate_limit: 429, server: 502, overloaded: 503, not_found: 404 } as const)[kind];
    return { status, body: { error: { code: status, message, metadata: kind === 'server' ? { provider_name: 'Mock' } : undefined } } };
  },
};

// ---------------------------------------------------------------- Anthropic messages

export const anthropic: WireFormat = {
  name: 'anthropic',
  key: (h) => (typeof h['x-api-key'] === 'string' ? h['x-api-key'] : null),
  parse: (body, _m, headers) => {
    if (typeof headers['anthropic-version'] !== 'string') return 'anthropic-version: header is required';
    if (!isObj(body)) return 'messages: Input should be a valid object';
    if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
    if (body.stream === true) return 'stream: the mock server does not stream; send stream: false';
    const messages: WireMessage[] = [];
    if (body.system !== undefined) {
      const sys = textOf(body.system);
      if (sys === null) return 'system: Input should be a valid string or list of text blocks';
      messages.push({ role: 'system', content: sys });
    }
    for (const [i, m] of body.messages.entries()) {
      if (!isObj(m) || (m.role !== 'user' && m.role !== 'assistant')) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
      const content = textOf(m.content);
      if (content === null) return `messages.${i}.content: Input should be a valid string or list of content blocks`;
      if (content === '' && i < body.messages.length - 1) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
      messages.push({ role: m.role, content });
    }
    let budget: number | null = null;
    if (isObj(body.thinking) && body.thinking.type === 'enabled') {
      budget = Number(body.thinking.budget_tokens);
      if (!Number.isInteger(budget) || budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
      if (budget >= body.max_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`';
      if (body.temperature !== undefined && body.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled or in interleaved thinking mode.';
    }
    return { model: body.model, messages, maxTokens: body.max_tokens, reasoningEffort: null, thinkingBudget: budget, includeThoughts: budget !== null };
  },
  success: (c) => ({
    id: `msg_${c.id}`, type: 'message', role: 'assistant', model: c.model,
    content: [
      ...(c.thought !== null ? [{ type: 'thinking', thinking: c.thought, signature: `mocksig_${c.id}` }] : []),
      ...(c.text !== '' || c.thought === null ? [{ type: 'text', text: c.text }] : []),
    ],
    stop_reason: c.finish === 'length' ? 'max_tokens' : 'end_turn', stop_sequence: null,
    // Anthropic bills thinking as output tokens and does not report it separately
    usage: { input_tokens: c.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: c.outputTokens + c.reasoningTokens, service_tier: 'standard' },
  }),
  error: (kind, message) => {
    const [status, type] = ({
      bad_request: [400, 'invalid_request_error'], auth: [401, 'authentication_error'], no_funds: [400, 'invalid_request_error'],
      rate_limit: [429, 'rate_limit_error'], server: [500, 'api_error'], overloaded: [529, 'overloaded_error'], not_found: [404, 'not_found_error'],
    } as const)[kind];
    return { status, body: { type: 'error', error: { type, message } } };
  },
};

// ---------------------------------------------------------------- Gemini generateContent

export const gemini: WireFormat = {
  name: 'gemini',
  key: (h, url) => (typeof h['x-goog-api-key'] === 'string' ? h['x-goog-api-key'] : url.searchParams.get('key')),
  parse: (body, pathModel) => {
    if (!pathModel) return 'model name is missing from the path';
    if (!isObj(body)) return 'Invalid JSON payload received.';
    if (!Array.isArray(body.contents) || body.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
    const messages: WireMessage[] = [];
    const sysField = body.systemInstruction ?? body.system_instruction;
    if (sysField !== undefined) {
      const sys = isObj(sysField) ? textOf(sysField.parts) : null;
      if (sys === null) return 'Invalid value at \'system_instruction\'';
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
    const gc = isObj(body.generationConfig) ? body.generationConfig : isObj(body.generation_config) ? body.generation_config : {};
    const cap = gc.maxOutputTokens ?? gc.max_output_tokens;
    const tc = isObj(gc.thinkingConfig) ? gc.thinkingConfig : isObj(gc.thinking_config) ? gc.thinking_config : {};
    const budgetRaw = tc.thinkingBudget ?? tc.thinking_budget;
    const thinking = isGeminiThinking(pathModel);
    if (typeof budgetRaw === 'number' && budgetRaw === 0 && /pro/.test(pathModel)) return 'Budget 0 is invalid. This model only works in thinking mode.';
    return {
      model: pathModel, messages, maxTokens: typeof cap === 'number' ? cap : null, reasoningEffort: null,
      thinkingBudget: thinking ? (typeof budgetRaw === 'number' && budgetRaw >= 0 ? budgetRaw : -1) : null,
      includeThoughts: (tc.includeThoughts ?? tc.include_thoughts) === true,
    };
  },
  success: (c) => ({
    candidates: [{
      content: {
        parts: [...(c.thought !== null ? [{ text: c.thought, thought: true }] : []), ...(c.text !== '' ? [{ text: c.text }] : [])],
        role: 'model',
      },
      finishReason: c.finish === 'length' ? 'MAX_TOKENS' : 'STOP', index: 0,
    }],
    usageMetadata: {
      promptTokenCount: c.inputTokens, candidatesTokenCount: c.outputTokens,
      totalTokenCount: c.inputTokens + c.outputTokens + c.reasoningTokens,
      ...(c.reasoningTokens > 0 ? { thoughtsTokenCount: c.reasoningTokens } : {}),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: c.inputTokens }],
    },
    modelVersion: c.model, responseId: c.id,
  }),
  error: (kind, message, retryAfterS) => {
    const [status, code] = ({
      bad_request: [400, 'INVALID_ARGUMENT'], auth: [400, 'INVALID_ARGUMENT'], no_funds: [429, 'RESOURCE_EXHAUSTED'],
      rate_limit: [429, 'RESOURCE_EXHAUSTED'], server: [500, 'INTERNAL'], overloaded: [503, 'UNAVAILABLE'], not_found: [404, 'NOT_FOUND'],
    } as const)[kind];
    const details: unknown[] = [];
    if (kind === 'auth') details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } });
    if (kind === 'rate_limit' && retryAfterS !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterS}s` });
    return { status, body: { error: { code: status, message, status: code, ...(details.length ? { details } : {}) } } };
  },
};

export const FORMATS: Record<FormatName, WireFormat> = { openai, openrouter, anthropic, gemini };

/** Which format serves a path, and the model named in the path (Gemini). */
export function route(method: string, path: string): { format: WireFormat; pathModel: string | null } | null {
  if (method !== 'POST') return null;
  if (path === '/v1/chat/completions' || path === '/chat/completions') return { format: openai, pathModel: null };
  if (path === '/api/v1/chat/completions') return { format: openrouter, pathModel: null };
  if (path === '/v1/messages') return { format: anthropic, pathModel: null };
  const g = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path);
  if (g) return { format: gemini, pathModel: decodeURIComponent(g[1]) };
  return null;
}
