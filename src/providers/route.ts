/**
 * Routing (DESIGN §3): which provider, base URL, model id and keys serve a model name now.
 *   sim:<strategy>           -> the mock server at SIM_BASE_URL (OpenAI wire format, key optional)
 *   --base-url NAME=URL, or a registry base_url -> an OpenAI-compatible server (key optional)
 *   direct provider key set  -> that provider
 *   else OPENROUTER_API_KEY  -> OpenRouter with the model's OpenRouter id
 *   else                     -> UserError naming the key(s) to set
 * A Route describes the choice with key *labels* only; key values stay in env/keys.
 */
import { UserError } from '../errors.ts';
import {
  BASE_URL_VARS,
  checkUrl,
  KEY_VARS,
  keysFor,
  providerBaseUrl,
  type ApiKey,
  type ProviderEnv,
  type ProviderName,
} from './env.ts';
import type { ModelEntry, Registry } from './registry.ts';

/** OpenRouter's platform fee on pay-as-you-go credit (reference/model-prices.md). */
export const OPENROUTER_FEE = 0.055;

export interface Route {
  /** registry name, e.g. gpt-4o */
  name: string;
  /** client family serving the call: decides wire format and auth */
  provider: ProviderName;
  /** the registry's provider for the model */
  modelProvider: ProviderName;
  /** short label for logs and records: "openai direct", "openrouter", "compatible", "sim" */
  label: string;
  /** model id sent on the wire */
  modelId: string;
  /** as the client is given it: ends in /v1 (openai, compatible, sim), /api/v1 (openrouter), host root (anthropic, google) */
  baseUrl: string;
  /** what set the base URL: a variable name, "--base-url", "registry base_url" or "default" */
  baseUrlSource: string;
  /** variable families holding this route's keys (OPENAI_API_KEY -> also _2, _3, …); empty when keyless */
  keyVars: string[];
  /** labels of the keys available now, in rotation order; ["none"] for a keyless route */
  keyLabels: string[];
  /** multiplies list prices (1.055 via OpenRouter) */
  priceMultiplier: number;
}

export interface RouteOptions {
  env: ProviderEnv;
  registry: Registry;
  /** per-model OpenAI-compatible base URLs (from --base-url NAME=URL) */
  baseUrls?: Readonly<Record<string, string>>;
}

export function resolveRoute(name: string, o: RouteOptions): Route {
  const entry = o.registry.get(name);
  return routeFor(entry, o);
}

/** For listings: the route, or the one-line reason there is none. */
export function tryRoute(name: string, o: RouteOptions): { route: Route } | { error: string } {
  try {
    return { route: resolveRoute(name, o) };
  } catch (e) {
    if (e instanceof UserError) return { error: e.message };
    throw e;
  }
}

/** The keys that serve a route now, in rotation order (empty for a keyless route). */
export function routeKeys(env: ProviderEnv, route: Route): ApiKey[] {
  return keysFor(env, route.keyVars);
}

