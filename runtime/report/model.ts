/**
 * The analytics file's stored tables, derived from db_schema.json: one SQLite
 * table per exported table with one column per field, so a field another
 * part of the project adds to the schema appears in the file without a
 * change here.
 *
 * - Types: string -> TEXT, integer -> INTEGER, number -> REAL, boolean ->
 *   INTEGER 0/1, string_list -> TEXT holding a JSON array (query it with
 *   json_each).
 * - Left out: the `config` table (settings, not facts), and free text the
 *   schema allows to be longer than {@link MAX_TEXT_LENGTH} characters (job
 *   descriptions, CRM notes): the file is for counting, and MyCareersFuture's
 *   terms restrict storing its content.
 * - `job.skills` is also unnested into `job_skill(job_id, skill)` (export.ts).
 */
import { createHash } from 'node:crypto';
import type { FieldDef, Schema } from '../schema/schema.js';
import type { TableName } from '../schema/types.generated.js';
import type { SqlValue } from './sqlite.js';

/** The tables exported, dimensions first. */
export const EXPORTED_TABLES = [
  'track',
  'keyword',
  'job',
  'job_search',
  'job_score',
  'crm',
] as const satisfies readonly TableName[];
export type ExportedTable = (typeof EXPORTED_TABLES)[number];

/** Free-text fields whose schema allows more characters than this are left out. */
export const MAX_TEXT_LENGTH = 2000;

/**
 * Bumped when the file's layout changes in a way the schema does not show
 * (derived tables, views, value encoding): a file of another layout is rebuilt.
 */
export const LAYOUT_VERSION = 1;

export type SqlType = 'TEXT' | 'INTEGER' | 'REAL';

export interface Column {
  name: string;
  type: SqlType;
  field: FieldDef;
}

export interface TableModel {
  name: ExportedTable;
  key: string;
  columns: Column[];
  /** Fields of the schema not stored, with why. */
  leftOut: Array<{ field: string; reason: string }>;
}

function sqlType(field: FieldDef): SqlType {
  switch (field.type) {
    case 'integer':
    case 'boolean':
      return 'INTEGER';
    case 'number':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** The stored tables of `schema` (those of {@link EXPORTED_TABLES} it has). */
export function tableModels(schema: Schema): TableModel[] {
  const out: TableModel[] = [];
  for (const name of EXPORTED_TABLES) {
    const t = Object.hasOwn(schema.tables, name) ? schema.tables[name] : undefined;
    if (!t) continue;
    const columns: Column[] = [];
    const leftOut: TableModel['leftOut'] = [];
    for (const [field, def] of Object.entries(t.fields)) {
      if (def.type === 'string' && (def.maxLength ?? 0) > MAX_TEXT_LENGTH) {
        leftOut.push({
          field,
          reason: `free text of up to ${def.maxLength} characters (the file is for counting)`,
        });
        continue;
      }
      columns.push({ name: field, type: sqlType(def), field: def });
    }
    out.push({ name, key: t.key, columns, leftOut });
  }
  return out;
}

/** Whether `table` has a column `name` in `models` (fields other parts add may be missing). */
export function hasColumn(models: TableModel[], table: ExportedTable, name: string): boolean {
  return models.some((m) => m.name === table && m.columns.some((c) => c.name === name));
}

export function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** CREATE TABLE statements of the stored tables and job_skill. */
export function storedTablesSql(models: TableModel[]): string {
  const tables = models.map((m) => {
    const cols = m.columns.map(
      (c) => `  ${quoteId(c.name)} ${c.type}${c.name === m.key ? ' PRIMARY KEY NOT NULL' : ''}`,
    );
    return `CREATE TABLE ${quoteId(m.name)} (\n${cols.join(',\n')}\n) WITHOUT ROWID;`;
  });
  return [
    ...tables,
    'CREATE TABLE job_skill (job_id TEXT NOT NULL, skill TEXT NOT NULL, PRIMARY KEY (job_id, skill)) WITHOUT ROWID;',
  ].join('\n');
}

/** A fingerprint of the stored layout: a file with another one is rebuilt in full. */
export function layoutFingerprint(models: TableModel[]): string {
  const shape = models.map((m) => [m.name, m.key, m.columns.map((c) => [c.name, c.type])]);
  return createHash('sha256')
    .update(JSON.stringify([LAYOUT_VERSION, shape]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A field's value as stored: the schema's type when the value has it (or a
 * string that spells it), else NULL. Rows come from the store and are
 * normally valid; a value that is not is dropped, never guessed.
 */
export function toSqlValue(column: Column, value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  switch (column.field.type) {
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (!Number.isFinite(n) || (typeof value === 'string' && value.trim() === '')) return null;
      return column.field.type === 'integer' ? Math.trunc(n) : n;
    }
    case 'boolean':
      return value === true ? 1 : value === false ? 0 : null;
    case 'string_list': {
      const list = Array.isArray(value) ? value : value instanceof Set ? [...value] : undefined;
      if (!list) return null;
      return JSON.stringify(list.filter((v): v is string => typeof v === 'string'));
    }
    default:
      return null;
  }
}
