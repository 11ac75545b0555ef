#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's built-in runner through tsx.
// Node 20 does not expand quoted globs, so the files are listed here explicitly.
// Extra arguments are passed through (e.g. a subset of files, or --test-name-pattern).
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
const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.ts'));
const flags = args.filter((a) => !a.endsWith('.ts'));
const list = files.length ? files : [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), [])].sort();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...list], {
  cwd: root, stdio: 'inherit',
});
process.exit(r.status ?? 1);
