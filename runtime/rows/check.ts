/**
 * Checks a row read from the database against db_schema.json before any
 * stage uses it. The DB API validates what it writes, but a row can reach a
 * table another way (the DynamoDB console, an older version of the schema, a
 * script): one such row must not stop a run for everyone. A row that breaks
 * a rule is refused with its problems (table, id, field, rule); the caller
 * reports it and goes on without it.
 *
 * - Every field the schema declares is checked with the DB API's own rules
 *   (runtime/schema/validate.ts), the managed ones (created, last_modified,
 *   version) included; required fields must be present; defaults fill what
 *   a row leaves out (as a PUT would have).
 * - Attributes the schema does not declare are left out of the row, not
 *   reported: a newer writer may add fields, and no reader relies on them.
 *   Only the schema's own field names are ever copied, so a stored
 *   `__proto__` or `constructor` attribute never reaches an object.
 * - A projected read (only some attributes fetched) checks those fields.
 */
import { projectSchema, type Schema } from '../schema/schema.js';
import type { Row, TableName } from '../schema/types.generated.js';
import { checkValue, type FieldProblem, shownValue, validateItem } from '../schema/validate.js';

/** A row refused on reading: which table, which item, and every problem. */
export interface BadRow {
  table: string;
  /** The row's key value, or `(no key)` when it has none a reader can show. */
  id: string;
  problems: FieldProblem[];
}

export type RowCheck<T extends TableName> = { ok: true; row: Row<T> } | { ok: false; bad: BadRow };

export interface CheckOptions {
  /** Only these fields were read (a projection): check those, require none of the others. */
  fields?: readonly string[];
  schema?: Schema;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shownId(raw: unknown, key: string): string {
  const id = isRecord(raw) && Object.hasOwn(raw, key) ? raw[key] : undefined;
  if (typeof id === 'string' && id !== '') return String(shownValue(id));
  return id === undefined ? '(no key)' : JSON.stringify(shownValue(id));
}

const managedCache = new WeakMap<Schema, Map<string, string[]>>();

/** The managed fields of a table (created, last_modified, version), computed once. */
function managedFields(schema: Schema, table: string): string[] {
  let bySchema = managedCache.get(schema);
  if (!bySchema) {
    bySchema = new Map();
    managedCache.set(schema, bySchema);
  }
  let list = bySchema.get(table);
  if (!list) {
    list = Object.entries(schema.tables[table]!.fields)
      .filter(([, d]) => d.managed)
      .map(([n]) => n);
    bySchema.set(table, list);
  }
  return list;
}

/**
 * The row's own attributes that `fields` declares (and `wanted` names), each
 * defined. Most stored rows hold nothing else: then the row itself is
 * returned (it is only read), saving a copy per row on a full listing.
 */
function declaredFields(
  raw: Record<string, unknown>,
  fields: Record<string, unknown>,
  wanted: Set<string> | undefined,
): Record<string, unknown> {
  if (!wanted) {
    let onlyDeclared = true;
    for (const name in raw) {
      if (!Object.hasOwn(raw, name)) continue;
      if (!Object.hasOwn(fields, name) || raw[name] === undefined) {
        onlyDeclared = false;
        break;
      }
    }
    if (onlyDeclared) return raw;
  }
  const known: Record<string, unknown> = {};
  for (const name of Object.keys(raw)) {
    if (!Object.hasOwn(fields, name) || (wanted && !wanted.has(name))) continue;
    if (raw[name] !== undefined) known[name] = raw[name];
  }
  return known;
}

/** Checks one stored row of `table`; the row returned holds only the schema's fields. */
export function checkStoredRow<T extends TableName>(
  table: T,
  raw: unknown,
  opts: CheckOptions = {},
): RowCheck<T> {
  const schema = opts.schema ?? projectSchema();
  const def = schema.tables[table];
  if (!def) throw new Error(`checkStoredRow: "${table}" is not a table of the schema`);
  const id = shownId(raw, def.key);
  if (!isRecord(raw)) {
    const problem = {
      field: '(row)',
      rule: 'type',
      value: shownValue(raw),
      message: `must be an object with ${table} fields`,
    };
    return { ok: false, bad: { table, id, problems: [problem] } };
  }
  // Only declared fields go to the validator: unknown attributes are not the reader's concern.
  const wanted = opts.fields ? new Set(opts.fields) : undefined;
  const known = declaredFields(raw, def.fields, wanted);
  const problems: FieldProblem[] = [];
  let row: Record<string, unknown>;
  if (wanted) {
    row = {};
    for (const [name, value] of Object.entries(known)) {
      const p = value === null ? undefined : checkValue(name, def.fields[name]!, value, schema);
      if (p) problems.push(p);
      else if (value !== null) row[name] = value;
    }
    for (const name of wanted) {
      if (
        def.fields[name]?.required &&
        row[name] === undefined &&
        !problems.some((p) => p.field === name)
      )
        problems.push({ field: name, rule: 'required', value: null, message: 'is required' });
    }
  } else {
    const v = validateItem(schema, def, known, 'full');
    problems.push(...v.problems);
    row = v.item;
    // validateItem leaves managed fields to the server; a stored row carries them, so check them here.
    for (const name of managedFields(schema, table)) {
      const value = known[name];
      if (value === undefined || value === null) continue;
      const p = checkValue(name, def.fields[name]!, value, schema);
      if (p) problems.push(p);
      else row[name] = value;
    }
  }
  if (problems.length) return { ok: false, bad: { table, id, problems } };
  return { ok: true, row: row as unknown as Row<T> };
}

/** One line per problem, for logs: `track me:x: search_terms (type) must be a list of strings`. */
export function describeBadRow(bad: BadRow): string {
  return bad.problems
    .map((p) => `${bad.table} ${bad.id}: ${p.field} (${p.rule}) ${p.message}`)
    .join('; ');
}
