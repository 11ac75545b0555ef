/**
 * Announced per-key rate limits of the mock (issue 12 §4): token buckets per key holding a
 * minute's limit and refilled continuously, the headers each provider announces them in,
 * and the check that refuses a request the buckets cannot hold. Pure apart from the buckets.
 *
 *   OpenAI     x-ratelimit-{limit,remaining,reset}-{requests,tokens}; reset is the time until
 *              the bucket is full again, as a duration ("1s", "6m0s", "12ms"):
 *              https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 *              (read 2026-12-02 via https://spybara.com/openai/api/history/docs/en/2026-06-24-2202..2026-06-26-1757/).
 *              Replenishment is continuous: a key at 5000 RPM reads reset-requests "12ms" after one
 *              request (https://community.openai.com/t/how-to-get-rate-limit-reset-time-for-response-api/1268905).
 *              Tokens counted: the prompt (cached tokens included) plus max_tokens when sent.
 *   Anthropic  anthropic-ratelimit-{requests,input-tokens,output-tokens,tokens}-{limit,remaining,reset},
 *              reset an RFC 3339 time; retry-after on a 429; "the token bucket algorithm ... continuously
 *              replenished"; ITPM counts input_tokens + cache_creation_input_tokens, and cache reads
 *              only on the models marked † (Claude 3 Haiku/Opus, 3.5 Sonnet/Haiku); OTPM is estimated
 *              from max_tokens at the start and adjusted to the real output at the end:
 *              https://platform.claude.com/docs/en/api/rate-limits.md (read 2026-12-02).
 *   Gemini and OpenRouter announce nothing.
 */
import { cacheReadsCountTowardTpm } from '../providers/prompt-cache.ts';

export interface OpenAiLimits {
  rpm?: number;
  tpm?: number;
}
export interface AnthropicLimits {
  rpm?: number;
  itpm?: number;
  otpm?: number;
}
export interface ProviderLimits {
  openai?: OpenAiLimits;
  anthropic?: AnthropicLimits;
}
/** Per provider; `byKey` (the key as sent) replaces a provider's limits for that key. */
export interface LimitsOption extends ProviderLimits {
  byKey?: Record<string, ProviderLimits>;
}

type Dim = 'requests' | 'tokens' | 'input' | 'output';

class Bucket {
  level: number;
  constructor(
    readonly capacity: number,
    private at: number,
  ) {
    this.level = capacity;
  }
  refill(t: number): void {
    if (t > this.at) {
      this.level = Math.min(this.capacity, this.level + ((t - this.at) * this.capacity) / 60_000);
      this.at = t;
    }
  }
  /** ms until the bucket holds `n` (0 if it does) */
  waitFor(n: number): number {
    return this.level >= n ? 0 : ((n - this.level) * 60_000) / this.capacity;
  }
  /** ms until it is full again */
  get resetMs(): number {
    return this.waitFor(this.capacity);
  }
}

/** What a request would take from its key's buckets. */
export interface Demand {
  /** OpenAI: prompt + max_tokens; Anthropic: the input tokens that count toward ITPM */
  input: number;
  /** Anthropic's OTPM estimate (max_tokens) */
  output: number;
}

export type Refusal = { dim: Dim; limit: number; used: number; requested: number; waitMs: number; tooLarge: boolean };

/** Whether a Claude model counts cache reads toward its ITPM (the † models; one home: providers/prompt-cache.ts). */
export function cacheReadsCountTowardItpm(model: string): boolean {
  return cacheReadsCountTowardTpm('anthropic', model);
}

export class KeyLimits {
  private readonly buckets = new Map<string, Map<Dim, Bucket>>();
  private readonly byKey = new Map<string, ProviderLimits>();

  /** `hash`: how the server names a key (keys themselves are not kept) */
  constructor(
    private readonly opts: LimitsOption,
    hash: (key: string) => string,
  ) {
    for (const [k, v] of Object.entries(opts.byKey ?? {})) this.byKey.set(hash(k), v);
  }

