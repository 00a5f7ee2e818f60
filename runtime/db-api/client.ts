/**
 * The DB API's HTTP client, used by the webscraper, the Sheets connector, the
 * tester and scripts.
 *
 * - Typed by the schema: `client.get('track', id)` returns a `TrackRow`.
 * - Errors are {@link DbApiError}s carrying the API's error body (code,
 *   message, request id, one detail per invalid field); 400, 404 and 409 have
 *   their own subclasses.
 * - Retries with backoff (honouring Retry-After) on 429 and 503 always, and on
 *   other 5xx and network errors unless the write is conditional (If-Match /
 *   If-None-Match), where a lost response would make a retry report a false 409.
 * - `batch()` splits any number of items into requests within the server's
 *   limits (items and bytes); `getMany()` reads any number of ids, 100 a
 *   request; `listAll()` iterates every page.
 * - Optional SigV4 signing for API Gateway's AWS_IAM authorisation.
 */
import { type Clock, systemClock } from '../../core/clock.js';
import { mapLimit } from '../../core/concurrency.js';
import { withDeadline } from '../../core/deadline.js';
import { retry, retryAfterMs } from '../../core/retry.js';
import type { Input, Patch, Row, TableName } from '../schema/types.generated.js';
import {
  type BatchGetResponse,
  type BatchMode,
  type BatchResult,
  type ErrorBody,
  type ListPage,
  MAX_BATCH_GET_IDS,
  MAX_BATCH_ITEMS,
  MAX_BODY_BYTES,
  type ProblemDetail,
  type SortOperator,
} from './contract.js';
import { createSigner, type Signer, type SigV4Options } from './sigv4.js';

export interface DbApiClientOptions {
  /** The API's base URL (with the stage path, if any), e.g. `https://abc123.execute-api.ap-southeast-1.amazonaws.com`. */
  url: string;
  /** Sign requests with SigV4 (API Gateway AWS_IAM auth): `true`, or options (region, credentials). */
  sigv4?: boolean | SigV4Options;
  /** Attempts per request, including the first (default 5). */
  attempts?: number;
  /** Backoff between attempts, ms (default 200 doubling to at most 5000). */
  backoff?: { baseMs: number; maxMs: number };
  /** Per-attempt timeout, ms (default 30000). */
  timeoutMs?: number;
  /** Items per batch request (default and maximum: the server's, 500). */
  batchSize?: number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (info: RetryInfo) => void;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Injectable for tests. */
  fetch?: typeof fetch;
  /** The clock retries wait on (tests pass a virtual one). */
  clock?: Clock;
  random?: () => number;
}

export interface RetryInfo {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  status?: number;
  error?: unknown;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  json: unknown;
}

export interface RequestOptions {
  /** An object is sent as JSON; a string or bytes as they are (set content-type in headers). */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
}

export interface WriteOptions {
  /** Write only if the stored version equals this (409 otherwise); `*`: only if the item exists. */
  ifMatch?: number | '*';
}

export interface PutOptions extends WriteOptions {
  /** `*`: create only (409 if the item exists). */
  ifNoneMatch?: '*';
}

export interface PutResult<T extends TableName> {
  item: Row<T>;
  /** True when the PUT created the item (201), false when it replaced it (200). */
  created: boolean;
}

export interface ListOptions {
  /** Equality on an index's partition key (and optionally its sort key), e.g. `{ user_id: 'me' }`. */
  where?: Record<string, string | number>;
  /** A condition on the index's sort key, e.g. `{ field: 'last_seen', op: 'gte', value: '2026-01-01 00:00' }`. */
  sort?: { field: string; op: SortOperator; value: string | number };
  /** Page size (server default 100, at most 1000). */
  limit?: number;
  cursor?: string;
}

export interface BatchOptions {
  mode?: BatchMode;
  /** Fields whose stored value wins when the item exists (e.g. `['first_seen']`). */
  preserve?: string[];
  /** Called after each request with the running totals. */
  onProgress?: (done: BatchResult & { items: number; total: number }) => void;
}

