/**
 * The rate governor against a naive fixed-slot runner, measured against the server's true
 * capacity (issue 12 §5). The mock enforces time-scaled per-key budgets — OpenAI 500,
 * Anthropic 50, OpenRouter 200 requests a minute, each × --scale, so a grid that would take
 * hours takes about a minute — as token buckets holding 5 s of budget that start full (429 +
 * Retry-After beyond), and answers each model after its own latency (÷ --scale). A gate in
 * front of it (tpm-gate.ts) enforces tokens per minute the same way. Gemini models go through
 * OpenRouter (no Gemini key), as for a user without one. The seed grid (300 experiments × 4
 * runs) is generated once; each run gets a fresh copy, a fresh mock and a fresh gate.
 * Scenarios, each with both runners, in one bench run (compare ratios, not seconds: the
 * machine is shared and noisy):
 *   (a) rpm      requests per minute bind (no token limit)
 *   (b) tpm      tokens per minute bind, as on the real seed grid (TPM_SHARE of the tokens
 *                the RPM budget would carry), RPM as in (a)
 *   (c) learned  (b)'s limits announced by the mock in x-ratelimit-* headers, the governor
 *                given no --rpm/--tpm: runs only if the mock has the `limits` option
 * Runners:
 *   governor  `bargain run` told the budgets (--rpm/--tpm), bottleneck-first order
 *   naive     a fixed number of concurrent experiments in id order, each call through
 *             withRetry without a governor (each 429's Retry-After waited alone)
 * The floor (capacity.ts) is the largest of: per key, its answered requests through its RPM
 * bucket and their tokens through its TPM bucket (initial burst counted); the longest
 * experiment's chain of calls; all answered latency ÷ --parallel. Printed per run: makespan,
 * ratio to the floor and the binding term, 429s, FAILED experiments, and the runner's CPU per
 * request (process CPU ÷ HTTP requests it sent; "work" leaves out the CPU spent before its
 * first request: module loading and planning). Figures are printed, not asserted.
 *
 *   node --import tsx bench/scheduler.ts [--scale 90] [--parallel 32] [--naive-parallel N (default: --parallel)]
 *     [--strategy random] [--scenarios rpm,tpm,learned] [--only governor|naive]
 *     [--cpu-prof DIR (profile each governed run: node --cpu-prof)] [--log DIR] [--keep]
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEED_DATE, startMockServer, type MockServer, type MockServerOptions } from '../src/mock/server.ts';
import { PRESETS } from '../src/grid/presets.ts';
import { loadRegistry } from '../src/providers/index.ts';
import { floorOf, type Floor } from './capacity.ts';
import { startTpmGate } from './tpm-gate.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'bargain.mjs');
const SELF = fileURLToPath(import.meta.url);

/**
 * The mock enforces each budget over short intervals (a token bucket holding this many
 * seconds of it), as providers may: a sliding minute would let a time-scaled run burst a
 * whole minute's budget at once — most of a one-minute run, but 1% of a real 90-minute one.
 */
const BURST_S = 5;
/** Real-world budgets (requests per minute per key) before scaling. */
const BASE_RPM = { openai: 500, anthropic: 50, openrouter: 200 };
type Provider = keyof typeof BASE_RPM;
/**
 * Scenario (b): each key's TPM is this share of the tokens its RPM budget would carry at the
 * grid's tokens per request (TOKENS_PER_REQUEST, measured on this grid with --strategy
 * random), so tokens bind every key by 1/TPM_SHARE (the real seed grid is TPM-bound).
 */
