/**
 * Rows in memory, with the DB API's write rules (schema validation, keyed
 * upserts, defaults, preserved fields, merge, `version` counting writes),
 * for tests and benchmarks.
 * `put` stores a row as it is, unchecked, the way a row reaches DynamoDB
 * without the API (a test of what readers do with a bad row).
 */
import { projectSchema } from '../schema/schema.js';
import type { Input, Patch, TableName } from '../schema/types.generated.js';
import { validateItem } from '../schema/validate.js';
import { keyOf, type RowSource, type UpsertOptions } from './store.js';

type Stored = Record<string, unknown>;

export class MemorySource implements RowSource {
  readonly description = 'memory';
  private readonly tables = new Map<string, Map<string, Stored>>();

  /** The stored rows of a table, by key (the live map). */
  table(name: TableName): Map<string, Stored> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  /** Stores rows as they are, unchecked (keyed by their key field, or by `id`). */
  put(name: TableName, rows: unknown[]): void {
    const key = keyOf(name);
    for (const row of rows) {
      const id = (row as Stored)?.[key];
      this.table(name).set(String(id), row as Stored);
    }
  }

  async *pages(table: TableName, where?: Record<string, string>): AsyncIterable<unknown[]> {
    const rows = [...this.table(table).values()].filter(
      (r) => !where || Object.entries(where).every(([f, v]) => r?.[f] === v),
    );
    for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000);
    if (rows.length === 0) yield [];
  }

  async getMany(table: TableName, ids: string[], fields?: readonly string[]): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const id of ids) {
      const row = this.table(table).get(id);
      if (!row) continue;
      out.push(
        fields
          ? Object.fromEntries(fields.filter((f) => Object.hasOwn(row, f)).map((f) => [f, row[f]]))
          : row,
      );
    }
    return out;
  }

  async delete(table: TableName, ids: string[]): Promise<void> {
    for (const id of ids) this.table(table).delete(id);
  }

  async upsert<T extends TableName>(
    table: T,
    rows: Array<Input<T> | Patch<T>>,
    opts: UpsertOptions = {},
  ): Promise<void> {
    const schema = projectSchema();
    const def = schema.tables[table]!;
    const key = def.key;
    const mode = opts.mode ?? 'replace';
    const seen = new Set<string>();
    const next: Array<[string, Stored]> = [];
    rows.forEach((row, i) => {
      const id = String((row as Stored)[key]);
      const stored = this.table(table).get(id);
      const v = validateItem(
        schema,
        def,
        row,
        mode === 'merge' && stored ? 'patch' : 'full',
        `items[${i}].`,
      );
      if (v.problems.length) throw new Error(`${table} row invalid: ${JSON.stringify(v.problems)}`);
      if (seen.has(id)) throw new Error(`${table} batch repeats ${id}`);
      seen.add(id);
      const item: Stored = mode === 'merge' && stored ? { ...stored, ...v.item } : { ...v.item };
      for (const f of v.remove) delete item[f];
      if (stored)
        for (const f of opts.preserve ?? []) if (stored[f] !== undefined) item[f] = stored[f];
      // As the DB API: 1 on the first write, +1 on every write.
      item.version = typeof stored?.version === 'number' ? stored.version + 1 : 1;
      next.push([id, item]);
    });
    for (const [id, item] of next) this.table(table).set(id, item);
  }
}
