/**
 * A1 notation, as the Sheets API takes ranges: `'My tab'!C2:C`, `jobs!A:A`,
 * `jobs`. A title is quoted (a quote doubled) so any title is safe.
 */

/** Column letters of a 0-based column index: 0 -> A, 26 -> AA, 18277 -> ZZZ. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** The 0-based column index of column letters (A -> 0). */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function quoteTitle(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

/** A whole column of a tab: `'jobs'!C:C`. */
export function columnRange(title: string, col: number): string {
  const c = columnLetter(col);
  return `${quoteTitle(title)}!${c}:${c}`;
}

/** A parsed range: 0-based, end exclusive, undefined = unbounded on that side. */
export interface A1Range {
  title: string | undefined;
  startRow?: number;
  endRow?: number;
  startCol?: number;
  endCol?: number;
}

const CELL = /^([A-Za-z]*)(\d*)$/;

/** Parses `title`, `title!A1:B2`, `title!A:A`, `title!2:5`, `title!A1`; undefined when it is not A1 notation. */
export function parseA1(range: string): A1Range | undefined {
  let title: string | undefined;
  let rest: string;
  const quoted = /^'((?:[^']|'')*)'(?:!(.*))?$/.exec(range);
  if (quoted) {
    title = quoted[1]!.replace(/''/g, "'");
    rest = quoted[2] ?? '';
  } else {
    const bang = range.lastIndexOf('!');
    if (bang >= 0) {
      title = range.slice(0, bang);
      rest = range.slice(bang + 1);
    } else if (/^[A-Za-z]{1,3}\d*(:[A-Za-z]{0,3}\d*)?$/.test(range) && /\d|:/.test(range)) {
      title = undefined;
      rest = range;
    } else {
      title = range;
      rest = '';
    }
  }
  if (!rest) return { title };
  const [from, to = from] = rest.split(':');
  const a = CELL.exec(from ?? '');
  const b = CELL.exec(to ?? '');
  if (!a || !b || (!a[1] && !a[2])) return undefined;
  const out: A1Range = { title };
  if (a[1]) out.startCol = columnIndex(a[1]);
  if (a[2]) out.startRow = Number(a[2]) - 1;
  if (b[1]) out.endCol = columnIndex(b[1]) + 1;
  if (b[2]) out.endRow = Number(b[2]);
  return out;
}
