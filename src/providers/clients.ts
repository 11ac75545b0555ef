/**
 * One client per wire format, each an AI SDK provider with base URL, key and fetch injected:
 *   openai, compatible, sim  OpenAI chat completions  (@ai-sdk/openai .chat(): POST {base}/chat/completions,
 *                            Authorization: Bearer; reasoning models get max_completion_tokens,
 *                            reasoning_effort and no temperature)
 *   anthropic                Messages API             (@ai-sdk/anthropic: POST {root}/v1/messages,
 *                            x-api-key + anthropic-version)
 *   google                   Gemini generateContent   (@ai-sdk/google: POST {root}/v1beta/models/{id}:generateContent,
 *                            x-goog-api-key; thinkingConfig.thinkingBudget for thinking models)
 *   openrouter               OpenRouter chat          (@openrouter/ai-sdk-provider: POST {base}/chat/completions,
 *                            Authorization: Bearer; reasoning.effort / reasoning.max_tokens)
 * The SDKs read no environment here: every setting is passed explicitly.
 */
import type { LanguageModel } from 'ai';
import type { ChatModel } from './types.ts';
import type { ModelEntry } from './registry.ts';
import type { Route } from './route.ts';
import type { ApiKey } from './env.ts';
import { SdkChatModel } from './sdk-model.ts';

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
      const language = lazy(async () => (await import('@ai-sdk/openai')).createOpenAI({
        baseURL: route.baseUrl,
        // the SDK insists on a key; a keyless server gets the header removed by noAuth()
        apiKey: keyless ? 'unused' : key.value,
        fetch: keyless ? noAuth(fetchFn) : fetchFn,
        name: route.provider,
      }).chat(route.modelId));
      return new SdkChatModel({
        route, entry, key, language, systemOnlyAtTop: false,
        // the registry, not the SDK's model-name list, decides what is a reasoning model
        providerOptions: (s) => ({
          openai: { forceReasoning: s.kind === 'reasoning', ...(s.reasoningEffort ? { reasoningEffort: s.reasoningEffort } : {}) },
        }),
      });
    }
    case 'anthropic': {
      const language = lazy(async () => (await import('@ai-sdk/anthropic')).createAnthropic({ baseURL: `${route.baseUrl}/v1`, apiKey: key.value, fetch: fetchFn }).messages(route.modelId));
      return new SdkChatModel({
        route, entry, key, language, systemOnlyAtTop: true,
        providerOptions: (s) => (s.thinkingBudget !== undefined
          ? { anthropic: { thinking: { type: 'enabled', budgetTokens: s.thinkingBudget } } }
          : undefined),
      });
    }
    case 'google': {
      const language = lazy(async () => (await import('@ai-sdk/google')).createGoogleGenerativeAI({ baseURL: `${route.baseUrl}/v1beta`, apiKey: key.value, fetch: fetchFn })(route.modelId));
      return new SdkChatModel({
        route, entry, key, language, systemOnlyAtTop: true,
        providerOptions: (s) => (s.thinkingBudget !== undefined
          ? { google: { thinkingConfig: { thinkingBudget: s.thinkingBudget } } }
          : undefined),
      });
    }
    case 'openrouter': {
      const language = lazy(async () => (await import('@openrouter/ai-sdk-provider')).createOpenRouter({ baseURL: route.baseUrl, apiKey: key.value, fetch: fetchFn, appName: 'bargain' }).chat(route.modelId));
      return new SdkChatModel({
        route, entry, key, language, systemOnlyAtTop: false,
        providerOptions: (s) => {
          if (s.reasoningEffort) return { openrouter: { reasoning: { effort: s.reasoningEffort } } };
          if (s.thinkingBudget !== undefined) return { openrouter: { reasoning: { max_tokens: s.thinkingBudget } } };
          return undefined;
        },
      });
    }
  }
}

/** A fetch that drops the Authorization header (keyless compatible servers and the mock server). */
function noAuth(fetchFn: FetchFn = globalThis.fetch): FetchFn {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.delete('authorization');
    return fetchFn(input, { ...init, headers });
  };
}
