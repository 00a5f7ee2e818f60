/**
 * "Did you mean ...?" for a misspelt name: the closest of the known names
 * within two edits (a case-only difference counts as none).
 */

/** Levenshtein edit distance. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length]!;
}

/** ` (did you mean X?)` when a known name is within two edits of `name`, else ''. */
export function didYouMean(name: string, known: readonly string[]): string {
  const close = known
    .map((k) => ({ k, n: k.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, k) }))
    .filter(({ n }) => n <= 2)
    .sort((x, y) => x.n - y.n)[0];
  return close ? ` (did you mean ${close.k}?)` : '';
}
