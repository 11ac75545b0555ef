/**
 * `bargain check`: before a grid spends money, one minimal real call per API model of the
 * grid (src/grid/preflight.ts) with the sampling the grid will send, and each model's
 * lifecycle status on today's date. Prints a table; exits 1 if any model fails. The grid is
 * the results directory's configs, or a preset / grid file / model list given here.
 */
import type { Command } from 'commander';
import { ExitError, UserError } from '../../errors.ts';
import { ModelResolver } from '../../grid/model-resolver.ts';
import { loadConfigs, parseJobsFor } from '../../grid/grid.ts';
import { planFrom } from '../../grid/generate.ts';
import { checkedModels, checkModels, formatCheck, rememberPasses } from '../../grid/preflight.ts';
import { standing, standingLine, today } from '../../providers/lifecycle.ts';
import { listArg } from '../options.ts';
import { layoutOf, llmSettingsOf, withLlmOptions, withResultsDir, type LlmFlags } from '../shared.ts';
import { existsSync } from 'node:fs';

interface CheckFlags extends LlmFlags {
  resultsDir: string;
  grid?: string;
  only?: string[];
  jobs?: string;
  json?: boolean;
}

export function registerCheck(program: Command): void {
  withLlmOptions(
    withResultsDir(
      program
        .command('check')
        .description(
          'one minimal real call per model of the grid (route, key, served model, latency); exits 1 if any fails',
        )
        .option('--grid <name>', "check this preset or grid .json file instead of the results directory's configs")
        .option('--only <models>', 'check just these models, comma-separated', listArg)
        .option('--jobs <list>', 'only the models of these experiment ids, e.g. 0-99')
        .option('--json', 'print the rows as JSON'),
    ),
    { cache: false },
  ).action(async (f: CheckFlags) => {
    await check(f);
  });
}

async function check(f: CheckFlags): Promise<void> {
  const layout = layoutOf(f);
  let models: string[];
  let fromResults = false;
  if (f.only) models = f.only;
  else if (f.grid) {
    const { grid } = planFrom(f.grid, {});
    models = [...grid.weak, ...grid.strong];
  } else {
    if (!existsSync(layout.abs(layout.configsDir))) {
      throw new UserError(
        `no configs in ${layout.root}; fix: generate the grid first (bargain generate --grid NAME), or check one with --grid NAME or --only MODEL,…`,
      );
    }
    models = loadConfigs(layout, f.jobs ? parseJobsFor(layout, f.jobs) : undefined).flatMap((c) => [
      c.weak_model,
      c.strong_model,
    ]);
    fromResults = true;
  }
  // a retired model is called anyway: the check is about what the provider answers now
  const resolver = new ModelResolver(null, { ...llmSettingsOf(f), noCache: true });
  resolver.checkKnown(models);
  const api = checkedModels(models);
  if (api.length === 0) {
    process.stdout.write('Nothing to check: the grid has only scripted negotiators (offline).\n');
    return;
  }
  for (const m of api) resolver.route(m); // a missing key is one line before any call
  const rows = await checkModels(resolver, api);
  const on = today();
  if (f.json) {
    process.stdout.write(
      JSON.stringify(
        {
          checked_at: new Date().toISOString(),
          rows: rows.map((r) => ({ ...r, lifecycle: standing(resolver.registry.get(r.model), on) })),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const notes = api.map((m) => standing(resolver.registry.get(m), on)).filter((s) => s.status !== 'active');
    process.stdout.write(
      [
        ...formatCheck(rows),
        ...(notes.length ? ['Lifecycle on ' + on + ':', ...notes.map((s) => `  ${standingLine(s)}`)] : []),
      ].join('\n') + '\n',
    );
  }
  // passes remembered so that run/all/retry within the hour need not repeat them
  if (fromResults) rememberPasses(layout, resolver, rows);
  if (rows.some((r) => !r.ok)) throw new ExitError(1);
}
