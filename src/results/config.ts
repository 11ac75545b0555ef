/**
 * Experiment configs (DESIGN §4): the schema (validated once at load, defaults filled from
 * the game's parameters), the content hash that ties a result to its config, and the
 * game spec a config describes. Planning a grid into configs is src/grid/config.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, posix, win32 } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import {
  COFUNDING_PARAMS,
  GAME_PARAMS,
  GAME_NAMES,
  makeSpec,
  TREATY_PARAMS,
  type GameName,
  type GameSpec,
} from '../game/index.ts';
import { NUM_RUNS } from '../protocol/series.ts';

/** An output_dir is joined to the results directory: absolute or escaping paths would write elsewhere. */
function insideResults(dir: string): boolean {
  if (isAbsolute(dir) || win32.isAbsolute(dir) || dir.includes('\0')) return false;
  const n = posix.normalize(dir.replace(/\\/g, '/'));
  return n !== '..' && !n.startsWith('../');
}

export const ExperimentConfigSchema = z
  .object({
    experiment_id: z.number().int().min(0),
    weak_model: z.string().min(1),
    strong_model: z.string().min(1),
    competition_level: z.number().min(0).max(1),
    num_items: z.number().int().min(GAME_PARAMS.m.min).max(GAME_PARAMS.m.max).default(GAME_PARAMS.m.default),
    max_rounds: z
      .number()
      .int()
      .min(GAME_PARAMS.maxRounds.min)
      .max(GAME_PARAMS.maxRounds.max)
      .default(GAME_PARAMS.maxRounds.default),
    random_seed: z.number().int().min(0),
    output_dir: z.string().min(1).refine(insideResults, {
      message: 'must be a relative path that stays inside the results directory (no leading "/", no ".." out of it)',
    }),
    num_runs: z.number().int().min(NUM_RUNS.min).max(NUM_RUNS.max).default(NUM_RUNS.default),
    gamma_discount: z.number().gt(GAME_PARAMS.gamma.min).max(GAME_PARAMS.gamma.max).default(GAME_PARAMS.gamma.default),
    discussion_turns: z
      .number()
      .int()
      .min(GAME_PARAMS.discussionTurns.min)
      .max(GAME_PARAMS.discussionTurns.max)
      .default(GAME_PARAMS.discussionTurns.default),
    /** the game; absent means item allocation (configs from before games were plug-ins) */
    game: z.enum(GAME_NAMES as [GameName, ...GameName[]]).optional(),
    /** treaty: the rank correlation of the agents' positions (competition_level is θ, the cosine of their weights) */
    rho: z.number().min(TREATY_PARAMS.rho.min).max(TREATY_PARAMS.rho.max).optional(),
    /** treaty: the number of issues */
    num_issues: z.number().int().min(TREATY_PARAMS.issues.min).max(TREATY_PARAMS.issues.max).optional(),
    /** co-funding: total budget ÷ total cost (competition_level is α, the cosine of the valuations) */
    sigma: z.number().gt(COFUNDING_PARAMS.sigma.min).max(COFUNDING_PARAMS.sigma.max).optional(),
    /** co-funding: the number of projects */
    num_projects: z.number().int().min(COFUNDING_PARAMS.projects.min).max(COFUNDING_PARAMS.projects.max).optional(),
  })
  .superRefine((c, ctx) => {
    const treaty = c.game === 'treaty';
    for (const key of ['rho', 'num_issues'] as const) {
      if (treaty && c[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: 'a treaty config needs it' });
      if (!treaty && c[key] !== undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: 'only a treaty config (game "treaty") takes it' });
    }
  });

export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;

/** The game a config names (item allocation when it names none). */
export const gameNameOf = (c: { game?: GameName }): GameName => c.game ?? 'item-allocation';

/** The game a config describes: a grid experiment is always one weak and one strong model. */
export function specOf(
  c: Pick<
    ExperimentConfig,
    | 'num_items'
    | 'max_rounds'
    | 'gamma_discount'
    | 'discussion_turns'
    | 'game'
    | 'rho'
    | 'num_issues'
    | 'sigma'
    | 'num_projects'
  >,
): GameSpec {
  const treaty = c.game === 'treaty',
    cofunding = c.game === 'cofunding';
  return makeSpec({
    game: gameNameOf(c),
    ...(treaty ? { rho: c.rho } : {}),
    ...(cofunding ? { sigma: c.sigma } : {}),
    n: 2,
    m: treaty
      ? (c.num_issues ?? TREATY_PARAMS.issues.default)
      : cofunding
        ? (c.num_projects ?? COFUNDING_PARAMS.projects.default)
        : c.num_items,
    maxRounds: c.max_rounds,
    gamma: c.gamma_discount,
    discussionTurns: c.discussion_turns,
  });
}

export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object') {
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}

export function configHash(c: ExperimentConfig): string {
  return createHash('sha256').update(canonicalJson(c)).digest('hex').slice(0, 16);
}

function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses a config object; throws a UserError naming the file and field. */
export function parseConfig(raw: unknown, where: string): ExperimentConfig {
  const r = ExperimentConfigSchema.safeParse(raw);
  if (!r.success) {
    throw new UserError(
      `${where} is not a valid experiment config (${describeIssues(r.error)}); fix it, or rewrite it with the "bargain generate" command that made this grid (the other configs and all results are kept)`,
    );
  }
  return r.data;
}

export function readConfigFile(path: string, where = path): ExperimentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(
      `cannot read ${where} (${(e as NodeJS.ErrnoException).code ?? e}); run "bargain generate" first`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(
      `${where} is not valid JSON (${(e as Error).message}); fix it, or rewrite it with the "bargain generate" command that made this grid (the other configs and all results are kept)`,
    );
  }
  return parseConfig(raw, where);
}
