/**
 * One interactive `run` of a set of experiments: progress, Ctrl-C handling (once: start
 * nothing new; twice: stop now), and the closing summary with failures and the retry command.
 * Shared by `run`, `retry` and `all`.
 */
import type { AgentFactory } from '../agents/agent.ts';
import type { Layout } from '../results/layout.ts';
import { runGrid, type RunnerSummary } from '../grid/runner.ts';
import { DEFAULT_RESULTS_DIR } from '../results/layout.ts';
import { formatKeyRates, Progress } from './progress.ts';
import { pairLabel, parallelFor } from './shared.ts';
import { shellQuote } from '../cluster/shell.ts';
import type { ModelResolver } from '../grid/model-resolver.ts';
import { BottleneckScheduler } from '../grid/schedule.ts';
import { maxCostGate } from '../grid/budget-admission.ts';
import { experimentState, isFinished } from '../grid/status.ts';
import { describeIds } from '../grid/grid.ts';
import type { ExperimentConfig, ResultDocument } from '../results/index.ts';

export interface SessionOptions {
  /** undefined: chosen from the grid (parallelFor) */
  parallel?: number;
  timeoutSec: number;
  quiet?: boolean;
  /** the models' resolver: governor (progress rates), scheduler demand, cost meter */
  resolver?: ModelResolver;
  /** --max-cost: start nothing that would take the spend past this many dollars */
  maxCostUsd?: number;
}

/** "openai 312/500 rpm, anthropic 48/50 rpm (paused)": each key's requests in the last minute against its budget. */
function providerRates(resolver: ModelResolver): string {
  return formatKeyRates(resolver.governor.snapshot());
}

/** "66.7% of the 3 finished": the grid's rate, when earlier failures make this run's own rate misleading. */
function gridRate(finals: { status: string }[]): string {
  const ok = finals.filter((s) => s.status === 'SUCCESS').length;
  return `${((100 * ok) / finals.length).toFixed(1)}% of the ${finals.length} finished`;
}

