/**
 * Scores and their explanation in fixed point: hundredths of a point, whole
 * numbers, so the parts of an explanation add up exactly to the score.
 * Parts are rounded by the largest remainder: each exact value is rounded
 * down, and the hundredths left over go to the parts that lost the most,
 * ties to the earlier part.
 */

/** Rounds `exact` values (hundredths) to whole hundredths whose sum is the rounded sum. */
export function roundParts(exact: readonly number[]): { parts: number[]; total: number } {
  const total = Math.round(exact.reduce((a, b) => a + b, 0));
  const parts = exact.map((e) => Math.floor(e));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, frac: e - Math.floor(e) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let j = 0; left > 0 && j < order.length; j++, left--) parts[order[j]!.i]!++;
  return { parts, total };
}

/** Hundredths as a signed decimal: 1234 -> "+12.34", -5 -> "-0.05". */
export function signed(hundredths: number): string {
  const sign = hundredths < 0 ? '-' : '+';
  const a = Math.abs(hundredths);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

export interface Part {
  /** Hundredths of a point. */
  hundredths: number;
  /** The keyword as the user wrote it. */
  keyword: string;
  /** Where it matched: `title 1, skills 1`. */
  where: string;
}

/** One line of job_score.score_parts: `+12.34 Spark (title 1, skills 1)`. */
export function formatPart(p: Part): string {
  return `${signed(p.hundredths)} ${p.keyword} (${p.where})`;
}

const PART = /^([+-])(\d+)\.(\d{2}) (.+) \(([^()]*)\)$/;

/** Reads a score_parts line back; undefined when it is not one. */
export function parsePart(line: string): Part | undefined {
  const m = PART.exec(line);
  if (!m) return undefined;
  const value = Number(m[2]) * 100 + Number(m[3]);
  return { hundredths: m[1] === '-' ? -value : value, keyword: m[4]!, where: m[5]! };
}
