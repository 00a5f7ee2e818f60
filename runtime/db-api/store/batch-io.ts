/**
 * BatchGetItem (chunks of 100) and BatchWriteItem (chunks of 25) with the
 * unprocessed part of each answer retried with backoff: DynamoDB returns
 * UnprocessedKeys / UnprocessedItems instead of failing when it throttles
 * part of a batch, so a caller that ignores them silently loses writes.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../../core/clock.js';
import { forEachLimit } from '../../../core/concurrency.js';
import { resend } from '../../../core/retry.js';
import { StoreUnavailableError } from './errors.js';

export const BATCH_GET_MAX = 100;
export const BATCH_WRITE_MAX = 25;

export interface BatchIoOptions {
  /** Rounds per chunk, the first included, before giving up on unprocessed entries (default 10). */
  attempts?: number;
  /** Backoff between rounds, ms (default 50 doubling to 3000). */
  baseMs?: number;
  maxMs?: number;
  /** Chunks in flight at once (default 4). */
  concurrency?: number;
  /** The clock the backoff waits on (tests pass a virtual one). */
  clock?: Clock;
  random?: () => number;
}

type Item = Record<string, AttributeValue>;

function concurrency(opts: BatchIoOptions): number {
  return Math.max(1, opts.concurrency ?? 4);
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function settings(opts: BatchIoOptions) {
  return {
    attempts: opts.attempts ?? 10,
    baseMs: opts.baseMs ?? 50,
    maxMs: opts.maxMs ?? 3000,
    ...(opts.random && { random: opts.random }),
    ...(opts.clock && { clock: opts.clock }),
  };
}

export interface BatchGetRequest {
  keys: Item[];
  /** Attributes to read (all when absent). */
  projection?: string[];
  consistent?: boolean;
}

/** Reads the items with these keys (in no particular order); absent ones are left out. */
export async function batchGet(
  client: DynamoDBClient,
  table: string,
  req: BatchGetRequest,
  opts: BatchIoOptions = {},
): Promise<Item[]> {
  const s = settings(opts);
  const found: Item[] = [];
  const projection = req.projection?.length
    ? {
        ProjectionExpression: req.projection.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(req.projection.map((p, i) => [`#p${i}`, p])),
      }
    : {};
  await forEachLimit(chunk(req.keys, BATCH_GET_MAX), concurrency(opts), async (keys) => {
    const { left, attempts } = await resend(
      keys,
      async (pending) => {
        const res = await client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [table]: { Keys: pending, ConsistentRead: req.consistent ?? true, ...projection },
            },
          }),
        );
        found.push(...(res.Responses?.[table] ?? []));
        return res.UnprocessedKeys?.[table]?.Keys ?? [];
      },
      s,
    );
    if (left.length > 0) {
      throw new StoreUnavailableError(
        `DynamoDB left ${left.length} key(s) of table ${table} unread after ${attempts} BatchGetItem rounds (throttling); retry later`,
        0,
      );
    }
  });
  return found;
}

/**
 * Writes the items with PutRequests, 25 per BatchWriteItem. `onWritten` is
 * told each time entries are confirmed. Throws {@link StoreUnavailableError}
 * (with the count written so far) when entries stay unprocessed.
 */
export async function batchWrite(
  client: DynamoDBClient,
  table: string,
  items: Item[],
  opts: BatchIoOptions = {},
): Promise<number> {
  const s = settings(opts);
  let written = 0;
  try {
    await forEachLimit(chunk(items, BATCH_WRITE_MAX), concurrency(opts), async (group) => {
      const { left, attempts } = await resend(
        group.map((Item): WriteRequest => ({ PutRequest: { Item } })),
        async (pending) => {
          const res = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
          );
          const unprocessed = res.UnprocessedItems?.[table] ?? [];
          written += pending.length - unprocessed.length;
          return unprocessed;
        },
        s,
      );
      if (left.length > 0) {
        throw new StoreUnavailableError(
          `DynamoDB left ${left.length} item(s) of table ${table} unwritten after ${attempts} BatchWriteItem rounds (throttling); the batch is safe to send again`,
          written,
        );
      }
    });
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new StoreUnavailableError(err.message, written, { cause: err });
    }
    throw err;
  }
  return written;
}