  /** The limits a key of this format announces, or null (Gemini, OpenRouter, none configured). */
  private config(format: string, kh: string): Partial<Record<Dim, number>> | null {
    const own = this.byKey.get(kh);
    if (format === 'openai') {
      const l = own?.openai ?? this.opts.openai;
      return l && (l.rpm || l.tpm) ? { requests: l.rpm, tokens: l.tpm } : null;
    }
    if (format === 'anthropic') {
      const l = own?.anthropic ?? this.opts.anthropic;
      return l && (l.rpm || l.itpm || l.otpm) ? { requests: l.rpm, input: l.itpm, output: l.otpm } : null;
    }
    return null;
  }

  private of(format: string, kh: string, t: number): Map<Dim, Bucket> | null {
    const cfg = this.config(format, kh);
    if (!cfg) return null;
    const id = `${format}/${kh}`;
    let m = this.buckets.get(id);
    if (!m) {
      m = new Map();
      for (const [d, n] of Object.entries(cfg) as [Dim, number | undefined][])
        if (n && n > 0) m.set(d, new Bucket(n, t));
      this.buckets.set(id, m);
    }
    for (const b of m.values()) b.refill(t);
    return m;
  }

  /** Takes the request from the key's buckets, or says which limit refuses it (nothing taken). */
  admit(format: string, kh: string, d: Demand, t: number): Refusal | null {
    const m = this.of(format, kh, t);
    if (!m) return null;
    const need: Record<Dim, number> = {
      requests: 1,
      tokens: d.input,
      input: d.input,
      output: Math.min(d.output, m.get('output')?.capacity ?? 0),
    };
    for (const [dim, b] of m) {
      if (b.level >= need[dim]) continue;
      const tooLarge = need[dim] > b.capacity;
      return {
        dim,
        limit: b.capacity,
        used: Math.max(0, Math.ceil(b.capacity - b.level)),
        requested: need[dim],
        waitMs: tooLarge ? Infinity : b.waitFor(need[dim]),
        tooLarge,
      };
    }
    for (const [dim, b] of m) b.level -= need[dim];
    return null;
  }

  /** Settles a served request's output: Anthropic's OTPM estimate to the real output; OpenAI's TPM when no max_tokens was counted. */
  settle(format: string, kh: string, estimated: number, actual: number, t: number): void {
    const m = this.of(format, kh, t);
    if (!m) return;
    const b = m.get(format === 'anthropic' ? 'output' : 'tokens');
    if (!b) return;
    const est = format === 'anthropic' ? Math.min(estimated, b.capacity) : estimated;
    // a bucket may go below zero: the next requests wait for it
    b.level = Math.min(b.capacity, b.level + est - actual);
  }

