/**
 * What a report was built from, so the next build reuses what has not changed
 * (report/build.json). Each experiment page is keyed by a fingerprint of its inputs (its
 * result document's text, its transcript's and config's size and modification time, its
 * neighbours and the grid title), each plot by its spec, the aggregates by runs.csv and
 * the options; all of them also by the report code itself, so a new version of bargain
 * rebuilds everything. A missing, unreadable or foreign build.json means: rebuild all.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Aggregates } from './aggregate.ts';

export const BUILD_FILE = 'build.json';

export interface PlotEntry {
  key: string;
  /** files written for it, relative to report/plots */
  files: string[];
  width?: number;
  height?: number;
}

export interface BuildRecord {
  version: 1;
  /** the report code's fingerprint: entries from another version are not trusted */
  code: string;
  aggregates?: { key: string; value: Aggregates };
  plots: Record<string, PlotEntry>;
  /** experiment id → fingerprint of its page's inputs */
  pages: Record<string, string>;
}

export const sha1 = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

let codeHash: string | undefined;
/** Hash of the report module's sources (tests excluded): a changed template or script means new pages. */
export function reportCodeHash(): string {
  if (codeHash) return codeHash;
  const root = fileURLToPath(new URL('.', import.meta.url));
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => /\.(ts|js|css)$/.test(f) && !/\.test\.ts$/.test(f))
    .sort();
  codeHash = sha1(...files.flatMap((f) => [f, readFileSync(join(root, f))]));
  return codeHash;
}

/** Size and modification time of a file ('-' when it does not exist): a cheap stand-in for its content. */
export function stamp(path: string | null): string {
  if (!path) return '-';
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return '-';
  }
}

export function emptyBuild(): BuildRecord {
  return { version: 1, code: reportCodeHash(), plots: {}, pages: {} };
}

/** The previous build's record, or an empty one when there is none this code can trust. */
export function readBuild(reportDir: string): BuildRecord {
  try {
    const b = JSON.parse(readFileSync(join(reportDir, BUILD_FILE), 'utf8')) as BuildRecord;
    if (b && b.version === 1 && b.code === reportCodeHash() && b.plots && b.pages) return b;
  } catch {
    /* none, or unreadable: rebuild everything */
  }
  return emptyBuild();
}

/** Whether every number in the aggregates is finite, so that JSON (which has no NaN or ±Infinity) keeps them exactly. */
export function jsonSafe(a: Aggregates): boolean {
  let finite = true;
  JSON.stringify(a, (_k, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) finite = false;
    return v;
  });
  return finite;
}
