/**
 * Tolerant parsing of a treaty proposal: the agreement vector, one whole percentage 0..100
 * per issue in issue order. The JSON is found by json-find.ts (fences, prose, jsonrepair);
 * here key variants ("agreement_vector", "positions", "proposal", …), percentages as strings
 * ("45%", "45"), a map of issue names to figures, and 0–1 fractions (when every figure is
 * within [0, 1] and one is not whole: ×100, rounded, with a note) are recovered. A vector of
 * the wrong length, a non-number, a figure outside 0..100 or a non-whole one is an error the
 * model is shown on its repair turn: nothing is clipped, padded or invented.
 * Pure; imports src/game types and json-find.ts only.
 */
import type { GameSpec } from '../../game/index.ts';
import { findJsonObjects, keyLike, NO_JSON_OBJECT, withNotes, type ParseContext, type Parsed } from './json-find.ts';

type TreatySpec = Pick<GameSpec, 'm' | 'items'>;

/** The answer's key, then the variants models use, most specific first. */
const AGREEMENT_KEYS = [
  'agreement',
  'agreementvector',
  'proposedagreement',
  'treaty',
  'proposal',
  'positions',
  'vector',
  'terms',
  'percentages',
  'values',
];

/** The one-line reminder of the answer's form that every rejection ends with. */
export function agreementHint(spec: TreatySpec): string {
  const what =
    spec.m === 1
      ? 'one whole percentage from 0 to 100'
      : `exactly ${spec.m} whole percentages from 0 to 100, one per issue in issue order`;
  return `give {"agreement": [...]} with ${what}`;
}

const issueName = (spec: TreatySpec, j: number): string => `issue ${j} (${spec.items[j]})`;

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Issue index for 2, "2", "Fishing quota cut", "fishing_quota_cut", "2: Fishing quota cut"; null if none. */
export function normaliseIssue(key: unknown, items: readonly string[]): number | null {
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 && key < items.length ? key : null;
  if (typeof key !== 'string') return null;
  const s = key.replace(/[*<>]/g, '').trim();
  if (/^\d+$/.test(s)) return normaliseIssue(Number(s), items);
  const byName = (name: string) => {
    const j = items.findIndex((it) => squash(it) === squash(name));
    return j >= 0 ? j : null;
  };
  const named = byName(s);
  if (named !== null) return named;
  // "2: Fishing quota cut", "2 - Fishing quota cut", "Fishing quota cut (2)": the number must agree with the name
  const a = /^(\d+)\s*[:.=\-–)]?\s*(.+)$/.exec(s) ?? /^(.+?)\s*[(:#\-–]\s*(\d+)\s*\)?$/.exec(s);
  if (a) {
    const [num, name] = /^\d+$/.test(a[1]) ? [Number(a[1]), a[2]] : [Number(a[2]), a[1]];
    const j = byName(name);
    if (j !== null && j === num) return j;
  }
  return null;
}

interface Figure {
  value: number;
  /** written with a % sign (then never a fraction) */
  percent: boolean;
  /** written as a string */
  text: boolean;
}

/** A figure from 45, "45", "45%", " 45 % ", "**45**", "<45>"; an error string if it is not a number. */
function figure(x: unknown, where: string): Figure | string {
  if (typeof x === 'number')
    return Number.isFinite(x) ? { value: x, percent: false, text: false } : `${where} is not a number`;
  if (typeof x === 'string') {
    const m = /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)\s*(%|percent)?$/i.exec(x.replace(/[*<>]/g, '').trim());
    if (m) return { value: Number(m[1]), percent: m[2] !== undefined, text: true };
    return `${where} is ${JSON.stringify(x)}, not a number`;
  }
  return `${where} is ${JSON.stringify(x) ?? String(x)}, not a number`;
}

/** One element of an agreement list given as an object: {"issue": …, "percentage": 45}. */
function fromObject(o: Record<string, unknown>, spec: TreatySpec): { issue: number | null; raw: unknown } | string {
  const vk = keyLike(o, 'percentage', 'percent', 'value', 'position', 'agreement', 'rate', 'level', 'figure');
  if (vk === undefined) return 'an entry of the agreement has no percentage';
  const ik = keyLike(o, 'issue', 'name', 'index', 'id', 'issueindex', 'issuename');
  if (ik === undefined) return { issue: null, raw: o[vk] };
  const j = normaliseIssue(o[ik], spec.items);
  if (j === null) return `${JSON.stringify(o[ik])} is not an issue (the issues are ${issueList(spec)})`;
  return { issue: j, raw: o[vk] };
}

const issueList = (spec: TreatySpec): string => spec.items.map((it, j) => `${j} ${it}`).join(', ');

