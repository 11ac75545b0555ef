/**
 * What each API says, in its own words, when the mock refuses a request: no key, a bad key,
 * no funds, a model it does not serve, a per-key RPM limit or a 429 burst. The texts only;
 * wire.ts wraps them in each API's error body and status, and the server decides when.
 * (The announced limits' 429 texts live with them in limits.ts.)
 */
import type { FormatName } from './catalog.ts';

/** No key sent (Gemini: a 403 PERMISSION_DENIED, https://github.com/UnityGameStudio/Gemini-Unity-Package/issues/1). */
export function noKeyMessage(format: FormatName): string {
  const msg: Record<FormatName, string> = {
    openai:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    openrouter: 'No auth credentials found',
    anthropic: 'x-api-key header is required',
    gemini:
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  };
  return msg[format];
}

/** A key the API does not know. */
export function invalidKeyMessage(format: FormatName): string {
  const msg: Record<FormatName, string> = {
    openai: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    openrouter: 'User not found.',
    anthropic: 'invalid x-api-key',
    gemini: 'API key not valid. Please pass a valid API key.',
  };
  return msg[format];
}

/** A key out of quota or credit; Gemini's names the model (`null`: none given). */
export function noFundsMessage(format: FormatName, model: string | null): string {
  const msg: Record<FormatName, string> = {
    openai: 'You exceeded your current quota, please check your plan and billing details.',
    openrouter: 'Insufficient credits. Add more using https://openrouter.ai/credits',
    anthropic:
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    // a key whose plan has no quota for the model: the limit it names is 0
    gemini: `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: ${model ?? 'unknown'}`,
  };
  return msg[format];
}

/** A model not served on the mock's date, as the real API answers a retired or unknown id. */
export function modelNotFoundMessage(format: FormatName, model: string): string {
  const msg: Record<FormatName, string> = {
    // https://github.com/shobrook/wut/issues/14
    openai: `The model \`${model}\` does not exist or you do not have access to it.`,
    // https://github.com/siddartha19/investormate/issues/3
    anthropic: `model: ${model}`,
    // https://ai.google.dev/gemini-api/docs/troubleshooting (404 NOT_FOUND)
    gemini: `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    // https://github.com/continuedev/continue/issues/10758
    openrouter: `${model} is not a valid model ID`,
  };
  return msg[format];
}

/**
 * Each API's 429 text for a per-key RPM limit (`limit`) or a burst (no limit).
 *   OpenAI:    https://platform.openai.com/docs/guides/rate-limits (error "Rate limit reached for … on requests per min (RPM)")
 *   Anthropic: https://docs.claude.com/en/api/rate-limits, e.g. https://github.com/Trae-AI/TRAE/issues/625
 *   Gemini:    https://ai.google.dev/gemini-api/docs/rate-limits, e.g. https://github.com/RooCodeInc/Roo-Code/issues/3883
 *              (the same "check your plan and billing details" text for a per-minute limit)
 *   OpenRouter passes the upstream's limit on; its own text varies, so this one is plain
 */
export function rateLimitMessage(format: FormatName, model: string, limit: number | undefined, waitS: number): string {
  switch (format) {
    case 'openai':
      return limit !== undefined
        ? `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit ${limit}, Used ${limit}, Requested 1. Please try again in ${waitS}s. Visit https://platform.openai.com/account/rate-limits to learn more.`
        : `Rate limit reached for ${model} in organization org-mock: the service is temporarily overloaded. Please try again in ${waitS}s. Visit https://platform.openai.com/account/rate-limits to learn more.`;
    case 'anthropic':
      return `This request would exceed the rate limit for your organization (mock-org) of ${limit ?? 'the allowed number of'} requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.`;
    case 'gemini':
      return (
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. \n' +
        // (a burst names no limit: "limit: 0" is what a key whose plan has no quota for the model sees)
        (limit !== undefined
          ? `* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_paid_tier_requests, limit: ${limit}, model: ${model}\n`
          : '') +
        `Please retry in ${waitS}s.`
      );
    case 'openrouter':
      return `Rate limit exceeded: ${limit !== undefined ? `${limit} requests per minute for this key` : 'the provider is temporarily overloaded'}. Please retry in ${waitS}s.`;
  }
}
