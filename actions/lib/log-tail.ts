/**
 * Tailing one CloudWatch Logs stream, every line once, in order, with no gaps.
 *
 * GetLogEvents with `startFromHead: true` reads a stream forward from its
 * first event; each answer carries `nextForwardToken`, the place to continue
 * from. Three things about it matter for a live tail:
 *
 * - A page can be empty while more events follow (the API pages by time as
 *   well as by count), so an empty page is not the end of the stream.
 * - The end is reached when the answer's token is the one that was sent: the
 *   same token returned again ("repeated token"). Calling again later with
 *   that token returns only what arrived since, so nothing is read twice.
 * - Until the writer (the awslogs driver of a container) has created the
 *   stream, or its group, the call fails with ResourceNotFoundException.
 *   That is "nothing yet", not an error.
 *
 * {@link LogTail.poll} reads forward from where the previous poll stopped
 * until the stream's end (or a page budget); {@link LogTail.flush} is the
 * final read after the writer has stopped: it reads to the end, then waits
 * for quiet periods so lines still being ingested are not lost. Throttling and
 * other transient errors end a poll early with the lines read so far kept;
 * the next poll continues from the last token that was read successfully.
 */
import {
  type CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { errorCode, isTransient } from '../../core/errors.js';

export interface LogLine {
  /** When the line was written (ms since the epoch). */
  timestamp: number;
  /** When CloudWatch received it (ms since the epoch), when known. */
  ingestionTime?: number;
  message: string;
}

export interface LogTailOptions {
  group: string;
  stream: string;
  /** GetLogEvents pages read at most in one poll (default 20); the rest follows on the next poll. */
  maxPagesPerPoll?: number;
  /** Events per page (default: the API's maximum, 10,000 or 1 MB). */
  pageLimit?: number;
}

export interface PollResult {
  /** New lines, oldest first. */
  lines: LogLine[];
  /** The end of the stream was reached (the token came back unchanged). */
  caughtUp: boolean;
  /** The group or the stream does not exist (yet). */
  missing: boolean;
  /** A transient error (throttling, 5xx, network) that ended the poll early. */
  error?: unknown;
  /** GetLogEvents calls this poll made. */
  calls: number;
}

export interface FlushOptions {
  /** Waits between the quiet-period checks; pass the same clock the caller polls with. */
  sleep: (ms: number) => Promise<void>;
  /** How long the stream must stay quiet after the writer stopped (default 2000 ms; 0: read to the end once). */
  quietMs?: number;
  /** Most quiet-period checks (default 3); lines still arriving after them are left for the caller. */
  maxRounds?: number;
  /** Receives lines as they are read, so a long flush still shows progress. */
  onLines?: (lines: LogLine[]) => void;
}

/** ResourceNotFoundException: the log group or stream has not been created (yet). */
export function isMissingLog(err: unknown): boolean {
  return errorCode(err) === 'ResourceNotFoundException';
}

export class LogTail {
  readonly group: string;
  readonly stream: string;
  private readonly client: CloudWatchLogsClient;
  private readonly maxPages: number;
  private readonly pageLimit: number | undefined;
  private token: string | undefined;
  /** GetLogEvents calls made so far. */
  calls = 0;
  /** Lines delivered so far. */
  delivered = 0;
  /** Whether the stream has been seen to exist. */
  found = false;

  constructor(client: CloudWatchLogsClient, opts: LogTailOptions) {
    this.client = client;
    this.group = opts.group;
    this.stream = opts.stream;
    this.maxPages = Math.max(1, opts.maxPagesPerPoll ?? 20);
    this.pageLimit = opts.pageLimit;
  }

  /**
   * Reads what arrived since the last poll. Non-transient errors other than
   * a missing stream (access denied, a bad group name) are thrown.
   */
  async poll(): Promise<PollResult> {
    const lines: LogLine[] = [];
    let calls = 0;
    for (let page = 0; page < this.maxPages; page++) {
      const sent = this.token;
      let out: GetLogEventsCommandOutput;
      calls++;
      this.calls++;
      try {
        out = await this.client.send(
          new GetLogEventsCommand({
            logGroupName: this.group,
            logStreamName: this.stream,
            startFromHead: true,
            ...(sent !== undefined && { nextToken: sent }),
            ...(this.pageLimit !== undefined && { limit: this.pageLimit }),
          }),
        );
      } catch (err) {
        if (isMissingLog(err)) return this.result(lines, calls, { missing: true });
        if (isTransient(err)) return this.result(lines, calls, { error: err });
        throw err;
      }
      this.found = true;
      for (const event of out.events ?? []) {
        lines.push({
          timestamp: event.timestamp ?? 0,
          ...(event.ingestionTime !== undefined && { ingestionTime: event.ingestionTime }),
          message: event.message ?? '',
        });
      }
      const next = out.nextForwardToken;
      if (next === undefined || next === sent) return this.result(lines, calls, { caughtUp: true });
      this.token = next;
    }
    return this.result(lines, calls, {});
  }

  /**
   * Reads to the end of the stream (several polls when a backlog exceeds one
   * poll's page budget). `quiet` is true when nothing new came and no error
   * cut the read short.
   */
  async readToEnd(
    onLines?: (lines: LogLine[]) => void,
  ): Promise<{ lines: number; quiet: boolean }> {
    let lines = 0;
    for (let i = 0; i < 50; i++) {
      const r = await this.poll();
      if (r.lines.length) {
        onLines?.(r.lines);
        lines += r.lines.length;
      }
      if (r.error !== undefined) return { lines, quiet: false };
      if (r.caughtUp || r.missing) break;
    }
    return { lines, quiet: lines === 0 };
  }

  /**
   * The final read after the writer stopped: to the end of the stream, then
   * again after each quiet period until one passes with no new line (or
   * `maxRounds` checks). Returns every line read. (For many streams at once,
   * call {@link readToEnd} on each and share the quiet periods.)
   */
  async flush(opts: FlushOptions): Promise<LogLine[]> {
    const quietMs = opts.quietMs ?? 2000;
    const rounds = quietMs > 0 ? (opts.maxRounds ?? 3) : 0;
    const all: LogLine[] = [];
    const collect = (lines: LogLine[]) => {
      opts.onLines?.(lines);
      all.push(...lines);
    };
    await this.readToEnd(collect);
    for (let round = 0; round < rounds; round++) {
      await opts.sleep(quietMs);
      if ((await this.readToEnd(collect)).quiet) break;
    }
    return all;
  }

  private result(
    lines: LogLine[],
    calls: number,
    extra: { caughtUp?: boolean; missing?: boolean; error?: unknown },
  ): PollResult {
    this.delivered += lines.length;
    return {
      lines,
      calls,
      caughtUp: extra.caughtUp ?? false,
      missing: extra.missing ?? false,
      ...(extra.error !== undefined && { error: extra.error }),
    };
  }
}
