/**
 * timeline.js, the experiment pages' client renderer, as text (for the page's script) and as
 * functions (evaluated with node:vm, for the server's run summaries and for tests), so the
 * timeline and its tables have one home; and packLines, the server's half of its data format.
 * The file ships beside this module (no build step).
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';

export const TIMELINE_SOURCE = readFileSync(new URL('./timeline.js', import.meta.url), 'utf8');

/** A run's fallback context: the page's items, and the result document's seats and values. */
export interface RunContext {
  items?: readonly string[];
  seats?: { agent: string; model: string; role: string | null; seat: number }[];
  preferences?: number[][] | null;
}

export interface TimelineApi {
  esc(x: unknown): string;
  num(x: unknown, digits?: number): string;
  int(x: unknown): string;
  usd(x: unknown): string;
  allocationTable(
    allocation: Record<string, number[]>,
    items: readonly string[],
    prefs: number[][] | null,
    agents: string[],
  ): string;
  agreementTable(
    agreement: readonly number[],
    issues: readonly string[],
    weights: number[][] | null,
    positions: number[][] | null,
    agents: string[],
  ): string;
  contributionsTable(
    pledges: readonly (readonly number[])[],
    projects: readonly string[],
    valuations: number[][] | null,
    costs: readonly number[] | null,
    agents: string[],
  ): string;
  /** a run's data block (a JSON string: its lines gzip-compressed, base64) → its lines */
  unpack(block: string): Promise<string>;
  parseLines(text: string): { events: Record<string, unknown>[]; bad: number };
  /** a run's timeline HTML from its transcript lines (JSONL text) */
  renderRun(text: string, ctx?: RunContext): string;
}

/** A fresh evaluation of timeline.js (no `document`: the DOM glue does not run), with the web APIs unpack uses. */
export function loadTimeline(): TimelineApi {
  const web = { atob, Blob, DecompressionStream, Response };
  return runInNewContext(`${TIMELINE_SOURCE}\n;BargainTimeline`, web, { filename: 'timeline.js' }) as TimelineApi;
}

/** A run's data block: its transcript lines, gzip-compressed (fast level) and base64-encoded, as a JSON string. */
export function packLines(text: string): string {
  return JSON.stringify(gzipSync(text, { level: 1 }).toString('base64'));
}
