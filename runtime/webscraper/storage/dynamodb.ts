/**
 * Storage straight into DynamoDB, for the scraper's Fargate task inside AWS:
 * no API Gateway or Lambda in the path, the same rules through the DB API's
 * table store (schema validation, created / last_modified / version,
 * preserved fields), and state lookups with BatchGetItem (100 keys a call,
 * only the fields needed).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { MAX_BATCH_ITEMS } from '../../db-api/contract.js';
import { batchGet } from '../../db-api/store/batch-io.js';
import { createDynamoClient, type DynamoClientOptions } from '../../db-api/store/dynamo-client.js';
import { TableStore } from '../../db-api/store/table-store.js';
import type { JobInput, JobSearchInput, TableName } from '../../schema/types.generated.js';
import { JOB_SEARCH_PRESERVED, type ScrapeStorage, type Track } from './types.js';

export interface DynamoStorageOptions extends DynamoClientOptions {
  /** Physical table name prefix, e.g. `mcfpipe-dev-` (TABLE_NAME_PREFIX). */
  tablePrefix: string;
  /** An existing client (default: one from the environment, as every mcfpipe client). */
  dynamo?: DynamoDBClient;
}

export class DynamoStorage implements ScrapeStorage {
  readonly description: string;
  readonly store: TableStore;
  private readonly dynamo: DynamoDBClient;

  constructor(opts: DynamoStorageOptions) {
    this.dynamo = opts.dynamo ?? createDynamoClient(opts);
    this.store = new TableStore({ dynamo: this.dynamo, tablePrefix: opts.tablePrefix });
    this.description = `dynamodb ${opts.tablePrefix}*`;
  }

  async listTracks(filter: { userId?: string } = {}): Promise<Track[]> {
    const out: Track[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list('track', {
        ...(filter.userId ? { where: { user_id: filter.userId } } : {}),
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      for (const t of page.items) if (t.active !== false) out.push(t);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  private async lookup(
    table: TableName,
    key: string,
    field: string,
    ids: string[],
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const unique = [...new Set(ids)];
    if (unique.length === 0) return out;
    const items = await batchGet(this.dynamo, this.store.physicalName(table), {
      keys: unique.map((id) => ({ [key]: { S: id } })),
      projection: [key, field],
    });
    for (const item of items) {
      const row = unmarshall(item);
      out.set(String(row[key]), typeof row[field] === 'string' ? row[field] : '');
    }
    return out;
  }

  jobStates(jobIds: string[]): Promise<Map<string, string>> {
    return this.lookup('job', 'job_id', 'mcf_updated_at', jobIds);
  }

  seenStates(jobSIds: string[]): Promise<Map<string, string>> {
    return this.lookup('job_search', 'job_s_id', 'last_seen', jobSIds);
  }

  async writeJobs(rows: JobInput[]): Promise<void> {
    for (let i = 0; i < rows.length; i += MAX_BATCH_ITEMS) {
      await this.store.batchUpsert('job', rows.slice(i, i + MAX_BATCH_ITEMS));
    }
  }

  async writeJobSearches(rows: JobSearchInput[]): Promise<void> {
    for (let i = 0; i < rows.length; i += MAX_BATCH_ITEMS) {
      await this.store.batchUpsert('job_search', rows.slice(i, i + MAX_BATCH_ITEMS), {
        preserve: [...JOB_SEARCH_PRESERVED],
      });
    }
  }
}
