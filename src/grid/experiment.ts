/**
 * Runs one experiment (its num_runs negotiations) and records it: a readable log
 * timeline, then the transcript and the result (each atomic), then the completion flag.
 * The timeout bounds each negotiation run's work (time queued for the local rate budget
 * does not count). A hard stop (second Ctrl-C) leaves no result
 * and no flag, so the experiment is simply INCOMPLETE and runs again next time.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { InfeasibleRequestError, SpecError } from '../game/index.ts';
import type { AgentFactory } from '../agents/agent.ts';
import type { TranscriptEvent } from '../protocol/events.ts';
import { runSeries, type RunDocument } from '../protocol/series.ts';
import { toJsonl, writeFileAtomicallySync, writeJsonSync } from '../files.ts';
import type { Layout } from '../results/layout.ts';
import { WorkTimer, withWorkTimer } from '../governor/work-timer.ts';
import { acquireLease, describeOwner, type LeaseView } from './lease.ts';
import { experimentState, isFinished } from './status.ts';
import {
  configHash,
  EXIT_CODES,
  spendOf,
  specOf,
  type ExperimentConfig,
  type ExperimentStatus,
  type FinalStatus,
  type ResultDocument,
  servedModelsOf,
  servedModelWarnings,
} from '../results/index.ts';

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export class RunTimeout extends Error {
  constructor(readonly seconds: number) {
    super(`a negotiation run exceeded the ${seconds} s timeout`);
    this.name = 'RunTimeout';
  }
}

/**
 * The experiment was not run here: another live process holds its lease ('elsewhere'), or
 * it was already finished when this process got the lease ('finished', e.g. by another process).
 */
export class NotRunHere extends Error {
  constructor(
    readonly reason: 'elsewhere' | 'finished',
    readonly detail: { owner?: LeaseView | null; status?: ExperimentStatus },
  ) {
    super(
      reason === 'elsewhere'
        ? `running in another process (${detail.owner ? describeOwner(detail.owner) : 'lease taken over'})`
        : `already finished (${detail.status})`,
    );
    this.name = 'NotRunHere';
  }
}

export interface ExperimentOptions {
  factory: AgentFactory;
  /** per negotiation run, milliseconds */
  timeoutMs: number;
  /** aborts everything now (no result written) */
  hardStop?: AbortSignal;
  now?: () => number;
  /**
   * Checked under the lease, just before starting: whether an experiment in this state is
   * to run (default: not yet finished; retry's re-runs and a forced run-one decide otherwise).
   * The state seen at queue time may be stale: another process may have finished it since.
   */
  runIf?: (s: ExperimentStatus) => boolean;
  /** called once the lease is held and the experiment starts */
  onStarted?: () => void;
}

/** Moves logs/experiment_N.log to .log.old (or .log.old.1, .2 … when taken). */
export function archiveLog(layout: Layout, id: number): string | null {
  const log = layout.abs(layout.log(id));
  if (!existsSync(log)) return null;
  let target = `${log}.old`;
  for (let k = 1; existsSync(target); k++) target = `${log}.old.${k}`;
  renameSync(log, target);
  return target;
}

function stamp(): string {
  return new Date().toISOString();
}

/**
 * Runs the experiment under its lease (src/grid/lease.ts); throws NotRunHere when another
 * live process runs it or it is finished, Interrupted on a hard stop.
 */
export async function runExperiment(
  layout: Layout,
  c: ExperimentConfig,
  opts: ExperimentOptions,
): Promise<ResultDocument> {
  const id = c.experiment_id;
  const got = acquireLease(layout, id);
  if ('heldBy' in got) throw new NotRunHere('elsewhere', { owner: got.heldBy });
  const lease = got.lease;
  try {
    // our own lease makes an unfinished experiment read as RUNNING
    const status = experimentState(layout, c).status;
    if (!(opts.runIf ?? ((s: ExperimentStatus) => !isFinished(s)))(status))
      throw new NotRunHere('finished', { status });
    opts.onStarted?.();
    const hardStop = opts.hardStop ? AbortSignal.any([opts.hardStop, lease.lost]) : lease.lost;
    return await runLeased(layout, c, { ...opts, hardStop }, () => lease.lost.aborted, lease.tookOver);
  } finally {
    lease.release();
  }
}

