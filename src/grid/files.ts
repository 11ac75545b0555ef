/**
 * Atomic file writes (temporary file + rename, via write-file-atomic) and the
 * writability checks done before any work starts, so bad paths fail early.
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { UserError } from '../errors.ts';

export async function writeFileAtomically(path: string, data: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await writeFileAtomic(path, data, { fsync: true });
}

export function writeFileAtomicallySync(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic.sync(path, data, { fsync: true });
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, JSON.stringify(value, null, 2) + '\n');
}

export function toJsonl(rows: unknown[]): string {
  let s = '';
  for (const r of rows) s += JSON.stringify(r) + '\n';
  return s;
}

/**
 * Throws a UserError unless `dir` exists as a writable directory or could be created
 * (its nearest existing ancestor is a writable directory). Leaves nothing behind.
 */
export function assertWritableDir(dir: string, what = 'output directory'): void {
  let p = resolve(dir);
  for (;;) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) throw new UserError(`${what} ${dir} is not usable: ${p} is a file, not a directory; choose another path`);
      // Probe with a real create/remove: access() says yes to root on read-only mounts.
      try {
        accessSync(p, constants.W_OK | constants.X_OK);
        rmdirSync(mkdtempSync(join(p, '.bargain-probe-')));
      } catch {
        throw new UserError(`${what} ${dir} is not writable (cannot create files in ${p}); choose a writable path or fix its permissions`);
      }
      return;
    }
    const parent = dirname(p);
    if (parent === p) return;
    p = parent;
  }
}