function routeFor(entry: ModelEntry, o: RouteOptions): Route {
  const { env } = o;
  const base = { name: entry.name, modelProvider: entry.provider, modelId: entry.model_id, priceMultiplier: 1 };

  if (entry.provider === 'sim') {
    const keyVars = [...KEY_VARS.sim];
    return {
      ...base,
      provider: 'sim',
      label: 'sim',
      keyVars,
      baseUrl: providerBaseUrl(env, 'sim'),
      baseUrlSource: sourceOf(env, 'sim'),
      keyLabels: labelsOrNone(env, keyVars),
    };
  }

  const flagUrl = o.baseUrls?.[entry.name];
  if (flagUrl !== undefined || entry.base_url !== undefined || entry.provider === 'compatible') {
    const raw = flagUrl ?? entry.base_url;
    if (raw === undefined) {
      throw new UserError(
        `model "${entry.name}" is served by an OpenAI-compatible server but has no base URL; fix: add "base_url" to its entry in --models FILE or pass --base-url ${entry.name}=http://127.0.0.1:8000/v1`,
      );
    }
    const source = flagUrl !== undefined ? '--base-url' : 'registry base_url';
    const baseUrl = checkUrl(
      raw,
      flagUrl !== undefined ? `--base-url ${entry.name}` : `base_url of model "${entry.name}"`,
      'http://127.0.0.1:8000/v1',
    );
    const keyVars = entry.api_key_env ? [entry.api_key_env] : [];
    return {
      ...base,
      provider: 'compatible',
      label: 'compatible',
      baseUrl,
      baseUrlSource: source,
      keyVars,
      keyLabels: labelsOrNone(env, keyVars),
    };
  }

  if (entry.provider !== 'openrouter') {
    const keyVars = [...KEY_VARS[entry.provider]];
    const labels = keysFor(env, keyVars).map((k) => k.label);
    if (labels.length) {
      return {
        ...base,
        provider: entry.provider,
        label: `${entry.provider} direct`,
        keyVars,
        keyLabels: labels,
        baseUrl: providerBaseUrl(env, entry.provider),
        baseUrlSource: sourceOf(env, entry.provider),
      };
    }
  }

  const openrouterId = entry.provider === 'openrouter' ? entry.model_id : (entry.openrouter_id ?? undefined);
  const orLabels = keysFor(env, KEY_VARS.openrouter).map((k) => k.label);
  if (openrouterId !== undefined && orLabels.length) {
    return {
      ...base,
      provider: 'openrouter',
      label: 'openrouter',
      modelId: openrouterId,
      keyVars: [...KEY_VARS.openrouter],
      keyLabels: orLabels,
      baseUrl: providerBaseUrl(env, 'openrouter'),
      baseUrlSource: sourceOf(env, 'openrouter'),
      priceMultiplier: 1 + OPENROUTER_FEE,
    };
  }
  throw new UserError(missingKeyMessage(entry, openrouterId, env));
}

/** The variables that would give a model a route: "OPENAI_API_KEY or OPENROUTER_API_KEY". */
export function keyHint(entry: ModelEntry): string {
  const vars: string[] = [];
  if (entry.provider !== 'openrouter' && entry.provider !== 'compatible' && entry.provider !== 'sim')
    vars.push(KEY_VARS[entry.provider].join('/'));
  if (entry.provider === 'openrouter' || entry.openrouter_id) vars.push('OPENROUTER_API_KEY');
  return vars.join(' or ');
}

function missingKeyMessage(entry: ModelEntry, openrouterId: string | undefined, env: ProviderEnv): string {
  const ways: string[] = [];
  if (entry.provider !== 'openrouter' && entry.provider !== 'compatible' && entry.provider !== 'sim') {
    const vars = KEY_VARS[entry.provider];
    ways.push(`${vars[0]}${vars.length > 1 ? ` (or ${vars.slice(1).join(', ')})` : ''} for ${entry.provider} direct`);
  }
  if (openrouterId !== undefined) ways.push(`OPENROUTER_API_KEY to go through OpenRouter as ${openrouterId}`);
  const where = env.dotenvPath
    ? `the environment or ${env.dotenvPath}`
    : 'the environment or a .env file in the working directory';
  return `no API key for model "${entry.name}"; fix: set ${ways.join(', or ')} (in ${where}), or run offline with scripted:<strategy> models (the demo grid: bargain all --grid demo)`;
}

function labelsOrNone(env: ProviderEnv, keyVars: string[]): string[] {
  const labels = keysFor(env, keyVars).map((k) => k.label);
  return labels.length ? labels : ['none'];
}

function sourceOf(env: ProviderEnv, provider: Exclude<ProviderName, 'compatible'>): string {
  const v = BASE_URL_VARS[provider].name;
  return env.vars[v] !== undefined ? v : 'default';
}

/** Parses --base-url NAME=URL flags into a map; a malformed one is a UserError. */
export function parseBaseUrlFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags ?? []) {
    const i = f.indexOf('=');
    if (i <= 0 || i === f.length - 1) {
      throw new UserError(
        `--base-url takes MODEL=URL (got "${f.replace(/=.*/, '=…')}"); fix: e.g. --base-url llama-3-8b=http://127.0.0.1:8000/v1`,
      );
    }
    const name = f.slice(0, i);
    out[name] = checkUrl(f.slice(i + 1), `--base-url ${name}`, 'http://127.0.0.1:8000/v1');
  }
  return out;
}
