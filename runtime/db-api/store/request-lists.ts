/**
 * The lists a request carries beside its items, checked against the table:
 * field names (`preserve` of a batch, `fields` of a batch read) and ids (`ids`
 * of a batch read). Each problem names the list, the bad entry and what the
 * list accepts.
 */
import type { Schema, TableDef } from '../../schema/schema.js';
import {
  checkValue,
  type FieldProblem,
  fieldDef,
  reservedNameProblem,
  shownValue,
} from '../../schema/validate.js';

export interface FieldNameRule {
  /** Whether the table's field `name` may be listed. */
  accepts: (name: string) => boolean;
  /** What the list accepts, for the problem's message (e.g. `names fields of table job`). */
  accepted: string;
}

/** The problems of `value` as a list of field names of table `t`, reported under `input`. */
export function fieldNameProblems(
  t: TableDef,
  value: unknown,
  input: string,
  rule: FieldNameRule,
): FieldProblem[] {
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) {
    return [
      {
        field: input,
        rule: 'type',
        value: shownValue(value),
        message: 'must be a list of field names',
      },
    ];
  }
  const problems: FieldProblem[] = [];
  for (const name of value as string[]) {
    const reserved = reservedNameProblem(name, name, input);
    if (reserved) problems.push(reserved);
    else if (!fieldDef(t, name) || !rule.accepts(name)) {
      problems.push({
        field: input,
        rule: 'unknown_field',
        value: shownValue(name),
        message: rule.accepted,
      });
    }
  }
  return problems;
}

/** The problems of `value` as at most `max` ids of table `t` (each checked against the key field's rules). */
export function idListProblems(
  schema: Schema,
  t: TableDef,
  value: unknown,
  input: string,
  max: number,
): FieldProblem[] {
  if (!Array.isArray(value)) {
    return [
      {
        field: input,
        rule: 'type',
        value: shownValue(value),
        message: `must be a list of ${t.key} values`,
      },
    ];
  }
  if (value.length > max) {
    return [
      {
        field: input,
        rule: 'maxItems',
        value: value.length,
        message: `at most ${max} ids per request; send more requests (DbApiClient.getMany does)`,
      },
    ];
  }
  const problems: FieldProblem[] = [];
  value.forEach((id, i) => {
    const p = checkValue(`${input}[${i}]`, t.fields[t.key]!, id, schema);
    if (p) problems.push({ ...p, message: `the ${t.key} ${p.message}` });
  });
  return problems;
}
