/**
 * Atomic file writes and the writability checks done before any work starts.
 * Atomic = write a temporary file beside the target, fsync, rename over the target,
 * fsync the directory. Temporary names carry host and pid (`.name.tmp-host-pid-n`) so a
 * later run can sweep the leftovers of a killed process without touching a live
 * writer's files on a shared filesystem (why this is not write-file-atomic: its
 * temporary names cannot be traced back to their owner).
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from './errors.ts';

let counter = 0;
const HOST = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
const TMP_RE = /^\.(.+)\.tmp-(.+)-(\d+)-(\d+)$/;

/**
 * A file written piece by piece and put in place atomically: `write` appends to a temporary
 * file beside the target, `commit` fsyncs and renames it over the target, `abort` (or any
 * failed write) removes it, so readers see the old file or the whole new one, never a part.
 * For files too large to build as one string (all_results.json of a big grid).
 * `durable: false` skips both fsyncs (still atomic: readers see the old file or the new
 * one): for data that is only a saving if it survives a power cut, such as cache entries,
 * where an fsync per LLM call would block the event loop for milliseconds each time.
 */
export class AtomicWriter {
  private readonly tmp: string;
  private fd: number | null;

  constructor(
    readonly path: string,
    private readonly opts: { durable?: boolean } = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = join(dirname(path), `.${basename(path)}.tmp-${HOST}-${process.pid}-${++counter}`);
    this.fd = openSync(this.tmp, 'w', 0o644);
  }

  write(data: string): void {
    if (this.fd === null) throw new Error(`${this.path}: write after commit or abort`);
    try {
      // write() may take less than asked (a full disk, a signal): loop until all bytes are down.
      const buf = Buffer.from(data, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      this.fail(e);
    }
  }

  commit(): void {
    if (this.fd === null) throw new Error(`${this.path}: commit after commit or abort`);
    const durable = this.opts.durable !== false;
    try {
      if (durable) fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.fail(e);
    }
    if (durable) fsyncDir(dirname(this.path));
  }

  /** Removes the temporary file (no partial file stays behind); safe to call twice. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* closed already */
      }
      this.fd = null;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      /* already gone */
    }
  }

  private fail(e: unknown): never {
    // ENOSPC, EIO …: nothing partial stays behind, and the error names the target.
    this.abort();
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err === 'object' && !err.path) err.path = this.path;
    throw e;
  }
}

function fsyncDir(dir: string): void {
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* some filesystems refuse directory fsync; the rename is still atomic */
  }
}

export function writeFileAtomicallySync(path: string, data: string, opts: { durable?: boolean } = {}): void {
  const w = new AtomicWriter(path, opts);
  w.write(data);
  w.commit();
}

/**
 * A JSON array written element by element and put in place atomically: byte for byte what
 * writeJsonSync would write for the whole list, without holding the list or its text.
 */
export class JsonArrayWriter {
  private n = 0;
  private readonly w: AtomicWriter;
  constructor(path: string) {
    this.w = new AtomicWriter(path);
  }
  push(x: unknown): void {
    this.w.write((this.n++ ? ',\n  ' : '[\n  ') + JSON.stringify(x, null, 2).replace(/\n/g, '\n  '));
  }
  commit(): void {
    this.w.write(this.n ? '\n]\n' : '[]\n');
    this.w.commit();
  }
  abort(): void {
    this.w.abort();
  }
}

export async function writeFileAtomically(path: string, data: string): Promise<void> {
  writeFileAtomicallySync(path, data);
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  writeFileAtomicallySync(path, JSON.stringify(value, null, 2) + '\n');
}

export function writeJsonSync(path: string, value: unknown): void {
  writeFileAtomicallySync(path, JSON.stringify(value, null, 2) + '\n');
}

export function toJsonl(rows: unknown[]): string {
  let s = '';
  for (const r of rows) s += JSON.stringify(r) + '\n';
  return s;
}

export function isTempFile(name: string): boolean {
  return TMP_RE.test(name);
}

/**
 * Whether a process of this host may still be running. Only "no such process" (ESRCH) says
 * it is gone; another user's process (EPERM) or any other doubt counts as alive, so its
 * files and leases are left alone.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes temporary files left by killed writers under dir (recursively): those of this
 * host whose process is gone, and any older than an hour (another host's crash).
 * Returns how many were removed.
 */
export function sweepTempFiles(dir: string, maxDepth = 4): number {
  let removed = 0;
  const walk = (d: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const m = TMP_RE.exec(name);
      if (m) {
        const stale =
          (m[2] === HOST && !pidAlive(Number(m[3]))) ||
          (() => {
            try {
              return Date.now() - statSync(p).mtimeMs > 3_600_000;
            } catch {
              return false;
            }
          })();
        if (stale) {
          try {
            unlinkSync(p);
            removed++;
          } catch {
            /* raced */
          }
        }
        continue;
      }
      if (depth < maxDepth && name !== 'cache' && name !== 'node_modules') {
        try {
          if (statSync(p).isDirectory()) walk(p, depth + 1);
        } catch {
          /* raced */
        }
      }
    }
  };
  walk(dir, 0);
  return removed;
}

/**
 * Throws a UserError unless `dir` exists as a writable directory or could be created
 * (its nearest existing ancestor is a writable directory). Leaves nothing behind.
 */
export function assertWritableDir(dir: string, what = 'output directory'): void {
  let p = resolve(dir);
  for (;;) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory())
        throw new UserError(`${what} ${dir} is not usable: ${p} is a file, not a directory; choose another path`);
      // Probe with a real create/remove: access() says yes to root on read-only mounts.
      try {
        accessSync(p, constants.W_OK | constants.X_OK);
        rmdirSync(mkdtempSync(join(p, '.bargain-probe-')));
      } catch {
        throw new UserError(
          `${what} ${dir} is not writable (cannot create files in ${p}); choose a writable path or fix its permissions`,
        );
      }
      return;
    }
    const parent = dirname(p);
    if (parent === p) return;
    p = parent;
  }
}
