/**
 * The Sheets v4 REST API over fetch: one owner of retries for every call.
 *
 * 429 (the per-minute quota) and 5xx are retried with truncated exponential
 * backoff and jitter, as Google's guidance asks: the wait grows towards a
 * full quota minute, honours Retry-After, and stops after `attempts`. The
 * errors are Google's JSON error body (`{"error": {"code", "message",
 * "status", "details"}}`), translated into a cause a person can act on.
 * The loop is core/retry.ts's.
 */
import { type Clock, systemClock } from '../../core/clock.js';
import { withDeadline } from '../../core/deadline.js';
import { retry, retryAfterMs } from '../../core/retry.js';

export const DEFAULT_ROOT_URL = 'https://sheets.googleapis.com/';

/**
 * Google stops processing a request after 180 s and answers with an error;
 * a client that gave up sooner could not tell whether its batchUpdate was
 * applied. So a call waits longer than that.
 */
const GOOGLE_PROCESSING_LIMIT_MS = 180_000;
const DEFAULT_TIMEOUT_MS = GOOGLE_PROCESSING_LIMIT_MS + 20_000;

export interface ApiOptions {
  /** The API root, `https://sheets.googleapis.com/` unless pointed at a test server. */
  rootUrl?: string;
  /** Authorization headers for a request (from google-auth-library). */
  headers: (url: string) => Promise<Record<string, string>>;
  /** Attempts per call, including the first (default 6). */
  attempts?: number;
  /** Backoff, ms (default 1000 doubling to 64000: a quota minute and then some). */
  backoff?: { baseMs: number; maxMs: number };
  timeoutMs?: number;
  onRetry?: (info: {
    call: string;
    attempt: number;
    delayMs: number;
    status?: number;
    reason?: string;
  }) => void;
  fetch?: typeof fetch;
  /** The clock retries wait on (tests pass a virtual one). */
  clock?: Clock;
  random?: () => number;
}

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: Array<{ '@type'?: string; reason?: string; metadata?: Record<string, string> }>;
  };
}

export class SheetsApiError extends Error {
  override name = 'SheetsApiError';
  constructor(
    readonly call: string,
    /** HTTP status; 0 when the API could not be reached. */
    readonly status: number,
    /** Google's status word, e.g. RESOURCE_EXHAUSTED, PERMISSION_DENIED. */
    readonly code: string,
    readonly reason: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function explain(
  call: string,
  status: number,
  body: GoogleErrorBody | undefined,
  text: string,
): SheetsApiError {
  const e = body?.error;
  const code = e?.status ?? `HTTP_${status}`;
  const reason = e?.details?.find((d) => d.reason)?.reason;
  const said = ((e?.message ?? text.slice(0, 300)) || `HTTP ${status}`).replace(/\.$/, '');
  let hint = '';
  if (status === 429)
    hint =
      ' The Sheets API quota (per minute, per user and per project) stayed exhausted through every retry; nothing of this call was applied. Run the sync again later; it finishes what this one could not.';
  else if (status === 403)
    hint =
      ' Share the spreadsheet with the service account (its client_email) as Editor, and enable the Google Sheets API in its project.';
  else if (status === 401)
    hint = ' The Google credentials were rejected: check the key, or that it has not been deleted.';
  else if (status === 404) hint = ' Check the spreadsheet id (the long id in the spreadsheet URL).';
  return new SheetsApiError(
    call,
    status,
    code,
    reason,
    `Sheets API ${call} failed: ${status} ${code}: ${said}.${hint}`,
  );
}

export class SheetsApi {
  private readonly root: URL;
  private readonly attempts: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly fetchFn: typeof fetch;
  /** Per-attempt timeout, ms. */
  readonly timeoutMs: number;
  /** Calls made (a retried call counts once) and HTTP requests sent. */
  calls = 0;
  requests = 0;

  constructor(private readonly opts: ApiOptions) {
    this.root = new URL(opts.rootUrl ?? DEFAULT_ROOT_URL);
    if (!this.root.pathname.endsWith('/')) this.root.pathname += '/';
    this.attempts = Math.max(1, opts.attempts ?? 6);
    this.backoff = opts.backoff ?? { baseMs: 1000, maxMs: 64_000 };
    this.fetchFn = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** One API call: JSON in, JSON out, retried on 429, 5xx and network errors. */
  async call<T>(
    name: string,
    method: 'GET' | 'POST',
    path: string,
    query: Array<[string, string]>,
    body?: unknown,
  ): Promise<T> {
    const url = new URL(path, this.root);
    for (const [k, v] of query) url.searchParams.append(k, v);
    this.calls++;
    try {
      return await retry(
        async () => {
          let status = 0;
          let text = '';
          let failure: unknown;
          let retryAfter: string | null = null;
          try {
            const headers = {
              ...(await this.opts.headers(url.href)),
              accept: 'application/json',
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            };
            this.requests++;
            // Not AbortSignal.timeout: a GC can drop that timer (core/deadline.ts).
            await withDeadline(this.timeoutMs, undefined, async (signal) => {
              const res = await this.fetchFn(url, {
                method,
                headers,
                ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
                signal,
              });
              status = res.status;
              text = await res.text();
              retryAfter = res.headers.get('retry-after');
            });
          } catch (err) {
            failure = err;
          }
          if (!failure && status < 400) return (text ? JSON.parse(text) : {}) as T;
          const parsed = failure ? undefined : parseBody(text);
          const error = failure
            ? new SheetsApiError(
                name,
                0,
                'UNREACHABLE',
                undefined,
                `Sheets API ${name} failed: cannot reach ${this.root.origin}: ${failure instanceof Error ? failure.message : String(failure)}`,
                { cause: failure },
              )
            : explain(name, status, parsed, text);
          const retryable = failure !== undefined || status === 429 || status >= 500;
          throw retryable ? new RetryableCall(error, status, retryAfter, parsed) : error;
        },
        {
          attempts: this.attempts,
          ...this.backoff,
          ...(this.opts.random && { random: this.opts.random }),
          retryable: (err) => err instanceof RetryableCall,
          delayFor: (err) => retryAfterMs((err as RetryableCall).retryAfter, this.backoff.maxMs),
          onRetry: (err, attempt, delayMs) => {
            const { status, parsed } = err as RetryableCall;
            const reason = parsed?.error?.details?.find((d) => d.reason)?.reason;
            this.opts.onRetry?.({
              call: name,
              attempt,
              delayMs,
              ...(status ? { status } : {}),
              ...(reason ? { reason } : {}),
            });
          },
          clock: this.opts.clock ?? systemClock,
        },
      );
    } catch (err) {
      throw err instanceof RetryableCall ? err.error : err;
    }
  }
}

/** A failed attempt worth another: the error it would end with, and what the answer said. */
class RetryableCall extends Error {
  constructor(
    readonly error: SheetsApiError,
    readonly status: number,
    readonly retryAfter: string | null,
    readonly parsed: GoogleErrorBody | undefined,
  ) {
    super(error.message);
  }
}

function parseBody(text: string): GoogleErrorBody | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as GoogleErrorBody) : undefined;
  } catch {
    return undefined;
  }
}
