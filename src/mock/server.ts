/**
 * The mock LLM server (DESIGN §3, `bargain mock-server`): on 127.0.0.1 it serves the
 * OpenAI chat-completions (also OpenRouter's /api/v1 and compatible servers' paths),
 * Anthropic messages and Gemini generateContent wire formats (wire.ts), answers
 * negotiation prompts in character with a scripted strategy (completion.ts, agents/sim/brain.ts), and
 * injects latency, 5xx, resets, slow responses and malformed answers (faults.ts), per-key
 * RPM limits (429 + Retry-After) and timed 429 bursts (a provider-side overload: every key
 * is refused for a stretch, with the rest of the stretch as Retry-After; rate-limit.ts),
 * each refusal in the API's own words (error-texts.ts). This file routes and composes. Answers and
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
import { hashOf } from '../agents/sim/brain.ts';
import { transportFault, unit, type FaultKind, type FaultRates } from './faults.ts';
import { complete, costOf } from './completion.ts';
// the mock's usage is the one token estimate, so a client's up-front charge matches it
import { estimateMessageTokens } from '../providers/tokens.ts';
import {
  invalidKeyMessage,
  modelNotFoundMessage,
  noFundsMessage,
  noKeyMessage,
  rateLimitMessage,
} from './error-texts.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { Catalog, isIsoDate } from './catalog.ts';
import { cacheReadsCountTowardItpm, KeyLimits, limitMessage, type LimitsOption } from './limits.ts';
import { cacheRule, PromptCache } from './prompt-cache.ts';
import { FORMATS, route, type Completion, type ErrorExtra, type ErrorKind } from './wire.ts';
import { loadRegistry, type Registry } from '../providers/registry.ts';
import { today } from '../providers/lifecycle.ts';

export { SEED_DATE } from './catalog.ts';

/** Beside these, the unannounced rate limits (rate-limit.ts): rpm, rpmByFormat, rpmBurstS, rateLimitBursts, rateLimitFirst. */
export interface MockServerOptions extends RateLimitOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** base latency, uniform in [min, max] ms per request (by request hash) */
  latencyMs?: [number, number];
  /** per wire model id (or its tail after the last /): latency range replacing latencyMs (benches) */
  latencyByModel?: Record<string, [number, number]>;
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