export interface GetManyOptions {
  /** Read only these fields (the key always comes too). */
  fields?: readonly string[];
  /** Requests in flight at once (default 4). */
  concurrency?: number;
}

export interface GetManyResult<T> {
  /** The items found, in the order of their ids' first appearance. */
  items: T[];
  /** The ids without an item, in the order given. */
  missing: string[];
}

/** An error answer of the DB API, or a failure to reach it. */
export class DbApiError extends Error {
  override name = 'DbApiError';
  /** HTTP status; 0 when the API could not be reached. */
  readonly status: number;
  /** The API's error code (e.g. `validation_failed`), or `network_error`. */
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: ProblemDetail[];
  /** The API's error body as received, when there was one. */
  readonly body: ErrorBody | undefined;
  constructor(
    readonly method: string,
    readonly path: string,
    status: number,
    body: ErrorBody | undefined,
    fallbackMessage: string,
    options?: { cause?: unknown },
  ) {
    const e = body?.error;
    const code = e?.code ?? (status === 0 ? 'network_error' : `http_${status}`);
    const details = e?.details ?? [];
    const shown = details
      .slice(0, 10)
      .map((d) => `${d.field} (${d.rule})`)
      .join(', ');
    super(
      `DB API ${method} ${path} failed: ${status || 'no response'} ${code}: ${e?.message ?? fallbackMessage}` +
        (shown ? ` [${shown}${details.length > 10 ? ', …' : ''}]` : '') +
        (e?.request_id ? ` (request id ${e.request_id})` : ''),
      options,
    );
    this.status = status;
    this.code = code;
    this.requestId = e?.request_id;
    this.details = details;
    this.body = body;
  }
}

/** 400: invalid fields, JSON, query or headers; `details` has one entry per problem. */
export class DbApiValidationError extends DbApiError {
  override name = 'DbApiValidationError';
}
/** 404: unknown table or item. */
export class DbApiNotFoundError extends DbApiError {
  override name = 'DbApiNotFoundError';
}
/** 409: the stored version differs from If-Match, or If-None-Match found an item. */
export class DbApiConflictError extends DbApiError {
  override name = 'DbApiConflictError';
  /** The stored item's version, when it exists. */
  get currentVersion(): number | undefined {
    return this.body?.error.current_version;
  }
}

/** A batch that failed part-way: `written` items (in the requests before) were stored. */
export class DbApiBatchError extends DbApiError {
  override name = 'DbApiBatchError';
  constructor(
    cause: DbApiError,
    /** Items stored by earlier requests of this batch before it failed. */
    readonly written: number,
  ) {
    super(cause.method, cause.path, cause.status, cause.body, cause.message, { cause });
    this.message = `${cause.message}; ${written} item(s) of earlier requests of this batch were written`;
  }
}

function errorFor(method: string, path: string, res: RawResponse): DbApiError {
  const body = isErrorBody(res.json) ? res.json : undefined;
  const fallback = res.text.slice(0, 300) || `HTTP ${res.status}`;
  const Class =
    res.status === 400
      ? DbApiValidationError
      : res.status === 404
        ? DbApiNotFoundError
        : res.status === 409
          ? DbApiConflictError
          : DbApiError;
  return new Class(method, path, res.status, body, fallback);
}

function isErrorBody(v: unknown): v is ErrorBody {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ErrorBody).error === 'object' &&
    typeof (v as ErrorBody).error?.code === 'string'
  );
}

const ALWAYS_RETRY = new Set([429, 503]);

