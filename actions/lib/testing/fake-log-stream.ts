/**
 * Test support: one CloudWatch Logs stream that answers GetLogEvents the way
 * the service does for `startFromHead: true`, so log tailing can be tested
 * and benchmarked without AWS:
 *
 * - pages of at most `limit` events (default 10,000), oldest first;
 * - an answer's nextForwardToken continues after the page; at the end of the
 *   stream it is the token that was sent (the "repeated token");
 * - empty pages with a new token before some positions (`emptyPagesAt`), as
 *   the service returns when it pages over a stretch of time with no events;
 * - ResourceNotFoundException until the stream is created;
 * - injected errors (throttling, 5xx) for the next calls.
 *
 * Plug it into aws-sdk-client-mock:
 * `logsMock.on(GetLogEventsCommand).callsFake((input) => stream.getLogEvents(input))`.
 */
import {
  CloudWatchLogsServiceException,
  type GetLogEventsCommandInput,
  type GetLogEventsCommandOutput,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { serviceError } from './aws-errors.js';

export interface FakeLogStreamOptions {
  /** Whether the stream exists from the start (default true). */
  created?: boolean;
  /** Current time for ingestion times (default Date.now). */
  now?: () => number;
}

/** An error as the CloudWatch Logs client throws it (`name` is the AWS error code). */
export function logsError(name: string, message: string, httpStatusCode = 400): Error {
  return serviceError(CloudWatchLogsServiceException, name, message, httpStatusCode);
}

export const logsThrottled = () => logsError('ThrottlingException', 'Rate exceeded');
export const missingStream = () =>
  logsError('ResourceNotFoundException', 'The specified log stream does not exist.');

export class FakeLogStream {
  readonly events: OutputLogEvent[] = [];
  /** Every GetLogEvents call, with the time it was made. */
  readonly calls: Array<{ at: number; token: string | undefined }> = [];
  created: boolean;
  private readonly now: () => number;
  private readonly emptyPages = new Map<number, number>();
  private readonly failures: Error[] = [];

  constructor(opts: FakeLogStreamOptions = {}) {
    this.created = opts.created ?? true;
    this.now = opts.now ?? Date.now;
  }

  /** Appends lines (creating the stream); timestamps default to now. */
  write(...messages: string[]): void {
    this.created = true;
    const at = this.now();
    for (const message of messages) this.events.push({ timestamp: at, ingestionTime: at, message });
  }

  /** Before the event at `position` (0 = first), answer `count` empty pages first. */
  emptyPagesAt(position: number, count: number): void {
    this.emptyPages.set(position, count);
  }

  /** The next calls fail with these errors, in order. */
  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  async getLogEvents(input: GetLogEventsCommandInput): Promise<GetLogEventsCommandOutput> {
    this.calls.push({ at: this.now(), token: input.nextToken });
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (!this.created) throw missingStream();
    if (input.startFromHead !== true) throw new Error('the fake only serves startFromHead: true');
    const [position, empties] = parseToken(input.nextToken);
    const pendingEmpty = this.emptyPages.get(position) ?? 0;
    if (position < this.events.length && empties < pendingEmpty) {
      return answer([], token(position, empties + 1));
    }
    const limit = input.limit ?? 10_000;
    const page = this.events.slice(position, position + limit);
    if (page.length === 0) return answer([], input.nextToken ?? token(position, 0));
    return answer(page, token(position + page.length, 0));
  }
}

function token(position: number, empties: number): string {
  return `f/${String(position).padStart(56, '0')}/${empties}`;
}

function parseToken(value: string | undefined): [number, number] {
  if (value === undefined) return [0, 0];
  const match = /^f\/(\d+)\/(\d+)$/.exec(value);
  if (!match) throw logsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return [Number(match[1]), Number(match[2])];
}

function answer(events: OutputLogEvent[], next: string): GetLogEventsCommandOutput {
  return {
    events,
    nextForwardToken: next,
    nextBackwardToken: `b/${next.slice(2)}`,
    $metadata: { httpStatusCode: 200 },
  };
}
