/**
 * The provider environment: process variables plus a `.env` file in the working directory
 * (process variables win, as with dotenv). Knows which variables hold each provider's keys
 * (OPENAI_API_KEY, OPENAI_API_KEY_2, …) and base URLs, with the official SDK conventions:
 *   OPENAI_BASE_URL      ends in /v1      (client adds /chat/completions)
 *   ANTHROPIC_BASE_URL   host root        (client adds /v1/messages)
 *   OPENROUTER_BASE_URL  ends in /api/v1  (client adds /chat/completions)
 *   GEMINI_BASE_URL      host root        (client adds /v1beta/models/{model}:generateContent)
 *   SIM_BASE_URL         ends in /v1      (the mock server; default http://127.0.0.1:8765/v1)
 * Every key value is registered with scrub() the moment it is read. Keys are ApiKey
 * objects whose value never serialises (toString/JSON/inspect show the label only).
 * Imports only node and src/errors.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect, parseEnv } from 'node:util';
import { UserError } from '../errors.ts';
import { registerSecret, registerUrlCredentials } from './scrub.ts';

export type ProviderName = 'openai' | 'anthropic' | 'google' | 'openrouter' | 'compatible' | 'sim';
export const PROVIDER_NAMES: readonly ProviderName[] = [
  'openai',
  'anthropic',
  'google',
  'openrouter',
  'compatible',
  'sim',
];

export interface ProviderEnv {
  readonly vars: Readonly<Record<string, string>>;
  /** the .env file that was read, if any */
  readonly dotenvPath: string | null;
}

/** Variables holding each provider's keys, in order of preference; `_2`, `_3`, … extend each. */
export const KEY_VARS: Record<Exclude<ProviderName, 'compatible'>, readonly string[]> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  google: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
  sim: ['SIM_API_KEY'],
};

export const BASE_URL_VARS: Record<
  Exclude<ProviderName, 'compatible'>,
  { name: string; fallback: string; example: string }
> = {
  openai: { name: 'OPENAI_BASE_URL', fallback: 'https://api.openai.com/v1', example: 'http://127.0.0.1:8765/v1' },
  anthropic: { name: 'ANTHROPIC_BASE_URL', fallback: 'https://api.anthropic.com', example: 'http://127.0.0.1:8765' },
  google: {
    name: 'GEMINI_BASE_URL',
    fallback: 'https://generativelanguage.googleapis.com',
    example: 'http://127.0.0.1:8765',
  },
  openrouter: {
    name: 'OPENROUTER_BASE_URL',
    fallback: 'https://openrouter.ai/api/v1',
    example: 'http://127.0.0.1:8765/api/v1',
  },
  sim: { name: 'SIM_BASE_URL', fallback: 'http://127.0.0.1:8765/v1', example: 'http://127.0.0.1:8765/v1' },
};

export const DEFAULT_SIM_BASE_URL = BASE_URL_VARS.sim.fallback;

/** An API key: `label` names the variable it came from; `value` never leaves via String/JSON/inspect. */
export class ApiKey {
  readonly label: string;
  declare readonly value: string;
  constructor(label: string, value: string) {
    this.label = label;
    Object.defineProperty(this, 'value', { value, enumerable: false });
    registerSecret(value);
  }
  toString(): string {
    return this.label;
  }
  toJSON(): string {
    return this.label;
  }
  [inspect.custom](): string {
    return `ApiKey(${this.label})`;
  }
}

/** Reads process env plus `.env` in cwd. A .env that exists but cannot be read is a UserError. */
export function loadEnv(
  opts: { cwd?: string; processEnv?: Record<string, string | undefined>; dotenv?: boolean } = {},
): ProviderEnv {
  const cwd = opts.cwd ?? process.cwd();
  const processEnv = opts.processEnv ?? process.env;
  let fileVars: Record<string, string | undefined> = {};
  let dotenvPath: string | null = null;
  const path = join(cwd, '.env');
  if (opts.dotenv !== false && existsSync(path)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UserError(
        `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}); fix its permissions or remove it`,
      );
    }
    const checked = checkDotenv(text);
    if (!warnedDotenv.has(path)) {
      warnedDotenv.add(path);
      for (const w of checked.warnings) process.stderr.write(`bargain: ${path} ${w}\n`);
    }
    fileVars = parseEnv(checked.text);
    dotenvPath = path;
  }
  return envFrom({ ...fileVars, ...processEnv }, dotenvPath);
}

