/**
 * The mock LLM server (DESIGN §3, `bargain mock-server`): on 127.0.0.1 it serves the
 * OpenAI chat-completions (also OpenRouter's /api/v1 and compatible servers' paths),
 * Anthropic messages and Gemini generateContent wire formats (wire.ts), answers
 * negotiation prompts in character with a scripted strategy (brain.ts), and injects
 * latency, per-key RPM limits (429 + Retry-After), 5xx, resets, slow responses and
 * malformed answers (faults.ts), and timed 429 bursts (a provider-side overload: every
 * key is refused for a stretch, with the rest of the stretch as Retry-After). Answers and
 * faults are deterministic functions of the request (and of how often that request was
 * seen). Keys are only ever kept as short hashes; counters and a per-request log (with a
 * hash of each request's content, so repeats can be found) are at GET /_stats and stats().
 * Key conventions for exercising clients: a key containing "invalid" is rejected as
 * invalid (401), one containing "no-funds" as out of quota/credit.
 * As strict as the real APIs (issue 10 §6): it serves only the models that answer on its
 * date (catalog.ts; `date: SEED_DATE` serves the seed's 13), answers others with each
 * provider's real not-found body, lists models per provider, rejects the parameters the
 * real APIs reject, spends realistic reasoning tokens (reasoningScale), and can answer one
 * model as another (reroute).
 * Prompt caching as each provider reports it (prompt-cache.ts; promptCache: false turns it off)
 * and per-key limits announced in OpenAI's and Anthropic's headers and enforced with their
 * 429s (limits.ts; off unless configured).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answer, hashOf } from '../agents/sim/brain.ts';
import { applyOutputFault, outputFault, transportFault, unit, type FaultKind, type FaultRates } from './faults.ts';
import { Catalog, isIsoDate, type FormatName } from './catalog.ts';
import { cacheReadsCountTowardItpm, KeyLimits, limitMessage, type LimitsOption } from './limits.ts';
import { cacheRule, PromptCache } from './prompt-cache.ts';
import { FORMATS, route, type Completion, type ErrorExtra, type ErrorKind, type WireFormat, type WireRequest } from './wire.ts';
import { loadRegistry, type Price, type Registry } from '../providers/registry.ts';
import { today } from '../providers/lifecycle.ts';
import { callDollars } from '../providers/cost.ts';
// the mock's usage is the one token estimate, so the client's up-front charge matches it
import { estimateMessageTokens, estimateTextTokens } from '../providers/tokens.ts';

export { SEED_DATE } from './catalog.ts';

export interface MockServerOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** base latency, uniform in [min, max] ms per request (by request hash) */
  latencyMs?: [number, number];
  /** per wire model id (or its tail after the last /): latency range replacing latencyMs (benches) */
  latencyByModel?: Record<string, [number, number]>;
  /** requests per minute allowed per key (0 or undefined: unlimited) */
  rpm?: number;
  /** per wire format (openai, anthropic, gemini, openrouter): the RPM of each key of that API, replacing rpm */
  rpmByFormat?: Partial<Record<string, number>>;
  /**
   * Enforce the RPM as a token bucket holding this many seconds of it, refilled at the RPM,
   * instead of a sliding minute (providers may enforce over short intervals; time-scaled
   * benches need it, as a sliding minute lets a run burst a whole minute's budget at once).
   */
  rpmBurstS?: number;
  /**
   * 429 bursts: every `everyMs`, each key is refused for `forMs` with Retry-After = the rest
   * of the burst (whole seconds, rounded up). Each key's schedule is shifted by a hash of
   * the key, so keys do not all burst at once.
   */
  rateLimitBursts?: { everyMs: number; forMs: number };
  /**
   * Per wire format (openai, anthropic, gemini, openrouter): its first `count` completion
   * requests answer that API's per-minute 429 with `retryAfterS` (for Gemini as RetryInfo in
   * the body, no header), as a fresh key at its limit does (tests of the wait).
   */
  rateLimitFirst?: Partial<Record<string, { count: number; retryAfterS: number }>>;
  errorRate?: number;
  malformedRate?: number;
  /** per-fault-kind rates (tests) */
  faults?: FaultRates['perKind'];
  /** model id -> scripted strategy; unmapped models play linear, sim:<s> plays s */
  strategies?: Record<string, string>;
  /** extra delay of a "slow" fault (default 2000 ms) */
  slowMs?: number;
  /** clock (ms) for the RPM windows and the log; tests inject one */
  now?: () => number;
  /** entries kept in the request log (default 100000; the oldest are dropped) */
  logLimit?: number;
  /** the day the mock serves (YYYY-MM-DD, default today): models retired or unreleased on it are not found */
  date?: string;
  /** the model registry whose lifecycle rows say what is served (default: the built-in one) */
  registry?: Registry;
  /** ids served on every format whatever the registry and date say (compatible-server tests) */
  extraModels?: readonly string[];
  /** OLD -> NEW: OLD is served, and answered as NEW (the response's model / modelVersion says NEW) */
  reroute?: Readonly<Record<string, string>>;
  /** multiplies the reasoning tokens spent (default 1: thousands at high effort; 0: none) */
  reasoningScale?: number;
  /** cache prompt prefixes as each provider does (default true; false: nothing is ever cached, for A/B benches) */
  promptCache?: boolean;
  /**
   * Per-key limits announced in OpenAI's and Anthropic's headers and enforced with their 429s
   * (default: none announced), e.g. { openai: { rpm, tpm }, anthropic: { rpm, itpm, otpm },
   * byKey: { 'sk-2': { openai: { rpm } } } }.
   */
  limits?: LimitsOption;
}

