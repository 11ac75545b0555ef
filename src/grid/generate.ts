/**
 * `generate`: resolve a grid (preset, grid file, subset flags) into configs and write
 * configs/config_N.json, all_configs.txt and summary.txt. Regenerating different content
 * over existing results is refused unless forced; forcing moves the previous grid's
 * files (only those bargain writes) to archive/<timestamp>/ so nothing is lost (the
 * content-addressed cache stays). Damaged configs of the same grid are rewritten alone.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, parse, posix, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { CELL_DIR, planGrid } from './config.ts';
import { COFUNDING_PARAMS, GAME_NAMES, TREATY_PARAMS, type GameName } from '../game/index.ts';
import { SLURM_DIR, VISUALIZE_FILE } from '../results/layout.ts';
import { writeFileAtomicallySync, writeJsonSync } from '../files.ts';
import type { Layout } from '../results/layout.ts';
import { PRESETS, type GridDefinition } from './presets.ts';
import { canonicalJson, type ExperimentConfig, ExperimentConfigSchema } from '../results/index.ts';

export interface GridOverrides {
  weak?: string[];
  strong?: string[];
  levels?: number[];
  numItems?: number;
  maxRounds?: number;
  runs?: number;
  baseSeed?: number;
  game?: GameName;
  rho?: number[];
  numIssues?: number;
  sigma?: number[];
  numProjects?: number;
}

const GridFileSchema = z
  .object({
    weak: z.array(z.string().min(1)).min(1),
    strong: z.array(z.string().min(1)).min(1),
    levels: z.array(z.number().min(0).max(1)).min(1),
    num_items: z.number().int().min(1).max(200).default(5),
    max_rounds: z.number().int().min(1).max(1000).default(10),
    num_runs: z.number().int().min(1).max(1000).default(4),
    base_seed: z.number().int().min(0).default(42),
    gamma_discount: z.number().gt(0).max(1).default(0.9),
    discussion_turns: z.number().int().min(0).max(20).default(1),
    game: z.enum(GAME_NAMES as [GameName, ...GameName[]]).optional(),
    rho: z.array(z.number().min(TREATY_PARAMS.rho.min).max(TREATY_PARAMS.rho.max)).min(1).optional(),
    num_issues: z.number().int().min(TREATY_PARAMS.issues.min).max(TREATY_PARAMS.issues.max).optional(),
    sigma: z.array(z.number().gt(COFUNDING_PARAMS.sigma.min).max(COFUNDING_PARAMS.sigma.max)).min(1).optional(),
    num_projects: z.number().int().min(COFUNDING_PARAMS.projects.min).max(COFUNDING_PARAMS.projects.max).optional(),
  })
  .strict();

export function loadGrid(name: string): GridDefinition {
  if (PRESETS[name]) return structuredClone(PRESETS[name]);
  if (!name.endsWith('.json') && !existsSync(name)) {
    throw new UserError(`unknown grid "${name}": use --grid seed, --grid demo, or a path to a grid .json file`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(name, 'utf8'));
  } catch (e) {
    throw new UserError(
      `cannot read grid file ${name} (${(e as Error).message}); fix the file or use --grid seed|demo`,
    );
  }
  const r = GridFileSchema.safeParse(raw);
  if (!r.success) {
    throw new UserError(
      `grid file ${name} is invalid (${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}); ` +
        'it needs weak, strong and levels lists and may set num_items, max_rounds, num_runs, base_seed, gamma_discount, discussion_turns, game, for the treaty rho (a list) and num_issues, for co-funding sigma (a list) and num_projects',
    );
  }
  return r.data;
}

export function applyOverrides(g: GridDefinition, o: GridOverrides): GridDefinition {
  const game = o.game ?? g.game;
  if (game !== 'treaty' && (o.rho ?? g.rho ?? o.numIssues ?? g.num_issues) !== undefined) {
    throw new UserError('--rho and --num-issues are treaty parameters; add --game treaty (or leave them out)');
  }
  if (game !== 'cofunding' && (o.sigma ?? g.sigma ?? o.numProjects ?? g.num_projects) !== undefined) {
    throw new UserError(
      '--sigma and --num-projects are co-funding parameters; add --game cofunding (or leave them out)',
    );
  }
  return {
    ...g,
    ...(game === 'treaty'
      ? {
          game,
          rho: o.rho ?? g.rho ?? [TREATY_PARAMS.rho.default],
          num_issues: o.numIssues ?? g.num_issues ?? TREATY_PARAMS.issues.default,
        }
      : {}),
    ...(game === 'cofunding'
      ? {
          game,
          sigma: o.sigma ?? g.sigma ?? [COFUNDING_PARAMS.sigma.default],
          num_projects: o.numProjects ?? g.num_projects ?? COFUNDING_PARAMS.projects.default,
        }
      : {}),
    weak: o.weak ?? g.weak,
    strong: o.strong ?? g.strong,
    levels: o.levels ?? g.levels,
    num_items: o.numItems ?? g.num_items,
    max_rounds: o.maxRounds ?? g.max_rounds,
    num_runs: o.runs ?? g.num_runs,
    base_seed: o.baseSeed ?? g.base_seed,
  };
}

/** Existing config files, by id (unparseable ones as raw text). */
function existingConfigs(layout: Layout): Map<number, string> {
  const out = new Map<number, string>();
  for (const [id, e] of readExisting(layout)) out.set(id, e.canon);
  return out;
}

