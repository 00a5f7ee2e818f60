/**
 * Waiting for a CloudFormation stack to finish an operation, with its events
 * streamed live.
 *
 * {@link waitForStack} polls DescribeStacks (core/poll.ts) until the stack
 * leaves every `*_IN_PROGRESS` status (REVIEW_IN_PROGRESS, a stack created by
 * a change set that was never executed, counts as settled), polling the
 * event stream on each round. It never hangs: a deadline ends it with a
 * {@link StackWaitTimeoutError} (the caller decides whether to cancel), and
 * a poll that failed with throttling or a transient network/5xx error (after
 * the client's own retries) only slows polling down, a bounded number of
 * times in a row. The poll interval and the clock are injectable, so tests
 * run without real waiting.
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { type Clock, systemClock } from '../../core/clock.js';
import { errorCode, isThrottling, isTransient } from '../../core/errors.js';
import { done, notYet, poll } from '../../core/poll.js';
import { formatDuration } from '../../core/values.js';
import { logLine } from './log.js';
import { isMissingStack, type StackEventStream } from './stack-events.js';

export type { Stack };

/** A stack status during which CloudFormation refuses another operation. */
export function isInProgress(status: string | undefined): boolean {
  return (status?.endsWith('_IN_PROGRESS') ?? false) && status !== 'REVIEW_IN_PROGRESS';
}

/** The stack, or undefined when no stack of that name exists. */
export async function describeStack(
  cfn: CloudFormationClient,
  stack: string,
): Promise<Stack | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    return out.Stacks?.[0];
  } catch (err) {
    if (isMissingStack(err)) return undefined;
    throw err;
  }
}

export interface WaitForStackOptions {
  /** Stack name or id. With a name, a stack that disappears (deleted) ends the wait as DELETE_COMPLETE. */
  stack: string;
  /** Polled right after each status read, so the events that settled the stack are shown too. */
  events?: StackEventStream;
  /** Time between polls (default 5s). */
  pollMs?: number;
  /** Give up after this long (default: no limit). */
  timeoutMs?: number;
  /** Longest pause while AWS is throttling or failing transiently (default 60s). */
  maxBackoffMs?: number;
  /** Failed polls in a row tolerated (throttling, 5xx, network after the client's retries; default 5). */
  maxFailedPolls?: number;
  /** Log a "still waiting" line after this long without news (default 60s). */
  heartbeatMs?: number;
  clock?: Clock;
  /** Progress lines (default logLine). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface WaitResult {
  /** The settled stack; undefined when it no longer exists. */
  stack: Stack | undefined;
  /** Its final status (DELETE_COMPLETE when it no longer exists). */
  status: string;
  elapsedMs: number;
}

/** The wait outlived its deadline; the stack is still busy. */
export class StackWaitTimeoutError extends Error {
  override readonly name = 'StackWaitTimeoutError';
  constructor(
    readonly stackName: string,
    readonly status: string,
    readonly elapsedMs: number,
  ) {
    super(
      `Stack ${stackName} is still ${status} after ${formatDuration(elapsedMs)}, the time allowed.`,
    );
  }
}

/** Polls until the stack is no longer in progress; see the module comment. */
export async function waitForStack(
  cfn: CloudFormationClient,
  opts: WaitForStackOptions,
): Promise<WaitResult> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? logLine;
  const heartbeatMs = opts.heartbeatMs ?? 60_000;
  const started = clock.now();
  let lastStatus = 'UNKNOWN';
  let lastNews = started;

  return poll(
    async () => {
      const stack = await describeStack(cfn, opts.stack);
      const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
      if (opts.events) {
        const fresh = await opts.events.poll();
        if (fresh.length) lastNews = clock.now();
      }
      if (status !== lastStatus) {
        lastStatus = status;
        lastNews = clock.now();
      }
      if (!isInProgress(status)) return done({ stack, status, elapsedMs: clock.now() - started });
      if (clock.now() - lastNews >= heartbeatMs) {
        log(
          `Still ${status} after ${formatDuration(clock.now() - started)} (waiting for ${opts.stack}).`,
        );
        lastNews = clock.now();
      }
      return notYet;
    },
    {
      intervalMs: opts.pollMs ?? 5000,
      tolerate: isTransient,
      maxFailures: opts.maxFailedPolls ?? 5,
      maxBackoffMs: opts.maxBackoffMs ?? 60_000,
      onFailure: (err, _n, delay) => {
        const what = isThrottling(err) ? 'throttling' : `failing (${errorCode(err) ?? 'error'})`;
        log(`AWS is ${what}; polling ${opts.stack} again in ${formatDuration(delay)}.`);
      },
      onRecovered: () => log(`AWS is answering again; still waiting for ${opts.stack}.`),
      ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
      timeoutError: (elapsed) => new StackWaitTimeoutError(opts.stack, lastStatus, elapsed),
      clock,
      ...(opts.signal && { signal: opts.signal }),
    },
  );
}
