/**
 * withRetry: the one retry policy (until the rate governor replaces it), as a ChatModel
 * decorator. Per error kind:
 *   rate_limit  wait exactly the Retry-After (else an exponential wait), up to maxRateLimitRetries
 *   transient   exponential backoff with jitter, up to maxAttempts in all
 *   key         set the key aside in its KeyPool (probed again after a cool-down) and
 *               retry at once with the next key
 *   fatal       give up at once
 * A per-attempt timeout (callTimeoutMs, raised for a very large wire cap: callTimeoutFor)
 * aborts the attempt and counts as transient; the caller's own signal cancels everything
 * and is never retried. Giving up throws
 * RetryExhausted (a ProviderError) whose message lists every attempt. Successful results
 * carry `attempts`, `latencyMs` (the successful attempt) and `keyLabel`.
 * Library clients must have their own retries off (sdk-model.ts passes maxRetries: 0).
 */
import {
  ProviderError,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  type ProviderErrorKind,
  type ProviderErrorReason,
} from './types.ts';
import { abortableSleep } from '../sleep.ts';
import type { ApiKey } from './env.ts';
import type { KeyPool } from './keys.ts';
import { scrub } from './scrub.ts';
import type { Governor } from '../governor/governor.ts';
import type { TokenCharge } from '../governor/key-budget.ts';
import { chargedTokens } from './prompt-cache.ts';
import { estimateMessageTokens } from './tokens.ts';
import { currentWorkTimer } from '../governor/work-timer.ts';

export interface RetryPolicy {
  /** attempts in all when failures are transient (5xx, resets, timeouts) */
  maxAttempts: number;
  /** 429 waits per call before giving up */
  maxRateLimitRetries: number;
  /** first transient backoff; doubles each time, with jitter */
  baseDelayMs: number;
  /** ceiling of one backoff */
  maxDelayMs: number;
  /** first wait after a 429 that names no Retry-After; doubles */
  rateLimitDelayMs: number;
  /** a longer Retry-After is not waited out: the call gives up naming it */
  maxRetryAfterMs: number;
  /** per-attempt timeout (--call-timeout); undefined = none */
  callTimeoutMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  maxRateLimitRetries: 8,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  rateLimitDelayMs: 5000,
  maxRetryAfterMs: 10 * 60_000,
};

export interface RetryDeps {
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
}

/** Models that differ only in the key they use, for rotation. */
export interface KeyedModels {
  provider: string;
  modelId: string;
  pool: KeyPool;
  forKey(key: ApiKey): ChatModel;
}

export interface AttemptRecord {
  attempt: number;
  keyLabel: string;
  kind: ProviderErrorKind;
  status?: number;
  message: string;
  /** wait before the next attempt (0 for the last or a key rotation) */
  waitMs: number;
}

export class RetryExhausted extends ProviderError {
  readonly attempts: AttemptRecord[];
  constructor(
    kind: ProviderErrorKind,
    provider: string,
    message: string,
    attempts: AttemptRecord[],
    status?: number,
    reason?: ProviderErrorReason,
  ) {
    super({ kind, provider, message, status, reason });
    this.name = 'RetryExhausted';
    this.attempts = attempts;
  }
}

export interface RetryOptions extends Partial<RetryPolicy> {
  /** names the call in messages, e.g. "gpt-4o via openai direct" */
  describe?: string;
  deps?: Partial<RetryDeps>;
  /**
   * The rate governor: every attempt first takes a permit from its key's budget (RPM, TPM,
   * concurrency); a 429 pauses that key for everyone instead of sleeping here. Time queued
   * for a permit stops the run's work timer.
   */
  governor?: Governor;
  /**
   * The output cap a request actually carries on the wire (its cap plus the reasoning
   * allowance, sampling.ts); default the request's own cap. The TPM charge and the call
   * timeout use it: providers count the whole max_tokens against a key's token budget.
   */
  wireCap?: (req: ChatRequest) => number;
}

/** Rough prompt + answer tokens of a request, charged to the TPM window up front. */
export function requestTokens(req: ChatRequest, wireCap: number = req.maxOutputTokens): number {
  const c = requestCharge(req, wireCap);
  return c.input + c.output;
}

/** The same, as prompt and output cap (Anthropic limits input and output tokens separately). */
export function requestCharge(req: ChatRequest, wireCap: number = req.maxOutputTokens): TokenCharge {
  return { input: estimateMessageTokens(req.messages), output: wireCap };
}

