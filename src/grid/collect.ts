/**
 * `collect` (DESIGN §4): folds every experiment's state and result into all_results.json,
 * summary.json (counts, success rate, by model pair and by level with outcome statistics),
 * results.csv (one row per experiment) and runs.csv (one row per run and seat, tidy).
 */
import { meanValueEntropy } from '../game/index.ts';
import type { ExperimentConfig } from './config.ts';
import { toCsv } from './csv.ts';
import { writeFileAtomicallySync, writeJsonSync } from './files.ts';
import type { Layout } from './layout.ts';
import type { ResultDocument } from './result.ts';
import { experimentState, STATUSES, type ExperimentState, type ExperimentStatus } from './status.ts';
import { mergeServedModels, servedModelWarnings } from './served-models.ts';

export const RUNS_COLUMNS = [
  'experiment_id', 'weak_model', 'strong_model', 'pair', 'competition_level', 'random_seed', 'run_index', 'pair_index',
  'seats_swapped', 'seat', 'agent', 'model', 'role', 'cosine_similarity', 'consensus', 'round', 'utility', 'raw_utility',
  'share', 'welfare', 'exploitation_index', 'nash_utility', 'pareto_optimal', 'repairs', 'voided', 'calls',
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cost_usd', 'status',
  // appended (never reordered: scripts read columns by position): prompt-cache reads and writes, parts of input_tokens
  'cache_read_tokens', 'cache_write_tokens',
  // appended: the run's value entropy (mean bits over agents), a confound of the competition level
  'value_entropy',
] as const;

export const RESULTS_COLUMNS = [
  'experiment_id', 'weak_model', 'strong_model', 'competition_level', 'random_seed', 'num_runs', 'status', 'exit_code',
  'duration_s', 'runs_completed', 'agreement_rate', 'mean_round', 'weak_utility', 'strong_utility', 'advantage',
  'repairs', 'voided', 'calls', 'cost_usd', 'error', 'result_file',
  // appended (never reordered): the experiment's tokens; cache reads and writes are parts of input_tokens
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_write_tokens',
] as const;

export type RunRow = Record<(typeof RUNS_COLUMNS)[number], string | number | boolean | null>;
export type ResultRow = Record<(typeof RESULTS_COLUMNS)[number], string | number | boolean | null>;

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const r4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/** As recorded; a result written before the field existed gets it from its preferences (the same definition). */
function valueEntropyOf(run: ResultDocument['runs'][number]): number {
  return run.value_entropy ?? Math.round(meanValueEntropy(run.preferences) * 1e6) / 1e6;
}

export function runRows(c: ExperimentConfig, r: ResultDocument): RunRow[] {
  const rows: RunRow[] = [];
  for (const run of r.runs) {
    for (const a of run.agents) {
      rows.push({
        experiment_id: c.experiment_id, weak_model: c.weak_model, strong_model: c.strong_model,
        pair: `${c.weak_model}_vs_${c.strong_model}`, competition_level: c.competition_level, random_seed: c.random_seed,
        run_index: run.run_index, pair_index: run.pair_index, seats_swapped: run.seats_swapped, seat: a.seat,
        agent: a.agent, model: a.model, role: a.role, cosine_similarity: run.cosine_similarity, consensus: run.consensus,
        round: run.round, utility: a.utility, raw_utility: a.raw_utility, share: a.share, welfare: run.welfare,
        exploitation_index: a.exploitation_index, nash_utility: a.nash_utility, pareto_optimal: run.pareto_optimal,
        repairs: a.repairs, voided: a.voided, calls: a.calls, input_tokens: a.input_tokens, output_tokens: a.output_tokens,
        reasoning_tokens: a.reasoning_tokens, cost_usd: a.cost_usd, status: r.status,
        cache_read_tokens: a.cache_read_tokens ?? 0, cache_write_tokens: a.cache_write_tokens ?? 0,
        value_entropy: valueEntropyOf(run),
      });
    }
  }
  return rows;
}

function outcomeStats(results: ResultDocument[]) {
  const runs = results.flatMap((r) => r.runs);
  const side = (role: string) => runs.flatMap((run) => run.agents.filter((a) => a.role === role).map((a) => a.utility));
  const agreed = runs.filter((r) => r.consensus);
  const weak = mean(side('weak')), strong = mean(side('strong'));
  return {
    runs: runs.length,
    agreement_rate: r4(runs.length ? agreed.length / runs.length : null),
    mean_round: r4(mean(agreed.map((r) => r.round!))),
    weak_utility: r4(weak), strong_utility: r4(strong),
    advantage: r4(weak === null || strong === null ? null : strong - weak),
  };
}

