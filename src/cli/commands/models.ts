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
import { PROVIDER_NAMES } from '../../providers/env.ts';

interface Opts { models?: string; baseUrl?: string[]; json?: boolean }

export function registerModels(program: Command): void {
  program.command('models')
    .description('list the models the registry knows, with prices, capability and the route each would take now')
    .option('--models <file>', 'a JSON models file that overrides or extends the built-in registry')
    .option('--base-url <pairs...>', 'MODEL=URL: serve MODEL from an OpenAI-compatible server at URL')
    .option('--json', 'print the listing as JSON')
    .action((o: Opts) => { listModels(o); });
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
  route: { provider: string; label: string; model_id: string; base_url: string; base_url_source: string; keys: string[]; price_multiplier: number } | null;
  /** why there is no route now (the key to set) */
  missing: string | null;
}

/** One row per registry model plus the sim family; pure apart from reading nothing. */
export function modelRows(registry: Registry, env: ProviderEnv, baseUrls: Record<string, string> = {}): ModelRow[] {
  const names = [...registry.names(), 'sim:<strategy>'];
  return names.map((name) => {
    const lookup = name === 'sim:<strategy>' ? 'sim:linear' : name;
    const e = registry.get(lookup);
    const t = tryRoute(lookup, { env, registry, baseUrls });
    const route = 'route' in t ? toRow(t.route, name) : null;
    return {
      name, provider: e.provider, model_id: name === 'sim:<strategy>' ? name : e.model_id, openrouter_id: e.openrouter_id ?? null,
      price_input_per_mtok: e.price.input, price_output_per_mtok: e.price.output, capability: e.capability ?? null,
      context_window: e.context_window, sampling: e.sampling, route,
      missing: 'error' in t ? (/no API key/.test(t.error) ? `set ${keyHint(e)}` : t.error) : null,
    };
  });
}

function toRow(r: Route, name: string) {
  return {
    provider: r.provider, label: r.label, model_id: name === 'sim:<strategy>' ? name : r.modelId, base_url: displayUrl(r.baseUrl),
    base_url_source: r.baseUrlSource, keys: r.keyLabels, price_multiplier: r.priceMultiplier,
  };
}

function listModels(o: Opts): void {
  const registry = loadRegistry(o.models);
  const env = loadEnv();
  const rows = modelRows(registry, env, parseBaseUrlFlags(o.baseUrl));
  if (o.json) {
    const limits = Object.fromEntries(PROVIDER_NAMES.map((p) => [p, registry.limits(p)]));
    process.stdout.write(JSON.stringify({ sources: registry.sources, dotenv: env.dotenvPath, models: rows, provider_limits: limits }, null, 2) + '\n');
    return;
  }
  process.stdout.write(formatModels(rows, registry, env).join('\n') + '\n');
}

export function formatModels(rows: ModelRow[], registry: Registry, env: ProviderEnv): string[] {
  const table = [['model', 'provider', 'model id', 'openrouter id', '$in/M', '$out/M', 'score', 'context', 'sampling', 'route now']];
  for (const r of rows) {
    const s = r.sampling;
    const sampling = s.kind === 'chat' ? 'chat' : s.kind === 'reasoning' ? `reasoning ${s.reasoning_effort ?? 'medium'}` : `thinking ${s.reasoning_tokens ?? ''}`.trim();
    const route = r.route
      ? `${r.route.label}${r.route.label === 'openrouter' ? ` as ${r.route.model_id}` : ''} ${r.route.base_url} [${r.route.keys.join(', ')}]`
      : `NO ROUTE: ${r.missing}`;
    table.push([r.name, r.provider, r.model_id, r.openrouter_id ?? '-', r.price_input_per_mtok.toFixed(2), r.price_output_per_mtok.toFixed(2),
      r.capability === null ? '-' : String(r.capability), String(r.context_window), sampling, route]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const numeric = new Set([4, 5, 6, 7]);
  const lines = table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd());
  const routed = rows.filter((r) => r.route).length;
  return [
    `Registry: ${registry.sources.join(' + ')}. Environment: process${env.dotenvPath ? ` + ${env.dotenvPath}` : ' (no .env in this directory)'}.`,
    '',
    ...lines,
    '',
    `${routed} of ${rows.length} can run now. Prices are list dollars per million tokens (OpenRouter adds 5.5%); score is the Arena capability score.`,
    'Defaults per provider: ' + PROVIDER_NAMES.map((p) => { const l = registry.limits(p); return `${p} ${l.rpm} rpm/${l.tpm} tpm/${l.concurrency} at once`; }).join(', ') + '.',
  ];
}
