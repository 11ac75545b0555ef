/**
 * The grid runner (DESIGN §4): every selected experiment as an async task in one process,
 * at most `parallel` active, finished ones skipped. A soft stop (first Ctrl-C) starts
 * nothing new and lets running experiments finish; a hard stop aborts them (no result,
 * so they stay INCOMPLETE and run next time).
 */
import type { AgentFactory } from '../agents/agent.ts';
import { Interrupted, NotRunHere, runExperiment } from './experiment.ts';
import type { Layout } from '../results/layout.ts';
import { experimentState, isFinished } from './status.ts';
import { sweepTempFiles } from '../files.ts';
import type { ExperimentConfig, ResultDocument } from '../results/index.ts';

export interface RunnerOptions {
  parallel: number;
  timeoutMs: number;
  factory: AgentFactory;
  softStop?: AbortSignal;
  hardStop?: AbortSignal;
  /** which pending experiment to start next (index into the list); default: the first (id order) */
  pick?: (pending: ExperimentConfig[]) => number;
  /** gate before each start (e.g. the cost budget): a string stops starting new experiments, with that reason */
  admit?: (c: ExperimentConfig) => true | string;
  /**
   * Holds back one experiment without stopping the others: a reason string (e.g. a model the
   * provider no longer serves) keeps it from starting; it stays NOT_STARTED (no result written).
   */
  hold?: (c: ExperimentConfig) => string | null;
  onStart?: (c: ExperimentConfig) => void;
  onDone?: (c: ExperimentConfig, r: ResultDocument) => void;
  /** picked but not run here: another live process runs it, or finished it meanwhile */
  onSkip?: (c: ExperimentConfig, why: NotRunHere) => void;
}

export interface RunnerSummary {
  selected: number;
  /** already finished (at the start, or by another process by the time it was picked) */
  skipped: number;
  /** left to another live process that holds their lease (neither failed nor not started) */
  elsewhere: number[];
  started: number;
  results: ResultDocument[];
  interrupted: number[];
  notStarted: number[];
  /** experiments held back (never started) and why, e.g. a model found unavailable mid-run */
  held: { id: number; reason: string }[];
  /** why the runner stopped starting experiments early (budget), if it did */
  stoppedBecause: string | null;
  elapsedS: number;
}

export async function runGrid(
  layout: Layout,
  configs: ExperimentConfig[],
  opts: RunnerOptions,
): Promise<RunnerSummary> {
  const t0 = performance.now();
  sweepTempFiles(layout.root);
  const pending = configs.filter((c) => !isFinished(experimentState(layout, c).status));
  const queue = pending.slice();
  const results: ResultDocument[] = [];
  const interrupted: number[] = [];
  const elsewhere: number[] = [];
  let finishedMeanwhile = 0;
  let started = 0;
  let stoppedBecause: string | null = null;
  const held: { id: number; reason: string }[] = [];
  /** takes out of the queue every experiment the hold gate keeps back now */
  const holdBack = () => {
    if (!opts.hold) return;
    for (let j = queue.length - 1; j >= 0; j--) {
      const reason = opts.hold(queue[j]);
      if (reason !== null) held.push({ id: queue.splice(j, 1)[0].experiment_id, reason });
    }
  };
  const worker = async () => {
    while (queue.length > 0 && !opts.softStop?.aborted && !opts.hardStop?.aborted && !stoppedBecause) {
      // Yield to the event loop: scripted experiments never wait on I/O, and progress
      // timers and Ctrl-C must still get their turn.
      await new Promise((r) => setImmediate(r));
      holdBack();
      if (opts.softStop?.aborted || opts.hardStop?.aborted || queue.length === 0 || stoppedBecause) break;
      const i = opts.pick ? opts.pick(queue) : 0;
      const verdict = opts.admit ? opts.admit(queue[i]) : true;
      if (verdict !== true) {
        stoppedBecause = verdict;
        break;
      }
      const c = queue.splice(i, 1)[0];
      try {
        const r = await runExperiment(layout, c, {
          factory: opts.factory,
          timeoutMs: opts.timeoutMs,
          hardStop: opts.hardStop,
          onStarted: () => {
            started++;
            opts.onStart?.(c);
          },
        });
        results.push(r);
        opts.onDone?.(c, r);
      } catch (e) {
        if (e instanceof Interrupted) {
          interrupted.push(c.experiment_id);
          continue;
        }
        if (e instanceof NotRunHere) {
          if (e.reason === 'elsewhere') elsewhere.push(c.experiment_id);
          else finishedMeanwhile++;
          opts.onSkip?.(c, e);
          continue;
        }
        throw e;
      }
    }
  };
  const n = Math.max(1, Math.min(opts.parallel, queue.length));
  await Promise.all(Array.from({ length: n }, worker));
  return {
    selected: configs.length,
    skipped: configs.length - pending.length + finishedMeanwhile,
    started,
    results,
    interrupted,
    elsewhere: elsewhere.sort((a, b) => a - b),
    notStarted: queue.map((c) => c.experiment_id),
    held: held.sort((a, b) => a.id - b.id),
    stoppedBecause,
    elapsedS: (performance.now() - t0) / 1000,
  };
}
