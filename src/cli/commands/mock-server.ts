/**
 * `bargain mock-server`: the project's mock LLM server on 127.0.0.1 (src/mock/server.ts),
 * until Ctrl-C. Prints the base-URL variables that point the provider clients at it.
 * It serves the models that answer on --date (default today; --date 2025-08-25 serves the
 * seed's), plus --serve ids, and answers --reroute OLD=NEW as NEW. It caches prompt prefixes
 * as each provider does (--no-prompt-cache: never) and, with --limits, announces per-key
 * limits in OpenAI's and Anthropic's headers and enforces them with their 429s.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UserError } from '../../errors.ts';
import { playableStrategy } from '../../agents/sim/brain.ts';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { isIsoDate, parseReroutes, SEED_DATE } from '../../mock/catalog.ts';
import { parseLimitSpec, type LimitsOption } from '../../mock/limits.ts';
import { today } from '../../providers/lifecycle.ts';
import { STRATEGIES } from '../../agents/index.ts';
import { loadRegistry, type Registry } from '../../providers/index.ts';
import { floatArg, intArg } from '../options.ts';

interface Opts {
  port: number;
  latency?: [number, number];
  rpm?: number;
  errorRate: number;
  malformedRate: number;
  strategy?: string[];
  slowMs: number;
  models?: string;
  date: string;
  serve: string[];
  reroute: Record<string, string>;
  reasoningScale: number;
  promptCache: boolean;
  limits?: LimitsOption;
}

export const DEFAULT_MOCK_PORT = 8765;

export function latencyArg(v: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(v);
  const lo = m ? Number(m[1]) : NaN,
    hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || hi < lo || hi > 600_000)
    throw new InvalidArgumentError(`--latency takes MS or MIN-MAX in milliseconds, e.g. 50-200 (got "${v}")`);
  return [lo, hi];
}

const rateArg = (flag: string) => floatArg(flag, (x) => x >= 0 && x <= 1, 'from 0 to 1');

function dateArg(v: string): string {
  if (!isIsoDate(v.trim()))
    throw new InvalidArgumentError(`--date takes a day as YYYY-MM-DD, e.g. ${SEED_DATE} (got "${v}")`);
  return v.trim();
}

function serveArg(v: string, into: string[] = []): string[] {
  if (!/^[^\s=]+$/.test(v.trim()))
    throw new InvalidArgumentError(
      `--serve takes a model id, e.g. my-local-model (got "${v}"); repeat it for more ids`,
    );
  return [...into, v.trim()];
}

function limitsArg(v: string, into: LimitsOption = {}): LimitsOption {
  const r = parseLimitSpec(v, into);
  if (typeof r === 'string') throw new InvalidArgumentError(r);
  return r;
}

function rerouteArg(v: string, into: Record<string, string> = {}): Record<string, string> {
  const r = parseReroutes([v]);
  if (typeof r === 'string') throw new InvalidArgumentError(r);
  return { ...into, ...r };
}

/**
 * MODEL=STRATEGY pairs into a map keyed by the model ids that arrive on the wire: a registry
 * name (claude-3-opus) also maps its provider id (claude-3-opus-20240229) and OpenRouter id
 * (anthropic/claude-3-opus). A strategy the mock cannot play is a one-line error.
 */
export function strategyMap(pairs: string[] = [], registry?: Registry): Record<string, string> {
  const map: Record<string, string> = {};
  const playable = STRATEGIES.map((s) => s.name).filter(playableStrategy);
  for (const p of pairs) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(p.trim());
    if (!m) throw new UserError(`--strategy takes MODEL=STRATEGY, e.g. gpt-4o=boulware (got "${p}")`);
    const strategy = m[2].replace(/^(?:scripted|sim):/, '');
    if (!playableStrategy(strategy))
      throw new UserError(`--strategy ${p}: unknown strategy "${m[2]}"; the mock plays ${playable.join(', ')}`);
    map[m[1]] = strategy;
    const entry = registry?.find(m[1]);
    if (entry && !m[1].startsWith('sim:')) {
      map[entry.model_id] ??= strategy;
      if (entry.openrouter_id) map[entry.openrouter_id] ??= strategy;
    }
  }
  return map;
}

