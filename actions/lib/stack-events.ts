/**
 * CloudFormation stack events: streamed live while an operation runs, and
 * read afterwards for the root cause of a failure.
 *
 * DescribeStackEvents returns events newest first, in pages. A
 * {@link StackEventStream} remembers which events it has seen (by EventId),
 * so each {@link StackEventStream.poll} fetches only the pages it needs (it
 * stops at the first event it already knows) and yields the new events oldest
 * first, each exactly once.
 *
 * {@link findRootCause} picks, out of a failed operation's events, the first
 * resource that failed with a real reason, skipping the cascade of
 * "Resource creation cancelled" that follows it, and {@link explainFailure}
 * follows a failed nested stack into its own events.
 */

import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { logLine } from './log.js';

export type { StackEvent };

export interface StackEventStreamOptions {
  /** Stack name or, better, stack id (an id still works after the stack is deleted). */
  stack: string;
  /** Where new events go, one formatted line each (default: logLine, fenced when needed). */
  log?: (line: string, event: StackEvent) => void;
  /**
   * Ignore events older than this (a second guard besides {@link StackEventStream.prime},
   * which also stops paging through a long history).
   */
  since?: Date;
  /** Safety bound on pages read per poll (default 50, i.e. up to 5,000 events). */
  maxPages?: number;
}

/** Streams a stack's new events, in order, each once. */
export class StackEventStream {
  private readonly seen = new Set<string>();
  private readonly all: StackEvent[] = [];
  private stackRef: string;

  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly opts: StackEventStreamOptions,
  ) {
    this.stackRef = opts.stack;
  }

  /** The stack name or id the stream reads. */
  get stack(): string {
    return this.stackRef;
  }

  /**
   * Reads from another stack reference from now on, e.g. the stack id once a
   * stack has been created, so that a later delete-and-recreate does not mix
   * two stacks' events. Seen events are kept.
   */
  follow(stack: string): void {
    this.stackRef = stack;
  }

  /** Every event yielded so far, oldest first. */
  get events(): readonly StackEvent[] {
    return this.all;
  }

  /**
   * Marks the stack's current events as seen without yielding them, so only
   * events of the operation about to start are shown. One API call. A stack
   * that does not exist yet has no events: that is not an error.
   */
  async prime(): Promise<void> {
    try {
      const page = await this.cfn.send(
        new DescribeStackEventsCommand({ StackName: this.stackRef }),
      );
      for (const event of page.StackEvents ?? []) if (event.EventId) this.seen.add(event.EventId);
    } catch (err) {
      if (!isMissingStack(err)) throw err;
    }
  }

  /**
   * Fetches the events that appeared since the last poll, logs them and
   * returns them oldest first. Reads further pages only while every event on
   * a page is new.
   */
  async poll(): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    const maxPages = this.opts.maxPages ?? 50;
    for (let page = 0; page < maxPages; page++) {
      let out: Awaited<ReturnType<typeof this.describe>>;
      try {
        out = await this.describe(token);
      } catch (err) {
        if (isMissingStack(err)) break;
        throw err;
      }
      let reachedKnown = false;
      for (const event of out.StackEvents ?? []) {
        if (!event.EventId || this.seen.has(event.EventId)) {
          reachedKnown = true;
          break;
        }
        if (this.opts.since && event.Timestamp && event.Timestamp < this.opts.since) {
          reachedKnown = true;
          break;
        }
        fresh.push(event);
      }
      token = out.NextToken;
      if (reachedKnown || !token) break;
    }
    // Pages are newest first; a repeat within one poll (an event moving across
    // a page boundary while paging) is dropped.
    const ordered: StackEvent[] = [];
    for (const event of fresh.reverse()) {
      if (this.seen.has(event.EventId!)) continue;
      this.seen.add(event.EventId!);
      ordered.push(event);
    }
    ordered.sort(byTime);
    for (const event of ordered) {
      this.all.push(event);
      (this.opts.log ?? logLine)(formatEvent(event), event);
    }
    return ordered;
  }

  private describe(NextToken: string | undefined) {
    return this.cfn.send(
      new DescribeStackEventsCommand({ StackName: this.stackRef, ...(NextToken && { NextToken }) }),
    );
  }
}

/** Stable sort by timestamp (events of the same second keep their API order). */
function byTime(a: StackEvent, b: StackEvent): number {
  return (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0);
}

/** Whether an error says the stack does not exist (ValidationError "... does not exist"). */
export function isMissingStack(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; Code?: string; message?: string };
  return (
    (e.name === 'ValidationError' || e.Code === 'ValidationError') &&
    /does not exist/i.test(e.message ?? '')
  );
}

/** `12:03:07` in UTC: the runner's log already carries the date. */
function clock(date: Date | undefined): string {
  return date ? date.toISOString().slice(11, 19) : '--:--:--';
}

/**
 * One event as a log line: time (UTC), logical id, type, status, reason.
 *
 * @example "12:03:07  Queue  AWS::SQS::Queue  CREATE_FAILED  Resource handler returned message: ..."
 */