/** Each config file: its canonical text (raw when unparseable) and whether it is a valid config for its id. */
function readExisting(layout: Layout): Map<number, { canon: string; valid: boolean; outputDir?: string }> {
  const out = new Map<number, { canon: string; valid: boolean; outputDir?: string }>();
  const dir = layout.abs(layout.configsDir);
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const m = /^config_(\d+)\.json$/.exec(name);
    if (!m) continue;
    const id = Number(m[1]);
    let text = '';
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      /* unreadable: damaged */
    }
    let canon = text,
      valid = false,
      outputDir: string | undefined;
    try {
      const raw = JSON.parse(text);
      canon = canonicalJson(raw);
      const r = ExperimentConfigSchema.safeParse(raw);
      valid = r.success && r.data.experiment_id === id;
      if (r.success) outputDir = r.data.output_dir;
    } catch {
      /* keep raw */
    }
    out.set(id, { canon, valid, outputDir });
  }
  return out;
}

/** Whether any experiment of the current grid has started (a log or a completion flag). */
export function hasAnyResults(layout: Layout): boolean {
  const logs = layout.abs(layout.logsDir);
  return existsSync(logs) && readdirSync(logs).some((n) => /^(completed_\d+\.flag|experiment_\d+\.log)$/.test(n));
}

export type GenerateOutcome = {
  kind: 'unchanged' | 'written' | 'replaced' | 'repaired';
  count: number;
  archivedTo?: string;
  repaired?: number[];
};

export function sameGrid(layout: Layout, configs: ExperimentConfig[]): boolean {
  const existing = existingConfigs(layout);
  return existing.size === configs.length && configs.every((c) => existing.get(c.experiment_id) === canonicalJson(c));
}

export function generateGrid(
  layout: Layout,
  configs: ExperimentConfig[],
  force: boolean,
  grid: GridDefinition,
): GenerateOutcome {
  assertSafeResultsDir(layout.root);
  const existing = readExisting(layout);
  if (sameGrid(layout, configs)) return { kind: 'unchanged', count: configs.length };
  let archivedTo: string | undefined;
  let kind: GenerateOutcome['kind'] = existing.size ? 'replaced' : 'written';
  const byId = new Map(configs.map((c) => [c.experiment_id, canonicalJson(c)]));
  // The same grid with some configs damaged (edited into invalid JSON, deleted): rewrite those
  // alone, so one bad file never costs the other experiments' results.
  const repair =
    existing.size > 0 && [...existing].every(([id, e]) => byId.has(id) && (!e.valid || e.canon === byId.get(id)));
  if (repair) {
    kind = 'repaired';
  } else if (existing.size > 0 && hasAnyResults(layout)) {
    if (!force) {
      throw new UserError(
        `${layout.root} already holds results of a different grid (${existing.size} configs); ` +
          'use another --results-dir, or --force to move the old grid to archive/ and start this one',
      );
    }
    archivedTo = archivePrevious(
      layout,
      [...existing.values()].map((e) => e.outputDir),
    );
  } else {
    if (existing.size === 0 && !force) refuseForeignFiles(layout);
    // No results to orphan: drop configs that are not part of the new grid.
    for (const id of existing.keys()) if (!byId.has(id)) unlinkSync(layout.abs(layout.config(id)));
  }
  const changed = configs.filter((c) => existing.get(c.experiment_id)?.canon !== byId.get(c.experiment_id));
  for (const c of repair ? changed : configs) writeJsonSync(layout.abs(layout.config(c.experiment_id)), c);
  writeFileAtomicallySync(
    layout.abs(layout.allConfigs),
    configs
      .map(
        (c) =>
          `${c.experiment_id}\t${c.weak_model}\t${c.strong_model}\t${c.competition_level}\t${c.random_seed}\t${layout.config(c.experiment_id)}`,
      )
      .join('\n') + '\n',
  );
  writeFileAtomicallySync(
    layout.abs(layout.summaryTxt),
    [
      `Scaling grid: ${configs.length} experiments`,
      `Weak models (${grid.weak.length}): ${grid.weak.join(', ')}`,
      `Strong models (${grid.strong.length}): ${grid.strong.join(', ')}`,
      ...(grid.game === 'treaty'
        ? [
            `Game: diplomatic treaty, ${grid.num_issues} issues; rho (rank correlation of positions) ${grid.rho!.join(', ')}`,
            `Theta, the cosine of the issue weights (${grid.levels.length}): ${grid.levels.join(', ')}`,
          ]
        : grid.game === 'cofunding'
          ? [
              `Game: co-funding, ${grid.num_projects} projects; sigma (total budget / total cost) ${grid.sigma!.join(', ')}`,
              `Alpha, the cosine of the valuations (${grid.levels.length}): ${grid.levels.join(', ')}`,
            ]
          : [`Competition levels (${grid.levels.length}): ${grid.levels.join(', ')}`]),
      `${grid.game === 'treaty' ? `Issues ${grid.num_issues}` : grid.game === 'cofunding' ? `Projects ${grid.num_projects}` : `Items ${grid.num_items}`}, rounds ${grid.max_rounds}, runs per experiment ${grid.num_runs}, gamma ${grid.gamma_discount}, discussion turns ${grid.discussion_turns}`,
      `Seeds ${grid.base_seed}..${grid.base_seed + configs.length - 1} (base seed + experiment id)`,
      `Generated ${new Date().toISOString()}`,
    ].join('\n') + '\n',
  );
  return {
    kind,
    count: configs.length,
    archivedTo,
    repaired: repair ? changed.map((c) => c.experiment_id) : undefined,
  };
}