export function registerMockServer(program: Command): void {
  program
    .command('mock-server')
    .description(
      'serve the OpenAI, OpenRouter, Anthropic and Gemini wire formats on 127.0.0.1 with scripted negotiators (offline tests, dry runs)',
    )
    .option('--port <p>', `port to listen on (0 = any free port)`, intArg('--port', 0, 65535), DEFAULT_MOCK_PORT)
    .option('--latency <ms>', 'added latency per request, MS or MIN-MAX', latencyArg)
    .option('--rpm <n>', 'requests per minute allowed per API key (429 + Retry-After beyond)', intArg('--rpm', 1))
    .option(
      '--error-rate <f>',
      'share of requests failing with 5xx, a connection reset or a slow response',
      rateArg('--error-rate'),
      0,
    )
    .option(
      '--malformed-rate <f>',
      'share of proposal/vote answers that are fenced, prose-wrapped, with trailing commas, comments or single quotes, truncated, or a refusal',
      rateArg('--malformed-rate'),
      0,
    )
    .option(
      '--strategy <pairs...>',
      'MODEL=STRATEGY: the scripted strategy a model plays (a registry name or a wire model id; default linear; sim:<s> plays s)',
    )
    .option('--slow-ms <ms>', 'extra delay of a slow response', intArg('--slow-ms', 0, 600_000), 2000)
    .option(
      '--models <file>',
      'model registry file (extends the built-in one): its models are served on their lifecycle dates, and --strategy may use its names',
    )
    .option(
      '--date <YYYY-MM-DD>',
      `the day to serve: models retired or not yet released on it answer the provider's real not-found error (${SEED_DATE} serves the seed's models)`,
      dateArg,
      today(),
    )
    .option(
      '--serve <id>',
      'also serve this model id on every API, whatever the registry says (repeatable)',
      serveArg,
      [],
    )
    .option(
      '--reroute <OLD=NEW>',
      'serve OLD but answer it as NEW: the response names NEW as the model (repeatable)',
      rerouteArg,
      {},
    )
    .option(
      '--no-prompt-cache',
      'never cache prompt prefixes (A/B benches); by default each API caches as its provider does',
    )
    .option(
      '--limits <spec>',
      "announce and enforce per-key limits in OpenAI's and Anthropic's headers: PROVIDER[@KEY]:NAME=N,… e.g. openai:rpm=5000,tpm=800000, anthropic:rpm=4000,itpm=2000000,otpm=400000 (repeatable; @KEY for one key)",
      limitsArg,
    )
    .option(
      '--reasoning-scale <f>',
      'multiply the reasoning tokens spent (1: thousands at high effort, as real models; 0: none)',
      floatArg('--reasoning-scale', (x) => x >= 0 && x <= 100, 'from 0 to 100'),
      1,
    )
    .action(async (o: Opts) => {
      await mockServer(o);
    });
}

async function mockServer(o: Opts): Promise<void> {
  const registry = loadRegistry(o.models);
  const strategies = strategyMap(o.strategy, registry);
  let server: MockServer;
  try {
    server = await startMockServer({
      port: o.port,
      latencyMs: o.latency,
      rpm: o.rpm,
      errorRate: o.errorRate,
      malformedRate: o.malformedRate,
      strategies,
      slowMs: o.slowMs,
      date: o.date,
      registry,
      extraModels: o.serve,
      reroute: o.reroute,
      reasoningScale: o.reasoningScale,
      promptCache: o.promptCache,
      limits: o.limits,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(`port ${o.port} on 127.0.0.1 is in use; choose another --port (or --port 0 for a free one)`);
    if (code === 'EACCES') throw new UserError(`port ${o.port} needs privileges; choose a --port above 1023`);
    throw e;
  }
  const u = server.url;
  process.stdout.write(
    [
      `bargain mock-server listening on ${u}`,
      'Point the clients at it with:',
      `  export OPENAI_BASE_URL=${u}/v1`,
      `  export ANTHROPIC_BASE_URL=${u}`,
      `  export GEMINI_BASE_URL=${u}`,
      `  export OPENROUTER_BASE_URL=${u}/api/v1`,
      `  export SIM_BASE_URL=${u}/v1`,
      `and any non-empty dummy keys (OPENAI_API_KEY=sk-mock …). Counters and the request log: GET ${u}/_stats`,
      `Serving the models that answer on ${o.date}${o.serve.length ? ` and ${o.serve.join(', ')}` : ''}${
        Object.keys(o.reroute).length
          ? `; rerouted: ${Object.entries(o.reroute)
              .map(([a, b]) => `${a} -> ${b}`)
              .join(', ')}`
          : ''
      } (lists: GET ${u}/v1/models, ${u}/v1beta/models, ${u}/api/v1/models); reasoning scale ${o.reasoningScale}.`,
      `Faults: error rate ${o.errorRate}, malformed rate ${o.malformedRate}${o.rpm ? `, ${o.rpm} requests/min per key` : ''}${o.latency ? `, latency ${o.latency[0]}-${o.latency[1]} ms` : ''}. Prompt caching ${o.promptCache ? 'on' : 'off'}${o.limits ? `; announced limits ${describeLimits(o.limits)}` : ''}. Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const st = server.stats();
  await server.close();
  process.stdout.write(
    `bargain mock-server stopped after ${st.requests} requests (${
      Object.entries(st.by_status)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    }).\n`,
  );
}

function describeLimits(l: LimitsOption): string {
  const one = (p: object | undefined) =>
    Object.entries(p ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  const parts = (['openai', 'anthropic'] as const).filter((p) => l[p]).map((p) => `${p}:${one(l[p])}`);
  for (const [k, v] of Object.entries(l.byKey ?? {}))
    for (const p of ['openai', 'anthropic'] as const) if (v[p]) parts.push(`${p}@<key ${k.length} chars>:${one(v[p])}`);
  return parts.join(' ');
}
