/**
 * `bargain models [--models FILE] [--base-url MODEL=URL …] [--json]`: every registry model with
 * its provider, ids, prices, capability score, context window and the route it would take now
 * given the environment and ./.env (or the key that is missing). Never prints a key value.
 */
import type { Command } from 'commander';
import { loadEnv, type ProviderEnv } from '../../providers/env.ts';
import { loadRegistry, type ModelEntry, type Registry } from '../../providers/registry.ts';
import { keyHint, parseBaseUrlFlags, tryRoute, type Route } from '../../providers/route.ts';
import { displayUrl } from '../../providers/scrub.ts';
import { PROVIDER_NAMES, keysFor, KEY_VARS, providerBaseUrl } from '../../providers/env.ts';
import { standing, today, type ModelStanding } from '../../providers/lifecycle.ts';
import {
  listModels as listProviderModels,
  type ListedProvider,
  type ListedModel,
} from '../../providers/list-models.ts';
import { sameModelId } from '../../providers/served.ts';
import { ExitError } from '../../errors.ts';

function statusCell(s: ModelStanding): string {
  if (s.status === 'retired') return `RETIRED ${s.retires ?? ''}`.trim();
  if (s.status === 'unreleased') return 'unreleased';
  if (s.retires !== undefined) return `${s.status}, ${s.daysLeft} d left`;
  return s.status;
}

const LIVE: ListedProvider[] = ['openai', 'anthropic', 'google', 'openrouter'];

/**
 * `models --live`: each provider with a key lists the models that key can call; every
 * registry model of that provider is marked available or missing there, and each listed
 * model the registry does not know is named. Exit 1 if a provider could not be asked.
 */
async function listLive(o: Opts): Promise<void> {
  const registry = loadRegistry(o.models);
  const env = loadEnv();
  const asked = LIVE.map((p) => ({ p, key: keysFor(env, KEY_VARS[p])[0] })).filter((x) => x.key !== undefined);
  if (asked.length === 0) {
    process.stdout.write(
      'No provider key is set, so no provider can be asked; set OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or OPENROUTER_API_KEY (bargain setup shows them).\n',
    );
    throw new ExitError(1);
  }
  const results = await Promise.all(
    asked.map(async ({ p, key }) => ({
      p,
      key: key!,
      res: await listProviderModels(p, providerBaseUrl(env, p), key!),
    })),
  );
  const out: Record<string, unknown> = {};
  const lines: string[] = [];
  let failed = false;
  for (const { p, key, res } of results) {
    if (!res.ok) {
      failed = true;
      lines.push(`${p} (${key.label}): could not list models: ${res.error}`);
      out[p] = { error: res.error };
      continue;
    }
    const mine = registry
      .names()
      .map((n) => registry.get(n))
      .filter((e) => (p === 'openrouter' ? e.openrouter_id || e.provider === 'openrouter' : e.provider === p));
    const idOf = (e: ModelEntry) => (p === 'openrouter' && e.provider !== 'openrouter' ? e.openrouter_id! : e.model_id);
    const has = (e: ModelEntry) =>
      res.models.some((m: ListedModel) => [idOf(e), ...(e.served_ids ?? [])].some((id) => sameModelId(id, m.id)));
    const available = mine.filter(has).map((e) => e.name);
    const missing = mine.filter((e) => !has(e)).map((e) => e.name);
    const known = new Set(mine.map(idOf));
    const unknown = res.models
      .map((m) => m.id)
      .filter(
        (id) => !known.has(id) && !mine.some((e) => [idOf(e), ...(e.served_ids ?? [])].some((x) => sameModelId(x, id))),
      );
    out[p] = { key: key.label, listed: res.models.length, available, missing, unknown };
    lines.push(`${p} (${key.label}): ${res.models.length} models listed`);
    lines.push(`  available: ${available.join(', ') || "none of the registry's"}`);
    if (missing.length) lines.push(`  MISSING (the key cannot call them): ${missing.join(', ')}`);
    if (unknown.length)
      lines.push(
        `  not in the registry (${unknown.length}): ${unknown.slice(0, 40).join(', ')}${unknown.length > 40 ? ', …' : ''}`,
      );
  }
  if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else
    process.stdout.write(
      [
        ...lines,
        'Add a model the registry does not know with --models FILE (provider, model_id, context_window, price).',
      ].join('\n') + '\n',
    );
  if (failed) throw new ExitError(1);
}

interface Opts {
  models?: string;
  baseUrl?: string[];
  json?: boolean;
  live?: boolean;
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the models the registry knows, with prices, capability and the route each would take now')
    .option('--models <file>', 'a JSON models file that overrides or extends the built-in registry')
    .option('--base-url <pairs...>', 'MODEL=URL: serve MODEL from an OpenAI-compatible server at URL')
    .option('--json', 'print the listing as JSON')
    .option(
      '--live',
      'ask each provider with a key which models the key can call (marks each model available or missing; lists models the registry does not know)',
    )
    .action(async (o: Opts) => {
      if (o.live) await listLive(o);
      else listModels(o);
    });
}