export async function runSession(
  layout: Layout,
  configs: ExperimentConfig[],
  factory: AgentFactory,
  o: SessionOptions,
): Promise<{ summary: RunnerSummary; exitCode: number }> {
  const soft = new AbortController();
  const hard = new AbortController();
  const state = { total: configs.length, done: 0, failed: 0, running: 0, costUsd: 0 };
  const progress = new Progress(state);
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    if (sigints === 1) {
      progress.note(
        'Stopping: no new experiments will start; running ones will finish. Press Ctrl-C again to stop now.',
      );
      soft.abort();
    } else {
      progress.note(
        'Stopping now: running experiments are abandoned (no result written) and will run again next time.',
      );
      hard.abort(new Error('stopped by the user'));
    }
  };
  // SIGTERM (kill, or SLURM cancelling the task before its SIGKILL) stops now: running
  // experiments are abandoned cleanly instead of being cut mid-write by the SIGKILL.
  const onSigterm = () => {
    sigints = 1;
    onSigint();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const failures: ResultDocument[] = [];
  const parallel = parallelFor(configs, o.parallel);
  const resolver = o.resolver;
  const gate =
    o.maxCostUsd !== undefined && resolver ? await maxCostGate(configs, layout, resolver, o.maxCostUsd) : null;
  let scheduler: BottleneckScheduler | null = null;
  if (resolver) {
    (state as { extra?: () => string }).extra = () =>
      (resolver.meter.usd > 0 ? ` | Cost: $${resolver.meter.usd.toFixed(2)}` : '') + providerRates(resolver);
  }
  let summary: RunnerSummary;
  let finished = false;
  const startedIds = new Set<number>();
  try {
    if (!o.quiet) progress.start();
    summary = await runGrid(layout, configs, {
      parallel,
      timeoutMs: o.timeoutSec * 1000,
      factory,
      softStop: soft.signal,
      hardStop: hard.signal,
      pick: resolver
        ? (pending) =>
            (scheduler ??= new BottleneckScheduler(pending, (c) => resolver.demand(c), {
              capacity: (p) => resolver.capacity(p),
              saturation: (p) => resolver.saturation(p),
            })).pick(pending)
        : undefined,
      admit: gate ? gate.admit : undefined,
      // a model the provider refused for good (not found, unsupported parameter) starts nothing more
      hold: resolver
        ? (c) => {
            for (const m of [c.weak_model, c.strong_model]) {
              if (resolver.unavailable.has(m)) return `${m} is not served as configured`;
            }
            return null;
          }
        : undefined,
      onStart: (c) => {
        state.running++;
        startedIds.add(c.experiment_id);
      },
      onSkip: (c, why) => {
        gate?.done(c);
        scheduler?.done(c);
        if (startedIds.delete(c.experiment_id)) state.running--;
        if (why.reason === 'elsewhere') state.total--;
        else state.done++;
      },
      onDone: (c, r) => {
        gate?.done(c);
        scheduler?.done(c);
        state.running--;
        state.done++;
        if (!resolver) state.costUsd += r.cost_usd;
        if (r.status !== 'SUCCESS') {
          state.failed++;
          failures.push(r);
          if (!o.quiet) progress.note(`Experiment ${c.experiment_id} (${pairLabel(c)}) ${r.status}: ${r.error ?? ''}`);
        }
      },
    });
    finished = true;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    if (!o.quiet) progress.stop(finished);
  }
  state.done += summary.skipped;
  // Failures this invocation did not run are still the grid's: they set the exit code and are listed too.
  const ranIds = new Set(summary.results.map((r) => r.experiment_id));
  const finals = configs.map((c) => experimentState(layout, c)).filter((s) => isFinished(s.status) && s.result);
  const earlier = finals
    .filter((s) => s.status !== 'SUCCESS' && !ranIds.has(s.config.experiment_id))
    .map((s) => s.result!);
  const ran = summary.results.length;
  const ok = summary.results.filter((r) => r.status === 'SUCCESS').length;
  const meanS = ran ? summary.results.reduce((t, r) => t + r.duration_s, 0) / ran : 0;
  const lines = [
    '',
    `Ran ${ran} experiment${ran === 1 ? '' : 's'} in ${summary.elapsedS.toFixed(1)}s (${summary.skipped} already complete, skipped)`,
    `  Successful: ${ok} | Failed: ${summary.results.filter((r) => r.status === 'FAILED').length} | Timeout: ${summary.results.filter((r) => r.status === 'TIMEOUT').length}` +
      ` | Success rate: ${earlier.length ? gridRate(finals) : ran ? ((100 * ok) / ran).toFixed(1) + '%' : '100.0%'} | Mean time per experiment: ${meanS.toFixed(2)}s` +
      ((resolver?.meter.usd ?? state.costUsd) > 0
        ? ` | Cost: $${(resolver?.meter.usd ?? state.costUsd).toFixed(4)}`
        : '') +
      (resolver && resolver.meter.cached > 0
        ? ` | ${resolver.meter.cached} of ${resolver.meter.calls} calls from the cache`
        : ''),
  ];
  if (summary.elsewhere.length) {
    // another live process holds their leases: they are its work, not failures nor left undone
    lines.push(
      `  Left to another process: ${summary.elsewhere.length} experiment${summary.elsewhere.length === 1 ? '' : 's'} (${describeIds(summary.elsewhere)}) ` +
        'running there; bargain collect shows them as RUNNING until they finish.',
    );
  }
  if (summary.stoppedBecause) {
    lines.push(
      `  Stopped starting experiments: ${summary.stoppedBecause}. ${summary.notStarted.length} not started; raise --max-cost and run again to continue.`,
    );
  } else if (summary.interrupted.length || summary.notStarted.length) {
    lines.push(
      `  Stopped early: ${summary.interrupted.length} interrupted, ${summary.notStarted.length} not started; run the same command again to resume.`,
    );
  }
  const dead = resolver?.unavailable ?? new Map<string, string>();
  const usesDead = (r: { weak_model: string; strong_model: string }) =>
    dead.has(r.weak_model) || dead.has(r.strong_model);
  if (summary.held.length) {
    lines.push(
      `  Held back: ${summary.held.length} experiment${summary.held.length === 1 ? '' : 's'} not started because a model is unavailable (below).`,
    );
  }
  if (failures.length || earlier.length) {
    lines.push('Failures:');
    for (const r of [...failures, ...earlier].sort((a, b) => a.experiment_id - b.experiment_id)) {
      lines.push(
        `  ${r.experiment_id}: ${r.weak_model} vs ${r.strong_model} at level ${r.competition_level} — ${r.status}: ${r.error ?? 'no reason recorded'}` +
          (ranIds.has(r.experiment_id) ? '' : ' (from an earlier run)'),
      );
    }
  }
  if (dead.size) {
    // retrying cannot help here: the provider refuses the model itself
    lines.push('Models the provider refused (every call would fail the same way):');
    for (const [m, why] of dead) lines.push(`  ${m}: ${why}`);
    lines.push(
      "  fix: bargain check shows each model's status; choose another model (a preset of live models: --grid current or --grid ladder), " +
        'correct its entry with --models FILE (model_id, sampling), then run the same command again: finished experiments are kept.',
    );
  }
  const allFailures = [...failures, ...earlier];
  const retryable = allFailures.filter((r) => !usesDead(r));
  if (retryable.length) {
    const rd = layout.root === DEFAULT_RESULTS_DIR ? '' : ` --results-dir ${shellQuote(layout.root)}`;
    lines.push(
      `Retry ${retryable.length === allFailures.length ? 'them' : `the other ${retryable.length}`} with: bargain retry${rd} --parallel ${parallel} --yes   (or ./scripts/retry_failed.sh ${parallel}${rd})`,
    );
  }
  if (!o.quiet) process.stdout.write(lines.join('\n') + '\n');
  const exitCode = summary.stoppedBecause
    ? 3
    : summary.interrupted.length || summary.notStarted.length
      ? 130
      : failures.length || earlier.length || summary.held.length
        ? 1
        : 0;
  return { summary, exitCode };
}
