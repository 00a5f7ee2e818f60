/**
 * The DB API's wire contract (API.md), shared by the server and its clients:
 * limits, error codes and the shapes of request and response bodies.
 */

/** Largest request body accepted, bytes (413 above). Under Lambda's 6 MB payload even base64-encoded. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * Deepest nesting of objects and lists in a request body (400 above). Items
 * are flat (a batch body is 4 levels deep); this is DynamoDB's own limit for
 * nested attributes.
 */
export const MAX_JSON_DEPTH = 32;
/** Most problems listed in one error answer; the message gives the total. */
export const MAX_ERROR_DETAILS = 100;
/** Most items in one `POST /{table}/batch` (400 above). */
export const MAX_BATCH_ITEMS = 500;
/** Most ids in one `POST /{table}/batch-get` (400 above): one DynamoDB BatchGetItem call. */
export const MAX_BATCH_GET_IDS = 100;
/**
 * Most bytes of items in one `POST /{table}/batch-get` answer, under
 * Lambda's 6 MB response limit; items past it are answered `unprocessed`.
 */
export const MAX_BATCH_GET_RESPONSE_BYTES = 4 * 1024 * 1024;
/** `GET /{table}` page size when `limit` is not given, and its maximum. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export const ERROR_CODES = {
  validation_failed: 400,
  invalid_json: 400,
  bad_request: 400,
  unknown_table: 404,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One invalid field (or header, query parameter, cursor). */
export interface ProblemDetail {
  field: string;
  rule: string;
  value: unknown;
  message?: string;
}

export interface ErrorBody {
  error: {
    code: ErrorCode | string;
    message: string;
    request_id: string;
    details?: ProblemDetail[];
    /** 409: the stored item's version (absent when the item does not exist). */
    current_version?: number;
  };
}

export interface ListPage<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  next_cursor: string | null;
}

/** `replace`: each item is a whole item (PUT semantics). `merge`: each item is a partial update (PATCH semantics), inserted when absent. */
export type BatchMode = 'replace' | 'merge';

export interface BatchRequest<T = Record<string, unknown>> {
  items: T[];
  mode?: BatchMode;
  /** Fields whose stored value is kept when the item exists (e.g. first_seen). */
  preserve?: string[];
}

export interface BatchResult {
  /** Items written (created + updated). */
  written: number;
  created: number;
  updated: number;
}

/** The body of `POST /{table}/batch-get`. */
export interface BatchGetRequest {
  ids: string[];
  /** Read only these fields (the key always comes too). */
  fields?: string[];
}

export interface BatchGetResponse<T> {
  /** The items found, in the order of their ids' first appearance. */
  items: T[];
  /** The ids without an item, in request order. */
  missing: string[];
  /** Ids of items that did not fit this answer: ask for them again. */
  unprocessed: string[];
}

/** Key conditions on an index's sort key: `?<sort>.<op>=value`. */
export const SORT_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'begins_with'] as const;
export type SortOperator = (typeof SORT_OPERATORS)[number];
