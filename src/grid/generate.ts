/**
 * `generate`: resolve a grid (preset, grid file, subset flags) into configs and write
 * configs/config_N.json, all_configs.txt and summary.txt. Regenerating different content
 * over existing results is refused unless forced; forcing moves the previous grid's
 * files to archive/<timestamp>/ so nothing is lost (the content-addressed cache stays).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { canonicalJson, planGrid, type ExperimentConfig } from './config.ts';
import { writeFileAtomicallySync, writeJsonSync } from './files.ts';
import type { Layout } from './layout.ts';
import { PRESETS, type GridDefinition } from './presets.ts';

export interface GridOverrides {
  weak?: string[]; strong?: string[]; levels?: number[];
  numItems?: number; maxRounds?: number; runs?: number; baseSeed?: number;
}

const GridFileSchema = z.object({
  weak: z.array(z.string().min(1)).min(1),
  strong: z.array(z.string().min(1)).min(1),
  levels: z.array(z.number().min(0).max(1)).min(1),
  num_items: z.number().int().min(1).max(200).default(5),
  max_rounds: z.number().int().min(1).max(1000).default(10),
  num_runs: z.number().int().min(1).max(1000).default(4),
  base_seed: z.number().int().min(0).default(42),
  gamma_discount: z.number().gt(0).max(1).default(0.9),
  discussion_turns: z.number().int().min(0).max(20).default(1),
}).strict();

export function loadGrid(name: string): GridDefinition {
  if (PRESETS[name]) return structuredClone(PRESETS[name]);
  if (!name.endsWith('.json') && !existsSync(name)) {
    throw new UserError(`unknown grid "${name}": use --grid seed, --grid demo, or a path to a grid .json file`);
  }
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(name, 'utf8')); } catch (e) {
    throw new UserError(`cannot read grid file ${name} (${(e as Error).message}); fix the file or use --grid seed|demo`);
  }
  const r = GridFileSchema.safeParse(raw);
  if (!r.success) {
    throw new UserError(`grid file ${name} is invalid (${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}); ` +
      'it needs weak, strong and levels lists and may set num_items, max_rounds, num_runs, base_seed, gamma_discount, discussion_turns');
  }
  return r.data;
}

export function applyOverrides(g: GridDefinition, o: GridOverrides): GridDefinition {
  return {
    ...g,
    weak: o.weak ?? g.weak, strong: o.strong ?? g.strong, levels: o.levels ?? g.levels,
    num_items: o.numItems ?? g.num_items, max_rounds: o.maxRounds ?? g.max_rounds,
    num_runs: o.runs ?? g.num_runs, base_seed: o.baseSeed ?? g.base_seed,
  };
}

/** Existing config files, by id (unparseable ones as raw text). */
function existingConfigs(layout: Layout): Map<number, string> {
  const out = new Map<number, string>();
  const dir = layout.abs(layout.configsDir);
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const m = /^config_(\d+)\.json$/.exec(name);
    if (!m) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    let canon = text;
    try { canon = canonicalJson(JSON.parse(text)); } catch { /* keep raw */ }
    out.set(Number(m[1]), canon);
  }
  return out;
}

/** Whether any experiment of the current grid has started (a log or a completion flag). */
export function hasAnyResults(layout: Layout): boolean {
  const logs = layout.abs(layout.logsDir);
  return existsSync(logs) && readdirSync(logs).some((n) => /^(completed_\d+\.flag|experiment_\d+\.log)$/.test(n));
}

export type GenerateOutcome = { kind: 'unchanged' | 'written' | 'replaced'; count: number; archivedTo?: string };

export function sameGrid(layout: Layout, configs: ExperimentConfig[]): boolean {
  const existing = existingConfigs(layout);
  return existing.size === configs.length && configs.every((c) => existing.get(c.experiment_id) === canonicalJson(c));
}

export function generateGrid(layout: Layout, configs: ExperimentConfig[], force: boolean, grid: GridDefinition): GenerateOutcome {
  const existing = existingConfigs(layout);
  if (sameGrid(layout, configs)) return { kind: 'unchanged', count: configs.length };
  let archivedTo: string | undefined;
  if (existing.size > 0 && hasAnyResults(layout)) {
    if (!force) {
      throw new UserError(`${layout.root} already holds results of a different grid (${existing.size} configs); ` +
        'use another --results-dir, or --force to move the old grid to archive/ and start this one');
    }
    archivedTo = archivePrevious(layout);
  } else {
    // No results to orphan: drop configs that are not part of the new grid.
    for (const id of existing.keys()) if (id >= configs.length) unlinkSync(layout.abs(layout.config(id)));
  }
  for (const c of configs) writeJsonSync(layout.abs(layout.config(c.experiment_id)), c);
  writeFileAtomicallySync(layout.abs(layout.allConfigs), configs.map((c) =>
    `${c.experiment_id}\t${c.weak_model}\t${c.strong_model}\t${c.competition_level}\t${c.random_seed}\t${layout.config(c.experiment_id)}`).join('\n') + '\n');
  writeFileAtomicallySync(layout.abs(layout.summaryTxt), [
    `Scaling grid: ${configs.length} experiments`,
    `Weak models (${grid.weak.length}): ${grid.weak.join(', ')}`,
    `Strong models (${grid.strong.length}): ${grid.strong.join(', ')}`,
    `Competition levels (${grid.levels.length}): ${grid.levels.join(', ')}`,
    `Items ${grid.num_items}, rounds ${grid.max_rounds}, runs per experiment ${grid.num_runs}, gamma ${grid.gamma_discount}, discussion turns ${grid.discussion_turns}`,
    `Seeds ${grid.base_seed}..${grid.base_seed + configs.length - 1} (base seed + experiment id)`,
    `Generated ${new Date().toISOString()}`,
  ].join('\n') + '\n');
  return { kind: existing.size ? 'replaced' : 'written', count: configs.length, archivedTo };
}

function archivePrevious(layout: Layout): string {
  const rel = `archive/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const dest = layout.abs(rel);
  mkdirSync(dest, { recursive: true });
  for (const name of readdirSync(layout.root)) {
    if (name === 'archive' || name === 'cache') continue;
    renameSync(join(layout.root, name), join(dest, name));
  }
  return rel;
}

export function planFrom(gridName: string, o: GridOverrides): { grid: GridDefinition; configs: ExperimentConfig[] } {
  const grid = applyOverrides(loadGrid(gridName), o);
  return { grid, configs: planGrid(grid) };
}