type SeatTokens = 'input_tokens' | 'output_tokens' | 'reasoning_tokens' | 'cache_read_tokens' | 'cache_write_tokens';

/** A token count summed over every seat of every run (fields a result written before they existed lacks count 0). */
function seatSum(r: ResultDocument, k: SeatTokens): number {
  return r.runs.reduce((t, x) => t + x.agents.reduce((u, a) => u + (a[k] ?? 0), 0), 0);
}

function resultRow(s: ExperimentState, layout: Layout): ResultRow {
  const c = s.config, r = s.result;
  const o = r ? outcomeStats([r]) : null;
  return {
    experiment_id: c.experiment_id, weak_model: c.weak_model, strong_model: c.strong_model,
    competition_level: c.competition_level, random_seed: c.random_seed, num_runs: c.num_runs, status: s.status,
    exit_code: r?.exit_code ?? null, duration_s: r?.duration_s ?? null, runs_completed: r?.runs_completed ?? 0,
    agreement_rate: o?.agreement_rate ?? null, mean_round: o?.mean_round ?? null, weak_utility: o?.weak_utility ?? null,
    strong_utility: o?.strong_utility ?? null, advantage: o?.advantage ?? null,
    repairs: r ? r.runs.reduce((t, x) => t + x.agents.reduce((u, a) => u + a.repairs, 0), 0) : null,
    voided: r ? r.runs.reduce((t, x) => t + x.agents.reduce((u, a) => u + a.voided, 0), 0) : null,
    calls: r?.calls ?? null, cost_usd: r?.cost_usd ?? null, error: r?.error ?? s.note ?? null,
    result_file: r ? layout.result(c) : null,
    input_tokens: r ? seatSum(r, 'input_tokens') : null, output_tokens: r ? seatSum(r, 'output_tokens') : null,
    reasoning_tokens: r ? seatSum(r, 'reasoning_tokens') : null,
    cache_read_tokens: r ? seatSum(r, 'cache_read_tokens') : null, cache_write_tokens: r ? seatSum(r, 'cache_write_tokens') : null,
  };
}

/** Calls, tokens and dollars per model over every run of every result (API models; scripted ones show zeros). */
export interface ModelTotals {
  seats: number; calls: number; input_tokens: number; output_tokens: number; reasoning_tokens: number;
  cache_read_tokens: number; cache_write_tokens: number;
  /** cache_read_tokens / input_tokens (null without input) */
  cached_input_share: number | null;
  cost_usd: number;
}

export function byModel(results: ResultDocument[]): Record<string, ModelTotals> {
  // keyed by model names: no prototype, so constructor or toString is a model like any other
  const out: Record<string, ModelTotals> = Object.create(null);
  for (const r of results) {
    for (const run of r.runs) {
      for (const a of run.agents) {
        const m = (out[a.model] ??= { seats: 0, calls: 0, input_tokens: 0, output_tokens: 0, reasoning_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cached_input_share: null, cost_usd: 0 });
        m.seats++; m.calls += a.calls; m.input_tokens += a.input_tokens; m.output_tokens += a.output_tokens;
        m.reasoning_tokens += a.reasoning_tokens; m.cost_usd += a.cost_usd;
        m.cache_read_tokens += a.cache_read_tokens ?? 0; m.cache_write_tokens += a.cache_write_tokens ?? 0;
      }
    }
  }
  for (const m of Object.values(out)) {
    m.cost_usd = Math.round(m.cost_usd * 1e6) / 1e6;
    m.cached_input_share = m.input_tokens > 0 ? r4(m.cache_read_tokens / m.input_tokens) : null;
  }
  return out;
}

