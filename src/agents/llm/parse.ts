/**
 * Tolerant parsing of an LLM's proposal and vote answers (DESIGN §3). The JSON is found and
 * mended by json-find.ts (code fences, prose around it, jsonrepair); here item names instead
 * of indices and agent-name variants are normalised. It never invents an answer: an invented
 * extra agent or an unrecognised item is a rejection with a message the model can act on.
 * Structural checks of the allocation (every item exactly once) are the protocol's
 * (validateAllocation), so this only normalises names. parseProposal dispatches on the
 * game: the treaty's agreement vectors are treaty-parse.ts's, co-funding's contribution
 * vectors cofunding-parse.ts's.
 * Pure; imports src/game, json-find.ts, treaty-parse.ts and cofunding-parse.ts only.
 */
import { agentId, type AllocationMap, type GameName, type GameSpec } from '../../game/index.ts';
import { findJsonObjects, keyLike, withNotes, type ParseContext, type Parsed } from './json-find.ts';
import { parseAgreement } from './treaty-parse.ts';
import { parseContributions } from './cofunding-parse.ts';

export { findJsonObjects, type JsonFound, type ParseContext, type Parsed } from './json-find.ts';

/** One vote as the prompts show it and the errors ask for it: a placeholder, never a suggested decision. */
export const voteFormat = (proposal: number): string => `{"proposal": ${proposal}, "accept": true or false}`;

// ---------- names ----------

