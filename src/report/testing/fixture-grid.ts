/**
 * Test and bench helper: writes a results directory in the grid's layout (src/results,
 * DESIGN §4) from real scripted negotiations (runSeries + scriptedFactory), with chosen
 * experiments FAILED, TIMEOUT, INCOMPLETE or NOT_STARTED, then runs the real `collect`
 * on it, so runs.csv, results.csv and summary.json are exactly what the grid writes.
 * Not used by the product; it lets the report be exercised without the grid runner.
 * `synthetic` replays one experiment's runs under every config (fast, for the
 * 300-experiment bench).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { scriptedFactory } from '../../agents/index.ts';
import { runSeries, type RunDocument } from '../../protocol/series.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { collect } from '../../grid/collect.ts';
import { planGrid } from '../../grid/config.ts';
import { Layout } from '../../results/layout.ts';
import {
  configHash,
  EXIT_CODES,
  spendOf,
  specOf,
  type ExperimentConfig,
  type ResultDocument,
} from '../../results/index.ts';

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

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function fakeCalls(
  events: TranscriptEvent[],
  runs: RunDocument[],
  model: (agent: string, run: number) => string,
): void {
  let k = 0;
  for (const e of events) {
    if (e.type !== 'turn') continue;
    const input = 400 + 37 * (k % 11),
      output = 60 + 13 * (k % 7);
    // a prompt-cache read on every other call, a write on the rest (parts of input; cached at half price, writes at 1.25×)
    const read = k % 2 ? 256 : 0,
      write = k % 2 ? 0 : 128;
    e.calls = [
      {
        model: model(e.agent, e.run),
        route: 'fixture',
        input_tokens: input,
        output_tokens: output,
        reasoning_tokens: 0,
        cache_read_tokens: read,
        cache_write_tokens: write,
        cost_usd:
          Math.round((((input - read - write) * 2.5 + read * 1.25 + write * 3.125 + output * 10) / 1e6) * 1e6) / 1e6,
        latency_ms: 120,
        messages: [
          { role: 'system', content: 'You are negotiating. <b>rules</b>' },
          { role: 'user', content: `Phase ${e.phase}, round ${e.round}` },
        ],
      },
    ];
    k++;
    const run = runs.find((r) => r.run_index === e.run);
    const a = run?.agents.find((x) => x.agent === e.agent);
    if (a) {
      a.calls++;
      a.input_tokens += input;
      a.output_tokens += output;
      a.cache_read_tokens = (a.cache_read_tokens ?? 0) + read;
      a.cache_write_tokens = (a.cache_write_tokens ?? 0) + write;
      a.cost_usd = Math.round((a.cost_usd + (e.calls[0].cost_usd as number)) * 1e6) / 1e6;
    }
  }
}

/** Writes the fixture grid into dir and collects it; returns the configs. */
export async function buildFixtureGrid(dir: string, g: FixtureGrid): Promise<ExperimentConfig[]> {
  const configs = planGrid({
    weak: g.weak,
    strong: g.strong,
    levels: g.levels,
    num_items: g.numItems ?? 5,
    max_rounds: g.maxRounds ?? 10,
    num_runs: g.numRuns ?? 4,
    base_seed: g.baseSeed ?? 42,
    gamma_discount: 0.9,
    discussion_turns: 1,
  });
  const layout = new Layout(dir);
  let template: { runs: RunDocument[]; events: TranscriptEvent[] } | null = null;
  for (const c of configs) {
    write(layout.abs(layout.config(c.experiment_id)), JSON.stringify(c, null, 2) + '\n');
    const fate = g.fate?.(c.experiment_id, c.weak_model, c.strong_model, c.competition_level) ?? 'SUCCESS';
    const resultFile = layout.result(c);
    const transcriptFile = layout.transcript(c);
    if (fate === 'NOT_STARTED') continue;
    write(layout.abs(layout.log(c.experiment_id)), `[fixture] Starting experiment ${c.experiment_id}\n`);
    if (fate === 'INCOMPLETE') continue;
    const numRuns = fate === 'SUCCESS' ? c.num_runs : Math.min(c.num_runs, g.runsBeforeFailure ?? 1);
    let runs: RunDocument[];
    let events: TranscriptEvent[];
    if (g.synthetic && template) {
      runs = structuredClone(template.runs);
      events = template.events;
    } else {
      runs = [];
      events = [];
      await runSeries({
        spec: specOf(c),
        level: c.competition_level,
        seed: c.random_seed,
        numRuns: c.num_runs,
        players: [
          { model: c.weak_model, role: 'weak' },
          { model: c.strong_model, role: 'strong' },
        ],
        factory: g.play ? (model, ctx) => scriptedFactory(g.play!(model), ctx) : scriptedFactory,
        onRun: (doc, evs) => {
          runs.push(doc);
          events.push(...evs);
        },
      });
      if (g.fakeCalls)
        fakeCalls(
          events,
          runs,
          (agent, run) => runs.find((r) => r.run_index === run)!.agents.find((a) => a.agent === agent)!.model,
        );
      if (g.synthetic) template = { runs: structuredClone(runs), events };
    }
    runs = runs.slice(0, numRuns);
    const named = (role: string | null) => (role === 'weak' ? c.weak_model : c.strong_model);
    for (const run of runs) for (const a of run.agents) a.model = named(a.role);
    const runEvents = events.filter((e) => e.run < numRuns);
    for (const e of runEvents) if (e.type === 'run_start') for (const s of e.seats) s.model = named(s.role);
    const result: ResultDocument = {
      job_id: c.experiment_id,
      experiment_id: c.experiment_id,
      weak_model: c.weak_model,
      strong_model: c.strong_model,
      competition_level: c.competition_level,
      random_seed: c.random_seed,
      status: fate,
      exit_code: EXIT_CODES[fate],
      timestamp: '2025-01-01T00:00:00.000Z',
      duration_s: 0.5,
      log_file: layout.log(c.experiment_id),
      config_file: layout.config(c.experiment_id),
      transcript_file: transcriptFile,
      config_hash: configHash(c),
      num_runs: c.num_runs,
      runs_completed: runs.length,
      runs,
      ...(fate === 'FAILED'
        ? { error: `${c.strong_model} failed: provider returned 500 <b>Internal</b> "error"` }
        : {}),
      ...(fate === 'TIMEOUT' ? { error: `a negotiation run exceeded the 600 s timeout (run ${runs.length})` } : {}),
      ...spendOf({ runs }),
    };
    let jsonl = '';
    for (const e of runEvents) jsonl += JSON.stringify(e) + '\n';
    write(layout.abs(transcriptFile), jsonl);
    write(layout.abs(resultFile), JSON.stringify(result, null, 2) + '\n');
    write(
      layout.abs(layout.flag(c.experiment_id)),
      JSON.stringify({ experiment_id: c.experiment_id, status: fate, config_hash: result.config_hash }) + '\n',
    );
  }
  collect(layout, configs);
  return configs;
}
