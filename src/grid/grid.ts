/**
 * Loading the generated grid from a results directory: every config validated up front
 * (a bad file stops everything before any work, with one line naming it), and job
 * selection (`--jobs 0-99,120`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { UserError } from '../errors.ts';
import type { Layout } from '../results/layout.ts';
import { type ExperimentConfig, readConfigFile } from '../results/index.ts';

export function configIds(layout: Layout): number[] {
  const dir = layout.abs(layout.configsDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => /^config_(\d+)\.json$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m![1]))
    .sort((a, b) => a - b);
}

export function loadConfigs(layout: Layout, ids?: number[]): ExperimentConfig[] {
  const all = configIds(layout);
  if (all.length === 0) {
    throw new UserError(
      `no experiment configs in ${layout.abs(layout.configsDir)}; run "bargain generate --grid demo" (or --grid seed) first`,
    );
  }
  const have = new Set(all);
  const pick = ids ?? all;
  const missing = pick.filter((id) => !have.has(id));
  if (missing.length) {
    throw new UserError(
      `no config for experiment ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''} in ${layout.abs(layout.configsDir)} ` +
        `(experiments there: ${describeIds(all)}); pick ids in range or regenerate`,
    );
  }
  return pick.map((id) => {
    const c = readConfigFile(layout.abs(layout.config(id)), layout.config(id));
    if (c.experiment_id !== id)
      throw new UserError(
        `${layout.config(id)} says experiment_id ${c.experiment_id}; it must be ${id} (fix it or regenerate)`,
      );
    return c;
  });
}

/**
 * `lastId`: the grid's highest experiment id. Ranges are cut a few ids past it before they
 * are expanded (enough for loadConfigs to name the first missing ones), so "0-30000000"
 * is one line at once instead of a 30-million-entry set.
 */
export function parseJobList(spec: string, lastId = Number.MAX_SAFE_INTEGER - 10): number[] {
  const out = new Set<number>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UserError(`--jobs takes ids and ranges like 0-99,120 (got "${part}")`);
    const a = Number(m[1]),
      b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new UserError(`--jobs range ${part} runs backwards; write it as ${b}-${a}`);
    for (let i = a, end = Math.min(b, lastId + 6); i <= end; i++) out.add(i);
    if (a > lastId + 6) out.add(a);
  }
  if (out.size === 0) throw new UserError('--jobs is empty; give ids and ranges like 0-99,120');
  return [...out].sort((x, y) => x - y);
}

/** parseJobList bounded by the configs present in the results directory. */
export function parseJobsFor(layout: Layout, spec: string): number[] {
  const ids = configIds(layout);
  return parseJobList(spec, ids.length ? ids[ids.length - 1] : -1);
}

export function describeIds(ids: number[]): string {
  if (ids.length === 0) return 'none';
  const parts: string[] = [];
  let start = ids[0],
    prev = ids[0];
  for (const id of ids.slice(1).concat([Number.NaN])) {
    if (id === prev + 1) {
      prev = id;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = prev = id;
  }
  return parts.join(',');
}
