/**
 * The DB API's HTTP semantics (API.md), independent of where requests come
 * from: the Lambda adapter (API Gateway events) and the local node:http server
 * both turn requests into an {@link ApiRequest} and send back the
 * {@link ApiResponse}.
 *
 * Routing, body and header checks, the mapping of store errors to statuses,
 * and one structured JSON log line per request. Never a stack trace to the
 * client: unexpected errors are a 500 naming the request id, logged in full.
 */
import { isThrottling } from '../../../core/errors.js';
import { emptyRecord } from '../../schema/schema.js';
import type { TableName } from '../../schema/types.generated.js';
import { reservedNameProblem, shownName, shownValue } from '../../schema/validate.js';
import {
  ERROR_CODES,
  type ErrorBody,
  type ErrorCode,
  MAX_BATCH_GET_RESPONSE_BYTES,
  MAX_BODY_BYTES,
  MAX_ERROR_DETAILS,
  MAX_JSON_DEPTH,
  type ProblemDetail,
  SORT_OPERATORS,
  type SortOperator,
} from '../contract.js';
import {
  ItemNotFoundError,
  StoreUnavailableError,
  UnknownTableError,
  ValidationFailedError,
  VersionConflictError,
} from '../store/errors.js';
import type { ListQuery } from '../store/list-plan.js';
import type { TableStore } from '../store/table-store.js';
import { batchGetAnswer } from './batch-get-answer.js';
import { JsonBodyError, parseJsonBody } from './json-body.js';

export interface ApiRequest {
  method: string;
  /** The path below the API's base (stage prefix removed), still percent-encoded. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  /** The decoded body; undefined when there is none. */
  body?: string;
  /** Set by a transport that stopped reading a body over {@link MAX_BODY_BYTES}. */
  bodyTooLarge?: boolean;
  requestId: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** One line per request, written as JSON. */
export interface RequestLog {
  time: string;
  level: 'info' | 'warn' | 'error';
  msg: 'request';
  request_id: string;
  method: string;
  route: string;
  table?: string;
  status: number;
  duration_ms: number;
  error_code?: string;
  error?: string;
  stack?: string;
}

export interface HandlerOptions {
  /** The store, or a function creating it on first use (a failure is a 500, logged). */
  store: TableStore | (() => TableStore);
  /** Where log lines go (default: one JSON line on stdout). */
  log?: (line: RequestLog) => void;
  now?: () => number;
}

export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ProblemDetail[],
    readonly headers: Record<string, string> = {},
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}

const ITEM_METHODS = ['GET', 'PUT', 'PATCH', 'DELETE'];

interface Route {
  pattern: string;
  table?: string;
  id?: string;
  kind: 'item' | 'collection' | TablePostRoute;
}

/** The POST routes below a table, `/{table}/<name>`. */
const TABLE_POST_ROUTES = ['batch', 'batch-get'] as const;
type TablePostRoute = (typeof TABLE_POST_ROUTES)[number];

function isTablePostRoute(name: string | undefined): name is TablePostRoute {
  return (TABLE_POST_ROUTES as readonly (string | undefined)[]).includes(name);
}

function route(method: string, path: string): Route {
  const segments = path.split('/').filter((s) => s !== '');
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(
      400,
      'bad_request',
      `the path ${JSON.stringify(path)} is not valid percent-encoding`,
    );
  }
  const [table, second] = decoded;
  if (decoded.length === 1) return { pattern: '/{table}', table: table!, kind: 'collection' };
  if (decoded.length === 2 && method === 'POST' && isTablePostRoute(second)) {
    return { pattern: `/{table}/${second}`, table: table!, kind: second };
  }
  if (decoded.length === 2)
    return { pattern: '/{table}/{id}', table: table!, id: second!, kind: 'item' };
  throw new HttpError(
    404,
    'not_found',
    `no route for ${method} ${path}; routes: /{table}, /{table}/{id}, POST /{table}/batch, POST /{table}/batch-get`,
  );
}