  /** The headers a response announces for this key now (empty where the format announces none). */
  headers(format: string, kh: string, t: number): Record<string, string> {
    const m = this.of(format, kh, t);
    if (!m) return {};
    const h: Record<string, string> = {};
    const remaining = (b: Bucket) => String(Math.max(0, Math.floor(b.level)));
    if (format === 'openai') {
      for (const [dim, name] of [
        ['requests', 'requests'],
        ['tokens', 'tokens'],
      ] as const) {
        const b = m.get(dim);
        if (!b) continue;
        h[`x-ratelimit-limit-${name}`] = String(b.capacity);
        h[`x-ratelimit-remaining-${name}`] = remaining(b);
        h[`x-ratelimit-reset-${name}`] = goDuration(b.resetMs);
      }
      return h;
    }
    const at = (ms: number) => new Date(Math.ceil((t + ms) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const put = (name: string, b: Bucket) => {
      h[`anthropic-ratelimit-${name}-limit`] = String(b.capacity);
      h[`anthropic-ratelimit-${name}-remaining`] = remaining(b);
      h[`anthropic-ratelimit-${name}-reset`] = at(b.resetMs);
    };
    const req = m.get('requests'),
      inp = m.get('input'),
      out = m.get('output');
    if (req) put('requests', req);
    if (inp) put('input-tokens', inp);
    if (out) put('output-tokens', out);
    // tokens-*: the most restrictive token limit in effect (the one with less left)
    const tight = inp && out ? (inp.level / inp.capacity <= out.level / out.capacity ? inp : out) : (inp ?? out);
    if (tight) put('tokens', tight);
    return h;
  }
}

/** A duration as OpenAI's headers write it: "12ms", "1s", "2.22s", "6m0s", "1h2m3s". */
export function goDuration(ms: number): string {
  if (!(ms > 0)) return '0s';
  if (ms < 999.5) return `${Math.max(1, Math.round(ms))}ms`;
  const trim = (s: number) => String(Math.round(s * 1000) / 1000);
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  const h = Math.floor(ms / 3_600_000),
    m = Math.floor((ms % 3_600_000) / 60_000),
    s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m}m${trim(s)}s`;
}

/**
 * The 429 text of an announced limit.
 *   OpenAI: "Rate limit reached for gpt-4o in organization org-… on tokens per min (TPM): Limit 30000,
 *   Used 29876, Requested 1234. Please try again in 2.22s." and "Request too large for … Limit …, Requested …"
 *   (https://platform.openai.com/docs/guides/rate-limits; e.g. https://github.com/openai/openai-python/issues/1028).
 *   Anthropic: "This request would exceed the rate limit for your organization (…) of 30,000 input tokens per
 *   minute." (https://docs.claude.com/en/api/rate-limits, e.g. https://github.com/Trae-AI/TRAE/issues/625).
 */
export function limitMessage(format: 'openai' | 'anthropic', model: string, r: Refusal): string {
  if (format === 'openai') {
    const what = r.dim === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
    return r.tooLarge
      ? `Request too large for ${model} in organization org-mock on ${what}: Limit ${r.limit}, Requested ${r.requested}. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.`
      : `Rate limit reached for ${model} in organization org-mock on ${what}: Limit ${r.limit}, Used ${r.used}, Requested ${r.requested}. Please try again in ${goDuration(r.waitMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
  }
  const what = { requests: 'requests', tokens: 'tokens', input: 'input tokens', output: 'output tokens' }[r.dim];
  return `This request would exceed the rate limit for your organization (mock-org) of ${r.limit.toLocaleString('en-US')} ${what} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.`;
}

/**
 * One --limits spec: PROVIDER[@KEY]:NAME=N,… e.g. "openai:rpm=5000,tpm=800000",
 * "anthropic@sk-ant-2:rpm=50,itpm=30000,otpm=8000"; merged into `into`. A bad spec is a message.
 */
export function parseLimitSpec(spec: string, into: LimitsOption = {}): LimitsOption | string {
  const m = /^\s*(openai|anthropic)(?:@([^:\s]+))?:(.+)$/.exec(spec);
  const names = { openai: ['rpm', 'tpm'], anthropic: ['rpm', 'itpm', 'otpm'] } as const;
  const usage = `--limits takes PROVIDER[@KEY]:NAME=N,…, e.g. openai:rpm=5000,tpm=800000 or anthropic:rpm=4000,itpm=2000000,otpm=400000 (got "${spec}")`;
  if (!m) return usage;
  const provider = m[1] as 'openai' | 'anthropic';
  const vals: Record<string, number> = {};
  for (const pair of m[3].split(',')) {
    const p = /^\s*([a-z]+)\s*=\s*(\d+)\s*$/.exec(pair);
    if (!p || !(names[provider] as readonly string[]).includes(p[1]) || Number(p[2]) < 1) {
      return `${usage}; ${provider} takes ${names[provider].join(', ')} as whole numbers >= 1`;
    }
    vals[p[1]] = Number(p[2]);
  }
  const out: LimitsOption = { ...into, byKey: { ...into.byKey } };
  if (m[2]) out.byKey![m[2]] = { ...out.byKey![m[2]], [provider]: { ...out.byKey![m[2]]?.[provider], ...vals } };
  else out[provider] = { ...into[provider], ...vals };
  if (Object.keys(out.byKey!).length === 0) delete out.byKey;
  return out;
}
