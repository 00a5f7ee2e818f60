/**
 * Storage straight into DynamoDB, for the scraper's Fargate task inside AWS:
 * no API Gateway or Lambda in the path, the same rules through the DB API's
 * table store (schema validation, created / last_modified / version,
 * preserved fields), and state lookups with BatchGetItem (100 keys a call,
 * only the fields needed).
 */
import type { TableStore } from '../../db-api/store/table-store.js';
import { DynamoSource, type DynamoSourceOptions } from '../../rows/dynamo-source.js';
import { RowStore, type RowStoreOptions } from '../../rows/store.js';
import { RowScrapeStorage } from './rows.js';

export type DynamoStorageOptions = DynamoSourceOptions & RowStoreOptions;

export class DynamoStorage extends RowScrapeStorage {
  readonly store: TableStore;

  constructor(opts: DynamoStorageOptions) {
    const source = new DynamoSource(opts);
    super(new RowStore(source, opts));
    this.store = source.store;
  }
}
