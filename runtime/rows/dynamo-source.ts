/**
 * Rows straight from DynamoDB, for tasks inside AWS: no API Gateway or
 * Lambda in the path, the same rules through the DB API's table store
 * (validation, created / last_modified / version, preserved fields), and
 * reads by id with BatchGetItem (100 keys a call, only the fields asked for).
 */
import { createHash } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { MAX_BATCH_ITEMS } from '../db-api/contract.js';
import { batchGet } from '../db-api/store/batch-io.js';
import { createDynamoClient, type DynamoClientOptions } from '../db-api/store/dynamo-client.js';
import { ItemNotFoundError } from '../db-api/store/errors.js';
import { TableStore } from '../db-api/store/table-store.js';
import type { Input, Patch, TableName } from '../schema/types.generated.js';
import { keyOf, type RowSource, type UpsertOptions } from './store.js';

export interface DynamoSourceOptions extends DynamoClientOptions {
  /** Physical table name prefix, e.g. `mcfpipe-dev-` (TABLE_NAME_PREFIX). */
  tablePrefix: string;
  /** An existing client (default: one from the environment, as every mcfpipe client). */
  dynamo?: DynamoDBClient;
}

export class DynamoSource implements RowSource {
  readonly description: string;
  readonly store: TableStore;
  readonly dynamo: DynamoDBClient;

  constructor(opts: DynamoSourceOptions) {
    this.dynamo = opts.dynamo ?? createDynamoClient(opts);
    this.store = new TableStore({ dynamo: this.dynamo, tablePrefix: opts.tablePrefix });
    this.description = `dynamodb ${opts.tablePrefix}*`;
  }

  async *pages(table: TableName, where?: Record<string, string>): AsyncIterable<unknown[]> {
    let cursor: string | undefined;
    do {
      const page = await this.store.list(table, {
        ...(where ? { where } : {}),
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async getMany(table: TableName, ids: string[], fields?: readonly string[]): Promise<unknown[]> {
    const key = keyOf(table);
    const items = await batchGet(this.dynamo, this.store.physicalName(table), {
      keys: ids.map((id) => ({ [key]: { S: id } })),
      ...(fields ? { projection: [...fields] } : {}),
    });
    return items.map((i) => unmarshall(i));
  }

  async delete(table: TableName, ids: string[]): Promise<void> {
    for (const id of ids) {
      try {
        await this.store.delete(table, id);
      } catch (err) {
        if (!(err instanceof ItemNotFoundError)) throw err;
      }
    }
  }

  /**
   * The DynamoDB TableIds of the job and job_search tables: they change when
   * a table is deleted and created again (a new data folder locally, a
   * teardown and redeploy in AWS). Needs dynamodb:DescribeTable.
   */
  async storeId(): Promise<string> {
    const ids: string[] = [];
    for (const table of ['job', 'job_search'] as const) {
      const res = await this.dynamo.send(
        new DescribeTableCommand({ TableName: this.store.physicalName(table) }),
      );
      ids.push(res.Table?.TableId ?? res.Table?.CreationDateTime?.toISOString() ?? '');
    }
    return createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16);
  }

  async upsert<T extends TableName>(
    table: T,
    rows: Array<Input<T> | Patch<T>>,
    opts: UpsertOptions = {},
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += MAX_BATCH_ITEMS) {
      await this.store.batchUpsert(table, rows.slice(i, i + MAX_BATCH_ITEMS), {
        ...(opts.mode ? { mode: opts.mode } : {}),
        ...(opts.preserve ? { preserve: [...opts.preserve] } : {}),
      });
    }
  }
}