export interface RequestLogEntry {
  /** arrival time, ISO */
  t: string;
  /** ms since the server started */
  ms: number;
  key: string;
  format: string;
  model: string | null;
  status: number;
  /** rate_limit: the per-key RPM; rate_limit_burst: a timed 429 burst */
  fault: FaultKind | 'rate_limit' | 'rate_limit_burst' | null;
  latency_ms: number;
  /** hash of the request's content (format, model, messages, parameters; not the key), or null if unparsed */
  req: string | null;
  /** the Retry-After sent with a 429, seconds */
  retry_after_s: number | null;
}

export interface KeyStats { requests: number; ok: number; rate_limited: number; errors: number }

export interface MockStats {
  started_at: string;
  requests: number;
  by_status: Record<string, number>;
  by_key: Record<string, KeyStats>;
  by_model: Record<string, number>;
  by_format: Record<string, number>;
  faults: Record<string, number>;
  log: RequestLogEntry[];
}

export interface MockServer {
  url: string;
  /** the day it serves, YYYY-MM-DD */
  date: string;
  port: number;
  stats(): MockStats;
  close(): Promise<void>;
}

/** Short, one-way name of a key for counters and logs; the key itself is never kept. */
export function keyHash(key: string | null): string {
  return key === null ? 'none' : 'k_' + createHash('sha256').update(key).digest('hex').slice(0, 12);
}

const MAX_BODY = 32 * 1024 * 1024;

