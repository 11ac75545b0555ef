/**
 * The model registry: data (models.json beside this file) validated with zod at load, then
 * optionally overridden or extended by a user file (`--models FILE`, merged by model name;
 * `price` and `sampling` merge field by field). A bad user entry is one UserError naming the
 * file, the model and the field. Lookup of an unknown name lists the nearest known names.
 * `sim:<strategy>` names come from the `sim` family (served by the mock server); scripted:*
 * models are not served by providers and are not in the registry.
 * Imports only zod, node and src/errors.ts; never src/game or src/agents.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { PROVIDER_NAMES, type ProviderName } from './env.ts';
import { registerUrlCredentials } from './scrub.ts';

const BUILTIN_PATH = new URL('./models.json', import.meta.url);
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

const Price = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  /** a cache hit's input tokens (OpenAI/Gemini automatic caching, Anthropic cache reads) */
  cached_input: z.number().nonnegative().optional(),
  /** Anthropic's 5-minute cache write */
  cache_write: z.number().nonnegative().optional(),
});

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

/**
 * Where a model stands with its provider, as read from the provider's own pages. Dates are
 * the provider's: `retires` is the shutdown date (requests fail from that day on). The
 * status on any given day is derived from the dates (lifecycle.ts); `status` is what the
 * page said on `read`, and decides alone only where a page gives no date.
 */
export const Lifecycle = z.strictObject({
  status: z.enum(['active', 'deprecated', 'retired']),
  released: DATE.optional(),
  deprecated: DATE.optional(),
  retires: DATE.optional(),
  /** the replacement the provider names */
  successor: z.string().min(1).optional(),
  /** the model the provider is reported to answer with instead */
  rerouted_to: z.string().min(1).optional(),
  /** the page the facts come from */
  source: z.string().min(1),
  /** the day the source was read */
  read: DATE,
});

const Sampling = z.strictObject({
  /** chat: temperature allowed; reasoning: no temperature, a reasoning effort, a completion cap
   *  that includes hidden reasoning; thinking: asked as `thinking` says (budget, adaptive, level);
   *  the wire rules per provider are in sampling.ts */
  kind: z.enum(['chat', 'reasoning', 'thinking']),
  temperature: z.number().min(0).max(2).optional(),
  /** OpenAI reasoning_effort; Anthropic adaptive thinking's effort; Gemini 3's thinking level (low/high) */
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).optional(),
  /** tokens allowed for hidden reasoning on top of each call's visible-output cap: the thinking
   *  budget in budget mode, else the reserve added to the cap (default: sampling.ts, per effort) */
  reasoning_tokens: z.number().int().nonnegative().optional(),
  /** how a thinking model is asked to think: a token budget (Gemini 2.5, Claude up to 4.5),
   *  adaptive thinking (Claude 4.6+), or a thinking level (Gemini 3); default budget */
  thinking: z.enum(['budget', 'adaptive', 'level']).optional(),
});

const Limits = z.strictObject({
  rpm: z.number().positive(),
  tpm: z.number().positive(),
  concurrency: z.number().int().positive(),
  notes: z.string().optional(),
});

const entryFields = {
  provider: z.enum(PROVIDER_NAMES as [ProviderName, ...ProviderName[]]),
  model_id: z.string().min(1),
  openrouter_id: z.string().min(1).nullable().optional(),
  /** an OpenAI-compatible server serving this model (routes it as provider `compatible`) */
  base_url: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'expected an http(s) URL')
    .optional(),
  /** variable holding the key for base_url (key optional for compatible servers) */
  api_key_env: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'expected an environment variable name such as VLLM_API_KEY')
    .optional(),
  context_window: z.number().int().positive(),
  max_output_tokens: z.number().int().positive().optional(),
  price: Price,
  capability: z.number().nullable().optional(),
  /** where the capability score comes from and its date, e.g. "LMArena text, 2026-03-31" */
  capability_source: z.string().min(1).optional(),
  sampling: Sampling,
  /** required for built-in models (a test checks); a user's model without one is taken as active */
  lifecycle: Lifecycle.optional(),
  /** ids the provider may report as the served model besides model_id and its dated snapshots */
  served_ids: z.array(z.string().min(1)).optional(),
  rpm: z.number().positive().optional(),
  tpm: z.number().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  notes: z.string().optional(),
};

const Entry = z.strictObject(entryFields).superRefine((e, ctx) => {
  if (e.sampling.kind === 'reasoning' && e.sampling.temperature !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['sampling', 'temperature'],
      message: 'reasoning models take no temperature',
    });
  }
  // the thinking mode decides the wire request (sampling.ts); on another kind it would be silently ignored
  if (e.sampling.thinking !== undefined && e.sampling.kind !== 'thinking') {
    ctx.addIssue({
      code: 'custom',
      path: ['sampling', 'thinking'],
      message: `a thinking mode needs kind "thinking" (kind is "${e.sampling.kind}")`,
    });
  }
});

