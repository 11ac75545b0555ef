/** `bargain negotiate`: one experiment's negotiations between two (or more) models, end to end. */
import type { Command } from 'commander';
import { join } from 'node:path';
import {
  gameList,
  GAME_PARAMS as P,
  InfeasibleRequestError,
  isGameName,
  makeSpec,
  SpecError,
  TREATY_PARAMS,
  COFUNDING_PARAMS,
} from '../../game/index.ts';
import { NUM_RUNS, runCountProblem, runSeries, type RunDocument } from '../../protocol/series.ts';
import { AgentError } from '../../protocol/negotiation.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { UserError } from '../../errors.ts';
import { assertWritableDir, toJsonl, writeFileAtomically, writeJson } from '../../files.ts';
import { ModelResolver } from '../../grid/model-resolver.ts';
import { llmSettingsOf, withLlmOptions, type LlmFlags } from '../shared.ts';
import { gammaArg, intArg, levelArg } from '../options.ts';
import { formatRun } from '../format.ts';

interface Opts extends Omit<LlmFlags, 'models'> {
  modelsFile?: string;
  models: string[];
  competitionLevel?: number;
  game: string;
  theta?: number;
  rho?: number;
  numIssues?: number;
  alpha?: number;
  sigma?: number;
  numProjects?: number;
  numItems: number;
  maxRounds: number;
  gamma: number;
  runs?: number;
  seed: number;
  out?: string;
  json?: boolean;
  discussionTurns: number;
}

export function registerNegotiate(program: Command): void {
  withLlmOptions(
    program
      .command('negotiate')
      .description(
        "run one experiment's negotiations (seat-swapped pairs; seat rotations for 3+ models) and print the outcome",
      )
      .requiredOption('--models <models...>', 'two or more models, e.g. scripted:conceder scripted:boulware')
      .option('--game <name>', `the game: ${gameList()}`, 'item-allocation')
      .option('--competition-level <c>', 'target cosine similarity of the value vectors, 0..1 (default 0.9)', levelArg)
      .option('--theta <θ>', 'treaty: target cosine similarity of the issue weights, 0..1 (default 0.9)', levelArg)
      .option('--rho <ρ>', 'treaty: rank correlation of the ideal positions, -1..1 (default 0)', (s: string) => {
        const x = Number(s);
        if (s.trim() === '' || !(x >= -1 && x <= 1))
          throw new UserError(`--rho takes a number from -1 to 1 (got "${s}")`);
        return x;
      })
      .option('--alpha <α>', 'co-funding: target cosine similarity of the valuations, 0..1 (default 0.9)', levelArg)
      .option('--sigma <σ>', 'co-funding: total budget ÷ total cost, in (0, 1] (default 0.5)', (s: string) => {
        const x = Number(s);
        if (s.trim() === '' || !(x > 0 && x <= 1))
          throw new UserError(`--sigma takes a number above 0 and at most 1 (got "${s}")`);
        return x;
      })
      .option(
        '--num-projects <m>',
        'co-funding: projects to fund (default 5)',
        intArg('--num-projects', COFUNDING_PARAMS.projects.min, COFUNDING_PARAMS.projects.max),
      )
      .option(
        '--num-issues <k>',
        'treaty: issues to agree on (default 5)',
        intArg('--num-issues', TREATY_PARAMS.issues.min, TREATY_PARAMS.issues.max),
      )
      .option('--num-items <m>', 'items to allocate', intArg('--num-items', P.m.min, P.m.max), P.m.default)
      .option(
        '--max-rounds <t>',
        'rounds before no deal',
        intArg('--max-rounds', P.maxRounds.min, P.maxRounds.max),
        P.maxRounds.default,
      )
      .option('--gamma <g>', 'discount per round, in (0, 1]', gammaArg, P.gamma.default)
      .option(
        '--discussion-turns <k>',
        'discussion passes per round',
        intArg('--discussion-turns', P.discussionTurns.min, P.discussionTurns.max),
        P.discussionTurns.default,
      )
      .option(
        '--runs <r>',
        'negotiation runs: seat-swapped pairs, or for n models a multiple of n (every rotation of the seats per preference draw); default 2n',
        intArg('--runs', NUM_RUNS.min, NUM_RUNS.max),
      )
      .option('--seed <s>', 'random seed', intArg('--seed', 0), 42)
      .option('--out <dir>', 'write result.json and transcript.jsonl into this directory')
      .option('--json', 'print the result document as JSON on stdout'),
    { cache: false, modelsFileFlag: '--models-file' },
  ).action(async (o: Opts) => {
    await negotiate(o);
  });
}

