/** RFC 4180 CSV for the tidy tables: one writer and one reader (quoted fields, doubled quotes, CRLF or LF). */

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text with a header row; null/undefined become empty cells. */
export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  let out = columns.join(',') + '\n';
  for (const r of rows) out += columns.map((c) => csvCell(r[c])).join(',') + '\n';
  return out;
}

/**
 * The rows of RFC 4180 CSV one at a time (quoted fields, doubled quotes, CRLF or LF, newlines
 * inside quotes, a leading BOM). Unquoted fields are slices of the text, not built character by
 * character, and no row outlives its turn: a 10,000-run table reads in a fraction of the memory.
 */
export function* csvRows(text: string): Generator<string[]> {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // BOM
  let row: string[] = [];
  while (i < n) {
    let field: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      field = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          // an unterminated quote runs to the end, as it always has
          field += text.slice(i);
          i = n;
          break;
        }
        field += text.slice(i, q);
        if (text.charCodeAt(q + 1) === 34) {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // characters after the closing quote up to the delimiter belong to the field
      let j = i;
      while (j < n && !isDelimiter(text.charCodeAt(j))) j++;
      field += text.slice(i, j);
      i = j;
    } else {
      let j = i;
      while (j < n && !isDelimiter(text.charCodeAt(j))) j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (i >= n) break;
    const c = text.charCodeAt(i);
    i++;
    if (c === 44 /* , */) {
      if (i >= n) row.push('');
      continue;
    }
    if (c === 13 && text.charCodeAt(i) === 10) i++;
    yield row;
    row = [];
  }
  if (row.length) yield row;
}

const isDelimiter = (c: number) => c === 44 || c === 10 || c === 13;

/** Parses RFC 4180 CSV into rows of fields (see csvRows). */
export function parseCsv(text: string): string[][] {
  return [...csvRows(text)];
}