const TPM_SHARE = 0.8;
const TOKENS_PER_REQUEST: Record<Provider, number> = { openai: 2400, anthropic: 1000, openrouter: 1450 };
/** Typical seconds per answer, before scaling (reasoning models are slow). */
const LATENCY_S: Record<string, number> = {
  'gpt-4o': 1.2, 'claude-3-opus': 3, 'gemini-1-5-pro': 1.5, 'gemini-2-0-flash': 0.6, 'gemini-2-5-flash': 1.5, 'gemini-2-5-pro': 6,
  'claude-3-5-haiku': 1, 'claude-4-sonnet': 2.5, 'claude-4-opus': 4, 'o3-mini': 4, 'o4-mini': 4, 'o3': 8, 'chatgpt-5': 10,
};
const KEYS = { OPENAI_API_KEY: 'sk-bench-openai', ANTHROPIC_API_KEY: 'sk-ant-bench', OPENROUTER_API_KEY: 'sk-or-bench' };

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}

// ---------------------------------------------------------------- child: the naive runner
async function naiveChild(): Promise<void> {
  const [dir, parallel] = [process.argv[3], Number(process.argv[4])];
  const { Layout } = await import('../src/grid/layout.ts');
  const { loadConfigs } = await import('../src/grid/grid.ts');
  const { runGrid } = await import('../src/grid/runner.ts');
  const { createChatModel, loadEnv } = await import('../src/providers/index.ts');
  const { createLlmAgentFactory } = await import('../src/agents/llm/index.ts');
  const layout = new Layout(dir);
  const env = loadEnv({ dotenv: false });
  const registry = loadRegistry();
  const chats = new Map<string, ReturnType<typeof createChatModel>>();
  const llm = createLlmAgentFactory({
    // no governor: each call retries on its own (Retry-After waited alone, bounded retries)
    chatModelFor: (m) => { let c = chats.get(m); if (!c) chats.set(m, (c = createChatModel(m, { env, registry, callTimeoutMs: 180_000 }))); return c; },
    contextWindowFor: (m) => registry.find(m)?.context_window,
    recordPrompt: 'delta',
  });
  const s = await runGrid(layout, loadConfigs(layout), { parallel, timeoutMs: 600_000, factory: (m, ctx) => llm(m, ctx) });
  process.stdout.write(`Ran ${s.results.length} experiments in ${s.elapsedS.toFixed(1)}s\n`);
}

// ---------------------------------------------------------------- parent
const scale = Number(flag('scale', '90'));
const parallel = Number(flag('parallel', '32'));
const naiveParallel = Number(flag('naive-parallel', String(parallel)));
const strategy = flag('strategy', 'random');
const scenarios = flag('scenarios', 'rpm,tpm,learned').split(',');
const only = flag('only', '');
const keep = process.argv.includes('--keep');
const logDir = flag('log', '');
const profDir = flag('cpu-prof', '');
const rpm = Object.fromEntries(Object.entries(BASE_RPM).map(([p, n]) => [p, n * scale])) as Record<Provider, number>;
const tpmB = Object.fromEntries(Object.entries(rpm).map(([p, n]) => [p, Math.round(n * TOKENS_PER_REQUEST[p as Provider] * TPM_SHARE)])) as Record<Provider, number>;

const registry = loadRegistry();
const models = [...PRESETS.seed.weak, ...PRESETS.seed.strong];
const wireIds = (m: string) => { const e = registry.get(m); return [e.model_id, ...(e.openrouter_id ? [e.openrouter_id] : [])]; };
const latencyMs = (m: string) => (LATENCY_S[m] * 1000) / scale;
const latencyByModel: Record<string, [number, number]> = {};
const strategies: Record<string, string> = {};
for (const m of models) {
  const l = latencyMs(m);
  for (const id of wireIds(m)) { latencyByModel[id] = [Math.round(l * 0.75), Math.round(l * 1.25)]; strategies[id] = strategy; }
}