const AGENT_RE = /^\s*(?:agent|player|a)[\s_\-#]*0*(\d+)\s*$/i;

/** Agent_k for "Agent_1", "agent 1", "Agent1", "A1", "agent-1", "**Agent_1**"; null if not an agent name. */
export function normaliseAgentName(key: string): string | null {
  const m = AGENT_RE.exec(key.replace(/\*/g, '').replace(/\s*\((?:me|you|yours|myself)\)\s*$/i, ''));
  if (!m) return null;
  return `Agent_${Number(m[1])}`;
}

/** Item index for 3, "3", "Stone", "stone", "Item 3", "3: Stone", "Stone (2)"; an error string if unrecognised. */
export function normaliseItem(x: unknown, items: readonly string[]): number | string {
  if (typeof x === 'number') return x;
  if (typeof x !== 'string') return `${JSON.stringify(x)} is not an item index`;
  const s = x.replace(/\*/g, '').trim();
  if (/^\d+$/.test(s)) return Number(s);
  const byName = (name: string): number => items.findIndex((it) => it.toLowerCase() === name.trim().toLowerCase());
  const named = byName(s);
  if (named >= 0) return named;
  const a =
    /^(?:item\s*#?\s*)?(\d+)\s*[:=\-–(]\s*([A-Za-z_][\w ]*?)\s*\)?$/i.exec(s) ??
    /^([A-Za-z_][\w ]*?)\s*[(:#\-–]\s*(?:item\s*#?\s*)?(\d+)\s*\)?$/i.exec(s);
  if (a) {
    const [num, name] = /^\d+$/.test(a[1]) ? [Number(a[1]), a[2]] : [Number(a[2]), a[1]];
    const j = byName(name);
    if (j === num) return j;
    if (j >= 0) return `"${x}" names ${items[j]} (index ${j}) but gives index ${num}`;
  }
  const item = /^item[\s_#]*(\d+)$/i.exec(s);
  if (item) return Number(item[1]);
  return `"${x}" is not an item (the items are ${items.map((it, j) => `${j} ${it}`).join(', ')})`;
}

// ---------- proposals ----------

function looksLikeAllocation(obj: Record<string, unknown>): boolean {
  const keys = Object.keys(obj);
  return keys.length > 0 && keys.some((k) => normaliseAgentName(k) !== null);
}

/** Normalises one allocation object (agent keys, item names); does not check completeness. */
export function normaliseAllocation(obj: unknown, spec: Pick<GameSpec, 'n' | 'items'>): Parsed<AllocationMap> {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj))
    return { ok: false, error: '"allocation" must be an object mapping each agent to a list of item indices' };
  const notes: string[] = [];
  const out: AllocationMap = {};
  for (const [key, raw] of Object.entries(obj as Record<string, unknown>)) {
    const id = normaliseAgentName(key);
    if (id === null) {
      return {
        ok: false,
        error: `unknown agent "${key}": the agents are ${Array.from({ length: spec.n }, (_, s) => agentId(s)).join(', ')}`,
      };
    }
    const seat = Number(id.slice(6)) - 1;
    if (seat < 0 || seat >= spec.n) {
      return {
        ok: false,
        error: `the allocation names ${id}, but there is no such agent: the agents are ${Array.from({ length: spec.n }, (_, s) => agentId(s)).join(', ')}`,
      };
    }
    if (id !== key) notes.push('agent-name variants');
    if (id in out) return { ok: false, error: `${id} appears more than once in the allocation` };
    const list = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
    const idx: number[] = [];
    for (const it of list) {
      const j = normaliseItem(it, spec.items);
      if (typeof j === 'string') return { ok: false, error: `${id}: ${j}` };
      if (typeof it === 'string') notes.push(/^\s*\d+\s*$/.test(it) ? 'numbers as strings' : 'item names');
      idx.push(j);
    }
    out[id] = idx;
  }
  return { ok: true, value: out, notes: [...new Set(notes)] };
}

/** An item allocation proposal: {"allocation": {"Agent_1": [item indices], …}} or a bare agent map. */
export function parseAllocation(
  text: string,
  spec: Pick<GameSpec, 'n' | 'items'>,
  ctx: ParseContext = {},
): Parsed<AllocationMap> {
  const found = findJsonObjects(text, ctx);
  if (typeof found === 'string') return { ok: false, error: found };
  // the last object with an "allocation" key is the answer; else a bare agent -> items map
  for (const f of found) {
    const k = keyLike(f.value, 'allocation', 'proposal', 'proposedallocation');
    if (k !== undefined && f.value[k] && typeof f.value[k] === 'object')
      return withNotes(normaliseAllocation(f.value[k], spec), f.notes);
  }
  for (const f of found) {
    if (looksLikeAllocation(f.value))
      return withNotes(normaliseAllocation(f.value, spec), [...f.notes, 'bare allocation']);
  }
  return {
    ok: false,
    error:
      'the JSON has no "allocation" object; reply as {"allocation": {"Agent_1": [item indices], ...}, "reasoning": "..."}',
  };
}

type AllocationSpec = Pick<GameSpec, 'n' | 'items'> & { game?: 'item-allocation' };
type VectorSpec = Pick<GameSpec, 'm' | 'items'> & { game: 'treaty' | 'cofunding' };

/**
 * A proposal answer in its game's wire form: an allocation map, the treaty's agreement
 * vector, or co-funding's contribution vector.
 */
export function parseProposal(text: string, spec: AllocationSpec, ctx?: ParseContext): Parsed<AllocationMap>;
export function parseProposal(text: string, spec: VectorSpec, ctx?: ParseContext): Parsed<number[]>;
export function parseProposal(
  text: string,
  spec: Pick<GameSpec, 'game' | 'n' | 'm' | 'items'>,
  ctx?: ParseContext,
): Parsed<AllocationMap | number[]>;
export function parseProposal(
  text: string,
  spec: Pick<GameSpec, 'items'> & { game?: GameName; n?: number; m?: number },
  ctx: ParseContext = {},
): Parsed<AllocationMap | number[]> {
  const vector = { m: spec.m ?? spec.items.length, items: spec.items };
  if (spec.game === 'treaty') return parseAgreement(text, vector, ctx);
  if (spec.game === 'cofunding') return parseContributions(text, vector, ctx);
  return parseAllocation(text, spec as AllocationSpec, ctx);
}

// ---------- votes ----------

function toDecision(x: unknown): boolean | null {
  if (typeof x === 'boolean') return x;
  if (typeof x === 'number') return x === 1 ? true : x === 0 ? false : null;
  if (typeof x !== 'string') return null;
  const s = x.replace(/\*/g, '').trim().toLowerCase();
  if (['accept', 'accepted', 'yes', 'true', 'y', 'approve', 'agree', 'for'].includes(s)) return true;
  if (['reject', 'rejected', 'no', 'false', 'n', 'decline', 'against', 'refuse'].includes(s)) return false;
  return null;
}

function proposalNumber(x: unknown): number | null {
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  if (typeof x === 'string') {
    const m = /^\s*(?:proposal)?[\s_#]*(\d+)\s*$/i.exec(x.replace(/\*/g, ''));
    if (m) return Number(m[1]);
  }
  return null;
}

/** Votes as booleans aligned with proposals 1..k. */
export function parseVotes(text: string, k: number, ctx: ParseContext = {}): Parsed<boolean[]> {
  const found = findJsonObjects(text, ctx);
  if (typeof found === 'string') return { ok: false, error: found };
  let lastError: string | null = null;
  for (const f of found) {
    const key = keyLike(f.value, 'votes', 'vote');
    const raw = key !== undefined ? f.value[key] : looksLikeVoteMap(f.value) ? f.value : undefined;
    if (raw === undefined) continue;
    const r = normaliseVotes(raw, k);
    if (r.ok) return { ok: true, value: r.value, notes: [...f.notes, ...r.notes] };
    lastError ??= r.error;
  }
  return {
    ok: false,
    error: lastError ?? `the JSON has no "votes" list; reply as {"votes": [${voteFormat(1)}, ...]}`,
  };
}

function looksLikeVoteMap(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((key) => proposalNumber(key) !== null);
}

export function normaliseVotes(raw: unknown, k: number): Parsed<boolean[]> {
  const notes: string[] = [];
  const votes: (boolean | null)[] = new Array(k).fill(null);
  const set = (num: number | null, d: unknown): string | null => {
    if (num === null) return `a vote does not say which proposal it is for (proposals are numbered 1..${k})`;
    if (num < 1 || num > k) return `there is no proposal ${num}: the proposals are numbered 1..${k}`;
    const b = toDecision(d);
    if (b === null) return `the vote on proposal ${num} is ${JSON.stringify(d)}; use true (accept) or false (reject)`;
    if (votes[num - 1] !== null) return `proposal ${num} is voted on more than once`;
    votes[num - 1] = b;
    return null;
  };
  if (Array.isArray(raw)) {
    if (raw.every((x) => x === null || typeof x !== 'object')) {
      // a bare list of decisions, in proposal order
      if (raw.length !== k) return { ok: false, error: `expected ${k} votes (one per proposal), got ${raw.length}` };
      notes.push('bare vote list');
      for (let i = 0; i < raw.length; i++) {
        const e = set(i + 1, raw[i]);
        if (e) return { ok: false, error: e };
      }
    } else {
      for (const [i, x] of raw.entries()) {
        if (!x || typeof x !== 'object' || Array.isArray(x))
          return {
            ok: false,
            error: `vote ${i + 1} must be an object like ${voteFormat(i + 1)}`,
          };
        const o = x as Record<string, unknown>;
        const pk = keyLike(o, 'proposal', 'proposalid', 'proposalnumber', 'id', 'number');
        const dk = keyLike(o, 'accept', 'accepted', 'vote', 'decision');
        if (dk === undefined)
          return {
            ok: false,
            error: `vote ${i + 1} has no "accept" field; use ${voteFormat(i + 1)}`,
          };
        // without a proposal number, the position says which proposal it is
        const e = set(pk === undefined ? (notes.push('positional votes'), i + 1) : proposalNumber(o[pk]), o[dk]);
        if (e) return { ok: false, error: e };
      }
    }
  } else if (raw && typeof raw === 'object') {
    notes.push('vote map');
    for (const [key, d] of Object.entries(raw as Record<string, unknown>)) {
      const e = set(proposalNumber(key), d);
      if (e) return { ok: false, error: e };
    }
  } else {
    return { ok: false, error: `"votes" must be a list like [${voteFormat(1)}, ...]` };
  }
  const missing = votes.map((v, i) => (v === null ? i + 1 : 0)).filter((i) => i > 0);
  if (missing.length)
    return {
      ok: false,
      error: `no vote on proposal${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: vote on every proposal 1..${k}`,
    };
  return { ok: true, value: votes as boolean[], notes };
}

/** Removes <think>…</think> reasoning some open models put in their content (an unclosed one runs to the end). */
export function stripThinking(text: string): string {
  if (!/<think(?:ing)?>/i.test(text)) return text;
  return text.replace(/<(think(?:ing)?)>[\s\S]*?(?:<\/\1>|$)/gi, '').trim();
}
