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
import { backoffDelay, sleep as realSleep } from '../../../core/time.js';
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
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

type Item = Record<string, AttributeValue>;

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Runs `fn` on every element with at most `concurrency` in flight; rejects on the first failure. */
async function pool<T>(list: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < list.length) {
      const x = list[next++]!;
      try {
        await fn(x);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
}

function settings(opts: BatchIoOptions) {
  return {
    attempts: opts.attempts ?? 10,
    backoff: {
      baseMs: opts.baseMs ?? 50,
      maxMs: opts.maxMs ?? 3000,
      ...(opts.random ? { random: opts.random } : {}),
    },
    concurrency: Math.max(1, opts.concurrency ?? 4),
    sleep: opts.sleep ?? ((ms: number) => realSleep(ms)),
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
  await pool(chunk(req.keys, BATCH_GET_MAX), s.concurrency, async (keys) => {
    let pending: Item[] = keys;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const res = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [table]: { Keys: pending, ConsistentRead: req.consistent ?? true, ...projection },
          },
        }),
      );
      found.push(...(res.Responses?.[table] ?? []));
      pending = res.UnprocessedKeys?.[table]?.Keys ?? [];
      if (pending.length === 0) break;
      if (attempt >= s.attempts) {
        throw new StoreUnavailableError(
          `DynamoDB left ${pending.length} key(s) of table ${table} unread after ${attempt} BatchGetItem rounds (throttling); retry later`,
          0,
        );
      }
      await s.sleep(backoffDelay(attempt, s.backoff));
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
    await pool(chunk(items, BATCH_WRITE_MAX), s.concurrency, async (group) => {
      let pending: WriteRequest[] = group.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const res = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
        );
        const left = res.UnprocessedItems?.[table] ?? [];
        written += pending.length - left.length;
        pending = left;
        if (pending.length === 0) break;
        if (attempt >= s.attempts) {
          throw new StoreUnavailableError(
            `DynamoDB left ${pending.length} item(s) of table ${table} unwritten after ${attempt} BatchWriteItem rounds (throttling); the batch is safe to send again`,
            written,
          );
        }
        await s.sleep(backoffDelay(attempt, s.backoff));
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
