/** `bargain generate`: write the grid's config files. */
import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import { COFUNDING_PARAMS, gameList, GAME_PARAMS as P, isGameName, TREATY_PARAMS } from '../../game/index.ts';
import { NUM_RUNS } from '../../protocol/series.ts';
import { assertWritableDir } from '../../files.ts';
import { generateGrid, planFrom, type GridOverrides } from '../../grid/generate.ts';
import { ModelResolver } from '../../grid/model-resolver.ts';
import { intArg, listArg } from '../options.ts';
import { layoutOf, withResultsDir } from '../shared.ts';
import { describeIds } from '../../grid/grid.ts';
import type { Layout } from '../../results/layout.ts';

export interface GenerateFlags {
  grid: string;
  weak?: string[];
  strong?: string[];
  levels?: string[];
  game?: string;
  rho?: string[];
  theta?: string[];
  numIssues?: number;
  alpha?: string[];
  sigma?: string[];
  numProjects?: number;
  numItems?: number;
  maxRounds?: number;
  runs?: number;
  baseSeed?: number;
  force?: boolean;
  resultsDir: string;
  models?: string;
  allowRetired?: boolean;
}

export function addGridFlags(cmd: Command): Command {
  return cmd
    .option('--grid <name>', 'preset (seed, current, ladder, demo) or a grid .json file', 'seed')
    .option('--weak <models>', 'weak models, comma-separated (narrows or overrides the preset)', listArg)
    .option('--strong <models>', 'strong models, comma-separated', listArg)
    .option('--levels <levels>', 'competition levels, comma-separated, each 0..1', listArg)
    .option('--game <name>', `the game: ${gameList()} (default item-allocation)`)
    .option(
      '--alpha <levels>',
      'co-funding: α, the cosine of the valuations, comma-separated (its level axis)',
      listArg,
    )
    .option(
      '--sigma <values>',
      'co-funding: σ, total budget ÷ total cost, in (0, 1], comma-separated (default 0.5)',
      listArg,
    )
    .option(
      '--num-projects <m>',
      'co-funding: projects per negotiation',
      intArg('--num-projects', COFUNDING_PARAMS.projects.min, COFUNDING_PARAMS.projects.max),
    )
    .option('--theta <levels>', 'treaty: θ, the cosine of the issue weights, comma-separated (its level axis)', listArg)
    .option(
      '--rho <values>',
      'treaty: ρ, the rank correlation of positions, -1..1, comma-separated (default 0)',
      listArg,
    )
    .option(
      '--num-issues <k>',
      'treaty: issues per negotiation',
      intArg('--num-issues', TREATY_PARAMS.issues.min, TREATY_PARAMS.issues.max),
    )
    .option('--num-items <m>', 'items per negotiation', intArg('--num-items', P.m.min, P.m.max))
    .option('--max-rounds <t>', 'rounds per negotiation', intArg('--max-rounds', P.maxRounds.min, P.maxRounds.max))
    .option('--runs <r>', 'negotiation runs per experiment', intArg('--runs', NUM_RUNS.min, NUM_RUNS.max))
    .option('--base-seed <s>', 'seed of experiment 0 (seed = base + id)', intArg('--base-seed', 0))
    .option('--force', 'replace a different grid that already has results (moved to archive/)');
}

/** generate's own flags (all/run take --models with the other LLM options). */
export function addModelsFileFlag(cmd: Command): Command {
  return cmd
    .option('--models <file>', 'a models JSON file that extends or overrides the built-in registry')
    .option(
      '--allow-retired',
      "accept models the registry lists as retired on today's date (warns instead of refusing)",
    );
}

function numbersIn(flag: string, list: string[] | undefined, lo: number, hi: number): number[] | undefined {
  return list?.map((s) => {
    const x = Number(s);
    if (s.trim() === '' || !Number.isFinite(x) || x < lo || x > hi)
      throw new UserError(`${flag} takes numbers from ${lo} to ${hi} (got "${s}")`);
    return x;
  });
}