async function runLeased(
  layout: Layout,
  c: ExperimentConfig,
  opts: ExperimentOptions,
  lost: () => boolean,
  tookOver: LeaseView | null,
): Promise<ResultDocument> {
  const id = c.experiment_id;
  const logPath = layout.abs(layout.log(id));
  mkdirSync(dirname(logPath), { recursive: true });
  archiveLog(layout, id);
  const log = (line: string) => appendFileSync(logPath, `[${stamp()}] ${line}\n`);
  const started = performance.now();
  log(
    `Starting experiment ${id}: ${c.weak_model} (weak) vs ${c.strong_model} (strong), ` +
      (c.game === 'treaty'
        ? `treaty, theta ${c.competition_level}, rho ${c.rho}, ${c.num_issues} issues`
        : c.game === 'cofunding'
          ? `co-funding, alpha ${c.competition_level}, sigma ${c.sigma}, ${c.num_projects} projects`
          : `competition level ${c.competition_level}, ${c.num_items} items`) +
      `, ${c.max_rounds} rounds, gamma ${c.gamma_discount}, ${c.num_runs} runs, seed ${c.random_seed}`,
  );
  if (tookOver) log(`Took over a stale lease (${describeOwner(tookOver)}): its owner is gone or stopped refreshing it`);

  const runs: RunDocument[] = [];
  const events: TranscriptEvent[] = [];
  let status: FinalStatus = 'SUCCESS';
  let error: string | undefined;
  let timer: WorkTimer | null = null; // the current run's timeout; queued time does not count
  try {
    const spec = specOf(c);
    await runSeries({
      spec,
      level: c.competition_level,
      seed: c.random_seed,
      numRuns: c.num_runs,
      players: [
        { model: c.weak_model, role: 'weak' },
        { model: c.strong_model, role: 'strong' },
      ],
      factory: opts.factory,
      now: opts.now ?? (() => performance.now()),
      wrapRun: (run, fn) => {
        const t = new WorkTimer(opts.timeoutMs);
        timer = t;
        return withWorkTimer(t, fn).finally(() => t.dispose());
      },
      signalFor: (run) => {
        log(`Run ${run} started (seats: ${run % 2 === 0 ? 'weak first' : 'strong first'})`);
        const t = timer!.signal;
        return opts.hardStop ? AbortSignal.any([t, opts.hardStop]) : t;
      },
      onRun: (doc, evs) => {
        runs.push(doc);
        for (const e of evs) events.push(e);
        const us = doc.agents.map((a) => `${a.agent}=${a.model} ${a.utility.toFixed(2)}`).join(', ');
        log(
          `Run ${doc.run_index} finished: ${doc.consensus ? `agreement in round ${doc.round}` : 'no agreement'}; utilities ${us}` +
            (doc.agents.some((a) => a.repairs || a.voided)
              ? `; repairs ${doc.agents.map((a) => a.repairs).join('/')}, voided ${doc.agents.map((a) => a.voided).join('/')}`
              : ''),
        );
      },
    });
  } catch (e) {
    if (lost()) {
      log("Stopped: another process took this experiment's lease over (this one had stalled); no result written here");
      throw new NotRunHere('elsewhere', {});
    }
    if (opts.hardStop?.aborted) {
      log('Interrupted before completion: no result written; it will run again');
      throw new Interrupted();
    }
    if ((timer as WorkTimer | null)?.expired) {
      status = 'TIMEOUT';
      error = new RunTimeout(opts.timeoutMs / 1000).message + ` (run ${runs.length})`;
    } else {
      status = 'FAILED';
      error =
        e instanceof SpecError || e instanceof InfeasibleRequestError
          ? `invalid experiment: ${e.message}`
          : e instanceof Error
            ? e.message
            : String(e);
    }
    log(`Error: ${error}`);
  }
  const result: ResultDocument = {
    job_id: id,
    experiment_id: id,
    weak_model: c.weak_model,
    strong_model: c.strong_model,
    competition_level: c.competition_level,
    ...(c.game ? { game: c.game } : {}),
    ...(c.rho !== undefined ? { rho: c.rho, num_issues: c.num_issues } : {}),
    ...(c.sigma !== undefined ? { sigma: c.sigma, num_projects: c.num_projects } : {}),
    random_seed: c.random_seed,
    status,
    exit_code: EXIT_CODES[status],
    timestamp: stamp(),
    duration_s: Math.round((performance.now() - started) / 10) / 100,
    log_file: layout.log(id),
    config_file: layout.config(id),
    transcript_file: layout.transcript(c),
    config_hash: configHash(c),
    num_runs: c.num_runs,
    runs_completed: runs.length,
    runs,
    ...(error ? { error } : {}),
    ...spendOf({ runs }),
  };
  const served = servedModelsOf(events.flatMap((e) => (e.type === 'turn' && e.calls ? e.calls : [])));
  if (Object.keys(served).length) result.served_models = served;
  for (const w of servedModelWarnings(served)) log(`Warning: ${w}`);
  if (lost()) {
    log("Stopped: another process took this experiment's lease over (this one had stalled); no result written here");
    throw new NotRunHere('elsewhere', {});
  }
  writeFileAtomicallySync(layout.abs(layout.transcript(c)), toJsonl(events));
  writeJsonSync(layout.abs(layout.result(c)), result);
  // The log's last line goes before the flag (the commit point), so every flagged experiment's
  // log ends with it; a kill in between leaves no flag and the experiment simply runs again.
  log(`Experiment ${id} completed with status: ${status}`);
  writeJsonSync(layout.abs(layout.flag(id)), {
    experiment_id: id,
    status,
    exit_code: result.exit_code,
    config_hash: result.config_hash,
    timestamp: result.timestamp,
  });
  return result;
}
