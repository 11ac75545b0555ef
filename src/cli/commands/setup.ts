/** `bargain setup`: check Node, dependencies, the results directory and keys/routes; print the next command. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ExitError } from '../../errors.ts';
import { assertWritableDir } from '../../files.ts';
import { layoutOf, withResultsDir } from '../shared.ts';
import { loadEnv, loadRegistry, tryRoute } from '../../providers/index.ts';
import { KEY_VARS } from '../../providers/env.ts';
import { PRESETS } from '../../grid/presets.ts';
import { standing, standingLine, today } from '../../providers/lifecycle.ts';

const KEYS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'];

export function registerSetup(program: Command): void {
  withResultsDir(
    program.command('setup').description('check the environment, keys and routes; print the next command'),
  ).action((f: { resultsDir: string }) => {
    const lines: string[] = [];
    let ok = true;
    const [major, minor] = process.versions.node.split('.').map(Number);
    const nodeOk = major > 20 || (major === 20 && minor >= 17);
    ok &&= nodeOk;
    lines.push(
      `${nodeOk ? 'ok  ' : 'FAIL'} Node ${process.versions.node}${nodeOk ? '' : ' (need ≥ 20.17: install a newer Node)'}`,
    );
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
    let env;
    try {
      env = loadEnv();
    } catch (e) {
      ok = false;
      lines.push(`FAIL ${(e as Error).message}`);
    }
    const present = env ? KEYS.filter((k) => env!.vars[k]) : [];
    lines.push(
      present.length
        ? `ok   API keys set: ${present.join(', ')} (values not shown)${env?.dotenvPath ? `, some from ${env.dotenvPath}` : ''}`
        : 'info no API keys set: only the offline grid (scripted negotiators) can run; set OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or OPENROUTER_API_KEY (or a .env file) for a grid of real models',
    );
    let routable = 0;
    if (env) {
      const registry = loadRegistry();
      const on = today();
      const current = [...PRESETS.current.weak, ...PRESETS.current.strong];
      // routes say only that a key is set; whether the model answers is what bargain check finds out
      lines.push("Routes of the current grid's models (a key is set; bargain check makes one real call each):");
      for (const m of current) {
        const r = tryRoute(m, { env, registry });
        if ('route' in r) routable++;
        const p = registry.get(m).provider;
        const direct =
          p in KEY_VARS && p !== 'openrouter'
            ? `${KEY_VARS[p as keyof typeof KEY_VARS].join(' or ')} (direct) or `
            : '';
        const s = standing(registry.get(m), on);
        const life = s.status === 'active' ? '' : `  [${standingLine(s)}]`;
        lines.push(
          'route' in r
            ? `  ok   ${m.padEnd(24)} ${r.route.label} (${r.route.modelId})${life}`
            : `  --   ${m.padEnd(24)} no route yet: set ${direct}OPENROUTER_API_KEY${life}`,
        );
      }
      const seed = [...PRESETS.seed.weak, ...PRESETS.seed.strong];
      const retired = seed.filter((m) => standing(registry.get(m), on).status === 'retired');
      if (retired.length)
        lines.push(
          `info the seed grid (--grid seed) is kept as written, but ${retired.length} of its ${seed.length} models are retired on ${on} (${retired.join(', ')}): bargain refuses it; use --grid current or --grid ladder`,
        );
    }
    const ready = routable === PRESETS.current.weak.length + PRESETS.current.strong.length;
    lines.push(
      '',
      ok
        ? `Next: ${ready ? `bargain generate --grid current --results-dir ${f.resultsDir}, then bargain check, bargain estimate and bargain run` : `bargain all --grid demo --results-dir ${f.resultsDir}   (offline; set the missing keys above for the current grid)`}`
        : 'Fix the FAIL lines above, then run bargain setup again.',
    );
    process.stdout.write(lines.join('\n') + '\n');
    if (!ok) throw new ExitError(1);
  });
}
