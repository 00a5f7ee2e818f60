/**
 * Storage through the DB API's HTTP routes (runtime/db-api/API.md), with its
 * client: batch upserts (500 items a request) and reads by id. Works from
 * anywhere the API is reachable (the local pipeline, a laptop, Fargate).
 */
import type { DbApiClient } from '../../db-api/client.js';
import { DbApiSource, type DbApiSourceOptions } from '../../rows/db-api-source.js';
import { RowStore, type RowStoreOptions } from '../../rows/store.js';
import { RowScrapeStorage } from './rows.js';

export type DbApiStorageOptions = DbApiSourceOptions & RowStoreOptions;

export class DbApiStorage extends RowScrapeStorage {
  readonly client: DbApiClient;

  constructor(opts: DbApiStorageOptions) {
    const source = new DbApiSource(opts);
    super(new RowStore(source, opts));
    this.client = source.client;
  }
}
