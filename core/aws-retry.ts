/**
 * Who retries an AWS call, and how much: the policy, written once.
 *
 * Every AWS call is retried by its SDK client and nowhere else: the client's
 * retry middleware asks {@link AwsRetryStrategy} (set on every client by
 * core/aws.ts) whether and when to try again. Code around a call never
 * retries its errors a second time (that multiplied attempts: a deploy once
 * sent CreateStack 32 times to an endpoint that kept answering 500).
 *
 * | what failed | attempts per call | waits between them |
 * | --- | --- | --- |
 * | throttling (Throttling, TooManyRequests, SlowDown, HTTP 429, ...) | 6 | 1 s doubling to 20 s, random ("full jitter") |
 * | HTTP 5xx, a reset or refused connection, a timeout | 3 | 0.5 s doubling to 5 s, random |
 * | anything else (access denied, validation, not found) | 1 | - |
 *
 * - A Retry-After / x-amz-retry-after hint from the server is followed, up
 *   to the kind's longest wait.
 * - No retry starts later than {@link AWS_RETRY_POLICY.budgetMs} (45 s)
 *   after the call began; each attempt must connect within 5 s and answer
 *   within 30 s. So one call ends within about 80 s, whatever the endpoint does.
 * - What is not one call's failure is not retried here: an answer that
 *   succeeded but did not do the work (RunTask's capacity `failures`,
 *   DynamoDB's UnprocessedItems) is the caller's, with core/retry.ts; a poll
 *   that reads a status until it settles (core/poll.ts) tolerates a few
 *   failed reads in a row, each one a call bounded as above.
 */
import { type Clock, systemClock } from './clock.js';
import { backoffDelay } from './retry.js';

export interface RetryKind {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export interface AwsRetryPolicy {
  throttling: RetryKind;
  /** HTTP 5xx, network errors, timeouts. */
  transient: RetryKind;
  /** No retry starts, and no wait ends, later than this after the call began, ms. */
  budgetMs: number;
  /** Time to connect, ms. */
  connectTimeoutMs: number;
  /** Time for the server to answer one attempt, ms. */
  attemptTimeoutMs: number;
}

export const AWS_RETRY_POLICY: AwsRetryPolicy = {
  throttling: { attempts: 6, baseMs: 1000, maxMs: 20_000 },
  transient: { attempts: 3, baseMs: 500, maxMs: 5000 },
  budgetMs: 45_000,
  connectTimeoutMs: 5000,
  attemptTimeoutMs: 30_000,
};

/** The most attempts any kind of failure gets (the SDK's `max=` in the amz-sdk-request header). */
export function maxAttempts(policy: AwsRetryPolicy): number {
  return Math.max(policy.throttling.attempts, policy.transient.attempts);
}

/** How the SDK's retry middleware classifies a failed attempt (its RetryErrorInfo). */
export interface RetryErrorInfo {
  errorType: 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  retryAfterHint?: Date;
  error?: unknown;
}

/** The SDK's retry token: attempts so far and the wait before the next one. */
export class AwsRetryToken {
  /** Read by the SDK middleware: the wait it already took is counted in $metadata.totalRetryDelay. */
  readonly $retryLog: { acquisitionDelay: number };
  constructor(
    readonly retries: number,
    readonly started: number,
    waitedMs = 0,
  ) {
    this.$retryLog = { acquisitionDelay: waitedMs };
  }
  getRetryCount(): number {
    return this.retries;
  }
  /** 0: the strategy waits itself, on its clock, before handing out the token. */
  getRetryDelay(): number {
    return 0;
  }
}

/** Thrown to the SDK middleware to refuse a retry; it then throws the call's own error. */
class NoRetry extends Error {}

/**
 * The SDK retry strategy (RetryStrategyV2) that applies {@link AWS_RETRY_POLICY}.
 * It waits on its own clock before handing out a retry token, so tests run
 * a client's retries on virtual time.
 */
export class AwsRetryStrategy {
  readonly mode = 'standard';
  constructor(
    private readonly policy: AwsRetryPolicy = AWS_RETRY_POLICY,
    private readonly clock: Clock = systemClock,
    private readonly random?: () => number,
  ) {}

  async acquireInitialRetryToken(_scope: string): Promise<AwsRetryToken> {
    return new AwsRetryToken(0, this.clock.now());
  }

  async refreshRetryTokenForRetry(
    token: AwsRetryToken,
    info: RetryErrorInfo,
  ): Promise<AwsRetryToken> {
    const delay = this.delayBeforeRetry(token, info);
    if (delay === undefined) throw new NoRetry('no retry');
    if (delay > 0) await this.clock.sleep(delay);
    return new AwsRetryToken(token.retries + 1, token.started, delay);
  }

  recordSuccess(_token: AwsRetryToken): void {}

  /** The wait before the next attempt, or undefined when the policy says no more. */
  delayBeforeRetry(token: AwsRetryToken, info: RetryErrorInfo): number | undefined {
    const kind =
      info.errorType === 'THROTTLING'
        ? this.policy.throttling
        : info.errorType === 'TRANSIENT' || info.errorType === 'SERVER_ERROR'
          ? this.policy.transient
          : undefined;
    const attempt = token.retries + 1; // attempts made so far
    if (!kind || attempt >= kind.attempts) return undefined;
    const now = this.clock.now();
    const hinted = info.retryAfterHint
      ? Math.min(kind.maxMs, Math.max(0, info.retryAfterHint.getTime() - Date.now()))
      : undefined;
    const delay =
      hinted ?? backoffDelay(attempt, { ...kind, ...(this.random && { random: this.random }) });
    if (now + delay - token.started > this.policy.budgetMs) return undefined;
    return delay;
  }
}
