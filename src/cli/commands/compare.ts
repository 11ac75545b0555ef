/**
 * `bargain compare DIR [DIR …]`: the cross-game view over results directories (or a tree
 * holding several: each DIR without runs.csv contributes its subdirectories that have one).
 * Writes DIR_OUT/compare.html, its plots and compare.json.
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../errors.ts';
import { assertWritableDir, writeFileAtomicallySync, writeJsonSync } from '../../files.ts';
import { capabilityScores } from '../../grid/scores.ts';
import { crossGame, crossGameCharts } from '../../report/cross-game.ts';
import { crossGamePage } from '../../report/cross-game-page.ts';
import { readTables } from '../../report/load.ts';
import { renderCharts } from '../../report/render.ts';
import { registryScores } from './report.ts';

/** The results directories under the given paths: each path itself when it holds runs.csv, else its children that do. */
export function resultsDirsOf(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p))
      throw new UserError(`${p} not found; give results directories (each with a runs.csv from \`bargain collect\`)`);
    if (existsSync(join(p, 'runs.csv'))) {
      out.push(p);
      continue;
    }
    const kids = readdirSync(p, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(p, d.name, 'runs.csv')))
      .map((d) => join(p, d.name))
      .sort();
    if (!kids.length) {
      throw new UserError(
        `${p} holds no runs.csv, nor does any directory in it; run \`bargain collect --results-dir DIR\` first`,
      );
    }
    out.push(...kids);
  }
  return [...new Set(out.map((d) => resolve(d)))];
}

export async function compare(paths: string[], outDir: string, modelsFile?: string): Promise<string[]> {
  const dirs = resultsDirsOf(paths);
  const sets = dirs.map((dir) => ({ dir, runs: readTables(dir).runs }));
  const models = new Set(sets.flatMap((s) => s.runs.flatMap((r) => [r.weak_model, r.strong_model])));
  const scores = capabilityScores(models, await registryScores(modelsFile));
  const games = crossGame(sets, { scores });
  const charts = await renderCharts(crossGameCharts(games), { png: true });
  assertWritableDir(outDir, '--out');
  mkdirSync(join(outDir, 'plots'), { recursive: true });
  for (const c of charts) {
    if (c.svg) writeFileAtomicallySync(join(outDir, 'plots', `${c.id}.svg`), c.svg);
    if (c.png) writeFileSync(join(outDir, 'plots', `${c.id}.png`), c.png);
  }
  writeJsonSync(
    join(outDir, 'compare.json'),
    games.map(({ aggregates, ...g }) => ({ ...g, scaling_points: aggregates.scaling.points })),
  );
  const index = join(outDir, 'compare.html');
  writeFileAtomicallySync(index, crossGamePage({ games, charts, generatedAt: new Date().toISOString() }));
  return [
    `Cross-game comparison: ${index} (${games.map((g) => `${g.title}: ${g.runs} runs`).join('; ')} from ${dirs.length} results director${dirs.length === 1 ? 'y' : 'ies'})`,
    `  Open ${pathToFileURL(resolve(index)).href}`,
    ...games.map(
      (g) =>
        `  ${g.title}: stronger model's exploitation index ${g.strong_exploitation.mean === null ? '–' : g.strong_exploitation.mean.toFixed(3)} (95% CI ${g.strong_exploitation.lo?.toFixed(3) ?? '–'} to ${g.strong_exploitation.hi?.toFixed(3) ?? '–'})`,
    ),
  ];
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      "the cross-game view: each game's exploitation index against its own baseline, and advantage vs capability gap per game",
    )
    .argument('<dirs...>', 'results directories (or a directory holding several)')
    .option('--out <dir>', 'where to write compare.html, plots/ and compare.json', 'experiments/results/compare')
    .option('--models <file>', 'model registry file extending the built-in one (for capability scores)')
    .action(async (dirs: string[], f: { out: string; models?: string }) => {
      const lines = await compare(dirs, f.out, f.models);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
