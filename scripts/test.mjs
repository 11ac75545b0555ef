#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's built-in runner through tsx.
// Node 20 does not expand quoted globs, so the files are listed here explicitly.
// Extra arguments are passed through (e.g. a subset of files, or --test-name-pattern).
// `--lane unit` is the fast inner loop (npm run test:unit): the tests beside the code in src/,
// less the ones that spawn processes, render PNGs or sweep thousands of seeds (SLOW below).
// `npm test` (no lane) is the whole suite, what CI runs.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const SLOW = new Set([
  'src/report/write.test.ts', // whole fixture grids and reports
  'src/report/charts.test.ts', // PNG rendering
  'src/agents/scripted/strategies.test.ts', // strength gradients over many seeds
  'src/grid/lease.test.ts', // races between real processes
  'src/cli/commands/models.test.ts', // the CLI as a child process
  'src/game/treaty/nash.test.ts', // the treaty's Nash solver against brute force
]);
const args = process.argv.slice(2);
const lane = args.includes('--lane') ? args[args.indexOf('--lane') + 1] : null;
if (lane !== null && lane !== 'unit') {
  console.error(`unknown test lane "${lane}": use --lane unit (or no lane for the whole suite)`);
  process.exit(2);
}
const rest = lane ? args.filter((a, i) => a !== '--lane' && args[i - 1] !== '--lane') : args;
const files = rest.filter((a) => a.endsWith('.ts'));
const flags = rest.filter((a) => !a.endsWith('.ts'));
const all = [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), [])].sort();
const list = files.length ? files : lane === 'unit' ? all.filter((f) => f.startsWith('src/') && !SLOW.has(f)) : all;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...list], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
