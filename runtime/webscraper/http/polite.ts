/**
 * Polite, robust requests: every request of the run (API calls and browser
 * page loads alike) goes through one rate limiter and one concurrency limit,
 * and through one retry engine:
 *
 * | answer | what happens |
 * | --- | --- |
 * | 2xx with a good body | success (resets the breaker, lets a slowed rate recover) |
 * | 2xx with a malformed body | retried with backoff, then {@link MalformedBodyError} |
 * | 404 where the caller expects it | returned (a job that is gone) |
 * | 429 | rate halved, everyone paused for Retry-After (capped) or backoff, retried |
 * | 5xx | retried with exponential backoff and jitter (Retry-After honoured) |
 * | timeout, reset, refused | retried with backoff, then {@link NetworkError} |
 * | 403 | a block: everyone paused for `blockPauseMs`, retried; repeated blocks open the breaker |
 * | other 4xx | {@link HttpError} at once (the request is wrong; retrying cannot help) |
 *
 * Every failed attempt counts towards the circuit breaker; when it opens,
 * everything waiting rejects with {@link CircuitOpenError}.
 */

import { setMaxListeners } from 'node:events';
import { type Clock, systemClock } from '../../../core/clock.js';
import { Semaphore } from '../../../core/concurrency.js';
import { withDeadline } from '../../../core/deadline.js';
import { backoffDelay, retry, retryAfterMs } from '../../../core/retry.js';
import { type BreakerOptions, CircuitBreaker } from './breaker.js';
import { HttpError, MalformedBodyError, NetworkError, networkErrorCode } from './errors.js';
import { RateLimiter } from './rate-limiter.js';

export interface PolitenessOptions {
  /** Requests per second for the whole run; 0 = no limit (default 2). */
  ratePerSec?: number;
  /** Requests in flight at once (default 2). */
  concurrency?: number;
  /** Attempts per request, the first included (default 6). */
  attempts?: number;
  /** Per-attempt timeout, ms (default 30000). */
  timeoutMs?: number;
  /** Exponential backoff with full jitter: first retry around this, ms (default 1000)... */
  backoffBaseMs?: number;
  /** ...doubling up to this, ms (default 60000). */
  backoffMaxMs?: number;
  /** Longest Retry-After honoured, ms (default 300000); longer ones are cut to it. */
  maxRetryAfterMs?: number;
  /** Pause of every request after a 403 block, ms (default 300000). */
  blockPauseMs?: number;
  /**
   * Largest response body read, bytes (default 16 MiB; a listing page of 100
   * jobs is well under 1 MiB). A longer body is not read further and counts as
   * malformed, so a broken or hostile answer cannot exhaust the memory.
   */
  maxBodyBytes?: number;
  breaker?: BreakerOptions;
}

export const DEFAULT_POLITENESS: Required<Omit<PolitenessOptions, 'breaker'>> = {
  ratePerSec: 2,
  concurrency: 2,
  attempts: 6,
  timeoutMs: 30_000,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  maxRetryAfterMs: 300_000,
  blockPauseMs: 300_000,
  maxBodyBytes: 16 * 1024 * 1024,
};

/** What one attempt produced: a status and a body. */
export interface RawAnswer {
  status: number;
  text: string;
  retryAfter?: string | null;
  /** Set when the body was longer than maxBodyBytes and not read to its end. */
  overLimit?: boolean;
}

/** A response body as text, reading at most `max` bytes. */
export async function readBody(
  res: Response,
  max: number,
): Promise<{ text: string; overLimit: boolean }> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > max || !res.body) {
    await res.body?.cancel();
    return { text: '', overLimit: declared > max };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) {
      // Leaving the loop early cancels the stream.
      return { text: '', overLimit: true };
    }
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), overLimit: false };
}

export type HttpEvent =
  | { type: 'retry'; what: string; url: string; attempt: number; delayMs: number; reason: string }
  | { type: 'slowdown'; url: string; ratePerSec: number; pauseMs: number }
  | { type: 'block'; url: string; pauseMs: number };

export interface HttpStats {
  requests: number;
  retries: number;
  blocks: number;
  /** Answers by status (`200`, `429`, ...) and failures by code (`TIMEOUT`, `ECONNRESET`, `NO_RESPONSE`, `malformed`). */
  outcomes: Record<string, number>;
}

export interface PoliteHttpOptions extends PolitenessOptions {
  clock?: Clock;
  fetch?: typeof fetch;
  random?: () => number;
  /** Aborted when the run must stop (signals). */
  signal?: AbortSignal;
  onEvent?: (event: HttpEvent) => void;
  headers?: Record<string, string>;
}

