/**
 * Test and bench helper: writes a results directory in the grid's layout
 * (tmp/GRID_CONTRACT.md) from real scripted negotiations (runSeries + scriptedFactory),
 * with chosen experiments FAILED, TIMEOUT, INCOMPLETE or NOT_STARTED, plus runs.csv and
 * results.csv as collect writes them. Not used by the product; it lets the report be
 * exercised without the grid runner. `synthetic` replays one experiment's runs under
 * every config (fast, for the 300-experiment bench).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSpec } from '../../game/index.ts';
import { scriptedFactory } from '../../agents/index.ts';
import { runSeries, type RunDocument } from '../../protocol/series.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { toCsv, RESULT_COLUMNS, RUN_COLUMNS, type ResultRow, type RunRow } from '../rows.ts';
import type { ResultFile } from '../load.ts';

export type Fate = 'SUCCESS' | 'FAILED' | 'TIMEOUT' | 'INCOMPLETE' | 'NOT_STARTED';

export interface FixtureGrid {
  weak: string[];
  strong: string[];
  levels: number[];
  numRuns?: number;
  numItems?: number;
  maxRounds?: number;
  baseSeed?: number;
  /** what happened to each experiment (default SUCCESS) */
  fate?: (id: number, weak: string, strong: string, level: number) => Fate;
  /** runs a FAILED/TIMEOUT experiment completed before it stopped (default 1) */
  runsBeforeFailure?: number;
  /** reuse the first experiment's runs for every config (bench speed); ids/models are rewritten */
  synthetic?: boolean;
  /** fake per-call token/cost records, to exercise the cost columns */
  fakeCalls?: boolean;
  /** the scripted model that negotiates under each (e.g. API) name; names are kept in the results */
  play?: (model: string) => string;
}