const work = process.argv[2] === '--naive-child' ? '' : mkdtempSync(join(tmpdir(), 'bargain-bench-scheduler-'));
const preload = join(work, 'rusage.mjs');
// The runner's CPU, at exit and at its first HTTP request (fetch's diagnostics channel), and its request count.
if (work) writeFileSync(preload, [
  "import { writeFileSync } from 'node:fs';",
  "import dc from 'node:diagnostics_channel';",
  'let requests = 0, first = null;',
  "dc.subscribe('undici:request:create', () => { if (requests++ === 0) first = process.cpuUsage(); });",
  "process.on('exit', () => { const u = process.resourceUsage(); const c = process.cpuUsage();",
  '  writeFileSync(process.env.BENCH_RUSAGE_FILE, JSON.stringify({ maxRssKb: u.maxRSS, cpuUs: c.user + c.system,',
  '    cpuAtFirstUs: first ? first.user + first.system : 0, requests })); });',
].join('\n'));

function child(args: string[], env: Record<string, string>, usage: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', preload, ...args], {
      cwd: ROOT, env: { ...process.env, ...env, BENCH_RUSAGE_FILE: usage, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    c.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    c.on('error', reject);
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

type Scenario = 'rpm' | 'tpm' | 'learned';
type Mode = 'governor' | 'naive';

interface Figures {
  scenario: Scenario; mode: Mode; makespanS: number; floor: Floor; failures: number; requests: number;
  limited: number; maxRssMb: number; cpuMsPerReq: number; workCpuMsPerReq: number; perKey: string;
}

function resultDocs(dir: string, n: number): any[] {
  const out: any[] = [];
  for (let id = 0; id < n; id++) {
    const cfg = JSON.parse(readFileSync(join(dir, 'configs', `config_${id}.json`), 'utf8'));
    try { out.push(JSON.parse(readFileSync(join(dir, cfg.output_dir, `result_${id}.json`), 'utf8'))); } catch { out.push({ experiment_id: id, status: 'MISSING' }); }
  }
  return out;
}

const env = (url: string) => ({
  ...KEYS, OPENAI_BASE_URL: `${url}/v1`, ANTHROPIC_BASE_URL: url, OPENROUTER_BASE_URL: `${url}/api/v1`, GEMINI_API_KEY: '', GOOGLE_API_KEY: '',
});

/** The limits each scenario's mock enforces (per key, per minute); tpm undefined: none. */
function limitsOf(s: Scenario): { rpm: Record<Provider, number>; tpm?: Record<Provider, number> } {
  return s === 'rpm' ? { rpm } : { rpm, tpm: tpmB };
}

/**
 * Scenario (c)'s server: the mock announcing (and enforcing) the limits in its headers.
 * The `limits` option is issue 12 §4's (being added to the mock); this checks that a
 * response carries x-ratelimit-limit-requests, so the scenario runs as soon as it exists.
 * Returns the reason it cannot run otherwise.
 * TODO once merged with main's mock (src/mock/limits.ts): Anthropic takes { rpm, itpm, otpm },
 * OpenRouter announces nothing (keep it on rpmByFormat + the gate), and those buckets hold a
 * whole minute (not BURST_S), counting OpenAI's prompt + max_tokens: the floor must use the
 * same (burst 60 s, those tokens), and the limits must be low enough that a minute's burst is
 * a small share of the run.
 */
async function announcingMock(opts: MockServerOptions): Promise<MockServer | string> {
  const l = limitsOf('learned');
  const limits = Object.fromEntries(Object.keys(rpm).map((p) => [p, { rpm: l.rpm[p as Provider], tpm: l.tpm![p as Provider] }]));
  const probe = await startMockServer({ ...opts, latencyByModel: {}, limits } as MockServerOptions);
  try {
    const r = await fetch(`${probe.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.OPENAI_API_KEY}` },
      body: JSON.stringify({ model: registry.get('gpt-4o').model_id, messages: [{ role: 'user', content: 'hello' }] }),
    });
    await r.text();
    if (!r.headers.get('x-ratelimit-limit-requests')) return 'the mock does not announce limits yet (no x-ratelimit-limit-requests with its `limits` option: issue 12 §4)';
  } finally {
    await probe.close();
  }
  return startMockServer({ ...opts, limits } as MockServerOptions);
}

