/**
 * Rows over the DB API's HTTP routes (runtime/db-api/client.ts): listings
 * page by page (1,000 a page), reads by id 100 a request
 * (`POST /{table}/batch-get`, only the fields asked for), batch upserts.
 * Works wherever the API is reachable: the local pipeline, a laptop, Fargate.
 */
import { forEachLimit } from '../../core/concurrency.js';
import { DbApiClient, type DbApiClientOptions } from '../db-api/client.js';
import type { Input, Patch, TableName } from '../schema/types.generated.js';
import type { RowSource, UpsertOptions } from './store.js';

export interface DbApiSourceOptions extends DbApiClientOptions {
  /** Deletes by id in flight at once (default 16). */
  deleteConcurrency?: number;
}

export class DbApiSource implements RowSource {
  readonly description: string;
  readonly client: DbApiClient;
  private readonly deleteConcurrency: number;

  constructor(opts: DbApiSourceOptions | { client: DbApiClient; deleteConcurrency?: number }) {
    this.client = 'client' in opts ? opts.client : new DbApiClient(opts);
    this.deleteConcurrency = opts.deleteConcurrency ?? 16;
    this.description = `db-api ${this.client.url}`;
  }

  async *pages(table: TableName, where?: Record<string, string>): AsyncIterable<unknown[]> {
    for await (const page of this.client.listPages(table, {
      ...(where ? { where } : {}),
      limit: 1000,
    }))
      yield page.items;
  }

  async getMany(table: TableName, ids: string[], fields?: readonly string[]): Promise<unknown[]> {
    const { items } = await this.client.getMany(table, ids, fields ? { fields } : {});
    return items;
  }

  async delete(table: TableName, ids: string[]): Promise<void> {
    await forEachLimit(ids, this.deleteConcurrency, async (id) => {
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