export function formatEvent(event: StackEvent): string {
  const parts = [
    clock(event.Timestamp),
    (event.LogicalResourceId ?? '').padEnd(24),
    (event.ResourceType ?? '').padEnd(32),
    (event.ResourceStatus ?? event.HookStatus ?? '').padEnd(20),
  ];
  const reason = event.ResourceStatusReason ?? event.HookStatusReason;
  if (reason) parts.push(reason);
  return parts.join('  ').trimEnd();
}

/** Reasons CloudFormation gives to resources it stopped because another one failed. */
const CASCADE = [
  /^Resource (creation|update|deletion|import) cancelled\.?$/i,
  /^Resource (creation|update) cancelled,? /i,
  /^The following resource\(s\) failed to (create|update|delete)/i,
  /^Stack operation cancelled/i,
  /^Resource handler returned message: "?Resource (creation|update) cancelled/i,
];

export function isCascade(reason: string | undefined): boolean {
  return reason !== undefined && CASCADE.some((re) => re.test(reason.trim()));
}

function isFailure(event: StackEvent): boolean {
  return (
    (event.ResourceStatus?.endsWith('_FAILED') ?? false) ||
    event.HookStatus === 'HOOK_COMPLETE_FAILED' ||
    event.HookStatus === 'HOOK_FAILED'
  );
}

function isStackItself(event: StackEvent): boolean {
  return (
    event.ResourceType === 'AWS::CloudFormation::Stack' &&
    (event.PhysicalResourceId === event.StackId || event.LogicalResourceId === event.StackName)
  );
}

/**
 * The event that caused a failed operation: the first (oldest) resource
 * failure whose reason is not a cancellation cascade. When every failed
 * resource was only cancelled, the stack's own failure or rollback event
 * that gives a reason (a timeout, a cancelled update, a bad parameter);
 * then the first resource failure of any kind. `events` oldest first.
 */
export function findRootCause(events: readonly StackEvent[]): StackEvent | undefined {
  const failures = events.filter((e) => isFailure(e) && !isStackItself(e));
  const real = failures.find(
    (e) => !isCascade(e.ResourceStatusReason ?? e.HookStatusReason ?? undefined),
  );
  if (real) return real;
  const stackFailures = events.filter(
    (e) =>
      isStackItself(e) &&
      (e.ResourceStatus?.endsWith('_FAILED') || e.ResourceStatus?.includes('ROLLBACK')) &&
      e.ResourceStatusReason,
  );
  // Only cancellations among the resources: the stack says why (a timeout,
  // a cancelled update, a bad parameter).
  return (
    stackFailures.find((e) => !isCascade(e.ResourceStatusReason)) ?? failures[0] ?? stackFailures[0]
  );
}

export interface FailureCause {
  /** Logical ids from the top stack down to the failed resource, e.g. ["Database", "Cluster"]. */
  path: string[];
  event: StackEvent;
  /** "Database/Cluster (AWS::RDS::DBCluster) CREATE_FAILED: <reason>" */
  message: string;
}

function isNestedStackId(id: string | undefined): id is string {
  return /^arn:[^:]+:cloudformation:.*:stack\//.test(id ?? '');
}

/**
 * The root cause of a failed operation, following failed nested stacks into
 * their own events (up to `depth` levels), or undefined when the events show
 * no failure. `events` are the operation's events, oldest first.
 */
export async function explainFailure(
  cfn: CloudFormationClient,
  events: readonly StackEvent[],
  depth = 4,
): Promise<FailureCause | undefined> {
  const root = findRootCause(events);
  if (!root) return undefined;
  const path = isStackItself(root) ? [] : [root.LogicalResourceId ?? '?'];
  if (
    depth > 0 &&
    root.ResourceType === 'AWS::CloudFormation::Stack' &&
    !isStackItself(root) &&
    isNestedStackId(root.PhysicalResourceId)
  ) {
    try {
      const nested = await readEvents(cfn, root.PhysicalResourceId, root.Timestamp);
      const inner = await explainFailure(cfn, nested, depth - 1);
      if (inner && inner.path.length > 0) {
        return describeCause([...path, ...inner.path], inner.event);
      }
    } catch {
      // The nested stack's events are a refinement; the outer cause stands.
    }
  }
  return describeCause(path, root);
}

function describeCause(path: string[], event: StackEvent): FailureCause {
  const what = path.length ? path.join('/') : (event.StackName ?? 'stack');
  const type = event.ResourceType ? ` (${event.ResourceType})` : '';
  const status = event.ResourceStatus ?? event.HookStatus ?? 'FAILED';
  const reason = event.ResourceStatusReason ?? event.HookStatusReason ?? 'no reason given';
  return { path, event, message: `${what}${type} ${status}: ${reason}` };
}

/**
 * All events of a stack from `since` on (with a minute's slack for clock
 * differences), oldest first. For reading a nested stack after the fact.
 */
export async function readEvents(
  cfn: CloudFormationClient,
  stack: string,
  since?: Date,
): Promise<StackEvent[]> {
  const stream = new StackEventStream(cfn, {
    stack,
    log: () => {},
    ...(since && { since: new Date(since.getTime() - 60_000) }),
  });
  return stream.poll();
}
