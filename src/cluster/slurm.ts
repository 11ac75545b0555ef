/**
 * The SLURM commands bargain uses (sbatch, squeue, sacct, scancel, sinfo, scontrol), each
 * run synchronously with a bounded wait and turned into plain values. A missing command or
 * a controller that does not answer becomes one UserError naming the fix; SLURM's own
 * refusal is passed on as its first error line. Nothing here touches the results directory.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserError } from '../errors.ts';

const WAIT_MS = 60_000;

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** The absolute path of an executable on PATH, or null. */
export function which(cmd: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export function runCommand(cmd: string, args: string[], timeoutMs = WAIT_MS): CommandResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, env: process.env });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** SLURM's most telling error line ("sbatch: error: …" lines, the last one first). */
export function firstError(r: CommandResult): string {
  const lines = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const errs = lines.filter((l) => /error/i.test(l));
  const pick = errs.length ? errs.map((l) => l.replace(/^\w+: error: /, '')).join('; ') : lines[0];
  if (pick) return pick;
  if (r.error) return r.error.message;
  return `exit status ${r.status}`;
}

export function requireCommand(cmd: string): string {
  const p = which(cmd);
  if (!p) {
    throw new UserError(
      `${cmd} is not on the PATH, so SLURM cannot be used from here; run this on a SLURM login node (or load its module, e.g. "module load slurm"), or write the script with "bargain slurm script" and submit it there`,
    );
  }
  return p;
}

export function slurmAvailable(): { ok: true } | { ok: false; reason: string } {
  for (const c of ['sbatch', 'squeue', 'sinfo']) if (!which(c)) return { ok: false, reason: `${c} is not on the PATH` };
  const r = runCommand('sinfo', ['-h', '-o', '%R'], 20_000);
  if (r.status !== 0) return { ok: false, reason: `sinfo failed: ${firstError(r)}` };
  return { ok: true };
}

/** Partition names known to the controller. */
export function partitions(): string[] {
  requireCommand('sinfo');
  const r = runCommand('sinfo', ['-h', '-o', '%R']);
  if (r.status !== 0) {
    throw new UserError(
      `SLURM is not answering (sinfo: ${firstError(r)}); check that slurmctld is up ("scontrol ping") and try again`,
    );
  }
  return [
    ...new Set(
      r.stdout
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** Throws a UserError when the partition (or any of a comma list) is unknown. */
export function checkPartition(partition: string | undefined): void {
  if (partition === undefined) {
    partitions();
    return;
  }
  const known = partitions();
  const bad = partition.split(',').filter((p) => !known.includes(p));
  if (bad.length) {
    throw new UserError(
      `unknown partition "${bad[0]}": this cluster has ${known.join(', ') || 'no partitions'}; pick one with --partition or leave it out for the default`,
    );
  }
}

/** MaxArraySize from the controller (array indices must stay below it), null when unknown. */
export function maxArraySize(): number | null {
  if (!which('scontrol')) return null;
  const r = runCommand('scontrol', ['show', 'config']);
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(r.stdout);
  return r.status === 0 && m ? Number(m[1]) : null;
}

/** Submits a script; returns the job id. `hold` submits it held (release with releaseJob). */
export function sbatch(scriptPath: string, opts: { hold?: boolean } = {}): string {
  const bin = requireCommand('sbatch');
  const r = runCommand(bin, ['--parsable', ...(opts.hold ? ['--hold'] : []), scriptPath]);
  if (r.status !== 0 || r.error) {
    throw new UserError(
      `SLURM refused the job (sbatch: ${firstError(r)}); fix the options (--partition, --time, --mem, --account, --extra) and submit again`,
    );
  }
  const id = r.stdout.trim().split('\n').pop()?.split(';')[0]?.trim() ?? '';
  if (!/^\d+$/.test(id))
    throw new UserError(`sbatch answered "${r.stdout.trim()}" instead of a job id; check the SLURM installation`);
  return id;
}

export function releaseJob(jobId: string): void {
  const r = runCommand(requireCommand('scontrol'), ['release', jobId]);
  if (r.status !== 0)
    throw new UserError(
      `could not release held job ${jobId} (scontrol: ${firstError(r)}); release it with "scontrol release ${jobId}" or cancel it`,
    );
}

export interface QueuedTask {
  jobId: string;
  taskId: number | null;
  state: string;
  reason: string;
}

/** Array tasks (one line each) of the given jobs still known to squeue. */
export function squeueTasks(jobIds: string[]): QueuedTask[] {
  if (jobIds.length === 0) return [];
  const bin = requireCommand('squeue');
  // A finished job id makes squeue fail ("Invalid job id") for the whole list, so ask for all
  // of this user's jobs and filter here.
  const r = runCommand(bin, ['-h', '-r', '-u', userInfo().username, '-o', '%F|%K|%T|%r']);
  if (r.status !== 0)
    throw new UserError(`SLURM is not answering (squeue: ${firstError(r)}); check that slurmctld is up and try again`);
  return parseSqueue(r.stdout).filter((t) => jobIds.includes(t.jobId));
}

export function parseSqueue(text: string): QueuedTask[] {
  const out: QueuedTask[] = [];
  for (const line of text.split('\n')) {
    const [jobId, task, state, reason] = line.trim().split('|');
    if (!jobId || !state) continue;
    out.push({ jobId, taskId: /^\d+$/.test(task ?? '') ? Number(task) : null, state, reason: reason ?? '' });
  }
  return out;
}

export interface AccountedTask {
  jobId: string;
  taskId: number | null;
  state: string;
  exitCode: string;
}

/** sacct's view of the jobs' array tasks, or null where accounting is not enabled. */
export function sacctTasks(jobIds: string[]): AccountedTask[] | null {
  if (jobIds.length === 0 || !which('sacct')) return null;
  const r = runCommand('sacct', ['-n', '-P', '-X', '-j', jobIds.join(','), '-o', 'JobID,State,ExitCode'], 20_000);
  if (r.status !== 0) return null;
  return parseSacct(r.stdout);
}

export function parseSacct(text: string): AccountedTask[] {
  const out: AccountedTask[] = [];
  for (const line of text.split('\n')) {
    const [id, state, exitCode] = line.trim().split('|');
    const m = /^(\d+)(?:_(\d+|\[.*\]))?$/.exec(id ?? '');
    if (!m || !state) continue;
    out.push({
      jobId: m[1],
      taskId: m[2] && /^\d+$/.test(m[2]) ? Number(m[2]) : null,
      state: state.split(' ')[0],
      exitCode: exitCode ?? '',
    });
  }
  return out;
}

/**
 * Cancels jobs. Plainly, SLURM sends SIGTERM and waits KillWait (often 30 s) before SIGKILL;
 * `now` first SIGKILLs the running tasks' batch scripts and their children (safe: every
 * result file is written atomically), then cancels what is still pending.
 */
export function scancel(jobIds: string[], opts: { now?: boolean } = {}): void {
  if (jobIds.length === 0) return;
  const bin = requireCommand('scancel');
  // fails harmlessly for tasks still pending (there is nothing to signal yet)
  if (opts.now) runCommand(bin, ['--batch', '--signal=KILL', ...jobIds]);
  const r = runCommand(bin, jobIds);
  if (r.status !== 0)
    throw new UserError(`scancel failed (${firstError(r)}); cancel by hand with "scancel ${jobIds.join(' ')}"`);
}