export function overridesOf(f: GenerateFlags): GridOverrides {
  if (f.game !== undefined && !isGameName(f.game)) {
    throw new UserError(`unknown game "${f.game}": use --game ${gameList()}`);
  }
  const treaty = f.game === 'treaty';
  if (!treaty && (f.theta || f.rho || f.numIssues !== undefined)) {
    throw new UserError('--theta, --rho and --num-issues are treaty parameters; add --game treaty (or leave them out)');
  }
  if (f.theta && f.levels) throw new UserError("--theta and --levels both set the treaty's level axis; give one");
  if (f.game !== 'cofunding' && (f.alpha || f.sigma || f.numProjects !== undefined)) {
    throw new UserError(
      '--alpha, --sigma and --num-projects are co-funding parameters; add --game cofunding (or leave them out)',
    );
  }
  if (f.alpha && f.levels) throw new UserError("--alpha and --levels both set co-funding's level axis; give one");
  const levelFlag = f.theta ? '--theta' : f.alpha ? '--alpha' : '--levels';
  const levels = numbersIn(levelFlag, f.theta ?? f.alpha ?? f.levels, 0, 1);
  const rho = numbersIn('--rho', f.rho, TREATY_PARAMS.rho.min, TREATY_PARAMS.rho.max);
  const sigma = numbersIn('--sigma', f.sigma, 0, 1);
  if (sigma?.some((x) => x === 0)) throw new UserError('--sigma takes numbers above 0 and at most 1 (got 0)');
  for (const [flag, list] of [
    ['--weak', f.weak],
    ['--strong', f.strong],
    ['--levels', f.levels],
    ['--theta', f.theta],
    ['--rho', f.rho],
    ['--alpha', f.alpha],
    ['--sigma', f.sigma],
  ] as const) {
    if (list && list.length === 0) throw new UserError(`${flag} is empty; give a comma-separated list`);
  }
  return {
    ...(f.game !== undefined ? { game: f.game as GridOverrides['game'] } : {}),
    ...(rho ? { rho } : {}),
    ...(f.numIssues !== undefined ? { numIssues: f.numIssues } : {}),
    ...(sigma ? { sigma } : {}),
    ...(f.numProjects !== undefined ? { numProjects: f.numProjects } : {}),
    weak: f.weak,
    strong: f.strong,
    levels,
    numItems: f.numItems,
    maxRounds: f.maxRounds,
    runs: f.runs,
    baseSeed: f.baseSeed,
  };
}

/** Plans and writes the grid; returns a one-line description. */
export function generateFrom(layout: Layout, f: GenerateFlags): { message: string; count: number } {
  const { grid, configs } = planFrom(f.grid, overridesOf(f));
  const resolver = new ModelResolver(null, { modelsFile: f.models, allowRetired: f.allowRetired });
  resolver.checkNames([...grid.weak, ...grid.strong], resolver.expectedEnd(configs));
  assertWritableDir(layout.root, 'results directory');
  const out = generateGrid(layout, configs, Boolean(f.force), grid);
  const where = layout.root;
  const message =
    out.kind === 'unchanged'
      ? `${out.count} configs in ${where}/configs already match this grid; nothing to do`
      : out.kind === 'repaired'
        ? `Rewrote ${out.repaired!.length} missing or damaged config${out.repaired!.length === 1 ? '' : 's'} (${describeIds(out.repaired!)}) in ${where}/configs; ` +
          'the other configs and all results are kept'
        : `Wrote ${out.count} configs to ${where}/configs (${grid.weak.length} weak × ${grid.strong.length} strong × ${grid.game === 'treaty' ? `${grid.rho!.length} rho × ${grid.levels.length} theta` : grid.game === 'cofunding' ? `${grid.sigma!.length} sigma × ${grid.levels.length} alpha` : `${grid.levels.length} levels`})` +
          (out.archivedTo ? `; the previous grid's files were moved to ${where}/${out.archivedTo}` : '');
  return { message, count: out.count };
}

export function registerGenerate(program: Command): void {
  withResultsDir(
    addModelsFileFlag(addGridFlags(program.command('generate').description("write the grid's experiment configs"))),
  ).action((f: GenerateFlags) => {
    const layout = layoutOf(f);
    process.stdout.write(generateFrom(layout, f).message + '\n');
  });
}