async function runOne(scenario: Scenario, mode: Mode, template: string, experiments: number): Promise<Figures | string> {
  const lim = limitsOf(scenario);
  const base: MockServerOptions = { date: SEED_DATE, rpmBurstS: BURST_S, latencyByModel, strategies };
  let server: MockServer;
  if (scenario === 'learned') {
    const s = await announcingMock(base);
    if (typeof s === 'string') return s;
    server = s;
  } else {
    server = await startMockServer({ ...base, rpmByFormat: lim.rpm });
  }
  // (c)'s mock enforces its own TPM; otherwise the gate does (it counts tokens in every scenario)
  const gate = await startTpmGate(server.url, scenario === 'learned' ? {} : lim.tpm ?? {}, BURST_S);
  const dir = join(work, `${scenario}-${mode}`);
  cpSync(template, dir, { recursive: true });
  try {
    const usage = join(work, `${scenario}-${mode}.usage.json`);
    const told = scenario === 'learned' ? [] : Object.keys(rpm).flatMap((p) => [
      '--rpm', `${p}=${lim.rpm[p as Provider]}`, '--tpm', `${p}=${lim.tpm?.[p as Provider] ?? 1_000_000_000_000}`]);
    const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', join(profDir, scenario)] : [];
    const args = mode === 'governor'
      ? [...prof, BIN, 'run', '--allow-retired', '--no-check', '--results-dir', dir, '--parallel', String(parallel), ...told]
      : ['--import', 'tsx', SELF, '--naive-child', dir, String(naiveParallel)];
    const r = await child(args, env(gate.url), usage);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${scenario}/${mode} run exited ${r.status}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    const m = /Ran (\d+) experiments? in ([\d.]+)s/.exec(r.stdout);
    if (!m) throw new Error(`${scenario}/${mode}: no summary line in\n${r.stdout.slice(-2000)}`);
    const st = server.stats();
    if (logDir) writeFileSync(join(logDir, `${scenario}-${mode}.json`), JSON.stringify(st.log));
    const answered = gate.answered();
    const docs = resultDocs(dir, experiments);
    // an experiment's runs and calls are sequential: its chain is the sum of its calls' latencies
    let chainS = 0;
    for (const d of docs) {
      let s = 0;
      for (const run of d.runs ?? []) for (const a of run.agents) s += a.calls * latencyMs(a.model) / 1000;
      chainS = Math.max(chainS, s);
    }
    const latencySumS = st.log.filter((e) => e.status === 200).reduce((s, e) => s + e.latency_ms, 0) / 1000;
    const floor = floorOf(Object.keys(rpm).map((p) => ({
      key: p, requests: answered[p]?.requests ?? 0, tokens: answered[p]?.tokens ?? 0, rpm: lim.rpm[p as Provider], tpm: lim.tpm?.[p as Provider] ?? Infinity,
    })), BURST_S, chainS, latencySumS, mode === 'governor' ? parallel : naiveParallel);
    const u = JSON.parse(readFileSync(usage, 'utf8'));
    const perReq = (us: number) => us / 1000 / Math.max(1, u.requests);
    return {
      scenario, mode, makespanS: Number(m[2]), floor, failures: docs.filter((d) => d.status !== 'SUCCESS').length,
      requests: u.requests, limited: (st.by_status['429'] ?? 0) + gate.limited(), maxRssMb: u.maxRssKb / 1024,
      cpuMsPerReq: perReq(u.cpuUs), workCpuMsPerReq: perReq(u.cpuUs - u.cpuAtFirstUs),
      perKey: Object.keys(rpm).map((p) => `${p} ${answered[p]?.requests ?? 0} req ${Math.round((answered[p]?.tokens ?? 0) / 1000)}k tok`).join(', '),
    };
  } finally {
    await gate.close();
    await server.close();
  }
}