export interface CallOptions<T> {
  /** What is fetched, for logs and counters: `listing`, `detail`, `page`. */
  what: string;
  url: string;
  /** Reads the body; throws {@link MalformedBodyError} when it is not what the endpoint returns. */
  parse: (text: string) => T;
  /** Return 404 answers instead of failing (a job that is gone). */
  allow404?: boolean;
}

export type CallResult<T> = { status: 404 } | { status: number; value: T; text: string };

export class PoliteHttp {
  readonly breaker: CircuitBreaker;
  readonly limiter: RateLimiter;
  readonly stats: HttpStats = { requests: 0, retries: 0, blocks: 0, outcomes: {} };
  /** Aborted when the run is stopped or the breaker opens. */
  readonly signal: AbortSignal;
  private readonly semaphore: Semaphore;
  private readonly o: Required<Omit<PolitenessOptions, 'breaker'>>;
  private readonly clock: Clock;
  /** When the current 403 pause began: a 403 to a request sent before then is part of the same block. */
  private blockStartedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: PoliteHttpOptions = {}) {
    this.o = { ...DEFAULT_POLITENESS };
    for (const k of Object.keys(DEFAULT_POLITENESS) as Array<keyof typeof DEFAULT_POLITENESS>) {
      if (opts[k] !== undefined) this.o[k] = opts[k];
    }
    this.clock = opts.clock ?? systemClock;
    this.breaker = new CircuitBreaker(opts.breaker);
    this.limiter = new RateLimiter({ ratePerSec: this.o.ratePerSec, clock: this.clock });
    this.semaphore = new Semaphore(this.o.concurrency);
    this.signal = opts.signal
      ? AbortSignal.any([opts.signal, this.breaker.signal])
      : this.breaker.signal;
    // Each attempt in flight listens on it (withDeadline), as do requests waiting for a slot or a
    // token: Node's leak warning at 10 listeners would fire at any concurrency above a few.
    setMaxListeners(Math.max(10, this.o.concurrency * 4), this.signal);
  }

  get settings(): Readonly<Required<Omit<PolitenessOptions, 'breaker'>>> {
    return this.o;
  }

  private count(outcome: string): void {
    this.stats.outcomes[outcome] = (this.stats.outcomes[outcome] ?? 0) + 1;
  }

  /** A JSON GET or POST through {@link call}. */
  fetchJson<T>(
    opts: CallOptions<T> & { method?: 'GET' | 'POST'; body?: unknown },
  ): Promise<CallResult<T>> {
    const fetchFn = this.opts.fetch ?? fetch;
    const headers: Record<string, string> = { accept: 'application/json', ...this.opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    return this.call(opts, async (signal) => {
      const res = await fetchFn(opts.url, {
        method: opts.method ?? 'GET',
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal,
      });
      const body = await readBody(res, this.o.maxBodyBytes);
      return {
        status: res.status,
        text: body.text,
        retryAfter: res.headers.get('retry-after'),
        ...(body.overLimit && { overLimit: true }),
      };
    });
  }

  /**
   * Runs `attempt` under the rate limit and concurrency limit, retrying as the
   * table at the top says (core/retry.ts is the loop). `attempt` gets a
   * signal that aborts on the per-attempt timeout and when the run stops.
   */
  async call<T>(
    opts: CallOptions<T>,
    attempt: (signal: AbortSignal) => Promise<RawAnswer>,
  ): Promise<CallResult<T>> {
    const stop = this.signal;
    try {
      return await retry((n) => this.attemptOnce(opts, attempt, n), {
        attempts: this.o.attempts,
        baseMs: this.o.backoffBaseMs,
        maxMs: this.o.backoffMaxMs,
        ...(this.opts.random && { random: this.opts.random }),
        retryable: (err) => err instanceof RetryableFailure,
        delayFor: (err) => (err as RetryableFailure).delayMs,
        onRetry: (err, n, delayMs) => {
          const { failure } = err as RetryableFailure;
          this.stats.retries++;
          this.opts.onEvent?.({
            type: 'retry',
            what: opts.what,
            url: opts.url,
            attempt: n,
            delayMs,
            reason:
              failure instanceof HttpError
                ? String(failure.status)
                : failure instanceof NetworkError
                  ? failure.code
                  : 'malformed body',
          });
        },
        clock: this.clock,
        signal: stop,
      });
    } catch (err) {
      throw err instanceof RetryableFailure ? err.failure : err;
    }
  }

  /** One attempt: the answer, or a {@link RetryableFailure}, or an error that ends the call. */
  private async attemptOnce<T>(
    opts: CallOptions<T>,
    attempt: (signal: AbortSignal) => Promise<RawAnswer>,
    n: number,
  ): Promise<CallResult<T>> {
    const stop = this.signal;
    const release = await this.semaphore.acquire(stop);
    let answer: RawAnswer | undefined;
    let error: unknown;
    let sentAt = 0;
    try {
      await this.limiter.acquire(stop);
      sentAt = this.clock.now();
      this.stats.requests++;
      // Not AbortSignal.any + AbortSignal.timeout: a GC can drop that timer (core/deadline.ts).
      answer = await withDeadline(this.o.timeoutMs, stop, attempt);
    } catch (err) {
      if (stop.aborted) throw stop.reason;
      error = err;
    } finally {
      release();
    }

    let failure: Error;
    let delayMs: number | undefined;
    if (answer?.status === 0) {
      // No response at all (a page load that got none): retried like a reset connection.
      this.count('NO_RESPONSE');
      failure = new NetworkError(opts.url, 'NO_RESPONSE');
    } else if (answer) {
      const { status } = answer;
      this.count(String(status));
      if (status >= 200 && status < 300) {
        try {
          if (answer.overLimit) {
            throw new MalformedBodyError(
              opts.url,
              `the body is longer than ${this.o.maxBodyBytes} bytes (maxBodyBytes); not read further`,
            );
          }
          const value = opts.parse(answer.text);
          this.breaker.success();
          this.limiter.success();
          return { status, value, text: answer.text };
        } catch (err) {
          if (!(err instanceof MalformedBodyError)) throw err;
          this.count('malformed');
          failure = err;
        }
      } else if (status === 404 && opts.allow404) {
        this.breaker.success();
        return { status: 404 };
      } else if (status === 403) {
        failure = new HttpError(
          opts.url,
          status,
          answer.text,
          `MCF refused ${opts.url} with 403 (a block)`,
        );
        if (sentAt > this.blockStartedAt) {
          // A new block; 403s to requests already in flight belong to the one that paused them.
          this.blockStartedAt = this.clock.now();
          this.stats.blocks++;
          this.breaker.block(opts.url);
          this.limiter.pause(this.o.blockPauseMs);
          this.opts.onEvent?.({ type: 'block', url: opts.url, pauseMs: this.o.blockPauseMs });
        }
        delayMs = 0; // the pause holds this request too
      } else if (status === 429) {
        failure = new HttpError(opts.url, status, answer.text);
        this.limiter.slowDown();
        delayMs = this.retryAfter(answer.retryAfter) ?? this.backoff(n);
        this.limiter.pause(delayMs);
        this.opts.onEvent?.({
          type: 'slowdown',
          url: opts.url,
          ratePerSec: this.limiter.currentRate,
          pauseMs: delayMs,
        });
      } else if (status >= 500) {
        failure = new HttpError(opts.url, status, answer.text);
        delayMs = this.retryAfter(answer.retryAfter);
      } else {
        this.breaker.success();
        throw new HttpError(opts.url, status, answer.text);
      }
    } else {
      const code = networkErrorCode(error);
      if (!code) throw error;
      this.count(code);
      failure = new NetworkError(opts.url, code, { cause: error });
    }

    this.breaker.error(`${failure.message}`);
    stop.throwIfAborted();
    throw new RetryableFailure(failure, delayMs);
  }

  private backoff(attempt: number): number {
    return backoffDelay(attempt, {
      baseMs: this.o.backoffBaseMs,
      maxMs: this.o.backoffMaxMs,
      ...(this.opts.random ? { random: this.opts.random } : {}),
    });
  }

  private retryAfter(value: string | null | undefined): number | undefined {
    return retryAfterMs(value, this.o.maxRetryAfterMs, this.clock.now());
  }
}

/** A failed attempt worth another, with the wait the answer asked for (if any). */
class RetryableFailure extends Error {
  constructor(
    readonly failure: Error,
    readonly delayMs: number | undefined,
  ) {
    super(failure.message);
  }
}

/** Parses JSON, turning a syntax error into a {@link MalformedBodyError}. */
export function parseJsonBody(url: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MalformedBodyError(url, `not JSON (${(err as Error).message.slice(0, 80)})`);
  }
}
