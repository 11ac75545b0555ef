/**
 * Finding the answer's JSON in an LLM's text, shared by every game's parser (DESIGN §3):
 * code fences, prose around the JSON, several objects (the last is the answer), and
 * `jsonrepair` for the syntax inside an object (trailing commas, comments, single quotes,
 * unquoted keys and words, Python literals, missing commas). It never invents an answer:
 * empty content, refusals and truncated JSON (found before any repair, since jsonrepair
 * would complete it) are rejections with a message the model can act on.
 * Pure; imports refusal.ts and jsonrepair only.
 */
import { jsonrepair } from 'jsonrepair';
import { opensWithDecline } from './refusal.ts';

export type Parsed<T> = { ok: true; value: T; notes: string[] } | { ok: false; error: string };

export interface ParseContext {
  /** the provider's finish reason, when known: 'length' turns a broken answer into "cut off" */
  finishReason?: string;
}

// ---------- locating and repairing the JSON ----------

interface Span {
  start: number;
  end: number;
  closed: boolean;
}

/** Top-level {...} spans, skipping braces inside quoted strings; an unclosed one ends at the text's end. */
function objectSpans(s: string): Span[] {
  const spans: Span[] = [];
  let depth = 0,
    start = -1,
    quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === quote) quote = null;
      else if (c === '\n' && quote === "'") quote = null; // an apostrophe in prose, not a string
      continue;
    }
    if (depth > 0 && (c === '"' || c === "'")) {
      // an apostrophe inside a word ("don't") is not a quote
      if (c === "'" && /\w/.test(s[i - 1] ?? '') && /\w/.test(s[i + 1] ?? '')) continue;
      quote = c;
      continue;
    }
    if (depth > 0 && c === '/' && s[i + 1] === '/') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl;
      continue;
    }
    if (depth > 0 && c === '/' && s[i + 1] === '*') {
      const e = s.indexOf('*/', i + 2);
      i = e < 0 ? s.length : e + 1;
      continue;
    }
    if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) spans.push({ start, end: i + 1, closed: true });
    }
  }
  if (depth > 0) spans.push({ start, end: s.length, closed: false });
  return spans;
}

function stripFences(text: string, notes: string[]): string {
  const fence = /```[a-zA-Z0-9_-]*[ \t]*\n?([\s\S]*?)(?:```|$)/g;
  const blocks: string[] = [];
  for (let m; (m = fence.exec(text)); ) blocks.push(m[1]);
  const withJson = blocks.filter((b) => b.includes('{'));
  if (withJson.length === 0) return text;
  notes.push('code fence');
  return withJson.join('\n');
}

/** The error when the text holds no braces at all (and is not a refusal): a game may look for a bare list. */
export const NO_JSON_OBJECT = 'no JSON object found in the answer; reply with the JSON object only';

export interface JsonFound {
  value: Record<string, unknown>;
  notes: string[];
}

/**
 * Every JSON object in the text (last first), repaired where needed.
 * Returns an error string when there is none, or it is cut off.
 */
export function findJsonObjects(text: string, ctx: ParseContext = {}): JsonFound[] | string {
  const trimmed = (text ?? '').trim();
  if (trimmed === '')
    return ctx.finishReason === 'length'
      ? 'the answer is empty: the output-token limit was reached before any answer was written; answer with the JSON only'
      : 'the answer is empty';
  const fenceNotes: string[] = [];
  const body = stripFences(trimmed, fenceNotes);
  const spans = objectSpans(body);
  if (spans.length === 0) {
    if (opensWithDecline(trimmed))
      return `the answer is a refusal, not a decision (${JSON.stringify(trimmed.slice(0, 80))}); this is a game, and an answer in the requested JSON form is required`;
    return NO_JSON_OBJECT;
  }
  // the answer comes last: when the last object is cut off, an earlier one (often an example) is not the answer;
  // an unclosed brace in trailing prose ("{maybe") is not an object
  const last = spans[spans.length - 1];
  if (
    !last.closed &&
    (ctx.finishReason === 'length' || /^\{\s*["']?[\w -]+["']?\s*:/.test(body.slice(last.start)) || spans.length === 1)
  ) {
    return ctx.finishReason === 'length'
      ? 'the JSON is cut off: the answer reached the output-token limit before the JSON was complete; reply with the JSON only, without explanation'
      : 'the JSON is incomplete (an object is opened but never closed)';
  }
  const found: JsonFound[] = [];
  let broken: string | null = null;
  for (const sp of spans.filter((x) => x.closed).reverse()) {
    const raw = body.slice(sp.start, sp.end);
    const notes = [...fenceNotes];
    if (body.slice(0, sp.start).trim() || body.slice(sp.end).trim()) notes.push('prose around JSON');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      try {
        value = JSON.parse(jsonrepair(raw));
        notes.push('JSON repaired');
      } catch (e) {
        broken ??= (e as Error).message;
        continue;
      }
    }
    if (value && typeof value === 'object' && !Array.isArray(value))
      found.push({ value: value as Record<string, unknown>, notes });
  }
  if (found.length) return found;
  return `the JSON could not be read (${broken ?? 'not an object'})`;
}

/** The key among `names` (compared without spaces, underscores, asterisks or case), if any. */
export function keyLike(obj: Record<string, unknown>, ...names: string[]): string | undefined {
  const keys = Object.keys(obj);
  for (const n of names) {
    const k = keys.find((key) => key.replace(/[\s_*]/g, '').toLowerCase() === n);
    if (k !== undefined) return k;
  }
  return undefined;
}

export function withNotes<T>(r: Parsed<T>, notes: string[]): Parsed<T> {
  return r.ok ? { ok: true, value: r.value, notes: [...new Set([...notes, ...r.notes])] } : r;
}