function methodNotAllowed(method: string, allowed: string[], what: string): HttpError {
  return new HttpError(
    405,
    'method_not_allowed',
    `${method} is not allowed on ${what}; allowed: ${allowed.join(', ')}`,
    undefined,
    { allow: allowed.join(', ') },
  );
}

function jsonBody(req: ApiRequest): unknown {
  const size = req.body === undefined ? 0 : Buffer.byteLength(req.body);
  if (req.bodyTooLarge || size > MAX_BODY_BYTES) {
    throw new HttpError(
      413,
      'payload_too_large',
      `the body is larger than ${MAX_BODY_BYTES} bytes; split batches (the client does) or shorten the item`,
    );
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!/^application\/([a-z0-9.+-]+\+)?json$/.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `the body must be JSON with Content-Type: application/json${type ? `, not ${type}` : ' (none was sent)'}`,
    );
  }
  if (!req.body) {
    throw new HttpError(400, 'invalid_json', 'the request needs a JSON body', [
      { field: '(body)', rule: 'json', value: null, message: 'is empty' },
    ]);
  }
  try {
    return parseJsonBody(req.body, MAX_JSON_DEPTH);
  } catch (err) {
    if (err instanceof JsonBodyError) throw new HttpError(400, err.code, err.message, err.details);
    throw err;
  }
}

/**
 * A POST body that must be a JSON object holding `required` and no key but
 * the `accepted` ones; returned with the problems of its keys.
 */
function bodyObject(
  req: ApiRequest,
  accepted: readonly string[],
  required: string,
): { body: Record<string, unknown>; problems: ProblemDetail[] } {
  const body = jsonBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'validation_failed', `the body is {"${required}": [...]}`, [
      {
        field: '(body)',
        rule: 'type',
        value: null,
        message: `must be an object with "${required}"`,
      },
    ]);
  }
  const record = body as Record<string, unknown>;
  const names = `${accepted.slice(0, -1).join(', ')} and ${accepted.at(-1)}`;
  const problems: ProblemDetail[] = Object.keys(record)
    .filter((k) => !accepted.includes(k))
    .map((k) => ({
      field: shownName(k),
      rule: 'unknown_field',
      value: null,
      message: `the body has ${names}`,
    }));
  if (record[required] === undefined) {
    problems.push({ field: required, rule: 'required', value: null, message: 'is required' });
  }
  return { body: record, problems };
}

function headerProblem(header: string, value: string, message: string): HttpError {
  return new HttpError(400, 'bad_request', `invalid ${header} header`, [
    { field: header, rule: 'format', value, message },
  ]);
}

/** If-Match: `*`, or one version as `"3"`, `W/"3"` or `3`. */
function ifMatch(req: ApiRequest): number | '*' | undefined {
  const raw = req.headers['if-match']?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw === '*') return '*';
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(raw);
  if (!m || Number(m[1]) < 1) {
    throw headerProblem('If-Match', raw, 'is * or the item version from its ETag, such as "3"');
  }
  return Number(m[1]);
}

function ifNoneMatch(req: ApiRequest, method: string): '*' | undefined {
  const raw = req.headers['if-none-match']?.trim();
  if (raw === undefined || raw === '' || method === 'GET') return undefined;
  if (raw !== '*' || method !== 'PUT') {
    throw headerProblem('If-None-Match', raw, 'is only supported as * on PUT (create only)');
  }
  return '*';
}

