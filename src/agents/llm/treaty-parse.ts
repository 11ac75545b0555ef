/**
 * Tolerant parsing of a treaty proposal: the agreement vector, one whole percentage 0..100
 * per issue in issue order. The JSON is found by json-find.ts (fences, prose, jsonrepair);
 * here key variants ("agreement_vector", "positions", "proposal", …), percentages as strings
 * ("45%", "45"), a map of issue names to figures, and 0–1 fractions (when every figure is
 * within [0, 1] and one is not whole: ×100, rounded, with a note) are recovered. A vector of
 * the wrong length, a non-number, a figure outside 0..100 or a non-whole one is an error the
 * model is shown on its repair turn: nothing is clipped, padded or invented.
 * The list/map/entries reading is vector-parse.ts's, in this game's words.
 * Pure; imports src/game types, json-find.ts and vector-parse.ts only.
 */
import type { GameSpec } from '../../game/index.ts';
import { findJsonObjects, keyLike, NO_JSON_OBJECT, withNotes, type ParseContext, type Parsed } from './json-find.ts';
import { bareList, collectVector, listValue, squash, type VectorForm } from './vector-parse.ts';

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

/** The agreement's words, keys and readers for collectVector. */
const AGREEMENT: VectorForm<Figure> = {
  noun: 'agreement',
  lists: 'lists',
  item: 'issue',
  anItem: 'an issue',
  value: 'percentage',
  keys: AGREEMENT_KEYS,
  entryValueKeys: ['percentage', 'percent', 'value', 'position', 'agreement', 'rate', 'level', 'figure'],
  entryItemKeys: ['issue', 'name', 'index', 'id', 'issueindex', 'issuename'],
  read: figure,
  index: normaliseIssue,
};

/** Normalises one agreement (a list, a string of figures, or an issue map) to K whole percentages 0..100. */
export function normaliseAgreement(raw: unknown, spec: TreatySpec): Parsed<number[]> {
  const notes: string[] = [];
  const figs = collectVector(raw, spec, AGREEMENT, notes);
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

export function parseAgreement(text: string, spec: TreatySpec, ctx: ParseContext = {}): Parsed<number[]> {
  const found = findJsonObjects(text, ctx);
  if (found === NO_JSON_OBJECT) {
    const list = bareList(text ?? '', figure);
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
