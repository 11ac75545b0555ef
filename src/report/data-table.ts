/**
 * Paged tables whose rows live in a data script beside the page, so a page stays small
 * however many rows a grid has (report/index-data.js: file:// pages cannot fetch JSON, but
 * they may load a script). The server writes each table's shell (head, filter box, pager) into
 * the page and its rows into the data file as arrays of display strings; the page's script
 * (DATA_TABLE_SCRIPT) shows one page of rows at a time. Cells are built with createElement and
 * textContent only: model names and error texts are untrusted and never become markup.
 * The same column specs render small tables inline (staticTable), so both look alike.
 */
import { esc, headCells, table } from './html.ts';

/**
 * How a column's value shows: t text · n number (right-aligned) · s statistic, "mean lo hi"
 * ('' = no value) · x experiment id (a link when the experiment has a page) · u status.
 */
export type CellKind = 't' | 'n' | 's' | 'x' | 'u';
export type CellValue = string | number;

export interface DataColumn<T> {
  head: string;
  /** hover text of the head (the unit) */
  title?: string;
  kind: CellKind;
  /** the display string (a number for kind x) */
  cell: (row: T) => CellValue;
}

/** One table in the data file: its column kinds and its rows, compact (no repeated keys). */
export interface DataTableRows {
  k: CellKind[];
  r: CellValue[][];
}

/** The data file's one value. `build` must match the page's (a data file of another build is refused). */
export interface TableData {
  build: string;
  /** experiments that have a page, as inclusive [first, last] id ranges */
  pages: [number, number][];
  tables: Record<string, DataTableRows>;
}

/** The global the data file assigns. */
export const DATA_GLOBAL = 'BARGAIN_INDEX_DATA';
export const PAGE_ROWS = 50;

export function dataRows<T>(rows: readonly T[], cols: readonly DataColumn<T>[]): DataTableRows {
  return { k: cols.map((c) => c.kind), r: rows.map((row) => cols.map((c) => c.cell(row))) };
}