/** .env files already warned about by this process (the environment is loaded more than once) */
const warnedDotenv = new Set<string>();

/**
 * What parseEnv is given: the text without a UTF-8 BOM (it would become part of the first
 * name, hiding that key) and with each line that has no `=` blanked (parseEnv would join it
 * to the next line's name, swallowing that key), one warning per such line by number. The
 * line itself is never quoted: it may be a key pasted without its name. Lines inside a
 * quoted multi-line value are left alone.
 */
export function checkDotenv(raw: string): { text: string; warnings: string[] } {
  const lines = raw.replace(/^\uFEFF/, '').split(/\r?\n/);
  const warnings: string[] = [];
  let openQuote: string | null = null;
  const out = lines.map((line, i) => {
    if (openQuote !== null) {
      if (line.includes(openQuote)) openQuote = null;
      return line;
    }
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return line;
    const eq = line.indexOf('=');
    if (eq < 0) {
      warnings.push(`line ${i + 1} has no "=" and is ignored; fix: write it as NAME=value or start it with #`);
      return '';
    }
    const value = line.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && !value.slice(1).includes(q)) openQuote = q;
    return line;
  });
  return { text: out.join('\n'), warnings };
}

/** An environment from plain variables (tests, or callers that already merged sources). */
export function envFrom(vars: Record<string, string | undefined>, dotenvPath: string | null = null): ProviderEnv {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v === 'string' && v.trim() !== '') clean[k] = v.trim();
  }
  for (const [k, v] of Object.entries(clean)) {
    if (/_API_KEY(_\d+)?$/.test(k)) registerSecret(v);
    // a password in a base URL is a secret even before (or if never) the route refuses it
    if (/_BASE_URL$/.test(k)) registerUrlCredentials(v);
  }
  return Object.freeze({ vars: Object.freeze(clean), dotenvPath });
}

/**
 * Keys for a variable family: BASE, then BASE_2, BASE_3, … in numeric order (gaps allowed).
 * Duplicate values are kept once (the first label wins), so a key set twice is not "rotated" to itself.
 */
export function keysFor(env: ProviderEnv, baseVars: readonly string[]): ApiKey[] {
  const out: ApiKey[] = [];
  const seen = new Set<string>();
  for (const base of baseVars) {
    const found: { n: number; name: string }[] = [];
    const re = new RegExp(`^${base}(?:_(\\d+))?$`);
    for (const name of Object.keys(env.vars)) {
      const m = re.exec(name);
      if (m) found.push({ n: m[1] === undefined ? 1 : Number(m[1]), name });
    }
    found.sort((a, b) => a.n - b.n);
    for (const f of found) {
      const value = env.vars[f.name];
      if (seen.has(value)) continue;
      seen.add(value);
      out.push(new ApiKey(f.name, value));
    }
  }
  return out;
}

export function providerKeys(env: ProviderEnv, provider: Exclude<ProviderName, 'compatible'>): ApiKey[] {
  return keysFor(env, KEY_VARS[provider]);
}

/** The provider's base URL (override or official default), validated, without a trailing slash. */
export function providerBaseUrl(env: ProviderEnv, provider: Exclude<ProviderName, 'compatible'>): string {
  const spec = BASE_URL_VARS[provider];
  const raw = env.vars[spec.name];
  if (raw === undefined) return spec.fallback;
  let url = checkUrl(raw, spec.name, spec.example);
  // tolerate the versioned form for host-root variables rather than calling /v1/v1/messages
  if (provider === 'anthropic') url = url.replace(/\/v1$/, '');
  if (provider === 'google') url = url.replace(/\/v1beta$/, '');
  return url;
}

/** Validates an http(s) URL from a variable or flag; returns it without a trailing slash. */
export function checkUrl(raw: string, source: string, example: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(`${source} is not a URL; fix: set it to an http(s) URL such as ${example}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UserError(`${source} must be an http or https URL (got ${u.protocol}); fix: e.g. ${example}`);
  }
  // Refused rather than used: Node's fetch rejects URLs with credentials (and its error
  // quotes the whole URL), and the providers authenticate by key header, which a Basic
  // header would collide with. Never quote the URL here: it holds the password.
  if (registerUrlCredentials(raw)) {
    throw new UserError(
      `${source} holds credentials (user:password@ in the URL); fix: remove them from the URL and give the key in the provider's *_API_KEY variable (or api_key_env of a models-file entry)`,
    );
  }
  return raw.replace(/\/+$/, '');
}