/** The agreement's figures in issue order, before the range checks. */
function collect(raw: unknown, spec: TreatySpec, notes: string[], depth = 0): Figure[] | string {
  if (typeof raw === 'string') {
    // "[40, 55, 10]" or "40%, 55%, 10%"
    const inner = /^\s*\[?([^[\]]*)\]?\s*$/.exec(raw);
    if (!inner) return 'the agreement must be a list of percentages';
    notes.push('agreement as text');
    return collect(inner[1].split(/[,;]/), spec, notes, depth + 1);
  }
  if (Array.isArray(raw)) {
    const out: (Figure | undefined)[] = [];
    let placed = false;
    for (const [i, x] of raw.entries()) {
      let issue: number | null = null;
      let v: unknown = x;
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        const e = fromObject(x as Record<string, unknown>, spec);
        if (typeof e === 'string') return e;
        ({ issue, raw: v } = e);
        notes.push('issue entries');
      }
      if (issue !== null) {
        if (out[issue] !== undefined) return `${issueName(spec, issue)} is given more than once`;
        placed = true;
      }
      const k = issue ?? i;
      const f = figure(v, k < spec.m ? issueName(spec, k) : `entry ${i + 1}`);
      if (typeof f === 'string') return f;
      out[k] = f;
    }
    if (placed) {
      const missing = spec.items.map((_, j) => j).filter((j) => out[j] === undefined);
      if (missing.length) return `no percentage for ${missing.map((j) => issueName(spec, j)).join(', ')}`;
    }
    if (out.length !== spec.m)
      return `the agreement lists ${out.length} percentage${out.length === 1 ? '' : 's'} but there ${spec.m === 1 ? 'is 1 issue' : `are ${spec.m} issues`} (${issueList(spec)})`;
    return out as Figure[];
  }
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    const nested = depth === 0 ? keyLike(o, ...AGREEMENT_KEYS) : undefined;
    if (nested !== undefined) return collect(o[nested], spec, notes, depth + 1);
    // {"Carbon cost on imports": 40, …}: every key must name an issue, every issue once
    const out: (Figure | undefined)[] = new Array(spec.m).fill(undefined);
    for (const [key, x] of Object.entries(o)) {
      const j = normaliseIssue(key, spec.items);
      if (j === null) return `"${key}" is not an issue (the issues are ${issueList(spec)})`;
      if (out[j] !== undefined) return `${issueName(spec, j)} is given more than once`;
      const f = figure(x, issueName(spec, j));
      if (typeof f === 'string') return f;
      out[j] = f;
    }
    notes.push('issue map');
    const missing = out.map((f, j) => (f === undefined ? j : -1)).filter((j) => j >= 0);
    if (missing.length) return `no percentage for ${missing.map((j) => issueName(spec, j)).join(', ')}`;
    return out as Figure[];
  }
  return 'the agreement must be a list of percentages, one per issue';
}

/** Normalises one agreement (a list, a string of figures, or an issue map) to K whole percentages 0..100. */
export function normaliseAgreement(raw: unknown, spec: TreatySpec): Parsed<number[]> {
  const notes: string[] = [];
  const figs = collect(raw, spec, notes);
  if (typeof figs === 'string') return { ok: false, error: `${figs}; ${agreementHint(spec)}` };
  if (figs.some((f) => f.text)) notes.push(figs.some((f) => f.percent) ? 'percent signs' : 'numbers as strings');
  let values = figs.map((f) => f.value);
  // 0–1 fractions: only when every figure is within [0, 1], one is not whole and none carried a % sign
  if (
    !figs.some((f) => f.percent) &&
    values.every((v) => v >= 0 && v <= 1) &&
    values.some((v) => !Number.isInteger(v))
  ) {
    values = values.map((v) => Math.round(v * 100));
    notes.push('fractions of 1 read as percentages (×100, rounded)');
  }
  const out = values.map((v, j) => (v < 0 || v > 100 ? `${issueName(spec, j)} is ${v}` : null)).filter((e) => e);
  if (out.length) return { ok: false, error: `outside 0..100: ${out.join(', ')}; ${agreementHint(spec)}` };
  const frac = values.map((v, j) => (Number.isInteger(v) ? null : `${issueName(spec, j)} is ${v}`)).filter((e) => e);
  if (frac.length) return { ok: false, error: `not a whole percentage: ${frac.join(', ')}; ${agreementHint(spec)}` };
  return { ok: true, value: values, notes: [...new Set(notes)] };
}

/** The last [..] in prose that holds only figures ("I propose [40, 55, 10]."), for answers with no JSON object. */
function bareList(text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(/\[([^[\]{}]*)\]/g)) {
    const parts = m[1].split(',');
    if (parts.length > 0 && parts.every((p) => typeof figure(p, '') !== 'string')) last = m[1];
  }
  return last;
}

/** A bare list's figures as JSON numbers where they are, else as the text ("40%, 55%"). */
function listValue(inner: string): unknown {
  try {
    return JSON.parse(`[${inner}]`) as unknown;
  } catch {
    return inner;
  }
}

export function parseAgreement(text: string, spec: TreatySpec, ctx: ParseContext = {}): Parsed<number[]> {
  const found = findJsonObjects(text, ctx);
  if (found === NO_JSON_OBJECT) {
    const list = bareList(text ?? '');
    if (list !== null) return withNotes(normaliseAgreement(listValue(list), spec), ['bare list']);
  }
  if (typeof found === 'string') return { ok: false, error: found };
  // the last object with an agreement key is the answer; else a bare map of issues to figures
  for (const f of found) {
    const k = keyLike(f.value, ...AGREEMENT_KEYS);
    const v = k === undefined ? undefined : f.value[k];
    if (v !== undefined && v !== null && typeof v !== 'number' && typeof v !== 'boolean')
      return withNotes(normaliseAgreement(v, spec), squash(k!) === 'agreement' ? f.notes : [...f.notes, `key "${k}"`]);
  }
  for (const f of found) {
    const keys = Object.keys(f.value);
    if (keys.length > 0 && keys.every((key) => normaliseIssue(key, spec.items) !== null))
      return withNotes(normaliseAgreement(f.value, spec), [...f.notes, 'bare agreement']);
  }
  return {
    ok: false,
    error: `the JSON has no "agreement" list; ${agreementHint(spec)}`,
  };
}
