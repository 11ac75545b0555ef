/**
 * Per-experiment leases: `logs/lease_N.json` says which process runs experiment N, so any
 * number of `run`, `run-one`, `retry`, `all` and SLURM tasks on one results directory share
 * the work and run each experiment once.
 *
 * - Taking a lease is an exclusive create: the content goes to a temporary file first and
 *   is hard-linked to the lease name, which fails if the name exists (link is atomic on
 *   local filesystems and on NFS, and readers never see a half-written lease).
 * - The owner refreshes the lease's mtime every REFRESH_MS while the experiment runs and
 *   removes it when the experiment ends or is stopped; a SIGKILL leaves it behind, hence:
 * - A lease is stale when its owner is on this host and its pid is gone (kill(pid, 0) →
 *   ESRCH), or when it has not been refreshed for STALE_MS, whatever the host. The mtime
 *   rule is the only one that works across hosts: NFS has no reliable locks and another
 *   host's pids cannot be probed, so a shared directory relies on the heartbeat.
 * - Taking over a stale lease is serialised by a second exclusive create
 *   (`lease_N.json.takeover`): only its holder may remove another process's lease, and it
 *   re-checks under it that the lease is still the stale one it saw, so two takers never
 *   remove a lease that a third has just created.
 */
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pidAlive } from '../files.ts';
import type { Layout } from '../results/layout.ts';

/** How often an owner refreshes its lease (ms); BARGAIN_LEASE_REFRESH_MS overrides it (tests). */
export const REFRESH_MS =
  Number(process.env.BARGAIN_LEASE_REFRESH_MS) > 0 ? Number(process.env.BARGAIN_LEASE_REFRESH_MS) : 30_000;
/** Not refreshed for this long = stale: three missed refreshes plus room for clock skew between hosts. */
export const STALE_MS = 3 * REFRESH_MS + 30_000;
/** A takeover takes microseconds; a takeover file this old belongs to a taker that died mid-way. */
const TAKEOVER_STALE_MS = 30_000;

export const HOST = hostname();

export interface LeaseInfo {
  experiment_id: number;
  host: string;
  pid: number;
  started_at: string;
  /** the owner touches the file's mtime this often */
  refresh_every_s: number;
  /** unique per acquisition: tells one lease of the same process and host from the next */
  token: string;
}

export interface LeaseView {
  info: LeaseInfo | null;
  mtimeMs: number;
}

/** One line for users: who holds it. */
export function describeOwner(v: LeaseView): string {
  const i = v.info;
  const age = Math.max(0, Math.round((Date.now() - v.mtimeMs) / 1000));
  return i
    ? `pid ${i.pid} on ${i.host} since ${i.started_at}, refreshed ${age}s ago`
    : `an unreadable lease refreshed ${age}s ago`;
}

/** Whether a lease no longer protects anything (see the rules above). */
export function isStale(v: LeaseView, now = Date.now()): boolean {
  if (now - v.mtimeMs > STALE_MS) return true;
  const i = v.info;
  return !!i && i.host === HOST && Number.isInteger(i.pid) && i.pid > 0 && !pidAlive(i.pid);
}

export function readLease(path: string): LeaseView | null {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return null;
  }
  let info: LeaseInfo | null = null;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as LeaseInfo;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
  }
  return { info, mtimeMs };
}

/** The live lease on experiment `id`, or null when there is none or it is stale. */
export function liveLease(layout: Layout, id: number): LeaseView | null {
  const v = readLease(layout.abs(layout.lease(id)));
  return v && !isStale(v) ? v : null;
}

/** Leases this process holds, removed on exit even if a finally block never runs. */
const held = new Map<string, string>();
let exitHook = false;

function createExclusive(path: string, content: string): boolean {
  const tmp = `${dirname(path)}/.${path.slice(dirname(path).length + 1)}.tmp-${HOST.replace(/[^A-Za-z0-9_.-]/g, '_')}-${process.pid}-${randomBytes(4).readUInt32BE()}`;
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    (e as NodeJS.ErrnoException).path = path; // errors name the lease, not its temporary name
    throw e;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* gone */
    }
  }
}

/** Removes the stale lease `seen` unless it changed meanwhile; false if another taker is at it. */
function removeStale(path: string, seen: LeaseView): boolean {
  const tk = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(tk, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(tk).mtimeMs > TAKEOVER_STALE_MS) unlinkSync(tk);
    } catch {
      /* gone meanwhile */
    }
    return false;
  }
  try {
    writeSync(fd, JSON.stringify({ host: HOST, pid: process.pid }));
    closeSync(fd);
    const now = readLease(path);
    if (now && isStale(now) && now.info?.token === seen.info?.token && now.mtimeMs === seen.mtimeMs) {
      try {
        unlinkSync(path);
      } catch {
        /* gone */
      }
    }
    return true;
  } finally {
    try {
      unlinkSync(tk);
    } catch {
      /* gone */
    }
  }
}

export class Lease {
  private timer: NodeJS.Timeout;
  private readonly ctl = new AbortController();
  /** aborted when another process has taken this lease over (we stalled past STALE_MS): stop without a result */
  readonly lost = this.ctl.signal;
  constructor(
    readonly path: string,
    readonly info: LeaseInfo,
    readonly tookOver: LeaseView | null,
  ) {
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.timer.unref();
  }
  private mine(): boolean {
    return readLease(this.path)?.info?.token === this.info.token;
  }
  refresh(): void {
    if (!this.mine()) {
      clearInterval(this.timer);
      held.delete(this.path);
      this.ctl.abort(new Error('lease lost'));
      return;
    }
    const t = new Date();
    try {
      utimesSync(this.path, t, t);
    } catch {
      /* retried at the next tick */
    }
  }
  /** Removes the lease if it is still ours (never another process's). */
  release(): void {
    clearInterval(this.timer);
    held.delete(this.path);
    if (this.mine()) {
      try {
        unlinkSync(this.path);
      } catch {
        /* gone */
      }
    }
  }
}

export type Acquired = { lease: Lease } | { heldBy: LeaseView };

/**
 * Takes the lease on experiment `id`: { lease } when this process may run it now, or
 * { heldBy } when a live owner runs it (or another process is taking a stale lease over).
 */
export function acquireLease(layout: Layout, id: number): Acquired {
  const path = layout.abs(layout.lease(id));
  mkdirSync(dirname(path), { recursive: true });
  const info: LeaseInfo = {
    experiment_id: id,
    host: HOST,
    pid: process.pid,
    started_at: new Date().toISOString(),
    refresh_every_s: REFRESH_MS / 1000,
    token: randomBytes(8).toString('hex'),
  };
  let tookOver: LeaseView | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (createExclusive(path, JSON.stringify(info, null, 2) + '\n')) {
      const lease = new Lease(path, info, tookOver);
      held.set(path, info.token);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const [p, tok] of held) {
            try {
              if (readLease(p)?.info?.token === tok) unlinkSync(p);
            } catch {
              /* best effort */
            }
          }
        });
      }
      return { lease };
    }
    const v = readLease(path);
    if (!v) continue; // released in between: try again
    if (!isStale(v)) return { heldBy: v };
    if (!removeStale(path, v)) return { heldBy: v };
    tookOver = v;
  }
  const v = readLease(path);
  return { heldBy: v ?? { info: null, mtimeMs: Date.now() } };
}
