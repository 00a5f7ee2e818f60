/**
 * Implausible values in an MCF record: flagged on the row (`quality_flags`)
 * instead of stored silently, so a salary typed per year into a monthly
 * field, or 999 vacancies, does not quietly top a ranking.
 *
 * A flagged value stays in its column when the schema allows it (the flag
 * says to doubt it); one beyond the schema's bounds is left out of its column
 * and kept in the flag, so the job itself is still stored.
 */
import type { Schema, TableDef } from '../../schema/schema.js';
import { checkValue } from '../../schema/validate.js';

/** What is still plausible: a monthly salary, vacancies of one post, years of experience asked for. */
export const PLAUSIBLE = { monthlySalary: 100_000, vacancies: 99, experienceYears: 40 } as const;

/** Months' worth of one salary period (undefined for a period it cannot tell). */
function perMonth(salaryType: unknown): number | undefined {
  const t = typeof salaryType === 'string' ? salaryType.toLowerCase() : '';
  if (t === '' || t.includes('month')) return 1;
  if (t.includes('year') || t.includes('annual')) return 1 / 12;
  if (t.includes('week')) return 52 / 12;
  if (t.includes('day') || t.includes('daily')) return 22;
  if (t.includes('hour')) return 22 * 8;
  return undefined;
}

/** The flags of a row (and the row without values the schema refuses); empty when nothing is implausible. */
export function qualityFlags(
  row: Record<string, unknown>,
  schema: Schema,
  table: TableDef,
): string[] {
  const flags: Array<{ field: string; why: string }> = [];
  const factor = perMonth(row.salary_type);
  for (const field of ['salary_min', 'salary_max']) {
    const v = row[field];
    if (typeof v === 'number' && factor !== undefined && v * factor > PLAUSIBLE.monthlySalary)
      flags.push({ field, why: `over ${PLAUSIBLE.monthlySalary} a month` });
  }
  if (typeof row.vacancies === 'number' && row.vacancies > PLAUSIBLE.vacancies)
    flags.push({ field: 'vacancies', why: `over ${PLAUSIBLE.vacancies}` });
  if (
    typeof row.min_experience_years === 'number' &&
    row.min_experience_years > PLAUSIBLE.experienceYears
  )
    flags.push({ field: 'min_experience_years', why: `over ${PLAUSIBLE.experienceYears} years` });
  return flags.map(({ field, why }) => {
    const value = row[field];
    const def = table.fields[field];
    const refused = def ? checkValue(field, def, value, schema) : undefined;
    if (!refused) return `${field} ${value}: ${why}`;
    delete row[field];
    return `${field} ${value}: ${why}; left out (${refused.message})`;
  });
}