async function main(): Promise<void> {
try {
  console.log(`Scheduler bench: seed grid (300 experiments × 4 runs), models play ${strategy}; × ${scale}: ` +
    Object.keys(rpm).map((p) => `${p} ${rpm[p as Provider]} rpm (${tpmB[p as Provider]} tpm in tpm/learned)`).join(', ') +
    `; latencies ÷ ${scale}; buckets hold ${BURST_S} s, full at the start; parallel: governor ${parallel}, naive ${naiveParallel}; ` +
    `Node ${process.versions.node}, ${cpus().length} CPUs`);
  const template = join(work, 'template');
  const g = await child([BIN, 'generate', '--grid', 'seed', '--allow-retired', '--results-dir', template], env('http://127.0.0.1:9'), join(work, 'gen.json'));
  if (g.status !== 0) throw new Error(`generate failed: ${g.stderr}`);
  const experiments = readFileSync(join(template, 'all_configs.txt'), 'utf8').split('\n').filter(Boolean).length;
  if (profDir) for (const s of scenarios) mkdirSync(join(profDir, s), { recursive: true });
  const rows: Figures[] = [];
  for (const scenario of scenarios as Scenario[]) {
    for (const mode of ['governor', 'naive'] as const) {
      if ((only && only !== mode) || (scenario === 'learned' && mode === 'naive')) continue;
      const f = await runOne(scenario, mode, template, experiments);
      if (typeof f === 'string') { console.log(`  (${scenario}) skipped: ${f}`); continue; }
      rows.push(f);
      console.log(`  (${scenario}) ${mode}: ${f.makespanS.toFixed(1)} s; answered ${f.perKey}; floor terms: ` +
        f.floor.terms.map((t) => `${t.name} ${t.seconds.toFixed(1)}`).join(', ') + ` → ${f.floor.binding} binds`);
    }
  }
  console.log('\nscenario  runner     makespan s  floor s  binds            ratio   429s  FAILED  requests  CPU ms/req (work)  peak RSS MB');
  for (const f of rows) {
    console.log(`${f.scenario.padEnd(9)} ${f.mode.padEnd(9)} ${f.makespanS.toFixed(1).padStart(11)} ${f.floor.seconds.toFixed(1).padStart(8)}  ${f.floor.binding.padEnd(15)}` +
      ` ${(f.makespanS / f.floor.seconds).toFixed(2).padStart(6)}× ${String(f.limited).padStart(6)} ${String(f.failures).padStart(7)} ${String(f.requests).padStart(9)}` +
      ` ${f.cpuMsPerReq.toFixed(2).padStart(10)} (${f.workCpuMsPerReq.toFixed(2)}) ${f.maxRssMb.toFixed(0).padStart(12)}`);
  }
  for (const s of new Set(rows.map((r) => r.scenario))) {
    const gov = rows.find((r) => r.scenario === s && r.mode === 'governor');
    const naive = rows.find((r) => r.scenario === s && r.mode === 'naive');
    if (!gov) continue;
    const ratio = gov.makespanS / gov.floor.seconds;
    const faster = naive ? ` ${naive.makespanS > gov.makespanS ? 'faster' : 'NOT faster'} than naive (${(naive.makespanS / gov.makespanS).toFixed(2)}×)` : '';
    console.log(`(${s}) governor ${ratio.toFixed(2)}× the floor (target ≤ 1.10), ${gov.limited} 429s, ${gov.failures} FAILED,` +
      `${faster}; ${gov.workCpuMsPerReq.toFixed(2)} ms CPU per request (target ≤ 1) — ` +
      (ratio <= 1.10 && gov.limited === 0 && gov.failures === 0 && gov.workCpuMsPerReq <= 1 ? 'met' : 'NOT met'));
  }
} finally {
  if (keep) console.log(`kept ${work}`); else rmSync(work, { recursive: true, force: true });
}
}

(process.argv[2] === '--naive-child' ? naiveChild() : main()).catch((e) => { console.error(e); process.exit(1); });
