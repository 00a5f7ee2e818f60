/**
 * The one retry of the code base: backoff, the retry loop, and resending
 * what a batch answer left unprocessed.
 *
 * Who retries what (the policy, once):
 *
 * - An AWS call is retried by its SDK client, and only there, on the policy
 *   in core/aws-retry.ts (throttling, 5xx, network errors; a bounded number
 *   of attempts and seconds). Code around a call never retries its errors again.
 * - {@link retry} is for what the SDK cannot see: an answer that succeeded
 *   but did not do the work (RunTask's capacity `failures`), and HTTP
 *   clients of our own (the DB API client, the scraper).
 * - {@link resend} is for batch APIs that answer success with part of the
 *   batch left over (DynamoDB's UnprocessedItems, S3 DeleteObjects' per-key
 *   SlowDown): the rest is sent again, a bounded number of times.
 * - A poll (core/poll.ts) is not a retry: it reads a status until it
 *   settles, and tolerates a bounded run of failed reads.
 */
import { type Clock, systemClock } from './clock.js';

export interface BackoffOptions {
  /** Delay before the first retry (attempt 1), ms. */
  baseMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog): a random delay in
 * [0, min(max, base * 2^(attempt-1))], never below base/2 so retries stay spaced.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(opts.baseMs / 2, Math.floor(random() * ceiling));
}

export interface RetryOptions extends BackoffOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /**
   * Time budget, ms from the first attempt: no retry starts, and no wait
   * goes, beyond it (default: none; `attempts` alone bounds the loop).
   */
  budgetMs?: number;
  /** Whether an error is worth another attempt. */
  retryable: (err: unknown) => boolean;
  /** The wait before retrying after `err`, when the error says (e.g. Retry-After); else backoff. */
  delayFor?: (err: unknown, attempt: number) => number | undefined;
  /** Told before each wait, e.g. to log the retry. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  clock?: Clock;
  signal?: AbortSignal;
}

/**
 * Runs `fn` until it succeeds, an error is not retryable, or the attempts or
 * the time budget run out; then throws the last error as it was.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !opts.retryable(err)) throw err;
      const delay = opts.delayFor?.(err, attempt) ?? backoffDelay(attempt, opts);
      if (opts.budgetMs !== undefined && clock.now() + delay - started > opts.budgetMs) throw err;
      opts.onRetry?.(err, attempt, delay);
      if (delay > 0) await clock.sleep(delay, opts.signal);
    }
  }
}

/** What {@link resend} throws inside its loop: part of the batch came back. */
class Unfinished extends Error {}

export interface ResendOptions extends Omit<RetryOptions, 'retryable' | 'delayFor' | 'onRetry'> {
  /** The wait before attempt `attempt + 1`, when not backoff (e.g. a fixed pause). */
  delayFor?: (attempt: number) => number | undefined;
  /** Told before each wait with what is left. */
  onResend?: (left: number, attempt: number, delayMs: number) => void;
}

/**
 * Sends `items`, then again whatever each answer left unprocessed, until
 * nothing is left or the attempts run out. `send` returns what was left.
 * Returns what is still left after the last attempt (empty: all done) and
 * the attempts made. An error thrown by `send` ends it at once.
 */
export async function resend<T>(
  items: T[],
  send: (items: T[], attempt: number) => Promise<T[]>,
  opts: ResendOptions,
): Promise<{ left: T[]; attempts: number }> {
  let left = items;
  let attempts = 0;
  try {
    await retry(
      async (attempt) => {
        attempts = attempt;
        left = await send(left, attempt);
        if (left.length > 0) throw new Unfinished();
      },
      {
        ...opts,
        retryable: (err) => err instanceof Unfinished,
        delayFor: (_err, attempt) => opts.delayFor?.(attempt),
        onRetry: (_err, attempt, delayMs) => opts.onResend?.(left.length, attempt, delayMs),
      },
    );
  } catch (err) {
    if (!(err instanceof Unfinished)) throw err;
  }
  return { left, attempts };
}

/**
 * A Retry-After header (seconds, or an HTTP date) as a wait in ms, capped at
 * `maxMs`; undefined when absent or unreadable.
 */
export function retryAfterMs(
  value: string | null | undefined,
  maxMs: number,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  let ms: number | undefined;
  if (/^\s*[-+]?[\d.]+\s*$/.test(value)) {
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) ms = seconds * 1000;
  } else {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) ms = Math.max(0, at - now);
  }
  return ms === undefined ? undefined : Math.min(ms, maxMs);
}
