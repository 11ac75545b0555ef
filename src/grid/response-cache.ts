/**
 * The response cache (DESIGN §3): every answered LLM call stored under the results
 * directory (cache/ab/<sha256>.json), keyed by exactly what changes the output — model
 * name, messages, sampling parameters and the call's index within its run — and not by
 * route, key, timeouts or concurrency. Re-running or resuming replays calls for free and
 * bit for bit. A corrupt or unreadable entry is a miss, never a crash; writes are atomic,
 * so concurrent writers (SLURM tasks) can only race to write the same content. Within a
 * process, a call identical to one still in flight waits for that one's answer instead of
 * being sent again (different experiments can ask the very same thing, e.g. at full
 * competition with the same preferences).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatModel, ChatRequest, ChatResult } from '../providers/types.ts';
import { scrubSecrets } from '../providers/scrub.ts';
import { writeFileAtomicallySync } from '../files.ts';
import { canonicalJson } from '../results/index.ts';

export const CACHE_VERSION = 1;

export function cacheKey(model: string, req: ChatRequest): string {
  const material = canonicalJson({
    v: CACHE_VERSION,
    model,
    messages: req.messages,
    max_output_tokens: req.maxOutputTokens,
    temperature: req.temperature ?? null,
    reasoning_effort: req.reasoningEffort ?? null,
    call_index: req.callIndex ?? null,
    // a repair's larger cap changes the answer; absent when 1 so existing keys stay valid
    ...(req.capScale !== undefined && req.capScale !== 1 ? { cap_scale: req.capScale } : {}),
    // --no-prompt-cache is a different request (no cache breakpoints, other usage); absent when on
    ...(req.promptCache === false ? { prompt_cache: false } : {}),
  });
  return createHash('sha256').update(material).digest('hex');
}

export class ResponseCache {
  readonly stats = { hits: 0, misses: 0, writes: 0, corrupt: 0, shared: 0 };
  /** calls being answered now, by key: an identical call waits for the answer */
  readonly inflight = new Map<string, Promise<ChatResult>>();
  constructor(readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): ChatResult | null {
    let text: string;
    try {
      text = readFileSync(this.path(key), 'utf8');
    } catch {
      this.stats.misses++;
      return null;
    }
    try {
      const entry = JSON.parse(text) as { key: string; result: ChatResult };
      if (entry.key !== key || typeof entry.result?.text !== 'string' || !entry.result.usage)
        throw new Error('bad entry');
      this.stats.hits++;
      return entry.result;
    } catch {
      this.stats.corrupt++;
      this.stats.misses++;
      return null;
    }
  }

  put(key: string, result: ChatResult): void {
    try {
      // no fsync: an entry lost or torn by a power cut is a miss (a repeat call), never a wrong answer
      writeFileAtomicallySync(this.path(key), JSON.stringify({ key, stored_at: new Date().toISOString(), result }), {
        durable: false,
      });
      this.stats.writes++;
    } catch {
      /* a cache that cannot be written only costs a repeat call */
    }
  }
}

/** A ChatModel that answers from the cache when it can and stores what the inner model answers. */
export function withCache(inner: ChatModel, cache: ResponseCache, modelName: string): ChatModel {
  return {
    spec: 'v1',
    provider: inner.provider,
    modelId: inner.modelId,
    get keyLabel() {
      return inner.keyLabel;
    },
    async generate(req: ChatRequest): Promise<ChatResult> {
      const key = cacheKey(modelName, req);
      const hit = cache.get(key);
      // an entry stored before its key was scrubbed from answers (or under another key set) is scrubbed on the way out
      if (hit) return { ...hit, text: scrubSecrets(hit.text), cached: true, latencyMs: 0, attempts: 0 };
      const pending = cache.inflight.get(key);
      if (pending) {
        // the other caller's failure (or its abort) is not ours: then we ask ourselves
        const r = await untilAborted(
          pending.catch(() => null),
          req.signal,
        );
        if (r && r.finishReason !== 'error') {
          cache.stats.shared++;
          return { ...r, cached: true, latencyMs: 0, attempts: 0 };
        }
      }
      const p = inner.generate(req);
      cache.inflight.set(key, p);
      try {
        const res = await p;
        if (res.finishReason !== 'error') cache.put(key, { ...res, cached: false });
        return res;
      } finally {
        if (cache.inflight.get(key) === p) cache.inflight.delete(key);
      }
    },
  };
}

/** `p`, unless `signal` aborts first (then its reason is thrown). */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