/** The base timeout (--call-timeout, default 180 s) is sized for caps up to this many tokens
 *  (8k tokens in 180 s is ~45 tokens/s, the slow end of large reasoning models under load). */
export const TIMEOUT_REFERENCE_CAP = 8192;
/** A scaled timeout never grows past this (nor below the base timeout). */
export const MAX_SCALED_CALL_TIMEOUT_MS = 20 * 60_000;

/** The timeout of one attempt: the base, scaled in proportion for a larger wire cap (a
 *  25k-token reasoning reserve may take ~3x as long to decode), bounded. */
export function callTimeoutFor(baseMs: number, wireCap: number): number {
  if (wireCap <= TIMEOUT_REFERENCE_CAP) return baseMs;
  return Math.max(baseMs, Math.min(Math.round((baseMs * wireCap) / TIMEOUT_REFERENCE_CAP), MAX_SCALED_CALL_TIMEOUT_MS));
}

export function withRetry(inner: ChatModel | KeyedModels, opts: RetryOptions = {}): ChatModel {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...dropUndefined(opts) };
  const deps: RetryDeps = { sleep: abortableSleep, random: Math.random, now: () => performance.now(), ...opts.deps };
  const keyed = 'pool' in inner ? inner : undefined;
  const single = keyed ? undefined : (inner as ChatModel);
  const describe = opts.describe ?? `${inner.modelId} (${inner.provider})`;

  const generate = async (req: ChatRequest): Promise<ChatResult> => {
    const attempts: AttemptRecord[] = [];
    const wireCap = opts.wireCap?.(req) ?? req.maxOutputTokens;
    const timeoutMs = policy.callTimeoutMs ? callTimeoutFor(policy.callTimeoutMs, wireCap) : undefined;
    let transient = 0;
    let limited = 0;
    const giveUp = (kind: ProviderErrorKind, why: string, status?: number, reason?: ProviderErrorReason): never => {
      const list = attempts
        .map(
          (a) =>
            `#${a.attempt} ${a.keyLabel} ${a.kind}${a.status ? ` ${a.status}` : ''}${a.waitMs ? ` (waited ${a.waitMs < 1000 ? `${Math.round(a.waitMs)}ms` : `${(a.waitMs / 1000).toFixed(1)}s`})` : ''}`,
        )
        .join(', ');
      throw new RetryExhausted(
        kind,
        inner.provider,
        scrub(
          `${describe}: gave up after ${attempts.length} attempt${attempts.length === 1 ? '' : 's'}: ${why}${list ? ` [attempts: ${list}]` : ''}`,
        ),
        attempts,
        status,
        reason,
      );
    };
    for (;;) {
      if (req.signal?.aborted) throw req.signal.reason ?? new DOMException('aborted', 'AbortError');
      const taken = keyed?.pool.take();
      if (keyed && !taken) {
        giveUp(
          'key',
          `every key was rejected: ${keyed.pool.describeRejected()}; fix: check those keys and their credit, or add another (e.g. ${keyed.pool.labels[0]}_2)`,
        );
      }
      const model = keyed ? keyed.forKey(taken!.key) : single!;
      const budget = opts.governor?.budget(inner.provider, model.keyLabel);
      let permit;
      if (budget) {
        const work = currentWorkTimer();
        work?.pause();
        try {
          permit = await budget.acquire(requestCharge(req, wireCap), req.signal);
        } finally {
          work?.resume();
        }
      }
      // one controller per attempt, fed by the caller's signal and the call timeout
      // (listeners removed afterwards: AbortSignal.any would pile up on a long-lived run signal)
      const ctl = new AbortController();
      let timedOut = false;
      const onAbort = () => ctl.abort(req.signal!.reason);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const handle = timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            ctl.abort(new DOMException('call timeout', 'TimeoutError'));
          }, timeoutMs)
        : undefined;
      const signal = ctl.signal;
      const t0 = deps.now();
      let err: ProviderError;
      try {
        const res = await model.generate({ ...req, signal });
        keyed?.pool.succeeded(model.keyLabel);
        // the tokens the provider counts (Anthropic leaves cache reads out), and the limits it announced
        permit?.settle(chargedTokens(inner.provider, model.modelId, res.usage));
        permit?.learn(res.rateLimits);
        budget?.onSuccess();
        return {
          ...res,
          attempts: attempts.length + 1,
          latencyMs: Math.round(deps.now() - t0),
          keyLabel: res.keyLabel ?? model.keyLabel,
        };
      } catch (e) {
        // a probe of a set-aside key that ends without a key error leaves the key for the next probe
        if (taken?.probe && !(e instanceof ProviderError && e.kind === 'key'))
          keyed!.pool.probeInconclusive(model.keyLabel);
        if (req.signal?.aborted) throw e;
        if (timedOut) {
          err = new ProviderError({
            kind: 'transient',
            provider: inner.provider,
            message: `${describe}: no answer within ${timeoutMs} ms (call timeout)`,
          });
        } else if (e instanceof ProviderError) {
          err = e;
        } else {
          throw e;
        }
        // a 429 (or any error) that announces the key's limits teaches them too
        permit?.learn(err.rateLimits);
        // Pause the key before this permit is released: releasing first would hand the
        // permit to a queued caller, who would then be sent into the 429.
        if (budget && err.kind === 'rate_limit') {
          const wait = err.retryAfterMs ?? Math.min(policy.maxDelayMs * 4, policy.rateLimitDelayMs * 2 ** limited);
          budget.onRateLimit(Math.min(wait, policy.maxRetryAfterMs)); // --max-wait caps one pause
        }
      } finally {
        if (handle) clearTimeout(handle);
        req.signal?.removeEventListener('abort', onAbort);
        permit?.release();
      }
      // clients prefix messages with the same description; say it once in the final message
      const bare = err.message.startsWith(`${describe}: `) ? err.message.slice(describe.length + 2) : err.message;
      const rec: AttemptRecord = {
        attempt: attempts.length + 1,
        keyLabel: model.keyLabel,
        kind: err.kind,
        status: err.status,
        message: scrub(bare),
        waitMs: 0,
      };
      attempts.push(rec);
      switch (err.kind) {
        case 'fatal':
          giveUp('fatal', rec.message, err.status, err.reason);
          break;
        case 'key':
          if (!keyed) giveUp('key', rec.message, err.status, err.reason);
          keyed!.pool.reject(model.keyLabel, `${err.status ?? 'error'}: ${shortReason(rec.message)}`);
          break;
        case 'rate_limit': {
          limited++;
          // governed, a 429 is a wait, not a failure: only an absurd number of them gives up
          const maxLimited = budget ? Math.max(policy.maxRateLimitRetries, 200) : policy.maxRateLimitRetries;
          if (limited > maxLimited)
            giveUp('rate_limit', `still rate-limited after ${maxLimited} waits: ${rec.message}`, err.status);
          const wait =
            err.retryAfterMs ?? Math.min(policy.maxDelayMs * 4, policy.rateLimitDelayMs * 2 ** (limited - 1));
          if (wait > policy.maxRetryAfterMs && !budget) {
            giveUp(
              'rate_limit',
              `the provider asks to wait ${Math.round(wait / 1000)}s, more than the ${Math.round(policy.maxRetryAfterMs / 1000)}s allowed: ${rec.message}`,
              err.status,
            );
          }
          rec.waitMs = budget ? Math.min(wait, policy.maxRetryAfterMs) : wait;
          // Governed: the key was paused for every caller above and the wait is spent queued for a permit.
          if (!budget) await deps.sleep(wait, req.signal);
          break;
        }
        case 'transient': {
          transient++;
          if (transient >= policy.maxAttempts) giveUp('transient', rec.message, err.status);
          const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (transient - 1));
          const wait = Math.round(ceiling / 2 + deps.random() * (ceiling / 2));
          rec.waitMs = wait;
          await deps.sleep(wait, req.signal);
          break;
        }
      }
    }
  };

  return {
    spec: 'v1',
    provider: inner.provider,
    modelId: inner.modelId,
    get keyLabel() {
      return keyed ? (keyed.pool.current()?.label ?? 'none') : single!.keyLabel;
    },
    generate,
  };
}

function shortReason(message: string): string {
  const tail = message.replace(/^[^:]*\([^)]*\):\s*/, '');
  return tail.length > 120 ? `${tail.slice(0, 119)}…` : tail;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(
      ([k, v]) => v !== undefined && k !== 'describe' && k !== 'deps' && k !== 'wireCap' && k !== 'governor',
    ),
  ) as Partial<T>;
}