const PartialEntry = z.strictObject({
  ...entryFields,
  provider: entryFields.provider.optional(),
  model_id: entryFields.model_id.optional(),
  context_window: entryFields.context_window.optional(),
  price: Price.partial().optional(),
  sampling: Sampling.partial().optional(),
  lifecycle: Lifecycle.partial().optional(),
});

const { model_id: _omitId, ...familyFields } = entryFields;
const Family = z.strictObject({ ...familyFields, provider: z.literal('sim') });

const BuiltinFile = z.strictObject({
  version: z.literal(1),
  providers: z.record(z.enum(PROVIDER_NAMES as [ProviderName, ...ProviderName[]]), Limits),
  models: z.record(z.string(), Entry),
  families: z.strictObject({ sim: Family }),
});

const UserFile = z.strictObject({
  version: z.literal(1).optional(),
  providers: z.partialRecord(z.enum(PROVIDER_NAMES as [ProviderName, ...ProviderName[]]), Limits.partial()).optional(),
  models: z.record(z.string(), PartialEntry).optional(),
});

export type Price = z.infer<typeof Price>;
export type Lifecycle = z.infer<typeof Lifecycle>;
export type Sampling = z.infer<typeof Sampling>;
export type ProviderLimits = z.infer<typeof Limits>;
export type ModelEntry = z.infer<typeof Entry> & { name: string };
type BuiltinData = z.infer<typeof BuiltinFile>;
type Family = z.infer<typeof Family>;

export function isSimName(name: string): boolean {
  return /^sim:[a-z0-9][a-z0-9_-]*$/.test(name);
}
export function isScriptedName(name: string): boolean {
  return name.startsWith('scripted:');
}

export class Registry {
  private constructor(
    private readonly models: ReadonlyMap<string, ModelEntry>,
    private readonly simFamily: Family,
    private readonly providerLimits: Readonly<Record<ProviderName, ProviderLimits>>,
    /** where the data came from: the built-in file, then the user file if any */
    readonly sources: readonly string[],
  ) {}

  static fromData(data: BuiltinData, sources: string[]): Registry {
    const models = new Map<string, ModelEntry>();
    for (const [name, e] of Object.entries(data.models)) models.set(name, { ...e, name });
    return new Registry(models, data.families.sim, data.providers as Record<ProviderName, ProviderLimits>, sources);
  }

  /** Names listed explicitly (the seed models plus user additions), in file order. */
  names(): string[] {
    return [...this.models.keys()];
  }

  has(name: string): boolean {
    return this.models.has(name) || isSimName(name);
  }

  find(name: string): ModelEntry | undefined {
    const e = this.models.get(name);
    if (e) return e;
    if (isSimName(name)) return { ...this.simFamily, name, model_id: name };
    return undefined;
  }

  /** The entry for a name, or a UserError naming the nearest known names. */
  get(name: string): ModelEntry {
    const e = this.find(name);
    if (e) return e;
    if (isScriptedName(name)) {
      throw new UserError(
        `model "${name}" is a scripted negotiator, not served by a provider; fix: use it where scripted models are accepted`,
      );
    }
    const near = nearNames(name, [...this.models.keys(), 'sim:<strategy>']);
    const hint = near.length ? ` (did you mean ${near.join(' or ')}?)` : '';
    throw new UserError(
      `unknown model "${name}"${hint}; fix: use a name bargain models lists (or sim:<strategy>, scripted:<strategy>), or add it with --models FILE`,
    );
  }

  /** Capability score (Arena) for plots' x-axis; null when the model has none. */
  capabilityScore(name: string): number | null {
    return this.find(name)?.capability ?? null;
  }

  /** Dollars per million input/output tokens (direct list price; routes may add fees, see cost.ts). */
  price(name: string): Price {
    return this.get(name).price;
  }

  /** Default RPM/TPM/concurrency for a provider, with per-model overrides when a name is given. */
  limits(provider: ProviderName, name?: string): ProviderLimits {
    const base = this.providerLimits[provider];
    const e = name ? this.find(name) : undefined;
    return { rpm: e?.rpm ?? base.rpm, tpm: e?.tpm ?? base.tpm, concurrency: e?.concurrency ?? base.concurrency };
  }
}

let builtinCache: BuiltinData | undefined;

function builtinData(): BuiltinData {
  if (!builtinCache) {
    const raw = JSON.parse(readFileSync(BUILTIN_PATH, 'utf8'));
    const r = BuiltinFile.safeParse(raw);
    // the shipped file is ours: a bad entry there is a bug, not user input
    if (!r.success) throw new Error(`src/providers/models.json is invalid: ${formatIssue(r.error.issues[0])}`);
    builtinCache = r.data;
  }
  return builtinCache;
}