function listQuery(params: URLSearchParams): ListQuery {
  const where = emptyRecord<string>();
  const q: ListQuery = { where };
  const problems: ProblemDetail[] = [];
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) {
      problems.push({
        field: shownName(name),
        rule: 'repeated',
        value: shownValue(value),
        message: 'may be given once',
      });
      continue;
    }
    seen.add(name);
    const reserved =
      reservedNameProblem(name, value) ??
      reservedNameProblem(name.slice(0, Math.max(0, name.lastIndexOf('.'))), value, name);
    if (reserved) {
      problems.push(reserved);
      continue;
    }
    if (name === 'limit') q.limit = value;
    else if (name === 'cursor') q.cursor = value;
    else if (name.includes('.')) {
      const dot = name.lastIndexOf('.');
      const op = name.slice(dot + 1);
      if (q.sort) {
        problems.push({
          field: shownName(name),
          rule: 'repeated',
          value: shownValue(value),
          message: 'one sort-key condition at a time',
        });
      } else if (!(SORT_OPERATORS as readonly string[]).includes(op)) {
        problems.push({
          field: shownName(name),
          rule: 'operator',
          value: shownValue(value),
          message: `operators: ${SORT_OPERATORS.map((o) => `.${o}`).join(', ')}`,
        });
      } else q.sort = { field: name.slice(0, dot), op: op as SortOperator, value };
    } else where[name] = value;
  }
  if (problems.length)
    throw new HttpError(400, 'validation_failed', 'invalid query parameters', problems);
  return q;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function etag(item: unknown): Record<string, string> {
  const v = (item as { version?: unknown }).version;
  return typeof v === 'number' ? { etag: `"${v}"` } : {};
}

/** Maps any error to the API's error answer; `internal` tells the logger to keep the stack. */
function toHttpError(err: unknown): { http: HttpError; internal: boolean } {
  if (err instanceof HttpError) return { http: err, internal: false };
  if (err instanceof ValidationFailedError) {
    return {
      http: new HttpError(
        400,
        'validation_failed',
        `${err.problems.length} invalid field${err.problems.length === 1 ? '' : 's'}; see details`,
        err.problems,
      ),
      internal: false,
    };
  }
  if (err instanceof UnknownTableError) {
    return { http: new HttpError(404, 'unknown_table', err.message), internal: false };
  }
  if (err instanceof ItemNotFoundError) {
    return { http: new HttpError(404, 'not_found', err.message), internal: false };
  }
  if (err instanceof VersionConflictError) {
    return {
      http: new HttpError(409, 'conflict', err.message, undefined, {}, err.currentVersion),
      internal: false,
    };
  }
  if (err instanceof StoreUnavailableError || isThrottling(err)) {
    return {
      http: new HttpError(
        503,
        'service_unavailable',
        'DynamoDB is throttling; retry with backoff (the request is safe to repeat: a read changes nothing, and a write is keyed, so items a batch already stored are stored again as sent)',
        undefined,
        { 'retry-after': '1' },
      ),
      internal: true,
    };
  }
  return {
    http: new HttpError(
      500,
      'internal_error',
      'internal error; quote the request id when reporting it',
    ),
    internal: true,
  };
}

/** The error answer; its details capped at {@link MAX_ERROR_DETAILS}, so it stays small whatever was sent. */
function errorResponse(h: HttpError, requestId: string): ApiResponse {
  const details = h.details?.slice(0, MAX_ERROR_DETAILS);
  const more = (h.details?.length ?? 0) - (details?.length ?? 0);
  const body: ErrorBody = {
    error: {
      code: h.code,
      message: more ? `${h.message} (the first ${MAX_ERROR_DETAILS} listed)` : h.message,
      request_id: requestId,
      ...(details ? { details } : {}),
      ...(h.currentVersion !== undefined ? { current_version: h.currentVersion } : {}),
    },
  };
  return json(h.status ?? ERROR_CODES[h.code], body, h.headers);
}

