/**
 * The answer of `POST /{table}/batch-get` (API.md, Batch read), cut to what
 * one response may carry: Lambda answers at most 6 MB, and 100 items of up
 * to 400 KB each can be far more.
 */
import type { BatchGetResponse } from '../contract.js';
import type { GetManyResult } from '../store/table-store.js';

/**
 * The items in order while their JSON fits `maxBytes` (the first always
 * does); the ids (values of `key`) of the rest go to `unprocessed`, for the
 * caller to ask again.
 */
export function batchGetAnswer<T extends object>(
  read: GetManyResult<T>,
  key: string,
  maxBytes: number,
): BatchGetResponse<T> {
  let bytes = 0;
  let fit = 0;
  for (const item of read.items) {
    bytes += Buffer.byteLength(JSON.stringify(item)) + 1;
    if (fit > 0 && bytes > maxBytes) break;
    fit++;
  }
  return {
    items: read.items.slice(0, fit),
    missing: read.missing,
    unprocessed: read.items
      .slice(fit)
      .map((item) => String((item as Record<string, unknown>)[key])),
  };
}
