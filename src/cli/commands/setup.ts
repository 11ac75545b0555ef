/** `bargain setup`: check Node, dependencies, the results directory and keys/routes; print the next command. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ExitError } from '../../errors.ts';
import { assertWritableDir } from '../../grid/files.ts';
import { layoutOf, withResultsDir } from '../shared.ts';

const KEYS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'];

export function registerSetup(program: Command): void {
  withResultsDir(program.command('setup').description('check the environment, keys and routes; print the next command'))
    .action((f: { resultsDir: string }) => {
      const lines: string[] = [];
      let ok = true;
      const [major, minor] = process.versions.node.split('.').map(Number);
      const nodeOk = major > 20 || (major === 20 && minor >= 17);
      ok &&= nodeOk;
      lines.push(`${nodeOk ? 'ok  ' : 'FAIL'} Node ${process.versions.node}${nodeOk ? '' : ' (need ≥ 20.17: install a newer Node)'}`);
      const depsOk = existsSync(new URL('../../../node_modules/commander/package.json', import.meta.url));
      ok &&= depsOk;
      lines.push(`${depsOk ? 'ok  ' : 'FAIL'} dependencies${depsOk ? '' : ' missing: run npm ci'}`);
      try {
        assertWritableDir(layoutOf(f).root, 'results directory');
        lines.push(`ok   results directory ${f.resultsDir} is writable`);
      } catch (e) {
        ok = false;
        lines.push(`FAIL ${(e as Error).message}`);
      }
      const present = KEYS.filter((k) => process.env[k]);
      lines.push(present.length
        ? `ok   API keys set: ${present.join(', ')} (values not shown)`
        : 'info no API keys set: only the offline grid (scripted negotiators) can run; set OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or OPENROUTER_API_KEY (or a .env file) for the seed grid');
      lines.push('', ok ? `Next: bargain all --grid ${present.length ? 'seed' : 'demo'} --results-dir ${f.resultsDir}` : 'Fix the FAIL lines above, then run bargain setup again.');
      process.stdout.write(lines.join('\n') + '\n');
      if (!ok) throw new ExitError(1);
    });
}