export interface FixtureConfig {
  experiment_id: number; weak_model: string; strong_model: string; competition_level: number;
  num_items: number; max_rounds: number; random_seed: number; output_dir: string; num_runs: number;
  gamma_discount: number; discussion_turns: number;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');
export function levelDir(level: number): string {
  const s = String(Math.round(level * 1e6) / 1e6);
  return s.includes('.') ? s : `${s}.0`;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function runRowsOf(r: ResultFile): RunRow[] {
  const rows: RunRow[] = [];
  for (const run of r.runs) {
    for (const a of run.agents) {
      rows.push({
        experiment_id: r.experiment_id, weak_model: r.weak_model, strong_model: r.strong_model,
        pair: `${r.weak_model}_vs_${r.strong_model}`, competition_level: r.competition_level, random_seed: r.random_seed,
        run_index: run.run_index, pair_index: run.pair_index, seats_swapped: run.seats_swapped, seat: a.seat,
        agent: a.agent, model: a.model, role: a.role, cosine_similarity: run.cosine_similarity, consensus: run.consensus,
        round: run.round, utility: a.utility, raw_utility: a.raw_utility, share: a.share, welfare: run.welfare,
        exploitation_index: a.exploitation_index, nash_utility: a.nash_utility, pareto_optimal: run.pareto_optimal,
        repairs: a.repairs, voided: a.voided, calls: a.calls, input_tokens: a.input_tokens, output_tokens: a.output_tokens,
        reasoning_tokens: a.reasoning_tokens, cost_usd: a.cost_usd, status: r.status,
        cache_read_tokens: a.cache_read_tokens ?? 0, cache_write_tokens: a.cache_write_tokens ?? 0,
        value_entropy: run.value_entropy ?? null,
      });
    }
  }
  return rows;
}

function resultRowOf(c: FixtureConfig, r: ResultFile | null, fate: Fate, resultFile: string): ResultRow {
  const runs = r?.runs ?? [];
  const side = (role: string) => runs.length ? runs.reduce((s, x) => s + x.agents.find((a) => a.role === role)!.utility, 0) / runs.length : null;
  const deals = runs.filter((x) => x.consensus);
  const w = side('weak'), s = side('strong');
  const tokens = (k: 'input_tokens' | 'output_tokens' | 'reasoning_tokens' | 'cache_read_tokens' | 'cache_write_tokens') =>
    (r ? runs.reduce((t, x) => t + x.agents.reduce((u, a) => u + (a[k] ?? 0), 0), 0) : null);
  return {
    experiment_id: c.experiment_id, weak_model: c.weak_model, strong_model: c.strong_model,
    competition_level: c.competition_level, random_seed: c.random_seed, num_runs: c.num_runs, status: fate,
    exit_code: r ? (fate === 'SUCCESS' ? 0 : fate === 'TIMEOUT' ? 124 : 1) : null, duration_s: r ? r.duration_s ?? 0 : null,
    runs_completed: r ? runs.length : null,
    agreement_rate: runs.length ? deals.length / runs.length : null,
    mean_round: deals.length ? deals.reduce((t, x) => t + x.round!, 0) / deals.length : null,
    weak_utility: w, strong_utility: s, advantage: w !== null && s !== null ? s - w : null,
    repairs: r ? runs.reduce((t, x) => t + x.agents.reduce((u, a) => u + a.repairs, 0), 0) : null,
    voided: r ? runs.reduce((t, x) => t + x.agents.reduce((u, a) => u + a.voided, 0), 0) : null,
    calls: r?.calls ?? null, cost_usd: r?.cost_usd ?? null, error: r?.error ?? null, result_file: r ? resultFile : null,
    input_tokens: tokens('input_tokens'), output_tokens: tokens('output_tokens'), reasoning_tokens: tokens('reasoning_tokens'),
    cache_read_tokens: tokens('cache_read_tokens'), cache_write_tokens: tokens('cache_write_tokens'),
  };
}

function fakeCalls(events: TranscriptEvent[], runs: RunDocument[], model: (agent: string, run: number) => string): void {
  let k = 0;
  for (const e of events) {
    if (e.type !== 'turn') continue;
    const input = 400 + 37 * (k % 11), output = 60 + 13 * (k % 7);
    // a prompt-cache read on every other call, a write on the rest (parts of input; cached at half price, writes at 1.25×)
    const read = k % 2 ? 256 : 0, write = k % 2 ? 0 : 128;
    e.calls = [{
      model: model(e.agent, e.run), route: 'fixture', input_tokens: input, output_tokens: output, reasoning_tokens: 0,
      cache_read_tokens: read, cache_write_tokens: write,
      cost_usd: Math.round(((input - read - write) * 2.5 + read * 1.25 + write * 3.125 + output * 10) / 1e6 * 1e6) / 1e6, ms: 120,
      messages: [{ role: 'system', content: 'You are negotiating. <b>rules</b>' }, { role: 'user', content: `Phase ${e.phase}, round ${e.round}` }],
    }];
    k++;
    const run = runs.find((r) => r.run_index === e.run);
    const a = run?.agents.find((x) => x.agent === e.agent);
    if (a) { a.calls++; a.input_tokens += input; a.output_tokens += output; a.cache_read_tokens = (a.cache_read_tokens ?? 0) + read; a.cache_write_tokens = (a.cache_write_tokens ?? 0) + write; a.cost_usd = Math.round((a.cost_usd + (e.calls[0].cost_usd as number)) * 1e6) / 1e6; }
  }
}

/** Writes the fixture grid into dir; returns the configs. */
export async function buildFixtureGrid(dir: string, g: FixtureGrid): Promise<FixtureConfig[]> {
  const configs: FixtureConfig[] = [];
  for (const weak of g.weak) for (const strong of g.strong) for (const level of g.levels) {
    const id = configs.length;
    configs.push({
      experiment_id: id, weak_model: weak, strong_model: strong, competition_level: level,
      num_items: g.numItems ?? 5, max_rounds: g.maxRounds ?? 10, random_seed: (g.baseSeed ?? 42) + id,
      output_dir: `${safe(weak)}_vs_${safe(strong)}/comp_${levelDir(level)}`, num_runs: g.numRuns ?? 4,
      gamma_discount: 0.9, discussion_turns: 1,
    });
  }
  const runRows: RunRow[] = [];
  const resultRows: ResultRow[] = [];
  let template: { runs: RunDocument[]; events: TranscriptEvent[] } | null = null;
  for (const c of configs) {
    write(join(dir, 'configs', `config_${c.experiment_id}.json`), JSON.stringify(c, null, 2) + '\n');
    const fate = g.fate?.(c.experiment_id, c.weak_model, c.strong_model, c.competition_level) ?? 'SUCCESS';
    const resultFile = `${c.output_dir}/result_${c.experiment_id}.json`;
    const transcriptFile = `${c.output_dir}/transcript_${c.experiment_id}.jsonl`;
    if (fate === 'NOT_STARTED') { resultRows.push(resultRowOf(c, null, fate, resultFile)); continue; }
    write(join(dir, 'logs', `experiment_${c.experiment_id}.log`), `[fixture] Starting experiment ${c.experiment_id}\n`);
    if (fate === 'INCOMPLETE') { resultRows.push(resultRowOf(c, null, fate, resultFile)); continue; }
    const numRuns = fate === 'SUCCESS' ? c.num_runs : Math.min(c.num_runs, g.runsBeforeFailure ?? 1);
    let runs: RunDocument[];
    let events: TranscriptEvent[];
    if (g.synthetic && template) {
      runs = structuredClone(template.runs);
      events = template.events;
    } else {
      runs = []; events = [];
      await runSeries({
        spec: makeSpec({ n: 2, m: c.num_items, maxRounds: c.max_rounds, gamma: c.gamma_discount }),
        level: c.competition_level, seed: c.random_seed, numRuns: c.num_runs,
        players: [{ model: c.weak_model, role: 'weak' }, { model: c.strong_model, role: 'strong' }],
        factory: g.play ? (model, ctx) => scriptedFactory(g.play!(model), ctx) : scriptedFactory,
        onRun: (doc, evs) => { runs.push(doc); events.push(...evs); },
      });
      if (g.fakeCalls) fakeCalls(events, runs, (agent, run) => runs.find((r) => r.run_index === run)!.agents.find((a) => a.agent === agent)!.model);
      if (g.synthetic) template = { runs: structuredClone(runs), events };
    }
    runs = runs.slice(0, numRuns);
    const named = (role: string | null) => (role === 'weak' ? c.weak_model : c.strong_model);
    for (const run of runs) for (const a of run.agents) a.model = named(a.role);
    const runEvents = events.filter((e) => e.run < numRuns);
    for (const e of runEvents) if (e.type === 'run_start') for (const s of e.seats) s.model = named(s.role);
    const sum = (k: 'calls' | 'input_tokens' | 'output_tokens' | 'reasoning_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'cost_usd') =>
      runs.reduce((s, r) => s + r.agents.reduce((t, a) => t + (a[k] ?? 0), 0), 0);
    const result: ResultFile & Record<string, unknown> = {
      job_id: c.experiment_id, experiment_id: c.experiment_id, weak_model: c.weak_model, strong_model: c.strong_model,
      competition_level: c.competition_level, random_seed: c.random_seed, status: fate,
      exit_code: fate === 'SUCCESS' ? 0 : fate === 'TIMEOUT' ? 124 : 1, timestamp: '2025-01-01T00:00:00.000Z',
      duration_s: 0.5, log_file: `logs/experiment_${c.experiment_id}.log`, config_file: `configs/config_${c.experiment_id}.json`,
      transcript_file: transcriptFile, config_hash: 'fixture', num_runs: c.num_runs, runs_completed: runs.length, runs,
      ...(fate === 'FAILED' ? { error: `${c.strong_model} failed: provider returned 500 <b>Internal</b> "error"` } : {}),
      ...(fate === 'TIMEOUT' ? { error: `a negotiation run exceeded the 600 s timeout (run ${runs.length})` } : {}),
      calls: sum('calls'), input_tokens: sum('input_tokens'), output_tokens: sum('output_tokens'),
      reasoning_tokens: sum('reasoning_tokens'), cache_read_tokens: sum('cache_read_tokens'), cache_write_tokens: sum('cache_write_tokens'),
      cost_usd: Math.round(sum('cost_usd') * 1e6) / 1e6,
    };
    let jsonl = '';
    for (const e of runEvents) jsonl += JSON.stringify(e) + '\n';
    write(join(dir, transcriptFile), jsonl);
    write(join(dir, resultFile), JSON.stringify(result, null, 2) + '\n');
    write(join(dir, 'logs', `completed_${c.experiment_id}.flag`), JSON.stringify({ experiment_id: c.experiment_id, status: fate }) + '\n');
    runRows.push(...runRowsOf(result));
    resultRows.push(resultRowOf(c, result, fate, resultFile));
  }
  write(join(dir, 'runs.csv'), toCsv([...RUN_COLUMNS], runRows));
  write(join(dir, 'results.csv'), toCsv([...RESULT_COLUMNS], resultRows));
  return configs;
}