/**
 * The top-level names bargain writes in a results directory (layout.ts, collect, report,
 * slurm). Only these, and the grid's own <weak>_vs_<strong>/ output directories, are
 * bargain's: everything else (.git, .env, notes) belongs to the user and is never moved.
 */
const OWN_NAMES = [
  'configs',
  'logs',
  'all_configs.txt',
  'summary.txt',
  'all_results.json',
  'summary.json',
  'results.csv',
  'runs.csv',
  'aggregates.csv',
  'aggregates.json',
  VISUALIZE_FILE,
  'report',
  SLURM_DIR,
];
/** Also bargain's, but never archived: the archive itself, and the content-addressed cache a new grid reuses. */
const KEPT_NAMES = ['archive', 'cache'];
/** Left behind by interrupted writers (files.ts temporary names, report builds, writability probes) or the OS. */
const LEFTOVER = /^(\..+\.tmp-.+-\d+-\d+|\.report\.(building|old)-\d+|\.bargain-probe-.*|\.DS_Store|Thumbs\.db)$/;

/** An output directory as planGrid names it (outputDir): <weak>_vs_<strong> holding only comp_<level> directories. */
function looksLikeOutputDir(root: string, name: string): boolean {
  if (!name.includes('_vs_')) return false;
  try {
    return statSync(join(root, name)).isDirectory() && readdirSync(join(root, name)).every((n) => CELL_DIR.test(n));
  } catch {
    return false;
  }
}

function refuseForeignFiles(layout: Layout): void {
  let names: string[];
  try {
    names = readdirSync(layout.root);
  } catch {
    return;
  } // missing: created fresh
  const own = new Set([...OWN_NAMES, ...KEPT_NAMES]);
  const foreign = names.filter((n) => !own.has(n) && !LEFTOVER.test(n) && !looksLikeOutputDir(layout.root, n));
  if (foreign.length) {
    const shown = foreign.sort().slice(0, 3).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
    throw new UserError(
      `${layout.root} holds files bargain did not write (${shown}); use an empty or new --results-dir ` +
        '(e.g. a subdirectory), or add --force to write the grid beside them (they are never moved or changed)',
    );
  }
}

/**
 * Refuses a results directory that is the filesystem root or the home directory: bargain
 * writes configs/, logs/ and tables there, and `generate --force` moves its own files out.
 */
export function assertSafeResultsDir(dir: string): void {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const p = real(dir);
  if (p === parse(p).root) {
    throw new UserError(
      `results directory ${dir} is the filesystem root; give bargain a directory of its own, e.g. --results-dir experiments/results/NAME`,
    );
  }
  const home = homedir();
  if (home && p === real(home)) {
    throw new UserError(
      `results directory ${dir} is your home directory; give bargain a directory of its own, e.g. --results-dir ${join(dir, 'bargain-results')}`,
    );
  }
}

function archivePrevious(layout: Layout, outputDirs: (string | undefined)[]): string {
  const rel = `archive/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const dest = layout.abs(rel);
  const tops = outputDirs
    .filter((d): d is string => d !== undefined)
    .map((d) => posix.normalize(d.replace(/\\/g, '/')).split('/')[0]);
  const names = new Set([...OWN_NAMES, ...tops.filter((t) => t && t !== '.' && t !== '..' && !KEPT_NAMES.includes(t))]);
  for (const n of readdirSync(layout.root)) if (looksLikeOutputDir(layout.root, n)) names.add(n);
  mkdirSync(dest, { recursive: true });
  for (const name of names) {
    if (existsSync(join(layout.root, name))) renameSync(join(layout.root, name), join(dest, name));
  }
  return rel;
}

export function planFrom(gridName: string, o: GridOverrides): { grid: GridDefinition; configs: ExperimentConfig[] } {
  const grid = applyOverrides(loadGrid(gridName), o);
  return { grid, configs: planGrid(grid) };
}
