/**
 * Tolerant parsing of a co-funding pledge: the contribution vector, one amount per project in
 * project order. The JSON is found by json-find.ts (fences, prose, jsonrepair); here key
 * variants ("contribution", "pledges", "pledge", …), amounts as strings ("12.5"), a map of
 * project names to amounts and a list of project entries are recovered. A vector of the wrong
 * length, a negative amount or a non-number is an error naming the project, shown to the model
 * on its repair turn. The budget, and the decimals, are the game's validation (with its own
 * repair turn): nothing here is scaled, clipped, rounded, padded or invented.
 * Pure; imports src/game types and json-find.ts only.
 */
import type { GameSpec } from '../../game/index.ts';
import { findJsonObjects, keyLike, NO_JSON_OBJECT, withNotes, type ParseContext, type Parsed } from './json-find.ts';

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
const projectList = (spec: CofundingSpec): string => spec.items.map((it, j) => `${j} ${it}`).join(', ');
const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

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

/** An amount from 12.5, "12.5", " 12.5 ", "**12.5**", "<12.5>"; an error string if it is not a finite number. */
function amount(x: unknown, where: string): { value: number; text: boolean } | string {
  if (typeof x === 'number')
    return Number.isFinite(x) ? { value: x, text: false } : `${where} is ${String(x)}, not a number`;
  if (typeof x === 'string') {
    const s = x.replace(/[*<>]/g, '').trim();
    if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(s)) return { value: Number(s), text: true };
    return `${where} is ${JSON.stringify(x)}, not a number`;
  }
  return `${where} is ${JSON.stringify(x) ?? String(x)}, not a number`;
}

/** One element of a contributions list given as an object: {"project": …, "amount": 12}. */
function fromObject(
  o: Record<string, unknown>,
  spec: CofundingSpec,
): { project: number | null; raw: unknown } | string {
  const vk = keyLike(o, 'amount', 'contribution', 'pledge', 'value', 'pledged', 'contributed', 'funding');
  if (vk === undefined) return 'an entry of the contributions has no amount';
  const pk = keyLike(o, 'project', 'name', 'index', 'id', 'projectindex', 'projectname');
  if (pk === undefined) return { project: null, raw: o[vk] };
  const j = normaliseProject(o[pk], spec.items);
  if (j === null) return `${JSON.stringify(o[pk])} is not a project (the projects are ${projectList(spec)})`;
  return { project: j, raw: o[vk] };
}

type Amount = { value: number; text: boolean };

const TOTAL_KEYS = new Set(['total', 'sum', 'totalcontribution', 'totalcontributions', 'totalpledged']);

/** The amounts in project order, before the sign check. */
function collect(raw: unknown, spec: CofundingSpec, notes: string[], depth = 0): Amount[] | string {
  if (typeof raw === 'string') {
    // "[10, 0, 12.5]" or "10, 0, 12.5"
    const inner = /^\s*\[?([^[\]]*)\]?\s*$/.exec(raw);
    if (!inner) return 'the contributions must be a list of amounts';
    notes.push('contributions as text');
    return collect(inner[1].split(/[,;]/), spec, notes, depth + 1);
  }
  if (Array.isArray(raw)) {
    const out: (Amount | undefined)[] = [];
    let placed = false;
    for (const [i, x] of raw.entries()) {
      let project: number | null = null;
      let v: unknown = x;
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        const e = fromObject(x as Record<string, unknown>, spec);
        if (typeof e === 'string') return e;
        ({ project, raw: v } = e);
        notes.push('project entries');
      }
      if (project !== null) {
        if (out[project] !== undefined) return `${projectName(spec, project)} is given more than once`;
        placed = true;
      }
      const k = project ?? i;
      const a = amount(v, k < spec.m ? projectName(spec, k) : `entry ${i + 1}`);
      if (typeof a === 'string') return a;
      out[k] = a;
    }
    if (placed) {
      const missing = spec.items.map((_, j) => j).filter((j) => out[j] === undefined);
      if (missing.length) return `no amount for ${missing.map((j) => projectName(spec, j)).join(', ')}`;
    }
    if (out.length !== spec.m)
      return `the contributions list ${out.length} amount${out.length === 1 ? '' : 's'} but there ${spec.m === 1 ? 'is 1 project' : `are ${spec.m} projects`} (${projectList(spec)})`;
    return out as Amount[];
  }
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    const nested = depth === 0 ? keyLike(o, ...CONTRIBUTION_KEYS) : undefined;
    if (nested !== undefined) return collect(o[nested], spec, notes, depth + 1);
    // {"Park renovation": 12, …}: every key must name a project, every project once
    const out: (Amount | undefined)[] = new Array(spec.m).fill(undefined);
    for (const [key, x] of Object.entries(o)) {
      // a stated total is the model's own arithmetic, not a project
      if (TOTAL_KEYS.has(squash(key))) {
        notes.push('total ignored');
        continue;
      }
      const j = normaliseProject(key, spec.items);
      if (j === null) return `"${key}" is not a project (the projects are ${projectList(spec)})`;
      if (out[j] !== undefined) return `${projectName(spec, j)} is given more than once`;
      const a = amount(x, projectName(spec, j));
      if (typeof a === 'string') return a;
      out[j] = a;
    }
    notes.push('project map');
    const missing = out.map((a, j) => (a === undefined ? j : -1)).filter((j) => j >= 0);
    if (missing.length)
      return `no amount for ${missing.map((j) => projectName(spec, j)).join(', ')} (give 0 for a project you do not fund)`;
    return out as Amount[];
  }
  return 'the contributions must be a list of amounts, one per project';
}

/** Normalises one contributions answer (a list, a string of amounts, or a project map) to M amounts ≥ 0. */
export function normaliseContributions(raw: unknown, spec: CofundingSpec): Parsed<number[]> {
  const notes: string[] = [];
  const amounts = collect(raw, spec, notes);
  if (typeof amounts === 'string') return { ok: false, error: `${amounts}; ${contributionsHint(spec)}` };
  if (amounts.some((a) => a.text)) notes.push('numbers as strings');
  const values = amounts.map((a) => a.value + 0); // + 0: -0 is 0
  const neg = values.map((v, j) => (v < 0 ? `${projectName(spec, j)} is ${v}` : null)).filter((e) => e);
  if (neg.length)
    return { ok: false, error: `a contribution cannot be negative: ${neg.join(', ')}; ${contributionsHint(spec)}` };
  return { ok: true, value: values, notes: [...new Set(notes)] };
}

/** The last [..] in prose that holds only amounts ("I pledge [10, 0, 12.5]."), for answers with no JSON object. */
function bareList(text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(/\[([^[\]{}]*)\]/g)) {
    const parts = m[1].split(',');
    if (parts.length > 0 && parts.every((p) => typeof amount(p, '') !== 'string')) last = m[1];
  }
  return last;
}

/** A bare list's amounts as JSON numbers where they are, else as the text. */
function listValue(inner: string): unknown {
  try {
    return JSON.parse(`[${inner}]`) as unknown;
  } catch {
    return inner;
  }
}

export function parseContributions(text: string, spec: CofundingSpec, ctx: ParseContext = {}): Parsed<number[]> {
  const found = findJsonObjects(text, ctx);
  if (found === NO_JSON_OBJECT) {
    const list = bareList(text ?? '');
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
