/**
 * What prompt caching saves (issue 12): the seed grid's shape (real model names, 4 runs) on
 * the strict mock serving the seed's models as on SEED_DATE, run twice through the real CLI
 * in one bench run:
 *   with caching     the agents' requests carry cache breakpoints / prompt_cache_key and the
 *                    mock caches prefixes as each provider documents (src/mock/prompt-cache.ts);
 *   without caching  `--no-prompt-cache` and a mock that caches nothing (what a grid costs
 *                    where no provider caches: OpenAI and Gemini would cache some anyway).
 * Prints per model and in total: input tokens, cached reads and writes, input-token dollars
 * and total dollars both ways (registry list prices, as the call records bill them), and
 * checks the outcomes are identical. Target: billed input-token dollars with caching ≤ 35%
 * of those without. Exits 1 if a run fails or the outcomes differ; the target is reported.
 *
 *   node --import tsx bench/economy.ts [--levels 0.1,0.5,0.9] [--all-levels] [--keep]
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_DATE, startMockServer } from '../src/mock/server.ts';
import { loadRegistry } from '../src/providers/index.ts';
import { callCostUsd } from '../src/providers/cost.ts';
import { bargain, startBargain, tempDir } from '../test/helpers/grid.ts';
import { mockEnv, outcomes } from '../test/helpers/mock-grid.ts';
import type { ModelTotals } from '../src/results/index.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const levels = process.argv.includes('--all-levels') ? undefined : (arg('--levels') ?? '0.1,0.5,0.9');
const keep = process.argv.includes('--keep');

interface Pass {
  dir: string;
  wallS: number;
  byModel: Record<string, ModelTotals>;
  outcomes: Map<number, string>;
  requests: number;
}

async function pass(cache: boolean): Promise<Pass> {
  const { dir } = tempDir(`bargain-bench-economy-${cache ? 'cache' : 'nocache'}-`);
  const server = await startMockServer({ date: SEED_DATE, promptCache: cache, reasoningScale: 0.15 });
  try {
    const g = bargain([
      'generate',
      '--grid',
      'seed',
      '--allow-retired',
      '--results-dir',
      dir,
      ...(levels ? ['--levels', levels] : []),
    ]);
    if (g.status !== 0) throw new Error(`generate failed: ${g.stderr}`);
    const args = ['run', '--allow-retired', '--no-check', '--no-cache', '--results-dir', dir, '--parallel', '48'];
    for (const p of ['openai', 'anthropic', 'google'])
      args.push('--rpm', `${p}=100000`, '--tpm', `${p}=1000000000`, '--concurrency', `${p}=16`);
    if (!cache) args.push('--no-prompt-cache');
    const t0 = performance.now();
    const r = await startBargain(args, { env: mockEnv(server.url) }).done;
    const wallS = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`run exited ${r.status}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    const c = bargain(['collect', '--results-dir', dir]);
    if (c.status !== 0) throw new Error(`collect failed: ${c.stderr}`);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const out = new Map<number, string>();
    for (const sub of readdirSync(dir, { recursive: true }) as string[]) {
      const m = /result_(\d+)\.json$/.exec(sub);
      if (m) out.set(Number(m[1]), JSON.stringify(outcomes(dir, sub)));
    }
    return { dir, wallS, byModel: summary.by_model, outcomes: out, requests: server.stats().requests };
  } finally {
    await server.close();
  }
}

/** Dollars of the input tokens alone, as the call records bill them (cost.ts), at direct list prices. */
function inputDollars(model: string, t: ModelTotals): number {
  const price = loadRegistry().price(model);
  return callCostUsd(price, {
    inputTokens: t.input_tokens,
    outputTokens: 0,
    reasoningTokens: 0,
    cacheReadTokens: t.cache_read_tokens,
    cacheWriteTokens: t.cache_write_tokens,
  });
}

const fmt$ = (x: number) => `$${x.toFixed(2)}`;
const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '–');

const withCache = await pass(true);
const without = await pass(false);

let same = withCache.outcomes.size === without.outcomes.size && withCache.outcomes.size > 0;
let differing = 0;
for (const [id, o] of withCache.outcomes)
  if (without.outcomes.get(id) !== o) {
    same = false;
    differing++;
  }

console.log(
  `Seed grid on the mock (as on ${SEED_DATE}), levels ${levels ?? 'all'}, 4 runs: ${withCache.outcomes.size} experiments`,
);
console.log(
  `  with caching: ${withCache.requests} requests, ${withCache.wallS.toFixed(1)} s; without: ${without.requests} requests, ${without.wallS.toFixed(1)} s`,
);
console.log('');
console.log(
  [
    'model',
    'input tok',
    'cached read',
    'cache write',
    'input $ cached',
    'input $ uncached',
    'ratio',
    'total $ cached',
    'total $ uncached',
  ].join('\t'),
);
let inC = 0,
  inU = 0,
  totC = 0,
  totU = 0,
  tok = 0,
  read = 0,
  write = 0;
for (const model of Object.keys(without.byModel).sort()) {
  const c = withCache.byModel[model],
    u = without.byModel[model];
  const ic = inputDollars(model, c),
    iu = inputDollars(model, u);
  inC += ic;
  inU += iu;
  totC += c.cost_usd;
  totU += u.cost_usd;
  tok += c.input_tokens;
  read += c.cache_read_tokens;
  write += c.cache_write_tokens;
  console.log(
    [
      model,
      c.input_tokens,
      c.cache_read_tokens,
      c.cache_write_tokens,
      fmt$(ic),
      fmt$(iu),
      pct(ic, iu),
      fmt$(c.cost_usd),
      fmt$(u.cost_usd),
    ].join('\t'),
  );
}
console.log(['TOTAL', tok, read, write, fmt$(inC), fmt$(inU), pct(inC, inU), fmt$(totC), fmt$(totU)].join('\t'));
console.log('');
console.log(
  `Input-token dollars with caching: ${pct(inC, inU)} of those without (target ≤ 35%); cached reads ${pct(read, tok)} of input tokens.`,
);
console.log(`Total dollars: ${fmt$(totC)} with caching, ${fmt$(totU)} without (${pct(totC, totU)}).`);
console.log(`Outcomes identical both ways: ${same ? 'yes' : `NO (${differing} experiments differ)`}`);

if (!keep) {
  rmSync(withCache.dir, { recursive: true, force: true });
  rmSync(without.dir, { recursive: true, force: true });
} else console.log(`kept: ${withCache.dir} ${without.dir}`);
process.exit(same ? 0 : 1);