export interface ModelRow {
  name: string;
  provider: string;
  model_id: string;
  openrouter_id: string | null;
  price_input_per_mtok: number;
  price_output_per_mtok: number;
  capability: number | null;
  context_window: number;
  sampling: ModelEntry['sampling'];
  route: {
    provider: string;
    label: string;
    model_id: string;
    base_url: string;
    base_url_source: string;
    keys: string[];
    price_multiplier: number;
  } | null;
  /** status on today's date, from the registry's lifecycle row */
  lifecycle: ModelStanding;
  /** why there is no route now (the key to set) */
  missing: string | null;
}

/** One row per registry model plus the sim family; pure apart from reading nothing. */
export function modelRows(
  registry: Registry,
  env: ProviderEnv,
  baseUrls: Record<string, string> = {},
  on = today(),
): ModelRow[] {
  const names = [...registry.names(), 'sim:<strategy>'];
  return names.map((name) => {
    const lookup = name === 'sim:<strategy>' ? 'sim:linear' : name;
    const e = registry.get(lookup);
    const t = tryRoute(lookup, { env, registry, baseUrls });
    const route = 'route' in t ? toRow(t.route, name) : null;
    return {
      name,
      provider: e.provider,
      model_id: name === 'sim:<strategy>' ? name : e.model_id,
      openrouter_id: e.openrouter_id ?? null,
      price_input_per_mtok: e.price.input,
      price_output_per_mtok: e.price.output,
      capability: e.capability ?? null,
      context_window: e.context_window,
      sampling: e.sampling,
      route,
      lifecycle: standing(e, on),
      missing: 'error' in t ? (/no API key/.test(t.error) ? `set ${keyHint(e)}` : t.error) : null,
    };
  });
}

function toRow(r: Route, name: string) {
  return {
    provider: r.provider,
    label: r.label,
    model_id: name === 'sim:<strategy>' ? name : r.modelId,
    base_url: displayUrl(r.baseUrl),
    base_url_source: r.baseUrlSource,
    keys: r.keyLabels,
    price_multiplier: r.priceMultiplier,
  };
}

function listModels(o: Opts): void {
  const registry = loadRegistry(o.models);
  const env = loadEnv();
  const rows = modelRows(registry, env, parseBaseUrlFlags(o.baseUrl));
  if (o.json) {
    const limits = Object.fromEntries(PROVIDER_NAMES.map((p) => [p, registry.limits(p)]));
    process.stdout.write(
      JSON.stringify(
        { sources: registry.sources, dotenv: env.dotenvPath, models: rows, provider_limits: limits },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  process.stdout.write(formatModels(rows, registry, env).join('\n') + '\n');
}

export function formatModels(rows: ModelRow[], registry: Registry, env: ProviderEnv): string[] {
  const table = [
    [
      'model',
      'status',
      'provider',
      'model id',
      'openrouter id',
      '$in/M',
      '$out/M',
      'score',
      'context',
      'sampling',
      'route now',
    ],
  ];
  for (const r of rows) {
    const s = r.sampling;
    const sampling =
      s.kind === 'chat'
        ? 'chat'
        : s.kind === 'reasoning'
          ? `reasoning ${s.reasoning_effort ?? 'medium'}`
          : `thinking ${s.thinking === 'adaptive' || s.thinking === 'level' ? `${s.thinking} ${s.reasoning_effort ?? ''}` : (s.reasoning_tokens ?? '')}`.trim();
    const route = r.route
      ? `${r.route.label}${r.route.label === 'openrouter' ? ` as ${r.route.model_id}` : ''} ${r.route.base_url} [${r.route.keys.join(', ')}]`
      : `NO ROUTE: ${r.missing}`;
    table.push([
      r.name,
      statusCell(r.lifecycle),
      r.provider,
      r.model_id,
      r.openrouter_id ?? '-',
      r.price_input_per_mtok.toFixed(2),
      r.price_output_per_mtok.toFixed(2),
      r.capability === null ? '-' : String(r.capability),
      String(r.context_window),
      sampling,
      route,
    ]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const numeric = new Set([5, 6, 7, 8]);
  const lines = table.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
  const routed = rows.filter((r) => r.route).length;
  const retired = rows.filter((r) => r.lifecycle.status === 'retired').length;
  return [
    `Registry: ${registry.sources.join(' + ')}. Environment: process${env.dotenvPath ? ` + ${env.dotenvPath}` : ' (no .env in this directory)'}.`,
    '',
    ...lines,
    '',
    `${routed} of ${rows.length} have a route now; ${retired} are retired (grids holding them are refused; --allow-retired overrides). ` +
      "Status is read from each row's lifecycle source (bargain models --json shows it); bargain models --live asks the providers.",
    'Prices are list dollars per million tokens (OpenRouter adds 5.5%); score is the Arena capability score.',
    'Defaults per provider: ' +
      PROVIDER_NAMES.map((p) => {
        const l = registry.limits(p);
        return `${p} ${l.rpm} rpm/${l.tpm} tpm/${l.concurrency} at once`;
      }).join(', ') +
      '.',
  ];
}
