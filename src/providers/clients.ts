/**
 * One client per wire format, each an AI SDK provider with base URL, key and fetch injected:
 *   openai, compatible, sim  OpenAI chat completions  (@ai-sdk/openai .chat(): POST {base}/chat/completions,
 *                            Authorization: Bearer; reasoning models get max_completion_tokens,
 *                            reasoning_effort and no temperature; forceReasoning only where the
 *                            registry says reasoning, else the SDK's own model-id detection)
 *   anthropic                Messages API             (@ai-sdk/anthropic: POST {root}/v1/messages,
 *                            x-api-key + anthropic-version; thinking {type: adaptive} + effort for
 *                            Claude 4.6+, {type: enabled, budget_tokens} up to 4.5)
 *   google                   Gemini generateContent   (@ai-sdk/google: POST {root}/v1beta/models/{id}:generateContent,
 *                            x-goog-api-key; thinkingConfig.thinkingBudget (2.5) or .thinkingLevel (3.x))
 *   openrouter               OpenRouter chat          (@openrouter/ai-sdk-provider: POST {base}/chat/completions,
 *                            Authorization: Bearer; reasoning.effort / reasoning.max_tokens / reasoning.enabled)
 * Prompt caching (unless a request says promptCache: false; prompt-cache.ts): openai and sim send
 * prompt_cache_key (not compatible: third-party servers may refuse unknown fields); anthropic, and
 * openrouter on anthropic/ routes, cache_control breakpoints; google nothing (implicit caching).
 * The SDKs read no environment here: every setting is passed explicitly.
 */
import type { LanguageModel } from 'ai';
import type { ChatModel } from './types.ts';
import type { ModelEntry } from './registry.ts';
import type { Route } from './route.ts';
import type { ApiKey } from './env.ts';
import { SdkChatModel, type PromptCacheWire } from './sdk-model.ts';
import { claudeCacheMinTokens, claudeModel, promptCacheKey } from './prompt-cache.ts';

export type FetchFn = typeof globalThis.fetch;

/** The SDK packages load on first use: every CLI start (and SLURM task) stays light. */
function lazy(make: () => Promise<LanguageModel>): () => Promise<LanguageModel> {
  let p: Promise<LanguageModel> | null = null;
  return () => (p ??= make());
}

