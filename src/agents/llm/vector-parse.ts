/**
 * The shared reading of a per-item vector answer (the treaty's agreement, the co-funding pledge):
 * given as text, a list, a list of {name, value} entries or a name→value map, put in the game's
 * item order, with duplicate, missing and length errors. Each parser supplies its nouns, keys and
 * value reader (a VectorForm), so its error messages and notes keep their own words.
 * Pure; imports src/game types and json-find.ts only.
 */
import type { GameSpec } from '../../game/index.ts';
import { keyLike } from './json-find.ts';

type ItemSpec = Pick<GameSpec, 'm' | 'items'>;

/** What differs between the vector answers: words, keys and readers. */
export interface VectorForm<T> {
  /** the answer, after "the": 'agreement', 'contributions' */
  noun: string;
  /** the verb agreeing with noun in "the agreement lists 2 percentages": 'lists', 'list' */
  lists: string;
  /** one item: 'issue', 'project' */
  item: string;
  /** one item with its article: 'an issue', 'a project' */
  anItem: string;
  /** one value: 'percentage', 'amount' */
  value: string;
  /** keys the vector may be nested under, most specific first */
  keys: readonly string[];
  /** keys of an entry's value, and of its item, in {"issue": …, "percentage": 45} */
  entryValueKeys: readonly string[];
  entryItemKeys: readonly string[];
  /** one value, or an error string naming `where` */
  read: (x: unknown, where: string) => T | string;
  /** the item index a key or entry names; null if none */
  index: (key: unknown, items: readonly string[]) => number | null;
  /** map keys skipped (squashed), with the note that says so */
  ignore?: { keys: ReadonlySet<string>; note: string };
  /** appended to the error for items a map leaves out */
  mapMissingHint?: string;
}

export const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const itemName = (spec: ItemSpec, form: VectorForm<unknown>, j: number): string =>
  `${form.item} ${j} (${spec.items[j]})`;
const itemList = (spec: ItemSpec): string => spec.items.map((it, j) => `${j} ${it}`).join(', ');

/** One element of the list given as an object: its item (null if unnamed) and raw value. */
function fromObject<T>(
  o: Record<string, unknown>,
  spec: ItemSpec,
  form: VectorForm<T>,
): { item: number | null; raw: unknown } | string {
  const vk = keyLike(o, ...form.entryValueKeys);
  if (vk === undefined) return `an entry of the ${form.noun} has no ${form.value}`;
  const ik = keyLike(o, ...form.entryItemKeys);
  if (ik === undefined) return { item: null, raw: o[vk] };
  const j = form.index(o[ik], spec.items);
  if (j === null) return `${JSON.stringify(o[ik])} is not ${form.anItem} (the ${form.item}s are ${itemList(spec)})`;
  return { item: j, raw: o[vk] };
}

/** The vector's values in item order, before the parser's range checks. */
export function collectVector<T>(
  raw: unknown,
  spec: ItemSpec,
  form: VectorForm<T>,
  notes: string[],
  depth = 0,
): T[] | string {
  const name = (j: number) => itemName(spec, form, j);
  if (typeof raw === 'string') {
    // "[40, 55, 10]" or "40%, 55%, 10%"
    const inner = /^\s*\[?([^[\]]*)\]?\s*$/.exec(raw);
    if (!inner) return `the ${form.noun} must be a list of ${form.value}s`;
    notes.push(`${form.noun} as text`);
    return collectVector(inner[1].split(/[,;]/), spec, form, notes, depth + 1);
  }
  if (Array.isArray(raw)) {
    const out: (T | undefined)[] = [];
    let placed = false;
    for (const [i, x] of raw.entries()) {
      let item: number | null = null;
      let v: unknown = x;
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        const e = fromObject(x as Record<string, unknown>, spec, form);
        if (typeof e === 'string') return e;
        ({ item, raw: v } = e);
        notes.push(`${form.item} entries`);
      }
      if (item !== null) {
        if (out[item] !== undefined) return `${name(item)} is given more than once`;
        placed = true;
      }
      const k = item ?? i;
      const f = form.read(v, k < spec.m ? name(k) : `entry ${i + 1}`);
      if (typeof f === 'string') return f;
      out[k] = f;
    }
    if (placed) {
      const missing = spec.items.map((_, j) => j).filter((j) => out[j] === undefined);
      if (missing.length) return `no ${form.value} for ${missing.map(name).join(', ')}`;
    }
    if (out.length !== spec.m)
      return `the ${form.noun} ${form.lists} ${out.length} ${form.value}${out.length === 1 ? '' : 's'} but there ${spec.m === 1 ? `is 1 ${form.item}` : `are ${spec.m} ${form.item}s`} (${itemList(spec)})`;
    return out as T[];
  }
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    const nested = depth === 0 ? keyLike(o, ...form.keys) : undefined;
    if (nested !== undefined) return collectVector(o[nested], spec, form, notes, depth + 1);
    // {"Carbon cost on imports": 40, …}: every key must name an item, every item once
    const out: (T | undefined)[] = new Array(spec.m).fill(undefined);
    for (const [key, x] of Object.entries(o)) {
      if (form.ignore?.keys.has(squash(key))) {
        notes.push(form.ignore.note);
        continue;
      }
      const j = form.index(key, spec.items);
      if (j === null) return `"${key}" is not ${form.anItem} (the ${form.item}s are ${itemList(spec)})`;
      if (out[j] !== undefined) return `${name(j)} is given more than once`;
      const f = form.read(x, name(j));
      if (typeof f === 'string') return f;
      out[j] = f;
    }
    notes.push(`${form.item} map`);
    const missing = out.map((f, j) => (f === undefined ? j : -1)).filter((j) => j >= 0);
    if (missing.length) return `no ${form.value} for ${missing.map(name).join(', ')}${form.mapMissingHint ?? ''}`;
    return out as T[];
  }
  return `the ${form.noun} must be a list of ${form.value}s, one per ${form.item}`;
}

/** The last [..] in prose that holds only values ("I propose [40, 55, 10]."), for answers with no JSON object. */
export function bareList(text: string, read: (x: unknown, where: string) => unknown): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(/\[([^[\]{}]*)\]/g)) {
    const parts = m[1].split(',');
    if (parts.length > 0 && parts.every((p) => typeof read(p, '') !== 'string')) last = m[1];
  }
  return last;
}

/** A bare list's values as JSON numbers where they are, else as the text ("40%, 55%"). */
export function listValue(inner: string): unknown {
  try {
    return JSON.parse(`[${inner}]`) as unknown;
  } catch {
    return inner;
  }
}