function defaultLog(line: RequestLog): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function createHandler(opts: HandlerOptions): ApiHandler {
  const log = opts.log ?? defaultLog;
  const now = opts.now ?? (() => performance.now());
  let store: TableStore | undefined = typeof opts.store === 'function' ? undefined : opts.store;
  const getStore = () => {
    store ??= (opts.store as () => TableStore)();
    return store;
  };

  async function dispatch(req: ApiRequest, r: Route): Promise<ApiResponse> {
    const s = getStore();
    const table = r.table!;
    s.table(table); // 404 for an unknown table before anything else
    const t = table as TableName;
    const method = req.method;
    if (r.kind === 'collection') {
      if (method !== 'GET')
        throw methodNotAllowed(method, ['GET'], '/{table} (POST to /{table}/batch)');
      const page = await s.list(t, listQuery(req.query));
      return json(200, { items: page.items, next_cursor: page.nextCursor });
    }
    if (r.kind === 'batch-get') {
      const { body, problems } = bodyObject(req, ['ids', 'fields'], 'ids');
      if (problems.length) {
        throw new HttpError(400, 'validation_failed', 'invalid batch read', problems);
      }
      const read = await s.getMany(t, body.ids as string[], {
        ...(body.fields !== undefined ? { fields: body.fields as string[] } : {}),
      });
      return json(200, batchGetAnswer(read, s.table(table).key, MAX_BATCH_GET_RESPONSE_BYTES));
    }
    if (r.kind === 'batch') {
      const { body, problems } = bodyObject(req, ['items', 'mode', 'preserve'], 'items');
      const mode = body.mode ?? 'replace';
      if (mode !== 'replace' && mode !== 'merge') {
        problems.push({
          field: 'mode',
          rule: 'enum',
          value: shownValue(mode),
          message: 'must be replace or merge',
        });
      }
      if (problems.length) throw new HttpError(400, 'validation_failed', 'invalid batch', problems);
      const result = await s.batchUpsert(t, body.items as never[], {
        mode: mode as 'replace' | 'merge',
        ...(body.preserve !== undefined ? { preserve: body.preserve as string[] } : {}),
      });
      return json(200, result);
    }
    const id = r.id!;
    switch (method) {
      case 'GET': {
        const item = await s.get(t, id);
        if (!item) throw new ItemNotFoundError(table, id);
        return json(200, item, etag(item));
      }
      case 'PUT': {
        const cond = { ifMatch: ifMatch(req), ifNoneMatch: ifNoneMatch(req, method) };
        const body = jsonBody(req);
        const { item, created } = await s.put(t, id, body as never, {
          ...(cond.ifMatch !== undefined ? { ifMatch: cond.ifMatch } : {}),
          ...(cond.ifNoneMatch ? { ifNoneMatch: cond.ifNoneMatch } : {}),
        });
        return json(created ? 201 : 200, item, etag(item));
      }
      case 'PATCH': {
        const m = ifMatch(req);
        ifNoneMatch(req, method);
        const body = jsonBody(req);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new HttpError(
            400,
            'validation_failed',
            'the body is an object of fields to change',
            [{ field: '(body)', rule: 'type', value: null, message: 'must be a JSON object' }],
          );
        }
        const item = await s.patch(t, id, body as never, m !== undefined ? { ifMatch: m } : {});
        return json(200, item, etag(item));
      }
      case 'DELETE': {
        const m = ifMatch(req);
        ifNoneMatch(req, method);
        await s.delete(t, id, m !== undefined ? { ifMatch: m } : {});
        return { status: 204, headers: {} };
      }
      default:
        throw methodNotAllowed(method, ITEM_METHODS, '/{table}/{id}');
    }
  }

  return async (req) => {
    const start = now();
    let r: Route | undefined;
    let res: ApiResponse;
    let failure: { http: HttpError; internal: boolean; err: unknown } | undefined;
    try {
      r = route(req.method, req.path);
      res = await dispatch(req, r);
    } catch (err) {
      failure = { ...toHttpError(err), err };
      res = errorResponse(failure.http, req.requestId);
    }
    res.headers['x-request-id'] = req.requestId;
    res.headers['cache-control'] = 'no-store';
    const line: RequestLog = {
      time: new Date().toISOString(),
      level: res.status >= 500 ? 'error' : res.status >= 400 ? 'warn' : 'info',
      msg: 'request',
      request_id: req.requestId,
      method: req.method,
      route: r?.pattern ?? req.path,
      ...(r?.table !== undefined ? { table: r.table } : {}),
      status: res.status,
      duration_ms: Math.round((now() - start) * 10) / 10,
      ...(failure ? { error_code: failure.http.code } : {}),
      ...(failure?.internal
        ? {
            error:
              failure.err instanceof Error
                ? `${failure.err.name}: ${failure.err.message}`
                : String(failure.err),
            ...(failure.err instanceof Error && failure.err.stack
              ? { stack: failure.err.stack }
              : {}),
          }
        : {}),
    };
    log(line);
    return res;
  };
}