async function negotiate(o: Opts): Promise<void> {
  if (o.models.length < 2)
    throw new UserError('--models needs at least two models, e.g. --models scripted:conceder scripted:boulware');
  if (!isGameName(o.game)) throw new UserError(`unknown game "${o.game}": use --game ${gameList()}`);
  const treaty = o.game === 'treaty';
  if (!treaty && (o.theta !== undefined || o.rho !== undefined || o.numIssues !== undefined)) {
    throw new UserError('--theta, --rho and --num-issues are treaty parameters; add --game treaty (or leave them out)');
  }
  if (treaty && o.competitionLevel !== undefined) {
    throw new UserError(
      "the treaty's level is --theta (the cosine of the issue weights); use it instead of --competition-level",
    );
  }
  const cofunding = o.game === 'cofunding';
  if (!cofunding && (o.alpha !== undefined || o.sigma !== undefined || o.numProjects !== undefined)) {
    throw new UserError(
      '--alpha, --sigma and --num-projects are co-funding parameters; add --game cofunding (or leave them out)',
    );
  }
  if (cofunding && o.competitionLevel !== undefined) {
    throw new UserError(
      "co-funding's level is --alpha (the cosine of the valuations); use it instead of --competition-level",
    );
  }
  const level = (treaty ? o.theta : cofunding ? o.alpha : o.competitionLevel) ?? 0.9;
  let spec;
  try {
    spec = makeSpec({
      game: o.game,
      ...(treaty ? { rho: o.rho ?? TREATY_PARAMS.rho.default } : {}),
      ...(cofunding ? { sigma: o.sigma ?? COFUNDING_PARAMS.sigma.default } : {}),
      n: o.models.length,
      m: treaty
        ? (o.numIssues ?? TREATY_PARAMS.issues.default)
        : cofunding
          ? (o.numProjects ?? COFUNDING_PARAMS.projects.default)
          : o.numItems,
      maxRounds: o.maxRounds,
      gamma: o.gamma,
      discussionTurns: o.discussionTurns,
    });
  } catch (e) {
    if (e instanceof SpecError) throw new UserError(e.message);
    throw e;
  }
  const runs = o.runs ?? 2 * spec.n;
  const countProblem = runCountProblem(runs, spec.n);
  if (countProblem) throw new UserError(`--runs: ${countProblem}`);
  const resolver = new ModelResolver(null, llmSettingsOf({ ...o, models: undefined }));
  const factory = resolver.factory(o.models); // unknown names and missing keys fail here, before any work
  if (o.out) assertWritableDir(o.out, '--out');
  const transcript: TranscriptEvent[] = [];
  let docs: RunDocument[];
  try {
    docs = await runSeries({
      spec,
      level,
      seed: o.seed,
      numRuns: runs,
      players: o.models.map((model) => ({ model, role: null })),
      factory,
      now: () => performance.now(),
      onRun: (_doc, events) => {
        transcript.push(...events);
      },
    });
  } catch (e) {
    if (e instanceof InfeasibleRequestError) throw new UserError(e.message);
    // a model that fails is the experiment failing, not a bug in bargain: one line, exit 1
    if (e instanceof AgentError) throw new UserError(`the negotiation failed: ${e.message}; nothing was written`, 1);
    throw e;
  }
  const doc = {
    models: o.models,
    ...(treaty ? { game: spec.game, rho: spec.rho } : {}),
    ...(cofunding ? { game: spec.game, sigma: spec.sigma } : {}),
    competition_level: level,
    ...(treaty ? { num_issues: spec.m } : cofunding ? { num_projects: spec.m } : { num_items: spec.m }),
    max_rounds: spec.maxRounds,
    gamma_discount: spec.gamma,
    discussion_turns: spec.discussionTurns,
    random_seed: o.seed,
    num_runs: runs,
    ...(treaty ? { issues: spec.items } : cofunding ? { projects: spec.items } : { items: spec.items }),
    runs: docs,
  };
  if (o.out) {
    await writeFileAtomically(join(o.out, 'transcript.jsonl'), toJsonl(transcript));
    await writeJson(join(o.out, 'result.json'), doc);
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  const lines = [
    treaty
      ? `Negotiation (diplomatic treaty): ${o.models.join(' vs ')} | theta ${level} | rho ${spec.rho} | ${spec.m} issues | ${spec.maxRounds} rounds | gamma ${spec.gamma} | seed ${o.seed}`
      : cofunding
        ? `Negotiation (co-funding): ${o.models.join(' vs ')} | alpha ${level} | sigma ${spec.sigma} | ${spec.m} projects | ${spec.maxRounds} rounds | gamma ${spec.gamma} | seed ${o.seed}`
        : `Negotiation: ${o.models.join(' vs ')} | level ${level} | ${spec.m} items | ${spec.maxRounds} rounds | gamma ${spec.gamma} | seed ${o.seed}`,
    `${treaty ? 'Issues' : cofunding ? 'Projects' : 'Items'}: ${spec.items.map((name, j) => `${j}=${name}`).join(', ')}`,
    '',
  ];
  for (const r of docs) lines.push(...formatRun(r, spec.items), '');
  if (o.out) lines.push(`Wrote ${join(o.out, 'result.json')} and ${join(o.out, 'transcript.jsonl')}`);
  process.stdout.write(lines.join('\n') + '\n');
}
