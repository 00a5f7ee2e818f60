/**
 * Rows over the DB API's HTTP routes (runtime/db-api/client.ts): listings
 * page by page (1,000 a page), reads by id (16 in flight), batch upserts.
 * Works wherever the API is reachable: the local pipeline, a laptop, Fargate.
 */
import { DbApiClient, type DbApiClientOptions } from '../db-api/client.js';
import type { Input, Patch, TableName } from '../schema/types.generated.js';
import type { RowSource, UpsertOptions } from './store.js';

export interface DbApiSourceOptions extends DbApiClientOptions {
  /** Reads by id in flight at once (default 16). */
  readConcurrency?: number;
}

export class DbApiSource implements RowSource {
  readonly description: string;
  readonly client: DbApiClient;
  private readonly readConcurrency: number;

  constructor(opts: DbApiSourceOptions | { client: DbApiClient; readConcurrency?: number }) {
    this.client = 'client' in opts ? opts.client : new DbApiClient(opts);
    this.readConcurrency = opts.readConcurrency ?? 16;
    this.description = `db-api ${this.client.url}`;
  }

  async *pages(table: TableName, where?: Record<string, string>): AsyncIterable<unknown[]> {
    for await (const page of this.client.listPages(table, {
      ...(where ? { where } : {}),
      limit: 1000,
    }))
      yield page.items;
  }

  async getMany(table: TableName, ids: string[]): Promise<unknown[]> {
    const out: unknown[] = [];
    await forEachLimited(ids, this.readConcurrency, async (id) => {
      const row = await this.client.find(table, id);
      if (row) out.push(row);
    });
    return out;
  }

  async delete(table: TableName, ids: string[]): Promise<void> {
    await forEachLimited(ids, this.readConcurrency, async (id) => {
      await this.client.delete(table, id, { ignoreMissing: true });
    });
  }

  async upsert<T extends TableName>(
    table: T,
    rows: Array<Input<T> | Patch<T>>,
    opts: UpsertOptions = {},
  ): Promise<void> {
    await this.client.batch(table, rows, {
      ...(opts.mode ? { mode: opts.mode } : {}),
      ...(opts.preserve ? { preserve: [...opts.preserve] } : {}),
    });
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function forEachLimited<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
