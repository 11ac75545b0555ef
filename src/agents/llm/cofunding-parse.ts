/**
 * Tolerant parsing of a co-funding pledge: the contribution vector, one amount per project in
 * project order. The JSON is found by json-find.ts (fences, prose, jsonrepair); here key
 * variants ("contribution", "pledges", "pledge", …), amounts as strings ("12.5"), a map of
 * project names to amounts and a list of project entries are recovered. A vector of the wrong
 * length, a negative amount or a non-number is an error naming the project, shown to the model
 * on its repair turn. The budget, and the decimals, are the game's validation (with its own
 * repair turn): nothing here is scaled, clipped, rounded, padded or invented.
 * The list/map/entries reading is vector-parse.ts's, in this game's words.
 * Pure; imports src/game types, json-find.ts and vector-parse.ts only.
 */
import type { GameSpec } from '../../game/index.ts';
import { findJsonObjects, keyLike, NO_JSON_OBJECT, withNotes, type ParseContext, type Parsed } from './json-find.ts';
import { bareList, collectVector, listValue, squash, type VectorForm } from './vector-parse.ts';

type CofundingSpec = Pick<GameSpec, 'm' | 'items'>;

/** The answer's key, then the variants models use, most specific first. */
const CONTRIBUTION_KEYS = [
  'contributions',
  'contribution',
  'contributionvector',
  'proposedcontributions',
  'mycontributions',
  'pledges',
  'pledge',
  'mypledges',
  'pledgedamounts',
  'proposal',
  'amounts',
  'funding',
];

/** The one-line reminder of the answer's form that every rejection ends with. */
export function contributionsHint(spec: CofundingSpec): string {
  const what =
    spec.m === 1
      ? 'one amount of 0 or more'
      : `exactly ${spec.m} amounts of 0 or more, one per project in project order (0 for a project you do not fund)`;
  return `give {"contributions": [...]} with ${what}`;
}

const projectName = (spec: CofundingSpec, j: number): string => `project ${j} (${spec.items[j]})`;

/** Project index for 2, "2", "Park renovation", "park_renovation", "2: Park renovation", "Project 2"; null if none. */
export function normaliseProject(key: unknown, items: readonly string[]): number | null {
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 && key < items.length ? key : null;
  if (typeof key !== 'string') return null;
  const s = key.replace(/[*<>]/g, '').trim();
  if (/^\d+$/.test(s)) return normaliseProject(Number(s), items);
  const byName = (name: string) => {
    const j = items.findIndex((it) => squash(it) === squash(name));
    return j >= 0 ? j : null;
  };
  const named = byName(s);
  if (named !== null) return named;
  const numbered = /^project[\s_#-]*(\d+)$/i.exec(s);
  if (numbered) return normaliseProject(Number(numbered[1]), items);
  // "2: Park renovation", "Park renovation (2)", "project 2 (Park renovation)": number and name must agree
  const a =
    /^(?:project[\s_#-]*)?(\d+)\s*[:.=\-–()]?\s*(.+?)\)?$/i.exec(s) ??
    /^(.+?)\s*[(:#\-–]\s*(?:project\s*)?(\d+)\s*\)?$/i.exec(s);
  if (a) {
    const [num, name] = /^\d+$/.test(a[1]) ? [Number(a[1]), a[2]] : [Number(a[2]), a[1]];
    const j = byName(name);
    if (j !== null && j === num) return j;
  }
  return null;
}

type Amount = { value: number; text: boolean };

/** An amount from 12.5, "12.5", " 12.5 ", "**12.5**", "<12.5>"; an error string if it is not a finite number. */
function amount(x: unknown, where: string): Amount | string {
  if (typeof x === 'number')
    return Number.isFinite(x) ? { value: x, text: false } : `${where} is ${String(x)}, not a number`;
  if (typeof x === 'string') {
    const s = x.replace(/[*<>]/g, '').trim();
    if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(s)) return { value: Number(s), text: true };
    return `${where} is ${JSON.stringify(x)}, not a number`;
  }
  return `${where} is ${JSON.stringify(x) ?? String(x)}, not a number`;
}

const TOTAL_KEYS = new Set(['total', 'sum', 'totalcontribution', 'totalcontributions', 'totalpledged']);

/** The contributions' words, keys and readers for collectVector; a stated total (the model's sum) is skipped. */
const CONTRIBUTIONS: VectorForm<Amount> = {
  noun: 'contributions',
  lists: 'list',
  item: 'project',
  anItem: 'a project',
  value: 'amount',
  keys: CONTRIBUTION_KEYS,
  entryValueKeys: ['amount', 'contribution', 'pledge', 'value', 'pledged', 'contributed', 'funding'],
  entryItemKeys: ['project', 'name', 'index', 'id', 'projectindex', 'projectname'],
  read: amount,
  index: normaliseProject,
  ignore: { keys: TOTAL_KEYS, note: 'total ignored' },
  mapMissingHint: ' (give 0 for a project you do not fund)',
};

/** Normalises one contributions answer (a list, a string of amounts, or a project map) to M amounts ≥ 0. */
export function normaliseContributions(raw: unknown, spec: CofundingSpec): Parsed<number[]> {
  const notes: string[] = [];
  const amounts = collectVector(raw, spec, CONTRIBUTIONS, notes);
  if (typeof amounts === 'string') return { ok: false, error: `${amounts}; ${contributionsHint(spec)}` };
  if (amounts.some((a) => a.text)) notes.push('numbers as strings');
  const values = amounts.map((a) => a.value + 0); // + 0: -0 is 0
  const neg = values.map((v, j) => (v < 0 ? `${projectName(spec, j)} is ${v}` : null)).filter((e) => e);
  if (neg.length)
    return { ok: false, error: `a contribution cannot be negative: ${neg.join(', ')}; ${contributionsHint(spec)}` };
  return { ok: true, value: values, notes: [...new Set(notes)] };
}

export function parseContributions(text: string, spec: CofundingSpec, ctx: ParseContext = {}): Parsed<number[]> {
  const found = findJsonObjects(text, ctx);
  if (found === NO_JSON_OBJECT) {
    const list = bareList(text ?? '', amount);
    if (list !== null) return withNotes(normaliseContributions(listValue(list), spec), ['bare list']);
  }
  if (typeof found === 'string') return { ok: false, error: found };
  // the last object with a contributions key is the answer; else a bare map of projects to amounts
  for (const f of found) {
    const k = keyLike(f.value, ...CONTRIBUTION_KEYS);
    const v = k === undefined ? undefined : f.value[k];
    if (v !== undefined && v !== null && typeof v !== 'number' && typeof v !== 'boolean')
      return withNotes(
        normaliseContributions(v, spec),
        squash(k!) === 'contributions' ? f.notes : [...f.notes, `key "${k}"`],
      );
  }
  for (const f of found) {
    const keys = Object.keys(f.value);
    if (
      keys.some((key) => normaliseProject(key, spec.items) !== null) &&
      keys.every((key) => normaliseProject(key, spec.items) !== null || TOTAL_KEYS.has(squash(key)))
    )
      return withNotes(normaliseContributions(f.value, spec), [...f.notes, 'bare contributions']);
  }
  return { ok: false, error: `the JSON has no "contributions" list; ${contributionsHint(spec)}` };
}
