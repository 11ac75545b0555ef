/**
 * classifyHttp against the providers' real error bodies (copied from their docs and from
 * public reports, see errors.ts for the sources): a Gemini quota 429 that speaks of "plan and
 * billing details" is a rate limit, not a dead key; only invalid keys and empty accounts are
 * key errors; retired models and rejected parameters are fatal with a reason callers can act
 * on; the per-day Gemini quota waits until midnight Pacific.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHttp, msUntilPacificMidnight, type HttpFailure } from './errors.ts';
import { isModelError, modelErrorOf, ProviderError } from './types.ts';

const j = (o: unknown) => JSON.stringify(o);
const classify = (status: number, body: unknown, extra: Partial<HttpFailure> = {}, now?: number) =>
  classifyHttp({ status, body: typeof body === 'string' ? body : j(body), message: 'sdk message', ...extra }, now);

const GEMINI_QUOTA_TEXT =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
const geminiQuota429 = (quotaId: string, retryDelay = '26s') => ({
  error: {
    code: 429,
    message: GEMINI_QUOTA_TEXT,
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId,
            quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
            quotaValue: '10',
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
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
    ],
  },
});

test('Gemini per-minute quota 429 ("…plan and billing details…", QuotaFailure, RetryInfo, no Retry-After) is a rate limit waiting retryDelay', () => {
  const c = classify(429, geminiQuota429('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '26s'), {
    provider: 'google',
  });
  assert.equal(c.kind, 'rate_limit');
  assert.equal(c.retryAfterMs, 26_000);
  assert.equal(c.reason, undefined);
  // fractional delays as Gemini sometimes writes them
  assert.equal(
    classify(429, geminiQuota429('GenerateContentInputTokensPerModelPerMinute-FreeTier', '10.689924287s')).retryAfterMs,
    10_690,
  );
});

test('Gemini per-day quota 429 is still a rate limit, waiting until midnight Pacific (not the few seconds of retryDelay)', () => {
  // 2026-12-02 20:00 UTC = 12:00 PST: 12 h to the reset
  const now = Date.parse('2026-12-02T20:00:00Z');
  const c = classify(
    429,
    geminiQuota429('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '22s'),
    { provider: 'google' },
    now,
  );
  assert.equal(c.kind, 'rate_limit');
  assert.equal(c.reason, 'daily_quota');
  assert.equal(c.retryAfterMs, 12 * 3600_000);
  // summer time: 2026-07-01 06:30 UTC = 23:30 PDT
  assert.equal(msUntilPacificMidnight(Date.parse('2026-07-01T06:30:00Z')), 30 * 60_000);
});

test('Gemini 429 naming a quota of 0 (the plan does not cover the model, or billing is off) is a key error: no wait ends it', () => {
  const body = geminiQuota429('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
  body.error.message +=
    '\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-3.1-pro-preview';
  const c = classify(429, body, { provider: 'google' });
  assert.equal(c.kind, 'key');
  assert.equal(c.reason, 'no_credit');
  const ten = geminiQuota429('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
  ten.error.message +=
    '\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: gemini-3.1-pro-preview';
  assert.equal(classify(429, ten, { provider: 'google' }).kind, 'rate_limit', 'a limit of 10 is waited out');
});

test('OpenAI: rate-limit 429 waits; the same quota wording with insufficient_quota is a key (no credit) error; 401 invalid key', () => {
  const rl = classify(
    429,
    {
      error: {
        message:
          'Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 500, Used 500, Requested 1.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
    { headers: { 'retry-after': '2' } },
  );
  assert.deepEqual([rl.kind, rl.retryAfterMs], ['rate_limit', 2000]);
  const q = classify(429, {
    error: {
      message:
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      type: 'insufficient_quota',
      param: null,
      code: 'insufficient_quota',
    },
  });
  assert.deepEqual([q.kind, q.reason], ['key', 'no_credit']);
  const k = classify(401, {
    error: {
      message:
        'Incorrect API key provided: sk-test-****0001. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  });
  assert.deepEqual([k.kind, k.reason], ['key', 'invalid_key']);
});

test('Anthropic: credit balance too low (a 400) and billing_error are no-credit key errors; 401 invalid x-api-key; 429 rate_limit_error waits', () => {
  const credit = classify(400, {
    type: 'error',
    error: {
      type: 'invalid_request_error',
      message:
        'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    },
    request_id: 'req_011',
  });
  assert.deepEqual([credit.kind, credit.reason], ['key', 'no_credit']);
  assert.equal(
    classify(402, { type: 'error', error: { type: 'billing_error', message: 'Billing error' } }).kind,
    'key',
  );
  const auth = classify(401, {
    type: 'error',
    error: { type: 'authentication_error', message: 'invalid x-api-key' },
    request_id: 'req_012',
  });
  assert.deepEqual([auth.kind, auth.reason], ['key', 'invalid_key']);
  const rl = classify(
    429,
    {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
    },
    { headers: { 'retry-after': '9' } },
  );
  assert.deepEqual([rl.kind, rl.retryAfterMs], ['rate_limit', 9000]);
});

test('Gemini: 400 API_KEY_INVALID and 403 PERMISSION_DENIED (unregistered caller) are invalid-key errors', () => {
  const bad = classify(
    400,
    {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
        ],
      },
    },
    { provider: 'google' },
  );
  assert.deepEqual([bad.kind, bad.reason], ['key', 'invalid_key']);
  const missing = classify(
    403,
    {
      error: {
        code: 403,
        message:
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        status: 'PERMISSION_DENIED',
      },
    },
    { provider: 'google' },
  );
  assert.deepEqual([missing.kind, missing.reason], ['key', 'invalid_key']);
});

test('OpenRouter: 402 insufficient credits is a key error, 401 too; its 403 (moderation) is not a key problem; 429 waits', () => {
  assert.deepEqual(
    Object.values(
      (({ kind, reason }) => ({ kind, reason }))(
        classify(
          402,
          { error: { code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/credits' } },
          { provider: 'openrouter' },
        ),
      ),
    ),
    ['key', 'no_credit'],
  );
  assert.equal(
    classify(401, { error: { code: 401, message: 'No auth credentials found' } }, { provider: 'openrouter' }).kind,
    'key',
  );
  const mod = classify(
    403,
    {
      error: {
        code: 403,
        message: 'Your chosen model requires moderation and your input was flagged',
        metadata: { reasons: ['harassment'] },
      },
    },
    { provider: 'openrouter' },
  );
  assert.equal(mod.kind, 'fatal');
  assert.equal(
    classify(
      429,
      { error: { code: 429, message: 'Rate limit exceeded: limit_rpm/openai/gpt-4o' } },
      { provider: 'openrouter' },
    ).kind,
    'rate_limit',
  );
});

test('retired or unknown models are fatal with reason model_not_found, for each provider', () => {
  const cases: [string, number, unknown][] = [
    [
      'openai',
      404,
      {
        error: {
          message: 'The model `o3-mini` does not exist or you do not have access to it.',
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      },
    ],
    [
      'anthropic',
      404,
      {
        type: 'error',
        error: { type: 'not_found_error', message: 'model: claude-3-opus-20240229' },
        request_id: 'req_013',
      },
    ],
    [
      'google',
      404,
      {
        error: {
          code: 404,
          message:
            'models/gemini-1.5-pro is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
          status: 'NOT_FOUND',
        },
      },
    ],
    ['openrouter', 400, { error: { message: 'openai/o3-mini is not a valid model ID', code: 400 }, user_id: 'user_x' }],
    ['openrouter', 404, { error: { message: 'No endpoints found for anthropic/claude-3-opus.', code: 404 } }],
  ];
  for (const [provider, status, body] of cases) {
    const c = classify(status, body, { provider });
    assert.deepEqual([c.kind, c.reason], ['fatal', 'model_not_found'], `${provider} ${status}: ${c.detail}`);
  }
});

test('a parameter the model rejects is fatal with reason unsupported_parameter; other 400s are fatal without a reason', () => {
  const mt = classify(400, {
    error: {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
    },
  });
  assert.deepEqual([mt.kind, mt.reason], ['fatal', 'unsupported_parameter']);
  const temp = classify(400, {
    error: {
      message:
        "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.",
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'unsupported_value',
    },
  });
  assert.deepEqual([temp.kind, temp.reason], ['fatal', 'unsupported_parameter']);
  const ctx = classify(400, {
    error: {
      message: "This model's maximum context length is 128000 tokens.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
  });
  assert.deepEqual([ctx.kind, ctx.reason], ['fatal', undefined]);
});

test('isModelError / modelErrorOf see a fatal model error through a wrapping cause, and nothing else', () => {
  const gone = new ProviderError({
    kind: 'fatal',
    provider: 'openai',
    message: 'gone',
    reason: 'model_not_found',
    status: 404,
  });
  const wrapped = Object.assign(new Error('Agent_1 (o3-mini) failed: gone'), { cause: gone });
  assert.equal(isModelError(gone), true);
  assert.equal(isModelError(wrapped), true);
  assert.equal(modelErrorOf(wrapped), gone);
  assert.equal(gone.modelUnavailable, true);
  assert.equal(isModelError(new ProviderError({ kind: 'fatal', provider: 'openai', message: 'too long' })), false);
  assert.equal(
    isModelError(new ProviderError({ kind: 'key', provider: 'openai', message: 'no credit', reason: 'no_credit' })),
    false,
  );
  assert.equal(isModelError(new Error('plain')), false);
  assert.equal(isModelError(undefined), false);
});