/** The built-in registry, extended/overridden by `file` (a --models FILE) when given. */
export function loadRegistry(file?: string): Registry {
  const base = builtinData();
  if (file === undefined) return Registry.fromData(base, ['built-in']);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `--models ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`}; fix: give the path of a JSON models file`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--models ${file}: not valid JSON (${(e as Error).message}); fix the syntax`);
  }
  return Registry.fromData(mergeUserData(base, raw, file), ['built-in', file]);
}

/** Merges a parsed user file into the built-in data; exported for tests. */
export function mergeUserData(base: BuiltinData, raw: unknown, file: string): BuiltinData {
  // Names every JavaScript object already has (constructor, toString, __proto__) are refused:
  // "__proto__" copied into an object sets its prototype (the model would vanish without a
  // word), and the report's charts (Vega) order values through plain objects, so a model
  // named constructor would break the report after the grid had run and been paid for.
  const rawModels = (raw as { models?: unknown } | null)?.models;
  if (rawModels && typeof rawModels === 'object') {
    const bad = Object.keys(rawModels).find((name) => name in Object.prototype);
    if (bad !== undefined) {
      throw new UserError(
        `--models ${file}: model name "${bad}" is not allowed (every JavaScript object has a property of that name); fix: choose another name, e.g. "${bad.replace(/^_+|_+$/g, '') || 'model'}-1"`,
      );
    }
  }
  const r = UserFile.safeParse(raw);
  if (!r.success) throw new UserError(userIssue(file, r.error.issues[0]));
  const user = r.data;
  const providers = { ...base.providers };
  for (const [p, lim] of Object.entries(user.providers ?? {})) {
    providers[p as ProviderName] = { ...providers[p as ProviderName], ...lim };
  }
  const models: Record<string, z.infer<typeof Entry>> = { ...base.models };
  for (const [name, partial] of Object.entries(user.models ?? {})) {
    if (!NAME_RE.test(name) || isScriptedName(name)) {
      throw new UserError(
        `--models ${file}: model name "${name}" is not allowed; fix: use letters, digits and . _ : / - (scripted: names are reserved)`,
      );
    }
    // a password in a base_url is a secret from the moment it is read (the route refuses it)
    if (partial.base_url !== undefined) registerUrlCredentials(partial.base_url);
    // own entries only: a new model named constructor or toString has no previous entry
    const prev = Object.hasOwn(models, name) ? models[name] : undefined;
    const merged = {
      ...prev,
      ...partial,
      price: { ...prev?.price, ...partial.price },
      // a new model without sampling rules is an ordinary chat model
      sampling: { ...(prev?.sampling ?? { kind: 'chat' }), ...partial.sampling },
      // a user's correction of one date keeps the rest of the row
      ...(partial.lifecycle !== undefined ? { lifecycle: { ...prev?.lifecycle, ...partial.lifecycle } } : {}),
    };
    if (prev === undefined && partial.price === undefined) delete (merged as Record<string, unknown>).price;
    const full = Entry.safeParse(merged);
    if (!full.success) {
      const issue = full.error.issues[0];
      throw new UserError(`--models ${file}: model "${name}": ${describeIssue(issue, prev === undefined)}`);
    }
    models[name] = full.data;
  }
  return { ...base, providers, models };
}

function userIssue(file: string, issue: z.core.$ZodIssue): string {
  const [section, name, ...rest] = issue.path.map(String);
  if (section === 'models' && name !== undefined) {
    return `--models ${file}: model "${name}": ${describeIssue({ ...issue, path: rest }, false)}`;
  }
  if (section === 'providers' && name !== undefined) {
    return `--models ${file}: provider "${name}": ${describeIssue({ ...issue, path: rest }, false)}`;
  }
  return `--models ${file}: ${describeIssue(issue, false)}`;
}

function describeIssue(issue: z.core.$ZodIssue, isNew: boolean): string {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys.map((k) => (field ? `${field}.${k}` : k));
    return `unknown field ${keys.map((k) => `"${k}"`).join(', ')}; fix: remove it or correct its spelling`;
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return `field "${field}" is required${isNew ? ' for a new model (provider, model_id, context_window, price.input, price.output)' : ''}; fix: add it`;
  }
  return `field "${field || '(top level)'}": ${issue.message}; fix that field`;
}

function formatIssue(issue: z.core.$ZodIssue | undefined): string {
  return issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown problem';
}

/** Up to three known names closest to `name` (edit distance on lower-cased alphanumerics). */
export function nearNames(name: string, known: string[]): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const n = norm(name);
  const close = known
    .map((k) => ({ k, d: editDistance(n, norm(k)) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(norm(k).length / 3)))
    .sort((a, b) => a.d - b.d);
  // only the closest: with a large roster, farther names are noise
  return close
    .filter(({ d }) => d === close[0]?.d)
    .slice(0, 3)
    .map(({ k }) => k);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
