/**
 * Where the ETL reads the tables: one interface, implemented over the DB
 * API's HTTP routes (anywhere: the local pipeline, a laptop, a workflow), over
 * DynamoDB directly (inside AWS, through the same physical tables as the DB
 * API), and over rows in memory (tests).
 *
 * `since` asks only for rows with `last_modified` at or after it. DynamoDB
 * filters on the server (a Scan still reads every item, but only changed
 * rows, and only the columns the file keeps, cross the network); the DB API
 * cannot filter on last_modified (it is not indexed), so that reader skips
 * unchanged rows as they arrive.
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DbApiClient } from '../db-api/client.js';
import { MAX_LIST_LIMIT } from '../db-api/contract.js';
import { physicalTableName } from '../db-api/store/tables.js';
import type { ExportedTable } from './model.js';

export type SourceRow = Record<string, unknown>;

export interface ReadOptions {
  /** Only rows with last_modified >= since (`YYYY-MM-DD HH:MM`); all rows when absent. */
  since?: string;
  /** Fields the caller keeps (a hint: readers that can project, do). */
  fields?: string[];
}

export interface TableSource {
  /** For logs: `db-api https://...`, `dynamodb mcfpipe-dev-*`, `memory`. */
  readonly description: string;
  /** Pages of rows of a table, in no particular order. */
  pages(table: ExportedTable, opts?: ReadOptions): AsyncIterable<SourceRow[]>;
}

/** A row is wanted when it changed at or after `since`; a row without last_modified always is. */
export function changedSince(row: SourceRow, since: string | undefined): boolean {
  if (since === undefined) return true;
  const lm = row.last_modified;
  return typeof lm !== 'string' || lm >= since;
}

export class DbApiSource implements TableSource {
  readonly description: string;
  constructor(readonly client: DbApiClient) {
    this.description = `db-api ${client.url}`;
  }

  async *pages(table: ExportedTable, opts: ReadOptions = {}): AsyncIterable<SourceRow[]> {
    for await (const page of this.client.listPages(table, { limit: MAX_LIST_LIMIT })) {
      const rows = (page.items as unknown as SourceRow[]).filter((r) =>
        changedSince(r, opts.since),
      );
      if (rows.length) yield rows;
    }
  }
}

export interface DynamoSourceOptions {
  dynamo: DynamoDBClient;
  /** Physical table name prefix, e.g. `mcfpipe-dev-` (TABLE_NAME_PREFIX). */
  tablePrefix: string;
  /** Parallel scan segments per table (default 4). */
  segments?: number;
}

export class DynamoSource implements TableSource {
  readonly description: string;
  private readonly segments: number;
  constructor(private readonly opts: DynamoSourceOptions) {
    this.description = `dynamodb ${opts.tablePrefix}*`;
    this.segments = Math.max(1, opts.segments ?? 4);
  }

  pages(table: ExportedTable, opts: ReadOptions = {}): AsyncIterable<SourceRow[]> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    let projection: string | undefined;
    if (opts.fields?.length) {
      projection = opts.fields
        .map((f, i) => {
          names[`#p${i}`] = f;
          return `#p${i}`;
        })
        .join(', ');
    }
    let filter: string | undefined;
    if (opts.since !== undefined) {
      names['#lm'] = 'last_modified';
      values[':since'] = { S: opts.since };
      filter = 'attribute_not_exists(#lm) OR #lm >= :since';
    }
    const TableName = physicalTableName(this.opts.tablePrefix, table);
    const scanSegment = async function* (
      this: DynamoSource,
      segment: number,
    ): AsyncGenerator<SourceRow[]> {
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const res = await this.opts.dynamo.send(
          new ScanCommand({
            TableName,
            Segment: segment,
            TotalSegments: this.segments,
            ...(projection ? { ProjectionExpression: projection } : {}),
            ...(filter ? { FilterExpression: filter } : {}),
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        );
        const rows = (res.Items ?? []).map((item) => unmarshall(item) as SourceRow);
        if (rows.length) yield rows;
        ExclusiveStartKey = res.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    };
    return merge(Array.from({ length: this.segments }, (_, i) => scanSegment.call(this, i)));
  }
}

/** Pages of several generators as they arrive (parallel scan segments). */
async function* merge<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const pull = (i: number) => {
    const next = sources[i]!.next().then((r) => ({ i, r }));
    // Seen by the race below; this keeps a second failure, after the first ended the loop, handled.
    next.catch(() => {});
    pending.set(i, next);
  };
  for (let i = 0; i < sources.length; i++) pull(i);
  try {
    while (pending.size) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) pending.delete(i);
      else {
        pull(i);
        yield r.value;
      }
    }
  } finally {
    // A consumer that stops early (or a failed segment) stops the others.
    await Promise.allSettled(sources.map((s) => s.return(undefined)));
  }
}

/** Rows held in memory, by table (tests, benchmarks). */
export class MemorySource implements TableSource {
  readonly description = 'memory';
  constructor(
    readonly tables: Partial<Record<ExportedTable, SourceRow[]>>,
    private readonly pageSize = 1000,
  ) {}

  async *pages(table: ExportedTable, opts: ReadOptions = {}): AsyncIterable<SourceRow[]> {
    const rows = (this.tables[table] ?? []).filter((r) => changedSince(r, opts.since));
    for (let i = 0; i < rows.length; i += this.pageSize) yield rows.slice(i, i + this.pageSize);
  }
}