export class DbApiClient {
  private readonly base: URL;
  private readonly signer: Signer | undefined;
  private readonly attempts: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: DbApiClientOptions) {
    let base: URL;
    try {
      base = new URL(opts.url);
    } catch {
      throw new TypeError(
        `DB API URL ${JSON.stringify(opts.url)} is not a URL; expected for example https://abc123.execute-api.ap-southeast-1.amazonaws.com or http://127.0.0.1:8080`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`DB API URL ${JSON.stringify(opts.url)} must be http:// or https://`);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.signer = opts.sigv4
      ? createSigner(base, opts.sigv4 === true ? {} : opts.sigv4)
      : undefined;
    this.attempts = Math.max(1, opts.attempts ?? 5);
    this.backoff = opts.backoff ?? { baseMs: 200, maxMs: 5000 };
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.batchSize = Math.min(MAX_BATCH_ITEMS, Math.max(1, opts.batchSize ?? MAX_BATCH_ITEMS));
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** The base URL requests go to. */
  get url(): string {
    return this.base.href;
  }

  /**
   * One HTTP request, signed and retried, with any status returned (never
   * thrown); throws a {@link DbApiError} with status 0 only when the API
   * cannot be reached after every attempt. `path` is relative to the base URL.
   */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.opts.headers,
      ...opts.headers,
    };
    let body: string | Uint8Array | undefined;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string' || opts.body instanceof Uint8Array) body = opts.body;
      else {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    const conditional = Object.keys(headers).some((h) => /^if-(none-)?match$/i.test(h));
    const shownPath = url.pathname + url.search;
    const unreachable = (error: unknown) =>
      new DbApiError(
        method,
        shownPath,
        0,
        undefined,
        `cannot reach ${url.origin}: ${describe(error)}`,
        {
          cause: error,
        },
      );
    try {
      return await retry(
        async () => {
          let res: RawResponse | undefined;
          let error: unknown;
          try {
            const sent = this.signer
              ? await this.signer({ method, url, headers, ...(body !== undefined ? { body } : {}) })
              : headers;
            // Not AbortSignal.timeout: a GC can drop that timer (core/deadline.ts).
            res = await withDeadline(this.timeoutMs, undefined, async (signal) => {
              const r = await this.fetchFn(url, {
                method,
                headers: sent,
                ...(body !== undefined ? { body } : {}),
                signal,
              });
              const text = await r.text();
              return { status: r.status, headers: r.headers, text, json: parseJson(text) };
            });
          } catch (err) {
            error = err;
          }
          const retryable = res
            ? ALWAYS_RETRY.has(res.status) || (res.status >= 500 && !conditional)
            : !conditional;
          if (retryable) throw new RetryableAnswer(res, error);
          if (res) return res;
          throw unreachable(error);
        },
        {
          attempts: this.attempts,
          ...this.backoff,
          ...(this.opts.random && { random: this.opts.random }),
          retryable: (err) => err instanceof RetryableAnswer,
          delayFor: (err) =>
            retryAfterMs(
              (err as RetryableAnswer).res?.headers.get('retry-after'),
              this.backoff.maxMs,
            ),
          onRetry: (err, attempt, delayMs) => {
            const { res, error } = err as RetryableAnswer;
            this.opts.onRetry?.({
              method,
              path: shownPath,
              attempt,
              delayMs,
              ...(res ? { status: res.status } : { error }),
            });
          },
          clock: this.opts.clock ?? systemClock,
        },
      );
    } catch (err) {
      if (!(err instanceof RetryableAnswer)) throw err;
      // Out of attempts: the last answer as it was, or why the API could not be reached.
      if (err.res) return err.res;
      throw unreachable(err.error);
    }
  }

  /** Like {@link request}, but an error status throws the matching {@link DbApiError}. */
  private async call(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<RawResponse> {
    const res = await this.request(method, path, opts);
    if (res.status >= 400) throw errorFor(method, '/' + path, res);
    return res;
  }

  /** Reads one item; throws {@link DbApiNotFoundError} when it does not exist. */
  async get<T extends TableName>(table: T, id: string): Promise<Row<T>> {
    return (await this.call('GET', itemPath(table, id))).json as Row<T>;
  }

  /** Reads one item; undefined when it does not exist. */
  async find<T extends TableName>(table: T, id: string): Promise<Row<T> | undefined> {
    try {
      return await this.get(table, id);
    } catch (err) {
      if (err instanceof DbApiNotFoundError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  /** Creates or replaces an item (the whole item). */
  async put<T extends TableName>(
    table: T,
    id: string,
    item: Input<T>,
    opts: PutOptions = {},
  ): Promise<PutResult<T>> {
    const res = await this.call('PUT', itemPath(table, id), {
      body: item,
      headers: conditionHeaders(opts),
    });
    return { item: res.json as Row<T>, created: res.status === 201 };
  }

  /** Changes the given fields of an existing item; null removes an optional field. */
  async patch<T extends TableName>(
    table: T,
    id: string,
    changes: Patch<T>,
    opts: WriteOptions = {},
  ): Promise<Row<T>> {
    const res = await this.call('PATCH', itemPath(table, id), {
      body: changes,
      headers: conditionHeaders(opts),
    });
    return res.json as Row<T>;
  }

  /** Deletes an item; throws {@link DbApiNotFoundError} when absent unless `ignoreMissing`. */
  async delete(
    table: TableName,
    id: string,
    opts: WriteOptions & { ignoreMissing?: boolean } = {},
  ): Promise<boolean> {
    try {
      await this.call('DELETE', itemPath(table, id), { headers: conditionHeaders(opts) });
      return true;
    } catch (err) {
      if (opts.ignoreMissing && err instanceof DbApiNotFoundError && err.code === 'not_found')
        return false;
      throw err;
    }
  }

  /** One page of items, filtered on an index when `where` is given. */
  async list<T extends TableName>(table: T, opts: ListOptions = {}): Promise<ListPage<Row<T>>> {
    const query: Record<string, string | number | undefined> = {
      ...opts.where,
      limit: opts.limit,
      cursor: opts.cursor,
    };
    if (opts.sort) query[`${opts.sort.field}.${opts.sort.op}`] = opts.sort.value;
    const res = await this.call('GET', encodeURIComponent(table), { query });
    return res.json as ListPage<Row<T>>;
  }

  /** Every page of a listing, in order. */
  async *listPages<T extends TableName>(
    table: T,
    opts: ListOptions = {},
  ): AsyncGenerator<ListPage<Row<T>>> {
    let cursor = opts.cursor;
    do {
      const page = await this.list(table, { ...opts, ...(cursor ? { cursor } : {}) });
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Every item of a listing, across pages. */
  async *listAll<T extends TableName>(table: T, opts: ListOptions = {}): AsyncGenerator<Row<T>> {
    for await (const page of this.listPages(table, opts)) yield* page.items;
  }

  /**
   * Upserts any number of items: split into requests of at most the server's
   * item and byte limits, sent in order. Each request is all-or-nothing; when
   * one fails, the {@link DbApiBatchError} says how many items earlier requests
   * stored, and its details name the caller's item positions (`items[1234].title`).
   */
  async batch<T extends TableName>(
    table: T,
    items: Array<Input<T> | Patch<T>>,
    opts: BatchOptions = {},
  ): Promise<BatchResult> {
    const totals: BatchResult = { written: 0, created: 0, updated: 0 };
    const path = `${encodeURIComponent(table)}/batch`;
    let offset = 0;
    for (const chunk of this.chunks(items, opts)) {
      const res = await this.request('POST', path, {
        body: {
          items: chunk,
          ...(opts.mode ? { mode: opts.mode } : {}),
          ...(opts.preserve ? { preserve: opts.preserve } : {}),
        },
      });
      if (res.status >= 400) {
        const err = errorFor(
          'POST',
          '/' + path,
          reindex(res, 'items', (i) => i + offset),
        );
        throw offset > 0 ? new DbApiBatchError(err, totals.written) : err;
      }
      const r = res.json as BatchResult;
      totals.written += r.written;
      totals.created += r.created;
      totals.updated += r.updated;
      offset += chunk.length;
      opts.onProgress?.({ ...totals, items: offset, total: items.length });
    }
    return totals;
  }

  /**
   * Reads any number of items by id (strongly consistent): each id once,
   * {@link MAX_BATCH_GET_IDS} a request (`POST /{table}/batch-get`, 4 in
   * flight), asking again for the ids an answer left unprocessed. A 400 names
   * the caller's positions (`ids[1234]`). With `fields`, items hold only
   * those fields and the key.
   */
  async getMany<T extends TableName>(
    table: T,
    ids: readonly string[],
    opts?: GetManyOptions & { fields?: undefined },
  ): Promise<GetManyResult<Row<T>>>;
  async getMany<T extends TableName>(
    table: T,
    ids: readonly string[],
    opts: GetManyOptions,
  ): Promise<GetManyResult<Partial<Row<T>>>>;
  async getMany<T extends TableName>(
    table: T,
    ids: readonly string[],
    opts: GetManyOptions = {},
  ): Promise<GetManyResult<Partial<Row<T>>>> {
    const position = new Map<string, number>();
    ids.forEach((id, i) => {
      if (!position.has(id)) position.set(id, i);
    });
    const unique = [...position.keys()];
    const groups: string[][] = [];
    for (let i = 0; i < unique.length; i += MAX_BATCH_GET_IDS) {
      groups.push(unique.slice(i, i + MAX_BATCH_GET_IDS));
    }
    const answers = await mapLimit(groups, Math.max(1, opts.concurrency ?? 4), (group) =>
      this.readGroup<Partial<Row<T>>>(table, group, opts.fields, position),
    );
    return {
      items: answers.flatMap((a) => a.items),
      missing: answers.flatMap((a) => a.missing),
    };
  }

  /** One group of ids, in as many requests as the answers need (each must read at least one item). */
  private async readGroup<I>(
    table: string,
    ids: string[],
    fields: readonly string[] | undefined,
    position: Map<string, number>,
  ): Promise<GetManyResult<I>> {
    const path = `${encodeURIComponent(table)}/batch-get`;
    const out: GetManyResult<I> = { items: [], missing: [] };
    let pending = ids;
    while (pending.length > 0) {
      const sent = pending;
      const res = await this.request('POST', path, {
        body: { ids: sent, ...(fields ? { fields } : {}) },
      });
      if (res.status >= 400) {
        throw errorFor(
          'POST',
          '/' + path,
          reindex(res, 'ids', (i) => position.get(sent[i]!) ?? i),
        );
      }
      const answer = res.json as BatchGetResponse<I>;
      out.items.push(...answer.items);
      out.missing.push(...answer.missing);
      pending = answer.unprocessed ?? [];
      if (pending.length >= sent.length) {
        throw new DbApiError(
          'POST',
          '/' + path,
          res.status,
          undefined,
          `the answer read none of the ${sent.length} ids it was sent (all unprocessed)`,
        );
      }
    }
    return out;
  }

  /** Splits items into requests under the item limit and (with room for the envelope) the byte limit. */
  private *chunks<I>(items: I[], opts: BatchOptions): Generator<I[]> {
    const budget = MAX_BODY_BYTES - 1024 - Buffer.byteLength(JSON.stringify(opts.preserve ?? []));
    let chunk: I[] = [];
    let bytes = 0;
    for (const item of items) {
      const size = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (chunk.length > 0 && (chunk.length >= this.batchSize || bytes + size > budget)) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(item);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }
}

function itemPath(table: string, id: string): string {
  return `${encodeURIComponent(table)}/${encodeURIComponent(id)}`;
}

function conditionHeaders(opts: PutOptions): Record<string, string> {
  const h: Record<string, string> = {};
  if (opts.ifMatch !== undefined) h['if-match'] = opts.ifMatch === '*' ? '*' : `"${opts.ifMatch}"`;
  if (opts.ifNoneMatch !== undefined) h['if-none-match'] = opts.ifNoneMatch;
  return h;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An answer (or a failure to get one) worth another attempt. */
class RetryableAnswer extends Error {
  constructor(
    readonly res: RawResponse | undefined,
    readonly error: unknown,
  ) {
    super(res ? `HTTP ${res.status}` : describe(error));
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${err.message} (${cause.code})` : err.message;
}

/** Maps `<list>[i]` in the error details of one request to the caller's position of that entry. */
function reindex(res: RawResponse, list: string, position: (i: number) => number): RawResponse {
  if (!isErrorBody(res.json)) return res;
  const body = res.json;
  const entry = new RegExp(`^${list}\\[(\\d+)\\]`);
  const details = body.error.details?.map((d) => ({
    ...d,
    field: d.field.replace(entry, (_, i: string) => `${list}[${position(Number(i))}]`),
  }));
  return { ...res, json: { error: { ...body.error, ...(details ? { details } : {}) } } };
}
