/**
 * The tabs of the CRM spreadsheet and their columns: which database table and
 * field each column shows, and who owns it. The column's type, choices and
 * rules come from db_schema.json, never from here.
 *
 * - `key`: the row's identity; rows are matched by it, never by position.
 * - `pipeline`: written by the pipeline from the database (the user's edits
 *   there are overwritten; the columns carry warning-only protection).
 * - `user`: the user's; the pipeline writes them only into a new row, or when
 *   the database changed them and the Sheet still shows the last synced value.
 */
import type { FieldDef } from '../runtime/schema/schema.js';
import { projectSchema } from '../runtime/schema/schema.js';
import type { TableName } from '../runtime/schema/types.generated.js';

export type Owner = 'key' | 'pipeline' | 'user';

/** How a column's values are held in cells. */
export type CellKind = 'text' | 'number' | 'date' | 'boolean' | 'list' | 'choice';

export interface ColumnSpec {
  /** The header text in row 1 (matched ignoring case, spaces and underscores). */
  header: string;
  /** The field of the tab's table (for `jobs` pipeline columns: of the joined view, see db-view.ts). */
  field: string;
  owner: Owner;
  kind: CellKind;
  /** Allowed values of a choice column (a dropdown). */
  choices?: readonly string[];
  /** The schema's rules for the field, when the column is imported into a table. */
  def?: FieldDef;
  /** Column width in pixels, set by `sheets init`. */
  width: number;
}

export type TabName = 'jobs' | 'tracks' | 'keywords' | 'config';

export interface TabSpec {
  name: TabName;
  /** The table that user edits flow back to. */
  table: TableName;
  columns: ColumnSpec[];
}

/** The hidden tab holding the last synced value of every row (see state.ts). */
export const STATE_TAB = '_mcfpipe_state';
/** Hidden copies of a tab as it was just before the sync wrote to it (see write-plan.ts). */
export const SNAPSHOT_PREFIX = '_mcfpipe_before_sync';

function kindOf(def: FieldDef): CellKind {
  if (def.enum) return 'choice';
  if (def.type === 'string_list') return 'list';
  if (def.type === 'boolean') return 'boolean';
  if (def.type === 'integer' || def.type === 'number') return 'number';
  if (def.format === 'ISO_DATE') return 'date';
  return 'text';
}

function column(
  table: TableName,
  field: string,
  owner: Owner,
  width: number,
  header = field,
): ColumnSpec {
  const def = projectSchema().tables[table]?.fields[field];
  if (!def) throw new Error(`layout: ${table}.${field} is not in db_schema.json`);
  return {
    header,
    field,
    owner,
    kind: kindOf(def),
    ...(def.enum ? { choices: def.enum } : {}),
    def,
    width,
  };
}

/** A pipeline column of the jobs view: shown, never imported. */
function shown(field: string, kind: CellKind, width: number, header = field): ColumnSpec {
  return { header, field, owner: 'pipeline', kind, width };
}

export const JOBS: TabSpec = {
  name: 'jobs',
  table: 'crm',
  columns: [
    column('crm', 'job_s_id', 'key', 120),
    shown('title', 'text', 280),
    shown('company', 'text', 200),
    shown('salary_min', 'number', 90),
    shown('salary_max', 'number', 90),
    shown('posted', 'date', 95),
    shown('expires', 'date', 95),
    shown('score', 'number', 70),
    shown('matched', 'list', 220),
    shown('link', 'text', 200),
    column('crm', 'status', 'user', 110),
    column('crm', 'apply_status', 'user', 110),
    column('crm', 'response', 'user', 110),
    column('crm', 'applied_date', 'user', 100),
    column('crm', 'notes', 'user', 300),
    column('crm', 'track_id', 'user', 180, 'track'),
  ],
};

export const TRACKS: TabSpec = {
  name: 'tracks',
  table: 'track',
  columns: [
    column('track', 'track_id', 'key', 200),
    column('track', 'name', 'user', 200),
    column('track', 'search_terms', 'user', 300),
    column('track', 'employment_types', 'user', 180),
    column('track', 'position_levels', 'user', 180),
    column('track', 'categories', 'user', 180),
    column('track', 'min_salary', 'user', 90),
    column('track', 'max_pages', 'user', 80),
    column('track', 'active', 'user', 70),
  ],
};

export const KEYWORDS: TabSpec = {
  name: 'keywords',
  table: 'keyword',
  columns: [
    column('keyword', 'keyword_id', 'key', 260),
    column('keyword', 'library', 'user', 140),
    column('keyword', 'track_id', 'user', 180),
    column('keyword', 'keyword', 'user', 180),
    column('keyword', 'synonyms', 'user', 240),
    column('keyword', 'kind', 'user', 80),
    column('keyword', 'weight', 'user', 70),
  ],
};

export const CONFIG: TabSpec = {
  name: 'config',
  table: 'config',
  columns: [
    column('config', 'name', 'key', 220),
    column('config', 'value', 'user', 260),
    column('config', 'description', 'user', 400),
  ],
};

export const TABS: readonly TabSpec[] = [JOBS, TRACKS, KEYWORDS, CONFIG];

export function keyColumn(tab: TabSpec): ColumnSpec {
  return tab.columns.find((c) => c.owner === 'key')!;
}

/** Header text compared loosely: case, spaces, underscores and dashes do not matter. */
export function headerKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}
