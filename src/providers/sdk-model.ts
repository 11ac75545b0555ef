/**
 * A ChatModel over one AI SDK language model and one key: applies the registry's sampling
 * rules (sampling.ts), calls `generateText` with the SDK's own retries off (maxRetries: 0;
 * withRetry owns the policy), and maps the result (text, unified + raw finish reason, usage
 * with reasoning tokens, warnings, the model id the provider says answered) and any failure
 * (errors.ts -> ProviderError). Unless the request says promptCache: false, it asks the provider
 * to cache the conversation's prefix as its client config says (prompt-cache.ts), and the usage
 * carries the cache reads and writes the provider reported.
 * No sleeping, no retrying, no logging here.
 */
import type { generateText, LanguageModel, LanguageModelUsage, ModelMessage } from 'ai';
import type { ChatMessage, ChatModel, ChatRequest, ChatResult, FinishReason, Usage } from './types.ts';
import type { ModelEntry } from './registry.ts';
import type { Route } from './route.ts';
import type { ApiKey } from './env.ts';
import { wireSampling, type WireSampling } from './sampling.ts';
import { toProviderError } from './errors.ts';
import { parseRateLimitHeaders } from './rate-headers.ts';
import { scrub } from './scrub.ts';
import { breakpointIndexes } from './prompt-cache.ts';

// The SDK prints warnings to the console by default; ours go into ChatResult.warnings instead.
(globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS = false;

type ProviderOptions = NonNullable<Parameters<typeof generateText>[0]['providerOptions']>;

/** `ai` loads on the first call and once: a per-call dynamic import was a CPU hot spot */
let generateFn: typeof generateText | undefined;
async function loadGenerate(): Promise<typeof generateText> {
  return (generateFn ??= (await import('ai')).generateText);
}

/** How one client asks its provider to cache prompt prefixes (applied unless req.promptCache === false). */
export interface PromptCacheWire {
  /** cache_control breakpoints as message providerOptions under this provider key, where the prefix may reach minTokens */
  breakpoints?: { key: 'anthropic' | 'openrouter'; minTokens: number };
  /** body options for one call (OpenAI's promptCacheKey, OpenRouter's usage accounting) */
  options?: (req: ChatRequest) => ProviderOptions | undefined;
}

export interface SdkModelConfig {
  route: Route;
  entry: ModelEntry;
  key: ApiKey;
  /** the SDK model, built on first use (the SDK packages load lazily) */
  language: () => Promise<LanguageModel>;
  /** provider-specific body options (reasoning effort, thinking budget, …) for one call */
  providerOptions: (s: WireSampling) => ProviderOptions | undefined;
  /** Anthropic and Gemini take system text only at the top: later system messages become user turns */
  systemOnlyAtTop: boolean;
  /** prompt caching on the wire; none when absent (Gemini caches implicitly) */
  promptCache?: PromptCacheWire;
}

export class SdkChatModel implements ChatModel {
  readonly spec = 'v1' as const;
  readonly provider: string;
  readonly modelId: string;
  readonly keyLabel: string;

  constructor(private readonly cfg: SdkModelConfig) {
    this.provider = cfg.route.provider;
    this.modelId = cfg.route.modelId;
    this.keyLabel = cfg.key.label;
  }

  async generate(req: ChatRequest): Promise<ChatResult> {
    const { route, entry } = this.cfg;
    const s = wireSampling(entry, req, route);
    const cache = req.promptCache === false ? undefined : this.cfg.promptCache;
    let messages = toModelMessages(req.messages, this.cfg.systemOnlyAtTop);
    if (cache?.breakpoints) messages = withBreakpoints(messages, cache.breakpoints.key, cache.breakpoints.minTokens);
    let r;
    try {
      const generate = await loadGenerate();
      r = await generate({
        model: await this.cfg.language(),
        messages,
        allowSystemInMessages: true,
        maxOutputTokens: s.sdkMaxOutputTokens,
        temperature: s.temperature,
        providerOptions: mergeProviderOptions(this.cfg.providerOptions(s), cache?.options?.(req)),
        maxRetries: 0,
        abortSignal: req.signal,
      });
    } catch (e) {
      const pe = toProviderError(e, route);
      throw pe ?? e;
    }
    const u = r.usage;
    const reasoningTokens = u.outputTokenDetails?.reasoningTokens ?? u.reasoningTokens ?? 0;
    return {
      text: r.text,
      finishReason: mapFinishReason(r.finishReason),
      rawFinishReason: r.rawFinishReason,
      usage: { ...inputUsage(u), outputTokens: u.outputTokens ?? 0, reasoningTokens },
      wireMaxOutputTokens: s.maxOutputTokens,
      warnings: [...s.warnings, ...(r.warnings ?? []).map(formatWarning)].map(scrub),
      provider: route.provider,
      modelId: route.modelId,
      route: route.label,
      keyLabel: this.cfg.key.label,
      rateLimits: parseRateLimitHeaders(route.provider, r.response?.headers),
      ...servedModel(r.response),
    };
  }
}

/**
 * Input tokens as the SDK reports them: every @ai-sdk provider and @openrouter/ai-sdk-provider
 * puts all input tokens in inputTokens (Anthropic: input_tokens + cache_creation_input_tokens +
 * cache_read_input_tokens; OpenAI and OpenRouter: prompt_tokens, cached ones included; Gemini:
 * promptTokenCount, cachedContentTokenCount included), with the cache reads and writes beside
 * it in inputTokenDetails (checked in each package's usage conversion: @ai-sdk/anthropic 3.0.140,
 * @ai-sdk/openai and @ai-sdk/google 3.0.141, @openrouter/ai-sdk-provider 2.10.0), so no
 * provider needs a fix-up. Zero counts are left out.
 */
export function inputUsage(u: LanguageModelUsage): Pick<Usage, 'inputTokens' | 'cacheReadTokens' | 'cacheWriteTokens'> {
  const read = u.inputTokenDetails?.cacheReadTokens ?? u.cachedInputTokens ?? 0;
  const write = u.inputTokenDetails?.cacheWriteTokens ?? 0;
  return {
    inputTokens: u.inputTokens ?? 0,
    ...(read > 0 ? { cacheReadTokens: read } : {}),
    ...(write > 0 ? { cacheWriteTokens: write } : {}),
  };
}

/** Puts cache_control {type: ephemeral} on the messages whose prefix may be cached (prompt-cache.ts). */
export function withBreakpoints(
  messages: ModelMessage[],
  key: 'anthropic' | 'openrouter',
  minTokens: number,
): ModelMessage[] {
  const at = breakpointIndexes(
    messages.map((m) => ({
      role: m.role as ChatMessage['role'],
      content: typeof m.content === 'string' ? m.content : '',
    })),
    minTokens,
  );
  if (at.length === 0) return messages;
  return messages.map((m, i) =>
    at.includes(i)
      ? ({
          ...m,
          providerOptions: {
            ...m.providerOptions,
            [key]: { ...m.providerOptions?.[key], cacheControl: { type: 'ephemeral' } },
          },
        } as ModelMessage)
      : m,
  );
}

/** Two providerOptions objects merged one provider key deep (sampling's and caching's options for one provider). */
export function mergeProviderOptions(
  a: ProviderOptions | undefined,
  b: ProviderOptions | undefined,
): ProviderOptions | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: ProviderOptions = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = { ...out[k], ...v };
  return out;
}