export interface CollectOutcome {
  states: ExperimentState[];
  counts: Record<ExperimentStatus, number>;
  /** experiments whose result has a status this version does not know */
  unknown: { id: number; status: string }[];
  summary: Record<string, unknown>;
  runRows: RunRow[];
  resultRows: ResultRow[];
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(STATUSES);

/** A result without a runs list (hand-edited, or written by something else) is no result: the experiment is incomplete. */
function checked(s: ExperimentState): ExperimentState {
  if (s.result && !Array.isArray((s.result as { runs?: unknown }).runs)) {
    return { config: s.config, status: 'INCOMPLETE', result: null, note: 'result file has no runs list' };
  }
  return s;
}

export function collect(layout: Layout, configs: ExperimentConfig[]): CollectOutcome {
  const states = configs.map((c) => checked(experimentState(layout, c)));
  const counts = Object.fromEntries(STATUSES.map((k) => [k, 0])) as Record<ExperimentStatus, number>;
  // a status this version does not know is counted and named, never silently dropped
  const unknown = states.filter((s) => !KNOWN_STATUSES.has(String(s.status)));
  for (const s of states) if (KNOWN_STATUSES.has(String(s.status))) counts[s.status]++;
  const done = states.filter((s) => s.result && KNOWN_STATUSES.has(String(s.status)));
  const results = done.map((s) => s.result!);
  const group = (key: (s: ExperimentState) => string) => {
    const m = new Map<string, ExperimentState[]>();
    for (const s of states) { const k = key(s); if (!m.has(k)) m.set(k, []); m.get(k)!.push(s); }
    return Object.fromEntries([...m].map(([k, ss]) => [k, {
      experiments: ss.length,
      successful: ss.filter((s) => s.status === 'SUCCESS').length,
      failed: ss.filter((s) => s.status === 'FAILED').length,
      timeout: ss.filter((s) => s.status === 'TIMEOUT').length,
      ...outcomeStats(ss.filter((s) => s.result).map((s) => s.result!)),
    }]));
  };
  const total = states.length;
  const served = mergeServedModels(results.map((r) => r.served_models));
  const summary = {
    generated_at: new Date().toISOString(),
    total_experiments: total,
    successful: counts.SUCCESS, failed: counts.FAILED, timeout: counts.TIMEOUT,
    running: counts.RUNNING, incomplete: counts.INCOMPLETE, not_started: counts.NOT_STARTED, unknown_status: unknown.length,
    success_rate: total ? r4(counts.SUCCESS / total) : null,
    ...outcomeStats(results),
    calls: results.reduce((t, r) => t + r.calls, 0),
    input_tokens: results.reduce((t, r) => t + r.input_tokens, 0),
    output_tokens: results.reduce((t, r) => t + r.output_tokens, 0),
    reasoning_tokens: results.reduce((t, r) => t + r.reasoning_tokens, 0),
    // from the seats, so results written before the totals existed still count (as 0)
    cache_read_tokens: results.reduce((t, r) => t + seatSum(r, 'cache_read_tokens'), 0),
    cache_write_tokens: results.reduce((t, r) => t + seatSum(r, 'cache_write_tokens'), 0),
    cost_usd: Math.round(results.reduce((t, r) => t + r.cost_usd, 0) * 1e6) / 1e6,
    by_model: byModel(results),
    // what actually answered each model, and a warning per model another model answered for
    served_models: served,
    served_model_warnings: servedModelWarnings(served),
    by_model_pair: group((s) => `${s.config.weak_model}_vs_${s.config.strong_model}`),
    by_competition_level: group((s) => String(s.config.competition_level)),
    failures: states.filter((s) => s.status === 'FAILED' || s.status === 'TIMEOUT').map((s) => ({
      experiment_id: s.config.experiment_id, weak_model: s.config.weak_model, strong_model: s.config.strong_model,
      competition_level: s.config.competition_level, status: s.status, reason: s.result?.error ?? null,
    })),
    unknown_statuses: unknown.map((s) => ({ experiment_id: s.config.experiment_id, status: String(s.status) })),
    missing: states.filter((s) => s.status === 'RUNNING' || s.status === 'INCOMPLETE' || s.status === 'NOT_STARTED').map((s) => ({
      experiment_id: s.config.experiment_id, status: s.status, note: s.note ?? null,
    })),
  };
  const rr = done.flatMap((s) => runRows(s.config, s.result!));
  const resRows = states.map((s) => resultRow(s, layout));
  writeJsonSync(layout.abs(layout.allResults), states.map((s) => s.result ?? {
    experiment_id: s.config.experiment_id, weak_model: s.config.weak_model, strong_model: s.config.strong_model,
    competition_level: s.config.competition_level, status: s.status, note: s.note ?? null,
  }));
  writeJsonSync(layout.abs(layout.summaryJson), summary);
  writeFileAtomicallySync(layout.abs(layout.resultsCsv), toCsv(RESULTS_COLUMNS, resRows));
  writeFileAtomicallySync(layout.abs(layout.runsCsv), toCsv(RUNS_COLUMNS, rr));
  return { states, counts, unknown: unknown.map((s) => ({ id: s.config.experiment_id, status: String(s.status) })), summary, runRows: rr, resultRows: resRows };
}