export function createWireModel(route: Route, entry: ModelEntry, key: ApiKey, fetchFn?: FetchFn): ChatModel {
  const keyless = key.value === '';
  switch (route.provider) {
    case 'openai':
    case 'compatible':
    case 'sim': {
      const language = lazy(async () =>
        (await import('@ai-sdk/openai'))
          .createOpenAI({
            baseURL: route.baseUrl,
            // the SDK insists on a key; a keyless server gets the header removed by noAuth()
            apiKey: keyless ? 'unused' : key.value,
            fetch: keyless ? noAuth(fetchFn) : fetchFn,
            name: route.provider,
          })
          .chat(route.modelId),
      );
      return new SdkChatModel({
        route,
        entry,
        key,
        language,
        systemOnlyAtTop: false,
        promptCache: route.provider === 'compatible' ? undefined : OPENAI_CACHE,
        // forceReasoning only where the registry says reasoning: passing false would override the
        // SDK's own detection and send max_tokens + temperature to a new reasoning model (a 400)
        providerOptions: (s) => {
          const o = {
            ...(s.forceReasoning ? { forceReasoning: true } : {}),
            ...(s.reasoningEffort ? { reasoningEffort: s.reasoningEffort } : {}),
          };
          return Object.keys(o).length ? { openai: o } : undefined;
        },
      });
    }
    case 'anthropic': {
      const language = lazy(async () =>
        (await import('@ai-sdk/anthropic'))
          .createAnthropic({ baseURL: `${route.baseUrl}/v1`, apiKey: key.value, fetch: fetchFn })
          .messages(route.modelId),
      );
      return new SdkChatModel({
        route,
        entry,
        key,
        language,
        systemOnlyAtTop: true,
        promptCache: { breakpoints: { key: 'anthropic', minTokens: claudeCacheMinTokens(route.modelId) } },
        providerOptions: (s) => {
          // adaptive (Claude 4.6+) never gets type "enabled": the API rejects it from 4.7 on
          if (s.thinking === 'adaptive')
            return {
              anthropic: {
                thinking: { type: 'adaptive' },
                ...(s.reasoningEffort ? { effort: s.reasoningEffort } : {}),
              },
            };
          if (s.thinkingBudget !== undefined)
            return { anthropic: { thinking: { type: 'enabled', budgetTokens: s.thinkingBudget } } };
          return undefined;
        },
      });
    }
    case 'google': {
      const language = lazy(async () =>
        (await import('@ai-sdk/google')).createGoogleGenerativeAI({
          baseURL: `${route.baseUrl}/v1beta`,
          apiKey: key.value,
          fetch: fetchFn,
        })(route.modelId),
      );
      return new SdkChatModel({
        route,
        entry,
        key,
        language,
        systemOnlyAtTop: true,
        // 2.5 takes a budget, 3.x a level; the API refuses both in one request
        providerOptions: (s) => {
          if (s.thinkingLevel !== undefined) return { google: { thinkingConfig: { thinkingLevel: s.thinkingLevel } } };
          if (s.thinkingBudget !== undefined)
            return { google: { thinkingConfig: { thinkingBudget: s.thinkingBudget } } };
          return undefined;
        },
      });
    }
    case 'openrouter': {
      const language = lazy(async () =>
        (await import('@openrouter/ai-sdk-provider'))
          .createOpenRouter({ baseURL: route.baseUrl, apiKey: key.value, fetch: fetchFn, appName: 'bargain' })
          .chat(route.modelId),
      );
      return new SdkChatModel({
        route,
        entry,
        key,
        language,
        systemOnlyAtTop: false,
        promptCache: openRouterCache(route.modelId),
        providerOptions: (s) => {
          if (s.reasoningEffort) return { openrouter: { reasoning: { effort: s.reasoningEffort } } };
          if (s.thinkingBudget !== undefined) return { openrouter: { reasoning: { max_tokens: s.thinkingBudget } } };
          // adaptive Claude / Gemini 3 without an effort: reasoning on at the model's default
          // (a max_tokens here would be budget thinking, which Claude 4.7+ rejects)
          if (s.thinking === 'adaptive' || s.thinking === 'level')
            return { openrouter: { reasoning: { enabled: true } } };
          return undefined;
        },
      });
    }
  }
}

/**
 * OpenAI caches every prompt of 1024 tokens or more by itself; prompt_cache_key, combined with
 * the prefix hash, routes one conversation's calls to the same cache
 * (https://developers.openai.com/api/docs/guides/prompt-caching, read 2026-12-02).
 */
const OPENAI_CACHE: PromptCacheWire = {
  options: (req) => {
    const k = promptCacheKey(req.scope, req.messages);
    return k ? { openai: { promptCacheKey: k } } : undefined;
  },
};

/**
 * OpenRouter passes cache_control breakpoints through to Anthropic (other routes cache on their
 * own), and its usage accounting returns cached tokens and the cost: `usage: {include: true}`,
 * which its docs now call deprecated, usage always being included
 * (https://openrouter.ai/docs/guides/best-practices/prompt-caching and
 * https://openrouter.ai/docs/use-cases/usage-accounting, read 2026-12-02); sent anyway so a
 * gateway still on the older behaviour reports it too.
 */
function openRouterCache(modelId: string): PromptCacheWire {
  return {
    ...(modelId.startsWith('anthropic/') || claudeModel(modelId)
      ? { breakpoints: { key: 'openrouter' as const, minTokens: claudeCacheMinTokens(modelId) } }
      : {}),
    options: () => ({ openrouter: { usage: { include: true } } }),
  };
}

/** A fetch that drops the Authorization header (keyless compatible servers and the mock server). */
function noAuth(fetchFn: FetchFn = globalThis.fetch): FetchFn {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.delete('authorization');
    return fetchFn(input, { ...init, headers });
  };
}