/** Sorted ids as inclusive ranges: a grid's pages are mostly one run of consecutive ids. */
export function idRanges(ids: Iterable<number>): [number, number][] {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const id of sorted) {
    const last = out[out.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

/**
 * The data file's text: one assignment of JSON to DATA_GLOBAL. `<` and the two JS line
 * separators are escaped (they can only occur inside JSON strings), so the text stays inert
 * JSON even if someone inlines it into a page.
 */
export function dataScript(data: TableData): string {
  const json = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `window.${DATA_GLOBAL} = ${json};\n`;
}

/** A statistic as the data file carries it: "mean lo hi", or '' without a value. */
export function statValue(mean: string | null, lo: string, hi: string): string {
  return mean === null ? '' : `${mean} ${lo} ${hi}`;
}

const isNum = (k: CellKind) => k === 'n' || k === 's' || k === 'x';

const STATUS = /^[A-Z_]+$/;

/** The row class the script gives a row with a status cell. */
function statusRowClass(status: string): string {
  return status === 'FAILED' || status === 'TIMEOUT' ? 'fail' : status === 'SUCCESS' ? '' : 'miss';
}

/** A cell's content as HTML, exactly as the script builds it (inline tables and the script agree). */
function cellHtml(kind: CellKind, v: CellValue, pages: ReadonlySet<number>): string {
  const s = String(v);
  if (kind === 'x') return typeof v === 'number' && pages.has(v) ? `<a href="experiments/${v}.html">${v}</a>` : esc(s);
  if (kind === 's') {
    if (s === '') return '<span class="muted">–</span>';
    const [m, lo, hi] = s.split(' ');
    return `${esc(m)} <span class="ci">[${esc(lo)}, ${esc(hi)}]</span>`;
  }
  if (kind === 'u') return `<span${STATUS.test(s) ? ` class="status-${s}"` : ''}>${esc(s)}</span>`;
  return esc(s);
}

const headOf = <T>(cols: readonly DataColumn<T>[]) =>
  headCells(cols.map((c) => ({ head: c.head, title: c.title, num: isNum(c.kind) })));

/** A small table rendered inline from the same column specs (no pager, no data file). */
export function staticTable<T>(
  rows: readonly T[],
  cols: readonly DataColumn<T>[],
  opts: { id?: string; pages?: ReadonlySet<number> } = {},
): string {
  const pages = opts.pages ?? new Set<number>();
  const u = cols.findIndex((c) => c.kind === 'u');
  return table(
    rows,
    cols.map((c) => ({
      head: c.head,
      title: c.title,
      num: isNum(c.kind),
      cell: (row: T) => cellHtml(c.kind, c.cell(row), pages),
    })),
    { id: opts.id, rowClass: u < 0 ? undefined : (row) => statusRowClass(String(cols[u].cell(row))) },
  );
}

/**
 * A paged table's shell: filter box, pager and head; its rows come from the data file
 * (`id` is both the table element's id and its key there). Until the script fills it, its
 * body says where the rows are, so a page without JavaScript is not silently empty.
 */
export function dataTableShell<T>(
  id: string,
  cols: readonly DataColumn<T>[],
  opts: { rows: number; build: string; filterLabel: string },
): string {
  return `<div class="datatable" data-table="${esc(id)}" data-build="${esc(opts.build)}">
<p class="toolbar"><input type="search" data-role="filter" placeholder="${esc(opts.filterLabel)}" aria-label="${esc(opts.filterLabel)}"><button type="button" data-go="first">« First</button><button type="button" data-go="prev">‹ Previous</button><button type="button" data-go="next">Next ›</button><button type="button" data-go="last">Last »</button><span class="small muted" data-role="status" aria-live="polite"></span></p>
<div class="scroll"><table id="${esc(id)}"><thead><tr>${headOf(cols)}</tr></thead><tbody><tr><td class="muted" colspan="${cols.length}">${esc(opts.rows.toLocaleString('en-US'))} row(s), shown from index-data.js (beside this page) by the page's script.</td></tr></tbody></table></div>
</div>`;
}

/**
 * The page's script for the shells: pages of PAGE_ROWS rows, first/previous/next/last, "rows
 * a–b of n", a filter over all rows (the text as shown, case-insensitive). A missing data
 * file, one from another build, or a table missing from it is said in the table in one line.
 */
export const DATA_TABLE_SCRIPT = `(function () {
  'use strict';
  var PAGE = ${PAGE_ROWS};
  var D = window.${DATA_GLOBAL};
  var ranges = D && Array.isArray(D.pages) ? D.pages : [];
  function fmt(n) { return n.toLocaleString('en-US'); }
  function hasPage(id) {
    var lo = 0, hi = ranges.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1, r = ranges[mid];
      if (id < r[0]) hi = mid - 1; else if (id > r[1]) lo = mid + 1; else return true;
    }
    return false;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function isNum(k) { return k === 'n' || k === 's' || k === 'x'; }
  function statText(v) { var p = v.split(' '); return p[0] + ' [' + p[1] + ', ' + p[2] + ']'; }
  function cell(k, v) {
    var td = el('td', isNum(k) ? 'num' : '');
    var s = String(v);
    if (k === 'x') {
      if (typeof v === 'number' && hasPage(v)) {
        var a = el('a', '', s);
        a.href = 'experiments/' + v + '.html';
        td.appendChild(a);
      } else td.textContent = s;
    } else if (k === 's') {
      if (s === '') td.appendChild(el('span', 'muted', '\\u2013'));
      else {
        var p = s.split(' ');
        td.appendChild(document.createTextNode(p[0] + ' '));
        td.appendChild(el('span', 'ci', '[' + p[1] + ', ' + p[2] + ']'));
      }
    } else if (k === 'u') td.appendChild(el('span', /^[A-Z_]+$/.test(s) ? 'status-' + s : '', s));
    else td.textContent = s;
    return td;
  }
  function say(box, text) {
    var td = el('td', 'muted', text);
    td.colSpan = box.querySelectorAll('thead th').length;
    var tr = el('tr');
    tr.appendChild(td);
    box.querySelector('tbody').replaceChildren(tr);
    Array.prototype.forEach.call(box.querySelectorAll('.toolbar input, .toolbar button'), function (c) { c.disabled = true; });
  }
  function setup(box) {
    var id = box.getAttribute('data-table');
    if (!D || typeof D !== 'object') return say(box, 'The rows did not load: index-data.js is missing or unreadable (it must be beside index.html).');
    if (D.build !== box.getAttribute('data-build')) return say(box, 'The rows are not shown: index-data.js is from another build of the report (' + String(D.build) + '); regenerate the report.');
    var t = D.tables && D.tables[id];
    if (!t || !Array.isArray(t.r) || !Array.isArray(t.k)) return say(box, 'The rows are not shown: index-data.js has no table ' + id + '.');
    var k = t.k, rows = t.r, texts = null, shown = rows.map(function (_, i) { return i; }), at = 0;
    var u = k.indexOf('u');
    var tbody = box.querySelector('tbody'), status = box.querySelector('[data-role="status"]');
    var input = box.querySelector('input[data-role="filter"]');
    var go = {};
    Array.prototype.forEach.call(box.querySelectorAll('button[data-go]'), function (b) { go[b.getAttribute('data-go')] = b; });
    function text(r) {
      return r.map(function (v, i) { return k[i] === 's' && v !== '' ? statText(String(v)) : String(v); }).join('\\t').toLowerCase();
    }
    function render() {
      var frag = document.createDocumentFragment();
      var end = Math.min(at + PAGE, shown.length);
      for (var i = at; i < end; i++) {
        var r = rows[shown[i]], tr = el('tr');
        if (u >= 0) {
          var st = String(r[u]);
          tr.className = st === 'FAILED' || st === 'TIMEOUT' ? 'fail' : st === 'SUCCESS' ? '' : 'miss';
        }
        for (var j = 0; j < k.length; j++) tr.appendChild(cell(k[j], r[j]));
        frag.appendChild(tr);
      }
      tbody.replaceChildren(frag);
      var all = shown.length === rows.length ? '' : ' matching (' + fmt(rows.length) + ' in all)';
      status.textContent = shown.length ? 'rows ' + fmt(at + 1) + '\\u2013' + fmt(end) + ' of ' + fmt(shown.length) + all : rows.length ? 'no rows match (' + fmt(rows.length) + ' in all)' : 'no rows';
      go.first.disabled = go.prev.disabled = at === 0;
      go.next.disabled = go.last.disabled = end >= shown.length;
    }
    function move(to) { at = Math.max(0, Math.min(to, (Math.ceil(shown.length / PAGE) - 1) * PAGE)); render(); }
    go.first.addEventListener('click', function () { move(0); });
    go.prev.addEventListener('click', function () { move(at - PAGE); });
    go.next.addEventListener('click', function () { move(at + PAGE); });
    go.last.addEventListener('click', function () { move(shown.length); });
    input.addEventListener('input', function () {
      var q = input.value.toLowerCase();
      if (!texts) texts = rows.map(text);
      shown = [];
      for (var i = 0; i < texts.length; i++) if (q === '' || texts[i].indexOf(q) >= 0) shown.push(i);
      move(0);
    });
    render();
  }
  Array.prototype.forEach.call(document.querySelectorAll('div.datatable[data-table]'), setup);
})();`;