export interface KeyStats {
  requests: number;
  ok: number;
  rate_limited: number;
  errors: number;
}

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
  if (!(reasoningScale >= 0) || !Number.isFinite(reasoningScale))
    throw new Error(`mock server: reasoningScale must be a number >= 0 (got ${reasoningScale})`);
  const catalog = new Catalog(opts.registry ?? loadRegistry(), {
    date,
    extraModels: opts.extraModels,
    reroute: opts.reroute,
  });
  const now = opts.now ?? (() => Date.now());
  const started = now();
  const rates: FaultRates = {
    errorRate: opts.errorRate ?? 0,
    malformedRate: opts.malformedRate ?? 0,
    perKind: opts.faults,
  };
  const seen = new Map<string, number>();
  const stats: MockStats = {
    started_at: new Date(started).toISOString(),
    requests: 0,
    by_status: {},
    by_key: {},
    by_model: {},
    by_format: {},
    faults: {},
    log: [],
  };
  const logLimit = opts.logLimit ?? 100_000;
  const promptCache = opts.promptCache === false ? null : new PromptCache();
  const limits = new KeyLimits(opts.limits ?? {}, keyHash);
  const rateLimiter = new RateLimiter(opts, started);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function record(
    e: Omit<RequestLogEntry, 't' | 'ms' | 'req' | 'retry_after_s'> &
      Partial<Pick<RequestLogEntry, 'req' | 'retry_after_s'>>,
    arrival: number,
  ): void {
    stats.requests++;
    stats.by_status[e.status] = (stats.by_status[e.status] ?? 0) + 1;
    const k = (stats.by_key[e.key] ??= { requests: 0, ok: 0, rate_limited: 0, errors: 0 });
    k.requests++;
    if (e.status === 200) k.ok++;
    else if (e.status === 429 && (e.fault === 'rate_limit' || e.fault === 'rate_limit_burst')) k.rate_limited++;
    else k.errors++;
    if (e.model) stats.by_model[e.model] = (stats.by_model[e.model] ?? 0) + 1;
    stats.by_format[e.format] = (stats.by_format[e.format] ?? 0) + 1;
    if (e.fault) stats.faults[e.fault] = (stats.faults[e.fault] ?? 0) + 1;
    stats.log.push({
      t: new Date(arrival).toISOString(),
      ms: arrival - started,
      ...e,
      req: e.req ?? null,
      retry_after_s: e.retry_after_s ?? null,
    });
    if (stats.log.length > logLimit) stats.log.splice(0, stats.log.length - logLimit);
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const data = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(data),
      ...headers,
    });
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
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/health'))
      return send(res, 200, { ok: true, server: 'bargain mock-server', date });
    const r = route(req.method ?? '', url.pathname);
    if (!r) {
      send(res, 404, {
        error: {
          message: `Unknown request URL: ${req.method} ${url.pathname}. The mock server serves POST /v1/chat/completions, /api/v1/chat/completions, /v1/messages and /v1beta/models/{model}:generateContent, and GET /v1/models, /api/v1/models and /v1beta/models.`,
          type: 'invalid_request_error',
          param: null,
          code: 'unknown_url',
        },
      });
      return;
    }
    // OpenAI and Anthropic both list models at GET /v1/models; Anthropic's callers send its headers
    const format =
      r.list &&
      r.format.name === 'openai' &&
      (req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined)
        ? FORMATS.anthropic
        : r.format;
    const { pathModel } = r;
    const key = format.key(req.headers, url);
    const kh = keyHash(key);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const looseModel =
      pathModel ??
      (body && typeof body === 'object' && typeof (body as { model?: unknown }).model === 'string'
        ? (body as { model: string }).model
        : null);
    let reqId: string | null = null;
    // once the key is known good, every answer announces its limits (429s and other errors too)
    let authed = false;
    const fail = (
      kind: ErrorKind,
      message: string,
      extra: {
        fault?: RequestLogEntry['fault'];
        retryAfterS?: number;
        rpm?: number;
        param?: string;
        code?: string;
      } & Pick<ErrorExtra, 'rateType' | 'upstream'> = {},
    ) => {
      const requestId = `req_${reqId ?? createHash('sha256').update(`${arrival}/${stats.requests}/${raw}`).digest('hex').slice(0, 24)}`;
      const e = format.error(kind, message, {
        retryAfterS: extra.retryAfterS,
        model: looseModel ?? undefined,
        rpm: extra.rpm,
        param: extra.param,
        code: extra.code,
        requestId,
        rateType: extra.rateType,
        upstream: extra.upstream,
      });
      send(res, e.status, e.body, { ...(authed ? limits.headers(format.name, kh, now()) : {}), ...e.headers });
      record(
        {
          key: kh,
          format: format.name,
          model: looseModel,
          status: e.status,
          fault: extra.fault ?? null,
          latency_ms: now() - arrival,
          req: reqId,
          retry_after_s: extra.retryAfterS ?? null,
        },
        arrival,
      );
    };

    // authentication first, as the real APIs do; the sim route may come without a key, and
    // OpenRouter's model list is public
    const keyless = (looseModel ?? '').startsWith('sim:') || (r.list && format.name === 'openrouter');
    if (key === null && !keyless) return fail('no_key', noKeyMessage(format.name));
    if (key !== null && key.includes('invalid')) return fail('auth', invalidKeyMessage(format.name));
    if (key !== null && key.includes('no-funds')) return fail('no_funds', noFundsMessage(format.name, looseModel));
    authed = key !== null;
    if (r.list) {
      if (format.name === 'anthropic' && typeof req.headers['anthropic-version'] !== 'string')
        return fail('bad_request', 'anthropic-version: header is required');
      send(
        res,
        200,
        format.list(catalog.list(format.name), url),
        format.name === 'anthropic' ? { 'request-id': `req_list${stats.requests}` } : {},
      );
      record(
        { key: kh, format: format.name, model: null, status: 200, fault: null, latency_ms: now() - arrival },
        arrival,
      );
      return;
    }
    if (body === undefined) return fail('bad_request', 'We could not parse the JSON body of your request.');
    // a model not served on the mock's date answers as the real API answers a retired or unknown id
    if (looseModel !== null && !catalog.serves(format.name, looseModel))
      return fail('model_not_found', modelNotFoundMessage(format.name, looseModel));
    const parsed = format.parse(body, pathModel, req.headers);
    if (typeof parsed === 'string') return fail('bad_request', parsed);
    if ('message' in parsed)
      return fail('bad_request', parsed.message, { param: parsed.param, code: parsed.code, upstream: parsed.upstream });

    // the cache hints are not part of the request's identity (faults and latency draw as before)
    const reqHash = hashOf(format.name, { ...parsed, cache: undefined });
    reqId = reqHash.slice(0, 24);
    const limited = rateLimiter.check(format.name, kh, arrival);
    if (limited) {
      return fail('rate_limit', rateLimitMessage(format.name, parsed.model, limited.limit, limited.retryAfterS), {
        fault: limited.fault,
        retryAfterS: limited.retryAfterS,
        rpm: limited.limit,
      });
    }

    // what the provider's prompt cache would read and write (committed when the answer is sent)
    const inputTokens = estimateMessageTokens(parsed.messages);
    const rule = cacheRule(format.name, parsed.model);
    const plan =
      promptCache && parsed.cache
        ? promptCache.plan(
            rule,
            `${kh}\u0000${parsed.model}\u0000${parsed.cache.cacheKey ?? ''}`,
            parsed.model,
            parsed.cache.units,
            arrival,
          )
        : { read: 0, write: 0, commit: () => {} };
    // the announced limits: OpenAI counts the prompt (cached part included) and max_tokens;
    // Anthropic's ITPM the uncached input and the writes (reads too on the † models), its OTPM max_tokens
    if (format.name === 'openai' || format.name === 'anthropic') {
      const input =
        format.name === 'openai'
          ? inputTokens + (parsed.maxTokens ?? 0)
          : inputTokens - (cacheReadsCountTowardItpm(parsed.model) ? 0 : plan.read);
      const refused = limits.admit(format.name, kh, { input, output: parsed.maxTokens ?? 0 }, arrival);
      if (refused) {
        const retryAfterS = refused.tooLarge ? undefined : Math.max(1, Math.ceil(refused.waitMs / 1000));
        return fail('rate_limit', limitMessage(format.name, parsed.model, refused), {
          fault: 'rate_limit',
          retryAfterS,
          rateType: refused.dim === 'requests' ? 'requests' : 'tokens',
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
      record(
        {
          key: kh,
          format: format.name,
          model: parsed.model,
          status: 0,
          fault: 'reset',
          latency_ms: now() - arrival,
          req: reqId,
        },
        arrival,
      );
      req.socket.destroy();
      return;
    }
    if (tf === 'server_error') {
      const overloaded = unit(reqHash, `5xx/${occurrence}`) < 0.5;
      return fail(
        overloaded ? 'overloaded' : 'server',
        overloaded
          ? 'The server is overloaded. Please try again later.'
          : 'The server had an error while processing your request. Sorry about that!',
        { fault: 'server_error' },
      );
    }

    let completion: Completion;
    let fault: FaultKind | null = tf;
    try {
      const c = await complete(format, parsed, reqHash, occurrence, rates, opts.strategies ?? {}, reasoningScale);
      // a rerouted id is answered by another model, and the answer says so
      completion = {
        ...c.completion,
        model: catalog.servedAs(parsed.model),
        id: reqHash.slice(0, 24),
        created: Math.floor(arrival / 1000),
        cacheReadTokens: plan.read,
        cacheWriteTokens: plan.write,
      };
      if (format.name === 'openrouter')
        completion.costUsd = costOf(catalog.entry('openrouter', parsed.model)?.price, completion);
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
      ...(format.name === 'anthropic'
        ? { 'request-id': `req_${completion.id}` }
        : { 'x-request-id': `req_${completion.id}` }),
    });
    record(
      {
        key: kh,
        format: format.name,
        model: parsed.model,
        status: 200,
        fault,
        latency_ms: now() - arrival,
        req: reqId,
      },
      arrival,
    );
  }

  const server = createServer((req, res) => {
    const arrival = now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(res, 413, { error: { message: 'request too large' } });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'), arrival).catch((e) => {
        send(res, 500, { error: { message: `mock server error: ${(e as Error).message}` } });
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    date,
    stats: () => JSON.parse(JSON.stringify(stats)) as MockStats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
