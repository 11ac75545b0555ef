/**
 * The rate governor and the bottleneck-first start order against a plain runner (issue 5's
 * performance target). The mock server enforces time-scaled per-key budgets — OpenAI 500,
 * Anthropic 50, OpenRouter 200 requests a minute, each × --scale, so a grid that would take
 * hours takes about a minute; enforced over short intervals (a token bucket holding 5 s of
 * budget, 429 + Retry-After beyond) — and answers each model after its own latency (÷ --scale).
 * Gemini models go through OpenRouter (no Gemini key), as for a user without one.
 * The seed grid (300 experiments × 4 runs) runs twice, each in its own child process on a
 * fresh results directory and a fresh mock server:
 *   governor  `bargain run` with the budgets as --rpm (the governor, bottleneck-first order)
 *   naive     a fixed number of concurrent experiments in id order, each call through
 *             withRetry without a governor (wait out each 429's Retry-After alone, bounded
 *             retries): the original bash runner's policy
 * For each it prints makespan ÷ lower bound, where the bound is the larger of the busiest
 * key's answered calls ÷ its budget and the longest experiment's chain of calls × their
 * latencies; failed experiments; 429s; and the child's peak RSS. Target: the governor within
 * 1.15× of its bound with no failure, under 500 MB. Figures are printed, not asserted.
 *
 *   node --import tsx bench/scheduler.ts [--scale 90] [--parallel 32] [--naive-parallel N (default: --parallel)]
 *     [--strategy random] [--only governor|naive]
 *     [--log DIR (each mode's server request log as DIR/MODE.json)] [--keep]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyHash, SEED_DATE, startMockServer, type MockServer } from '../src/mock/server.ts';
import { PRESETS } from '../src/grid/presets.ts';
import { loadRegistry } from '../src/providers/index.ts';

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
/** Typical seconds per answer, before scaling (reasoning models are slow). */
const LATENCY_S: Record<string, number> = {
  'gpt-4o': 1.2, 'claude-3-opus': 3, 'gemini-1-5-pro': 1.5, 'gemini-2-0-flash': 0.6, 'gemini-2-5-flash': 1.5, 'gemini-2-5-pro': 6,
  'claude-3-5-haiku': 1, 'claude-4-sonnet': 2.5, 'claude-4-opus': 4, 'o3-mini': 4, 'o4-mini': 4, 'o3': 8, 'chatgpt-5': 10,
};
const KEYS = { OPENAI_API_KEY: 'sk-bench-openai', ANTHROPIC_API_KEY: 'sk-ant-bench', OPENROUTER_API_KEY: 'sk-or-bench' };
const KEY_OF: Record<keyof typeof BASE_RPM, string> = {
  openai: keyHash(KEYS.OPENAI_API_KEY), anthropic: keyHash(KEYS.ANTHROPIC_API_KEY), openrouter: keyHash(KEYS.OPENROUTER_API_KEY),
};

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
const only = flag('only', '');
const keep = process.argv.includes('--keep');
const logDir = flag('log', '');
const budgets = Object.fromEntries(Object.entries(BASE_RPM).map(([p, n]) => [p, n * scale])) as Record<keyof typeof BASE_RPM, number>;

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
if (work) writeFileSync(preload, [
  "import { writeFileSync } from 'node:fs';",
  "process.on('exit', () => { const u = process.resourceUsage();",
  "  writeFileSync(process.env.BENCH_RUSAGE_FILE, JSON.stringify({ maxRssKb: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime })); });",
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

interface Figures {
  mode: string; makespanS: number; keyBoundS: number; chainBoundS: number; failures: number; experiments: number;
  requests: number; limited: number; maxRssMb: number; cpuS: number; perKey: string;
}

function resultDocs(dir: string): any[] {
  const out: any[] = [];
  for (let id = 0; id < 300; id++) {
    const cfg = JSON.parse(readFileSync(join(dir, 'configs', `config_${id}.json`), 'utf8'));
    try { out.push(JSON.parse(readFileSync(join(dir, cfg.output_dir, `result_${id}.json`), 'utf8'))); } catch { out.push({ experiment_id: id, status: 'MISSING' }); }
  }
  return out;
}

async function runMode(mode: 'governor' | 'naive'): Promise<Figures> {
  const server: MockServer = await startMockServer({ date: SEED_DATE, rpmByFormat: budgets, rpmBurstS: BURST_S, latencyByModel, strategies });
  const dir = join(work, mode);
  try {
    const env = {
      ...KEYS, OPENAI_BASE_URL: `${server.url}/v1`, ANTHROPIC_BASE_URL: server.url, OPENROUTER_BASE_URL: `${server.url}/api/v1`,
      GEMINI_API_KEY: '', GOOGLE_API_KEY: '',
    };
    // the seed's models as served on SEED_DATE: the bench measures the governor, not the lifecycle
    const g = await child([BIN, 'generate', '--grid', 'seed', '--allow-retired', '--results-dir', dir], env, join(work, `${mode}.gen.json`));
    if (g.status !== 0) throw new Error(`generate failed: ${g.stderr}`);
    const usage = join(work, `${mode}.rusage.json`);
    const args = mode === 'governor'
      ? [BIN, 'run', '--allow-retired', '--no-check', '--results-dir', dir, '--parallel', String(parallel),
        ...Object.entries(budgets).flatMap(([p, n]) => ['--rpm', `${p}=${n}`, '--tpm', `${p}=1000000000000`])]
      : ['--import', 'tsx', SELF, '--naive-child', dir, String(naiveParallel)];
    const r = await child(args, env, usage);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${mode} run exited ${r.status}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    const m = /Ran (\d+) experiments? in ([\d.]+)s/.exec(r.stdout);
    if (!m) throw new Error(`${mode}: no summary line in\n${r.stdout.slice(-2000)}`);
    const st = server.stats();
    if (logDir) writeFileSync(join(logDir, `${mode}.json`), JSON.stringify(st.log));
    const ok: Record<string, number> = {};
    for (const e of st.log) if (e.status === 200) ok[e.key] = (ok[e.key] ?? 0) + 1;
    const perKey = Object.entries(KEY_OF).map(([p, k]) => `${p} ${ok[k] ?? 0}/${budgets[p as keyof typeof budgets]}`).join(', ');
    const keyBoundS = Math.max(...Object.entries(KEY_OF).map(([p, k]) => ((ok[k] ?? 0) / budgets[p as keyof typeof budgets]) * 60));
    const docs = resultDocs(dir);
    // an experiment's calls are sequential: its chain is the sum of its calls' latencies
    let chainBoundS = 0;
    for (const d of docs) {
      let s = 0;
      for (const run of d.runs ?? []) for (const a of run.agents) s += a.calls * latencyMs(a.model) / 1000;
      chainBoundS = Math.max(chainBoundS, s);
    }
    const u = JSON.parse(readFileSync(usage, 'utf8'));
    return {
      mode, makespanS: Number(m[2]), keyBoundS, chainBoundS, experiments: docs.length,
      failures: docs.filter((d) => d.status !== 'SUCCESS').length, requests: st.requests,
      limited: st.by_status['429'] ?? 0, maxRssMb: u.maxRssKb / 1024, cpuS: (u.userUs + u.systemUs) / 1e6, perKey,
    };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
try {
  console.log(`Scheduler bench: seed grid (300 experiments × 4 runs), models play ${strategy}; budgets × ${scale}: ` +
    Object.entries(budgets).map(([p, n]) => `${p} ${n} rpm`).join(', ') + `; latencies ÷ ${scale}; ` +
    `parallel: governor ${parallel}, naive ${naiveParallel}; ` +
    `Node ${process.versions.node}, ${cpus().length} CPUs`);
  const rows: Figures[] = [];
  for (const mode of ['governor', 'naive'] as const) {
    if (only && only !== mode) continue;
    const f = await runMode(mode);
    rows.push(f);
    console.log(`  ${mode}: done in ${f.makespanS.toFixed(1)} s (answered calls per key / budget: ${f.perKey})`);
  }
  console.log('\nmode       makespan s   bound s (key | chain)   ratio   failed   requests   429s   peak RSS MB   CPU s');
  for (const f of rows) {
    const bound = Math.max(f.keyBoundS, f.chainBoundS);
    console.log(`${f.mode.padEnd(10)} ${f.makespanS.toFixed(1).padStart(10)}   ${bound.toFixed(1).padStart(7)} (${f.keyBoundS.toFixed(1)} | ${f.chainBoundS.toFixed(1)})`.padEnd(48) +
      ` ${(f.makespanS / bound).toFixed(2).padStart(6)}× ${String(f.failures).padStart(7)} ${String(f.requests).padStart(10)} ${String(f.limited).padStart(6)} ${f.maxRssMb.toFixed(0).padStart(13)} ${f.cpuS.toFixed(1).padStart(7)}`);
  }
  const gov = rows.find((r) => r.mode === 'governor');
  if (gov) {
    const ratio = gov.makespanS / Math.max(gov.keyBoundS, gov.chainBoundS);
    console.log(`\nTarget: governor within 1.15× of the bound with 0 failures, under 500 MB — ${ratio <= 1.15 && gov.failures === 0 && gov.maxRssMb < 500 ? 'met' : 'NOT met'}`);
  }
} finally {
  if (keep) console.log(`kept ${work}`); else rmSync(work, { recursive: true, force: true });
}
}

(process.argv[2] === '--naive-child' ? naiveChild() : main()).catch((e) => { console.error(e); process.exit(1); });
