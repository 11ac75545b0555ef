/**
 * What the mock server serves on a given day (issue 10 §6): per wire format, the registry's
 * models of that API whose lifecycle says they answer on `date` (neither retired nor
 * unreleased), their dated snapshots, ids given with `extraModels` (--serve), rerouted ids
 * (--reroute OLD=NEW: OLD answers as NEW), and sim:* always. Anything else gets the
 * provider's real "model not found" answer (wire.ts). The list-models endpoints list the
 * same set. Pure apart from the registry it is given.
 *   openai      registry provider openai (and compatible: the mock is also a compatible server)
 *   anthropic   provider anthropic
 *   gemini      provider google
 *   openrouter  every model's openrouter_id, and provider openrouter's model_id
 */
import { statusOn } from '../providers/lifecycle.ts';
import type { ModelEntry, Registry } from '../providers/registry.ts';

/** The day the seed was written: all 13 seed models answer (benchmarks, tests of the seed grid). */
export const SEED_DATE = '2025-08-25';

export interface CatalogEntry {
  id: string;
  /** registry name, or the id itself for --serve / --reroute ids */
  name: string;
  contextWindow: number;
  maxOutputTokens: number;
  /** USD per million tokens (cached_input: a cache read; cache_write: Anthropic's 5-minute write) */
  price: { input: number; output: number; cached_input?: number; cache_write?: number };
  /** YYYY-MM-DD, when known */
  released?: string;
}

/** The four wire formats the mock speaks. */
export type FormatName = 'openai' | 'openrouter' | 'anthropic' | 'gemini';

const PROVIDERS_OF: Record<FormatName, string[]> = {
  openai: ['openai', 'compatible'],
  anthropic: ['anthropic'],
  gemini: ['google'],
  openrouter: ['openrouter'],
};

/**
 * Dated snapshots of a served id, as each API names them: OpenAI `gpt-5-2025-08-07`,
 * Anthropic `claude-sonnet-4-5-20250929`, Gemini `gemini-2.0-flash-001`. A request for one is
 * served as asked (the alias and its snapshots are the same model for the served-model check).
 */
const SNAPSHOT: Record<FormatName, RegExp> = {
  openai: /^-\d{4}-\d{2}-\d{2}$/,
  anthropic: /^-\d{8}$/,
  gemini: /^-\d{3}$/,
  openrouter: /^$/,
};

export interface CatalogOptions {
  /** YYYY-MM-DD */
  date: string;
  extraModels?: readonly string[];
  reroute?: Readonly<Record<string, string>>;
}

export class Catalog {
  private readonly byFormat = new Map<FormatName, Map<string, CatalogEntry>>();

  constructor(
    registry: Registry,
    readonly opts: CatalogOptions,
  ) {
    for (const f of Object.keys(PROVIDERS_OF) as FormatName[]) this.byFormat.set(f, new Map());
    // every registry id per format, whatever its dates; the served ones are those live on the date
    const all = new Map<FormatName, Map<string, CatalogEntry>>();
    for (const f of Object.keys(PROVIDERS_OF) as FormatName[]) all.set(f, new Map());
    const live = new Set<CatalogEntry>();
    for (const name of registry.names()) {
      const e = registry.find(name)!;
      const entry = (id: string): CatalogEntry => ({
        id,
        name,
        contextWindow: e.context_window,
        maxOutputTokens: e.max_output_tokens ?? 8192,
        price: {
          input: e.price.input,
          output: e.price.output,
          cached_input: e.price.cached_input,
          cache_write: e.price.cache_write,
        },
        released: e.lifecycle?.released,
      });
      const add = (f: FormatName, id: string) => {
        const c = entry(id);
        all.get(f)!.set(id, c);
        if (servedOn(e, opts.date)) live.add(c);
      };
      for (const [f, providers] of Object.entries(PROVIDERS_OF) as [FormatName, string[]][]) {
        if (providers.includes(e.provider)) for (const id of [e.model_id, ...(e.served_ids ?? [])]) add(f, id);
      }
      if (e.openrouter_id) add('openrouter', e.openrouter_id);
    }
    for (const [f, m] of all) for (const [id, c] of m) if (live.has(c)) this.byFormat.get(f)!.set(id, c);
    // a rerouted registry id is served on its own APIs whatever its dates (the provider answers
    // it with another model); --serve ids and unknown rerouted ids on every API
    const loose = (id: string): CatalogEntry => ({
      id,
      name: id,
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      price: { input: 0, output: 0 },
    });
    for (const id of Object.keys(opts.reroute ?? {})) {
      const known = [...all].filter(([, m]) => m.has(id));
      if (known.length) for (const [f, m] of known) this.byFormat.get(f)!.set(id, m.get(id)!);
      else for (const m of this.byFormat.values()) m.set(id, loose(id));
    }
    for (const id of opts.extraModels ?? [])
      for (const m of this.byFormat.values()) if (!m.has(id)) m.set(id, loose(id));
  }

  /** Whether `id` answers on this format on the catalog's date. */
  serves(format: FormatName, id: string): boolean {
    if (id.startsWith('sim:') || id.slice(id.lastIndexOf('/') + 1).startsWith('sim:')) return true;
    const m = this.byFormat.get(format)!;
    if (m.has(id)) return true;
    for (const served of m.keys()) {
      if (id.startsWith(served) && SNAPSHOT[format].test(id.slice(served.length))) return true;
    }
    return false;
  }

  /** The served entry of `id` on this format (its dated snapshots included), or null. */
  entry(format: FormatName, id: string): CatalogEntry | null {
    const m = this.byFormat.get(format)!;
    const own = m.get(id);
    if (own) return own;
    for (const [served, e] of m) if (id.startsWith(served) && SNAPSHOT[format].test(id.slice(served.length))) return e;
    return null;
  }

  /** The id the answer says served the request (--reroute), else the id asked for. */
  servedAs(id: string): string {
    return this.opts.reroute?.[id] ?? id;
  }

  /** What the format's list-models endpoint lists, in registry order. */
  list(format: FormatName): CatalogEntry[] {
    return [...this.byFormat.get(format)!.values()];
  }
}

function servedOn(e: ModelEntry, date: string): boolean {
  const s = statusOn(e.lifecycle, date);
  return s === 'active' || s === 'deprecated';
}

/** "OLD=NEW" pairs (--reroute) into a map; a bad pair is a one-line message. */
export function parseReroutes(pairs: readonly string[]): Record<string, string> | string {
  const map: Record<string, string> = {};
  for (const p of pairs) {
    const m = /^\s*([^=\s]+)=([^=\s]+)\s*$/.exec(p);
    if (!m) return `--reroute takes OLD=NEW, e.g. gemini-2.5-flash=gemini-3-flash (got "${p}")`;
    map[m[1]] = m[2];
  }
  return map;
}

export function isIsoDate(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(s) &&
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)
  );
}
