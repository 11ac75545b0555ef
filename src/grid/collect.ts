/**
 * `collect` (DESIGN §4): folds every experiment's state and result into all_results.json,
 * summary.json (counts, success rate, by model pair and by level with outcome statistics),
 * results.csv (one row per experiment) and runs.csv (one row per run and seat, tidy).
 * One experiment at a time: each result is read, appended to all_results.json as it
 * streams to disk, reduced to its table rows and the few fields the summary needs, and
 * dropped, so memory does not grow with the whole grid's result documents.
 */
import {
  mergeServedModels,
  modelTotals,
  outcomeStats,
  resultRow,
  resultsCsv,
  runRows,
  runsCsv,
  seatsOf,
  seatSum,
  STATUSES,
  type ExperimentConfig,
  type ExperimentStatus,
  type ModelTotals,
  type ResultDocument,
  type ResultRow,
  type RunRow,
  servedModelWarnings,
} from '../results/index.ts';
import { JsonArrayWriter, writeFileAtomicallySync, writeJsonSync } from '../files.ts';
import type { Layout } from '../results/layout.ts';
import { experimentState, type ExperimentState } from './status.ts';

const r4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/** Calls, tokens and dollars per model over every run of every result (API models; scripted ones show zeros). */
export function byModel(results: ResultDocument[]): Record<string, ModelTotals> {
  return modelTotals(seatsOf(results));
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

/** What the summary reads of a result: its runs' outcomes and seats, and its totals (no preferences, allocations …). */
function slim(r: ResultDocument): ResultDocument {
  return {
    ...r,
    runs: r.runs.map((run) => ({ consensus: run.consensus, round: run.round, agents: run.agents })),
  } as ResultDocument;
}

export function collect(layout: Layout, configs: ExperimentConfig[]): CollectOutcome {
  const states: ExperimentState[] = [];
  const rr: RunRow[] = [];
  const resRows: ResultRow[] = [];
  const all = new JsonArrayWriter(layout.abs(layout.allResults));
  try {
    for (const c of configs) {
      const s = checked(experimentState(layout, c));
      all.push(
        s.result ?? {
          experiment_id: s.config.experiment_id,
          weak_model: s.config.weak_model,
          strong_model: s.config.strong_model,
          competition_level: s.config.competition_level,
          status: s.status,
          note: s.note ?? null,
        },
      );
      if (s.result && KNOWN_STATUSES.has(String(s.status))) rr.push(...runRows(s.config, s.result));
      resRows.push(resultRow({ ...s, resultFile: layout.result(s.config) }));
      states.push(s.result ? { ...s, result: slim(s.result) } : s);
    }
    all.commit();
  } catch (e) {
    all.abort();
    throw e;
  }
  const counts = Object.fromEntries(STATUSES.map((k) => [k, 0])) as Record<ExperimentStatus, number>;
  // a status this version does not know is counted and named, never silently dropped
  const unknown = states.filter((s) => !KNOWN_STATUSES.has(String(s.status)));
  for (const s of states) if (KNOWN_STATUSES.has(String(s.status))) counts[s.status]++;
  const done = states.filter((s) => s.result && KNOWN_STATUSES.has(String(s.status)));
  const results = done.map((s) => s.result!);
  const group = (key: (s: ExperimentState) => string) => {
    const m = new Map<string, ExperimentState[]>();
    for (const s of states) {
      const k = key(s);
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push(s);
    }
    return Object.fromEntries(
      [...m].map(([k, ss]) => [
        k,
        {
          experiments: ss.length,
          successful: ss.filter((s) => s.status === 'SUCCESS').length,
          failed: ss.filter((s) => s.status === 'FAILED').length,
          timeout: ss.filter((s) => s.status === 'TIMEOUT').length,
          ...outcomeStats(ss.filter((s) => s.result).map((s) => s.result!)),
        },
      ]),
    );
  };
  const total = states.length;
  const served = mergeServedModels(results.map((r) => r.served_models));
  const summary = {
    generated_at: new Date().toISOString(),
    total_experiments: total,
    successful: counts.SUCCESS,
    failed: counts.FAILED,
    timeout: counts.TIMEOUT,
    running: counts.RUNNING,
    incomplete: counts.INCOMPLETE,
    not_started: counts.NOT_STARTED,
    unknown_status: unknown.length,
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
    failures: states
      .filter((s) => s.status === 'FAILED' || s.status === 'TIMEOUT')
      .map((s) => ({
        experiment_id: s.config.experiment_id,
        weak_model: s.config.weak_model,
        strong_model: s.config.strong_model,
        competition_level: s.config.competition_level,
        status: s.status,
        reason: s.result?.error ?? null,
      })),
    unknown_statuses: unknown.map((s) => ({ experiment_id: s.config.experiment_id, status: String(s.status) })),
    missing: states
      .filter((s) => s.status === 'RUNNING' || s.status === 'INCOMPLETE' || s.status === 'NOT_STARTED')
      .map((s) => ({
        experiment_id: s.config.experiment_id,
        status: s.status,
        note: s.note ?? null,
      })),
  };
  writeJsonSync(layout.abs(layout.summaryJson), summary);
  writeFileAtomicallySync(layout.abs(layout.resultsCsv), resultsCsv(resRows));
  writeFileAtomicallySync(layout.abs(layout.runsCsv), runsCsv(rr));
  return {
    states,
    counts,
    unknown: unknown.map((s) => ({ id: s.config.experiment_id, status: String(s.status) })),
    summary,
    runRows: rr,
    resultRows: resRows,
  };
}
