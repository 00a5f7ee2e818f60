/**
 * The one way a stage of the pipeline reads and writes rows: the scraper
 * (tracks, job and job_search states), scoring (jobs, tracks, keywords,
 * config, scores), the CRM sync and the report. Every row read is checked
 * against db_schema.json ({@link checkStoredRow}); a bad row is reported
 * (table, id, field, rule) and skipped, so one malformed row never stops a
 * run. Writes go through the source's validating upsert (the DB API or its
 * table store).
 */
import { projectSchema } from '../schema/schema.js';
import type { Input, Patch, Row, TableName } from '../schema/types.generated.js';
import { type BadRow, checkStoredRow } from './check.js';

export interface UpsertOptions {
  /** Fields whose stored value wins when the item exists. */
  preserve?: readonly string[];
  /** `replace` (whole items, the default) or `merge` (only the fields given). */
  mode?: 'replace' | 'merge';
}

/** Raw access to the tables: the DB API over HTTP, DynamoDB through the table store, or memory. */
export interface RowSource {
  /** For logs: `db-api http://...`, `dynamodb mcfpipe-dev-*`, `memory`. */
  readonly description: string;
  /** Every row of a table (or those whose index partition key equals `where`), page by page, unchecked. */
  pages(table: TableName, where?: Record<string, string>): AsyncIterable<unknown[]>;
  /** The rows with these keys, unchecked (absent ones left out); `fields`: at least these attributes. */
  getMany(table: TableName, ids: string[], fields?: readonly string[]): Promise<unknown[]>;
  /** Deletes the rows with these keys (absent ones are no error). */
  delete(table: TableName, ids: string[]): Promise<void>;
  /** The identity of the tables (it changes when they are deleted and created again), when the source can tell. */
  storeId?(): Promise<string | undefined>;
  /** Validating, keyed upserts. */
  upsert<T extends TableName>(
    table: T,
    rows: Array<Input<T> | Patch<T>>,
    opts?: UpsertOptions,
  ): Promise<void>;
}

export interface RowStoreOptions {
  /** Told about every row refused on reading (default: nothing; the count is kept either way). */
  onBadRow?: (bad: BadRow) => void;
}

export class RowStore {
  readonly description: string;
  /** Rows refused on reading so far. */
  skipped = 0;
  private readonly listeners: Array<(bad: BadRow) => void> = [];

  constructor(
    readonly source: RowSource,
    opts: RowStoreOptions = {},
  ) {
    this.description = source.description;
    if (opts.onBadRow) this.listeners.push(opts.onBadRow);
  }

  /** Also tell `listener` about bad rows (a stage adds its own logger); returns the remover. */
  onBadRow(listener: (bad: BadRow) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private refuse(bad: BadRow): void {
    this.skipped++;
    for (const l of this.listeners) l(bad);
  }

  /** The valid rows of a table (or of one index partition, e.g. `{ user_id: 'me' }`), page by page. */
  async *pages<T extends TableName>(
    table: T,
    where?: Record<string, string>,
  ): AsyncGenerator<Row<T>[]> {
    for await (const page of this.source.pages(table, where)) {
      const rows: Row<T>[] = [];
      for (const raw of page) {
        const c = checkStoredRow(table, raw);
        if (c.ok) rows.push(c.row);
        else this.refuse(c.bad);
      }
      yield rows;
    }
  }

  /** Every valid row of a table (or of one index partition). */
  async all<T extends TableName>(table: T, where?: Record<string, string>): Promise<Row<T>[]> {
    const out: Row<T>[] = [];
    for await (const page of this.pages(table, where)) out.push(...page);
    return out;
  }

  /**
   * The valid rows with these keys, by key. With `fields`, only those fields
   * are read where the source can project, checked and returned (the key
   * always): a job's state does not depend on its description being valid.
   */
  async getMany<T extends TableName>(
    table: T,
    ids: string[],
    fields?: readonly string[],
  ): Promise<Map<string, Row<T>>> {
    const out = new Map<string, Row<T>>();
    const unique = [...new Set(ids)];
    if (unique.length === 0) return out;
    const key = keyOf(table);
    const read = fields ? [...new Set([key, ...fields])] : undefined;
    const raws = await this.source.getMany(table, unique, read);
    for (const raw of raws) {
      const c = checkStoredRow(table, raw, read ? { fields: read } : {});
      if (!c.ok) {
        this.refuse(c.bad);
        continue;
      }
      out.set(String((c.row as unknown as Record<string, unknown>)[key]), c.row);
    }
    return out;
  }

  delete(table: TableName, ids: string[]): Promise<void> {
    return ids.length ? this.source.delete(table, [...new Set(ids)]) : Promise.resolve();
  }

  upsert<T extends TableName>(
    table: T,
    rows: Array<Input<T> | Patch<T>>,
    opts: UpsertOptions = {},
  ): Promise<void> {
    return rows.length ? this.source.upsert(table, rows, opts) : Promise.resolve();
  }
}

/** The key field of a table. */
export function keyOf(table: TableName): string {
  return projectSchema().tables[table]!.key;
}