export async function startMockServer(opts: MockServerOptions = {}): Promise<MockServer> {
  const date = opts.date ?? today();
  if (!isIsoDate(date)) throw new Error(`mock server: date must be YYYY-MM-DD (got "${date}")`);
  const reasoningScale = opts.reasoningScale ?? 1;
  if (!(reasoningScale >= 0) || !Number.isFinite(reasoningScale)) throw new Error(`mock server: reasoningScale must be a number >= 0 (got ${reasoningScale})`);
  const catalog = new Catalog(opts.registry ?? loadRegistry(), { date, extraModels: opts.extraModels, reroute: opts.reroute });
  const now = opts.now ?? (() => Date.now());
  const started = now();
  const rates: FaultRates = { errorRate: opts.errorRate ?? 0, malformedRate: opts.malformedRate ?? 0, perKind: opts.faults };
  const seen = new Map<string, number>();
  const windows = new Map<string, number[]>();
  const stats: MockStats = {
    started_at: new Date(started).toISOString(), requests: 0, by_status: {}, by_key: {}, by_model: {}, by_format: {}, faults: {}, log: [],
  };
  const logLimit = opts.logLimit ?? 100_000;
  const promptCache = opts.promptCache === false ? null : new PromptCache();
  const limits = new KeyLimits(opts.limits ?? {}, keyHash);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });

  function record(e: Omit<RequestLogEntry, 't' | 'ms' | 'req' | 'retry_after_s'> & Partial<Pick<RequestLogEntry, 'req' | 'retry_after_s'>>, arrival: number): void {
    stats.requests++;
    stats.by_status[e.status] = (stats.by_status[e.status] ?? 0) + 1;
    const k = (stats.by_key[e.key] ??= { requests: 0, ok: 0, rate_limited: 0, errors: 0 });
    k.requests++;
    if (e.status === 200) k.ok++; else if (e.status === 429 && (e.fault === 'rate_limit' || e.fault === 'rate_limit_burst')) k.rate_limited++; else k.errors++;
    if (e.model) stats.by_model[e.model] = (stats.by_model[e.model] ?? 0) + 1;
    stats.by_format[e.format] = (stats.by_format[e.format] ?? 0) + 1;
    if (e.fault) stats.faults[e.fault] = (stats.faults[e.fault] ?? 0) + 1;
    stats.log.push({ t: new Date(arrival).toISOString(), ms: arrival - started, ...e, req: e.req ?? null, retry_after_s: e.retry_after_s ?? null });
    if (stats.log.length > logLimit) stats.log.splice(0, stats.log.length - logLimit);
  }

  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Sliding one-minute window (or token bucket, rpmBurstS) per key: null if allowed (and counted), else seconds to wait. */
  function rpmCheck(key: string, t: number, limit: number | undefined): number | null {
    if (!limit) return null;
    if (opts.rpmBurstS) {
      const size = Math.max(1, (limit * opts.rpmBurstS) / 60);
      const perMs = limit / 60_000;
      const b = buckets.get(key) ?? { tokens: size, at: t };
      b.tokens = Math.min(size, b.tokens + Math.max(0, t - b.at) * perMs);
      b.at = Math.max(b.at, t);
      buckets.set(key, b);
      if (b.tokens >= 1) { b.tokens -= 1; return null; }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    }
    const w = windows.get(key) ?? [];
    while (w.length && w[0] <= t - 60_000) w.shift();
    if (w.length >= limit) {
      windows.set(key, w);
      return Math.max(1, Math.ceil((w[0] + 60_000 - t) / 1000));
    }
    w.push(t);
    windows.set(key, w);
    return null;
  }

  /** Inside a 429 burst of this key: seconds left of it, else null. */
  const limitedFirst = new Map<string, number>();
  function burstCheck(key: string, t: number): number | null {
    const b = opts.rateLimitBursts;
    if (!b || b.forMs <= 0 || b.everyMs <= 0) return null;
    const phase = (t - started + Math.floor(unit(key, 'burst') * b.everyMs)) % b.everyMs;
    return phase < b.forMs ? Math.max(1, Math.ceil((b.forMs - phase) / 1000)) : null;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const data = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers });
    res.end(data);
  }

  /** `arrival`: when the request began to arrive (its headers), as a provider counts it */
  async function handle(req: IncomingMessage, res: ServerResponse, raw: string, arrival: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/_stats') {
      const n = url.searchParams.get('log');
      const copy: MockStats = JSON.parse(JSON.stringify(stats));
      if (n !== null) copy.log = Number(n) > 0 ? copy.log.slice(-Number(n)) : [];
      return send(res, 200, copy);
    }
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/health')) return send(res, 200, { ok: true, server: 'bargain mock-server', date });
    const r = route(req.method ?? '', url.pathname);
    if (!r) {
      send(res, 404, { error: { message: `Unknown request URL: ${req.method} ${url.pathname}. The mock server serves POST /v1/chat/completions, /api/v1/chat/completions, /v1/messages and /v1beta/models/{model}:generateContent, and GET /v1/models, /api/v1/models and /v1beta/models.`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
      return;
    }
    // OpenAI and Anthropic both list models at GET /v1/models; Anthropic's callers send its headers
    const format = r.list && r.format.name === 'openai' && (req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined) ? FORMATS.anthropic : r.format;
    const { pathModel } = r;
    const key = format.key(req.headers, url);
    const kh = keyHash(key);
    let body: unknown;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { body = undefined; }
    const looseModel = pathModel ?? (body && typeof body === 'object' && typeof (body as { model?: unknown }).model === 'string' ? (body as { model: string }).model : null);
    let reqId: string | null = null;
    // once the key is known good, every answer announces its limits (429s and other errors too)
    let authed = false;
    const fail = (kind: ErrorKind, message: string, extra: { fault?: RequestLogEntry['fault']; retryAfterS?: number; rpm?: number; param?: string; code?: string } & Pick<ErrorExtra, 'rateType' | 'upstream'> = {}) => {
      const requestId = `req_${reqId ?? createHash('sha256').update(`${arrival}/${stats.requests}/${raw}`).digest('hex').slice(0, 24)}`;
      const e = format.error(kind, message, { retryAfterS: extra.retryAfterS, model: looseModel ?? undefined, rpm: extra.rpm, param: extra.param, code: extra.code, requestId, rateType: extra.rateType, upstream: extra.upstream });
      send(res, e.status, e.body, { ...(authed ? limits.headers(format.name, kh, now()) : {}), ...e.headers });
      record({ key: kh, format: format.name, model: looseModel, status: e.status, fault: extra.fault ?? null, latency_ms: now() - arrival,
        req: reqId, retry_after_s: extra.retryAfterS ?? null }, arrival);
    };

    // authentication first, as the real APIs do; the sim route may come without a key, and
    // OpenRouter's model list is public
    const keyless = (looseModel ?? '').startsWith('sim:') || (r.list && format.name === 'openrouter');
    if (key === null && !keyless) {
      const msg: Record<string, string> = {
        openai: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        openrouter: 'No auth credentials found', anthropic: 'x-api-key header is required',
        // a 403 PERMISSION_DENIED: https://github.com/UnityGameStudio/Gemini-Unity-Package/issues/1
        gemini: 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.',
      };
      return fail('no_key', msg[format.name]);
    }
    if (key !== null && key.includes('invalid')) {
      const msg: Record<string, string> = {
        openai: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        openrouter: 'User not found.', anthropic: 'invalid x-api-key', gemini: 'API key not valid. Please pass a valid API key.',
      };
      return fail('auth', msg[format.name]);
    }
    if (key !== null && key.includes('no-funds')) {
      const msg: Record<string, string> = {
        openai: 'You exceeded your current quota, please check your plan and billing details.',
        openrouter: 'Insufficient credits. Add more using https://openrouter.ai/credits',
        anthropic: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
        // a key whose plan has no quota for the model: the limit it names is 0
        gemini: `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: ${looseModel ?? 'unknown'}`,
      };
      return fail('no_funds', msg[format.name]);
    }
    authed = key !== null;
    if (r.list) {
      if (format.name === 'anthropic' && typeof req.headers['anthropic-version'] !== 'string') return fail('bad_request', 'anthropic-version: header is required');
      send(res, 200, format.list(catalog.list(format.name), url), format.name === 'anthropic' ? { 'request-id': `req_list${stats.requests}` } : {});
      record({ key: kh, format: format.name, model: null, status: 200, fault: null, latency_ms: now() - arrival }, arrival);
      return;
    }
    if (body === undefined) return fail('bad_request', 'We could not parse the JSON body of your request.');
    // a model not served on the mock's date answers as the real API answers a retired or unknown id
    if (looseModel !== null && !catalog.serves(format.name, looseModel)) {
      const msg: Record<FormatName, string> = {
        // https://github.com/shobrook/wut/issues/14
        openai: `The model \`${looseModel}\` does not exist or you do not have access to it.`,
        // https://github.com/siddartha19/investormate/issues/3
        anthropic: `model: ${looseModel}`,
        // https://ai.google.dev/gemini-api/docs/troubleshooting (404 NOT_FOUND)
        gemini: `models/${looseModel} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
        // https://github.com/continuedev/continue/issues/10758
        openrouter: `${looseModel} is not a valid model ID`,
      };
      return fail('model_not_found', msg[format.name]);
    }
    const parsed = format.parse(body, pathModel, req.headers);
    if (typeof parsed === 'string') return fail('bad_request', parsed);
    if ('message' in parsed) return fail('bad_request', parsed.message, { param: parsed.param, code: parsed.code, upstream: parsed.upstream });

    // the cache hints are not part of the request's identity (faults and latency draw as before)
    const reqHash = hashOf(format.name, { ...parsed, cache: undefined });
    reqId = reqHash.slice(0, 24);
    const first = opts.rateLimitFirst?.[format.name];
    if (first && (limitedFirst.get(format.name) ?? 0) < first.count) {
      limitedFirst.set(format.name, (limitedFirst.get(format.name) ?? 0) + 1);
      return fail('rate_limit', rateLimitMessage(format.name, parsed.model, 60, first.retryAfterS), { fault: 'rate_limit', retryAfterS: first.retryAfterS, rpm: 60 });
    }
    const burst = burstCheck(kh, arrival);
    if (burst !== null) {
      return fail('rate_limit', rateLimitMessage(format.name, parsed.model, undefined, burst), { fault: 'rate_limit_burst', retryAfterS: burst });
    }
    const limit = opts.rpmByFormat?.[format.name] ?? opts.rpm;
    const wait = rpmCheck(kh, arrival, limit);
    if (wait !== null) {
      return fail('rate_limit', rateLimitMessage(format.name, parsed.model, limit, wait), { fault: 'rate_limit', retryAfterS: wait, rpm: limit });
    }

    // what the provider's prompt cache would read and write (committed when the answer is sent)
    const inputTokens = estimateMessageTokens(parsed.messages);
    const rule = cacheRule(format.name, parsed.model);
    const plan = promptCache && parsed.cache
      ? promptCache.plan(rule, `${kh}\u0000${parsed.model}\u0000${parsed.cache.cacheKey ?? ''}`, parsed.model, parsed.cache.units, arrival)
      : { read: 0, write: 0, commit: () => {} };
    // the announced limits: OpenAI counts the prompt (cached part included) and max_tokens;
    // Anthropic's ITPM the uncached input and the writes (reads too on the † models), its OTPM max_tokens
    if (format.name === 'openai' || format.name === 'anthropic') {
      const input = format.name === 'openai' ? inputTokens + (parsed.maxTokens ?? 0)
        : inputTokens - (cacheReadsCountTowardItpm(parsed.model) ? 0 : plan.read);
      const refused = limits.admit(format.name, kh, { input, output: parsed.maxTokens ?? 0 }, arrival);
      if (refused) {
        const retryAfterS = refused.tooLarge ? undefined : Math.max(1, Math.ceil(refused.waitMs / 1000));
        return fail('rate_limit', limitMessage(format.name, parsed.model, refused), {
          fault: 'rate_limit', retryAfterS, rateType: refused.dim === 'requests' ? 'requests' : 'tokens',
        });
      }
    }

    const occurrence = seen.get(reqHash) ?? 0;
    seen.set(reqHash, occurrence + 1);
    const tail = parsed.model.slice(parsed.model.lastIndexOf('/') + 1);
    const [lo, hi] = opts.latencyByModel?.[parsed.model] ?? opts.latencyByModel?.[tail] ?? opts.latencyMs ?? [0, 0];
    let delay = lo + Math.floor(unit(reqHash, 'latency') * (hi - lo + 1));
    const tf = transportFault(reqHash, occurrence, rates);
    if (tf === 'slow') delay += opts.slowMs ?? 2000;
    if (delay > 0) await sleep(delay);
    if (tf === 'reset') {
      record({ key: kh, format: format.name, model: parsed.model, status: 0, fault: 'reset', latency_ms: now() - arrival, req: reqId }, arrival);
      req.socket.destroy();
      return;
    }
    if (tf === 'server_error') {
      const overloaded = unit(reqHash, `5xx/${occurrence}`) < 0.5;
      return fail(overloaded ? 'overloaded' : 'server', overloaded ? 'The server is overloaded. Please try again later.' : 'The server had an error while processing your request. Sorry about that!', { fault: 'server_error' });
    }

    let completion: Completion;
    let fault: FaultKind | null = tf;
    try {
      const c = await complete(format, parsed, reqHash, occurrence, rates, opts.strategies ?? {}, reasoningScale);
      // a rerouted id is answered by another model, and the answer says so
      completion = {
        ...c.completion, model: catalog.servedAs(parsed.model), id: reqHash.slice(0, 24), created: Math.floor(arrival / 1000),
        cacheReadTokens: plan.read, cacheWriteTokens: plan.write,
      };
      if (format.name === 'openrouter') completion.costUsd = costOf(catalog.entry('openrouter', parsed.model)?.price, completion);
      fault = c.fault ?? fault;
    } catch (e) {
      return fail('server', `mock server error: ${(e as Error).message}`);
    }
    plan.commit(now());
    const out = completion.outputTokens + completion.reasoningTokens;
    if (format.name === 'anthropic') limits.settle('anthropic', kh, parsed.maxTokens ?? 0, out, now());
    else if (format.name === 'openai' && parsed.maxTokens === null) limits.settle('openai', kh, 0, out, now());
    send(res, 200, format.success(completion), {
      ...limits.headers(format.name, kh, now()),
      ...(format.name === 'anthropic' ? { 'request-id': `req_${completion.id}` } : { 'x-request-id': `req_${completion.id}` }),
    });
    record({ key: kh, format: format.name, model: parsed.model, status: 200, fault, latency_ms: now() - arrival, req: reqId }, arrival);
  }

  const server = createServer((req, res) => {
    const arrival = now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { send(res, 413, { error: { message: 'request too large' } }); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'), arrival).catch((e) => {
        send(res, 500, { error: { message: `mock server error: ${(e as Error).message}` } });
      });
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    date,
    stats: () => JSON.parse(JSON.stringify(stats)) as MockStats,
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const THOUGHT = 'Weighing my private values against what is on the table and what the others seem to want.';

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
      return 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. \n' +
        // (a burst names no limit: "limit: 0" is what a key whose plan has no quota for the model sees)
        (limit !== undefined ? `* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_paid_tier_requests, limit: ${limit}, model: ${model}\n` : '') +
        `Please retry in ${waitS}s.`;
    case 'openrouter':
      return `Rate limit exceeded: ${limit !== undefined ? `${limit} requests per minute for this key` : 'the provider is temporarily overloaded'}. Please retry in ${waitS}s.`;
  }
}

/**
 * OpenRouter's `usage.cost`: the call's dollars at registry prices as cost.ts bills them (one
 * home for pricing; Anthropic rows carry their 5-minute write price), not rounded to cents.
 */
export function costOf(price: Price | undefined, c: Completion): number {
  if (!price) return 0;
  const usd = callDollars(price, {
    inputTokens: c.inputTokens, outputTokens: c.outputTokens + c.reasoningTokens, reasoningTokens: c.reasoningTokens,
    cacheReadTokens: c.cacheReadTokens, cacheWriteTokens: c.cacheWriteTokens,
  });
  return Math.round(usd * 1e12) / 1e12;
}

/** The answer, its token accounting, reasoning, the output-token cap, and any output fault. */
async function complete(
  format: WireFormat, r: WireRequest, reqHash: string, occurrence: number, rates: FaultRates, strategies: Record<string, string>, scale: number,
): Promise<{ completion: Omit<Completion, 'id' | 'created' | 'cacheReadTokens' | 'cacheWriteTokens'>; fault: FaultKind | null }> {
  const a = await answer(r.model, r.messages, strategies);
  let text = a.text;
  let fault: FaultKind | null = null;
  let cut = false;
  if (a.obs && (a.obs.phase === 'proposal' || a.obs.phase === 'voting') && text.trimStart().startsWith('{')) {
    const f = outputFault(reqHash, occurrence, rates);
    if (f) {
      ({ text, cut } = applyOutputFault(f, text));
      fault = f;
    }
  }
  const inputTokens = estimateMessageTokens(r.messages);
  let reasoning = reasoningTokens(format, r, reqHash, scale);
  let outputTokens = estimateTextTokens(text);
  // reasoning comes first and counts against the cap: a cap too small for it leaves no answer
  if (r.maxTokens !== null) {
    if (reasoning >= r.maxTokens) { reasoning = r.maxTokens; text = ''; outputTokens = 0; cut = true; }
    else if (outputTokens > r.maxTokens - reasoning) {
      outputTokens = r.maxTokens - reasoning;
      text = text.slice(0, outputTokens * 4);
      cut = true;
    }
  }
  const showThought = reasoning > 0 && (format.name === 'anthropic' || format.name === 'openrouter' || r.includeThoughts);
  return {
    completion: {
      model: r.model, text, thought: showThought ? THOUGHT : null, finish: cut ? 'length' : 'stop',
      inputTokens, outputTokens, reasoningTokens: reasoning,
    },
    fault,
  };
}

/**
 * Reasoning tokens per effort, at scale 1: of the order real models spend on a negotiation
 * turn (OpenAI's reasoning guide advises reserving ~25k tokens for reasoning and output:
 * https://platform.openai.com/docs/guides/reasoning). OpenAI reasoning_effort and
 * Anthropic's adaptive effort draw from these ranges; a thinking budget (Anthropic enabled
 * thinking, Gemini thinkingBudget, OpenRouter reasoning.max_tokens) is spent from 40% up to all
 * of it; Gemini's dynamic thinking (-1) from the DYNAMIC range.
 */
export const REASONING_SPEND: Record<string, [number, number]> = {
  none: [0, 0], minimal: [0, 256], low: [256, 1500], medium: [512, 3000], high: [2000, 8000], xhigh: [4000, 16000], max: [8000, 24000],
};
const DYNAMIC: [number, number] = [1000, 8000];

/** Deterministic reasoning-token use, by effort or within the budget, times `scale`. */
function reasoningTokens(format: WireFormat, r: WireRequest, reqHash: string, scale: number): number {
  const span = ([lo, hi]: [number, number]) => Math.round(scale * (lo + Math.floor(unit(reqHash, 'reasoning') * (hi - lo + 1))));
  if (r.thinkingBudget !== null) {
    if (r.thinkingBudget === 0) return 0;
    if (r.thinkingBudget < 0) return span(DYNAMIC);
    return Math.min(r.thinkingBudget, span([Math.floor(r.thinkingBudget * 0.4), r.thinkingBudget]));
  }
  if (r.reasoningEffort !== null && format.name !== 'gemini') return span(REASONING_SPEND[r.reasoningEffort]);
  return 0;
}
