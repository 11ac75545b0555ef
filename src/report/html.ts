/**
 * HTML building blocks of the report: escaping, the page shell with its
 * Content-Security-Policy, the one stylesheet and the one script (both inline, allowed
 * by their sha256 hashes — nothing else may run or load), and small table helpers.
 * Contract: every string that is not a literal in this module goes through `esc`
 * (model text is untrusted); pages load nothing from the network or the disk.
 */
import { createHash } from 'node:crypto';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(x: unknown): string {
  return String(x ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
}

export const CSS = `
:root { --fg: #1b1f24; --muted: #5b6570; --line: #d8dde3; --bg-soft: #f5f7f9; --accent: #2f5d8a; --bad: #a4262c; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); margin: 0; padding: 0 1.5rem 4rem; max-width: 1400px; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .2rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; } h4 { margin: 1rem 0 .3rem; font-size: .95rem; }
a { color: var(--accent); } .muted { color: var(--muted); } .small { font-size: .85em; }
nav.top { display: flex; gap: 1rem; flex-wrap: wrap; padding: .6rem 0; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: #fff; z-index: 2; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: .6rem; margin: .8rem 0; }
.card { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
.card .v { font-size: 1.35rem; font-weight: 600; } .card .k { color: var(--muted); font-size: .8rem; }
.notice { border-left: 4px solid var(--warn); background: #fff8e6; padding: .5rem .8rem; margin: .6rem 0; }
.notice.bad { border-color: var(--bad); background: #fdeeee; } .notice.ok { border-color: #2e7d32; background: #eef7ee; }
figure { margin: 1rem 0 2rem; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); max-width: 75ch; margin-top: .3rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .4rem 0; font-size: .86rem; }
th, td { border: 1px solid var(--line); padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td .ci { color: var(--muted); font-size: .85em; }
tr.fail td { background: #fdeeee; } tr.miss td { background: #fff8e6; }
.status-SUCCESS { color: #2e7d32; } .status-FAILED, .status-TIMEOUT { color: var(--bad); font-weight: 600; } .status-RUNNING, .status-INCOMPLETE, .status-NOT_STARTED { color: var(--warn); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .1rem 0 .3rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg-soft); border: 1px solid var(--line); padding: .4rem .6rem; margin: .3rem 0; font-size: .82rem; }
.run { border: 1px solid var(--line); border-radius: 6px; padding: .2rem 1rem 1rem; margin: 1.2rem 0; }
.round { border-left: 3px solid var(--line); padding-left: .8rem; margin: .8rem 0; }
.msg { margin: .35rem 0; } .who { font-weight: 600; } .who .model { font-weight: 400; color: var(--muted); }
.seat-0 { border-left: 3px solid #4c78a8; padding-left: .5rem; } .seat-1 { border-left: 3px solid #f58518; padding-left: .5rem; }
.seat-2, .seat-3, .seat-4, .seat-5, .seat-6, .seat-7, .seat-8, .seat-9 { border-left: 3px solid #72b7b2; padding-left: .5rem; }
details { margin: .3rem 0; } details > summary { cursor: pointer; color: var(--accent); }
details.private { background: #f7f3fb; border: 1px dashed #b9a6d3; border-radius: 4px; padding: .2rem .5rem; }
details.calls { background: var(--bg-soft); border-radius: 4px; padding: .2rem .5rem; }
.outcome { background: #eef7ee; border: 1px solid #b7dcb9; border-radius: 6px; padding: .4rem .8rem; margin: .6rem 0; }
.outcome.none { background: #fdeeee; border-color: #efc1c1; }
.void { color: var(--bad); } .passed { color: #2e7d32; font-weight: 600; }
.toolbar { display: flex; gap: .5rem; flex-wrap: wrap; margin: .5rem 0; }
button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
input[type=search] { font: inherit; padding: .25rem .5rem; min-width: 18rem; }
`;

/** The report's own script: toggles groups of <details> (the index's tables page and filter with data-table.ts's). No inline handlers anywhere. */
export const SCRIPT = `(function () {
  'use strict';
  var buttons = document.querySelectorAll('button[data-toggle]');
  Array.prototype.forEach.call(buttons, function (b) {
    b.addEventListener('click', function () {
      var open = b.getAttribute('aria-pressed') !== 'true';
      var ds = document.querySelectorAll('details.' + b.getAttribute('data-toggle'));
      Array.prototype.forEach.call(ds, function (d) { d.open = open; });
      b.setAttribute('aria-pressed', open ? 'true' : 'false');
      b.textContent = (open ? 'Hide ' : 'Show ') + b.getAttribute('data-label');
    });
  });
})();`;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');

/**
 * A page's policy: no default sources; only this module's stylesheet and the page's one
 * script (by hash), and data: images (none are used; allowed so a browser's own icon probe
 * is not a violation). No base, no forms. `self` also admits scripts from beside the page
 * (the index's data file): file:// pages cannot fetch JSON, but they may load a script.
 */
export function cspFor(script: string, self = false): string {
  return [
    "default-src 'none'",
    `style-src '${'sha256-' + sha256(CSS)}'`,
    `script-src ${self ? "'self' " : ''}'${'sha256-' + sha256(script)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The policy of a page with the default script and nothing loaded from beside it. */
export const CSP = cspFor(SCRIPT);

export interface PageOptions {
  /** the page's one script (default SCRIPT) */
  script?: string;
  /** scripts loaded from beside the page before it (relative paths: data files) */
  dataScripts?: string[];
}

/**
 * Data for the page's script, inert (a JSON data block is not executed and CSP does not
 * apply to it). `json` is JSON text; `<` becomes \u003c (it can only occur inside JSON
 * strings), so no `</script>` or `<!--` can end the block early.
 */
export function jsonBlock(id: string, json: string): string {
  return `<script type="application/json" id="${esc(id)}">${json.replace(/</g, '\\u003c')}</script>`;
}

export function page(title: string, body: string, opts: PageOptions = {}): string {
  const script = opts.script ?? SCRIPT;
  const data = opts.dataScripts ?? [];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(cspFor(script, data.length > 0))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
${body}
${data.map((src) => `<script src="${esc(src)}"></script>\n`).join('')}<script>${script}</script>
</body>
</html>
`;
}

export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

export function int(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US');
}

export function usd(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  // per-call costs are fractions of a cent: keep four decimals below a dollar
  return x === 0 ? '$0' : x < 1 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`;
}

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(digits)}%`;
}

export interface Column<T> {
  head: string;
  cell: (row: T) => string;
  num?: boolean;
  title?: string;
}

/** A table; `cell` returns HTML (callers escape their text), `head` is escaped here. */
/** A table's head cells (`head` and `title` escaped here). */
export function headCells(cols: readonly Pick<Column<unknown>, 'head' | 'title' | 'num'>[]): string {
  return cols
    .map((c) => `<th${c.num ? ' class="num"' : ''}${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.head)}</th>`)
    .join('');
}

export function table<T>(
  rows: readonly T[],
  cols: Column<T>[],
  opts: { id?: string; rowClass?: (r: T) => string } = {},
): string {
  const head = headCells(cols);
  const body = rows
    .map((r) => {
      const cls = opts.rowClass?.(r);
      return `<tr${cls ? ` class="${esc(cls)}"` : ''}>${cols.map((c) => `<td${c.num ? ' class="num"' : ''}>${c.cell(r)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table${opts.id ? ` id="${esc(opts.id)}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function toggleButton(cls: string, label: string): string {
  return `<button type="button" data-toggle="${esc(cls)}" data-label="${esc(label)}" aria-pressed="false">Show ${esc(label)}</button>`;
}