/**
 * The model the provider says answered, from the raw body: OpenAI, OpenRouter and Anthropic
 * `model`, Gemini `modelVersion` (@ai-sdk/google does not map it: its response.modelId is
 * always the requested id). Without a body, the SDK's response.modelId (which it fills from
 * `model`, else with the requested id).
 */
function servedModel(res: { modelId?: string; body?: unknown } | undefined): { servedModelId?: string } {
  const b = res?.body as { model?: unknown; modelVersion?: unknown } | undefined;
  const id =
    typeof b?.model === 'string'
      ? b.model
      : typeof b?.modelVersion === 'string'
        ? b.modelVersion
        : b === undefined || b === null
          ? res?.modelId
          : undefined;
  return id ? { servedModelId: scrub(id) } : {};
}

export function toModelMessages(messages: readonly ChatMessage[], systemOnlyAtTop: boolean): ModelMessage[] {
  const out: ChatMessage[] = [];
  let top = true;
  for (const m of messages) {
    if (m.role !== 'system') top = false;
    const role = m.role === 'system' && systemOnlyAtTop && !top ? 'user' : m.role;
    const prev = out[out.length - 1];
    // these formats want user and assistant turns to alternate: merge neighbours of one role
    if (systemOnlyAtTop && prev && prev.role === role && role !== 'system')
      prev.content = `${prev.content}\n\n${m.content}`;
    else out.push({ role, content: m.content });
  }
  return out.map((m): ModelMessage => ({ role: m.role, content: m.content }));
}

function mapFinishReason(r: string): FinishReason {
  switch (r) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    case 'error':
      return 'error';
    default:
      return 'other';
  }
}

function formatWarning(w: unknown): string {
  const o = w as { type?: string; feature?: string; setting?: string; details?: string; message?: string };
  if (o.type === 'unsupported' || o.type === 'unsupported-setting') {
    return `unsupported ${o.feature ?? o.setting ?? 'setting'}${o.details ? `: ${o.details}` : ''}`;
  }
  return o.message ?? JSON.stringify(w);
}
