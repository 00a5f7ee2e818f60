/**
 * Waiting for started tasks to stop, with their logs streamed live.
 *
 * Every poll interval: one DescribeTasks call for up to 100 tasks that have
 * not stopped yet, then a log read (GetLogEvents to the end of the stream:
 * one call when nothing is new, two when lines came, one more per extra page
 * of a backlog) for each task whose container has started.
 *
 * The calls have a budget: {@link STEADY_CALLS_PER_MINUTE} per task a minute
 * over the last {@link BUDGET_POLLS} polls, which keeps a task under 30 calls
 * a minute at the default interval with room for a backlog's extra pages.
 * Log reads come first (lines show at most one interval after CloudWatch has
 * them); while every task is RUNNING, a poll whose DescribeTasks would go over
 * the budget skips it (at most {@link MAX_POLLS_WITHOUT_DESCRIBE} - 1 polls in
 * a row), so a chatty task is described every other poll and a backlog's
 * extra pages are paid for by the next polls' DescribeTasks. While a task
 * starts or stops, and after StopTask, every poll describes. The whole step
 * reads logs at most
 * {@link LOG_CALLS_PER_SECOND} times a second on average, well inside
 * CloudWatch Logs' account quota: with more running tasks than one poll's
 * share, they take turns. A task that stops while others still run is read
 * on until a read one interval after its stop finds nothing new, so its last
 * lines (why it stopped) show at once, not when the last task ends. When
 * every task has stopped, every stream gets a final read, repeated after a
 * quiet period, so the last lines of a short task are not lost.
 *
 * At the deadline the tasks are stopped (StopTask) and watched until they
 * have stopped; when the step is cancelled they are stopped at once. The
 * rounds are a poll (core/poll.ts): a DescribeTasks that still fails after
 * the ECS client's retries slows polling down, up to
 * {@link MAX_FAILED_POLLS} failed rounds in a row.
 */
import type { Task } from '@aws-sdk/client-ecs';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import {
  ActionError,
  errorCode,
  explainError,
  isThrottling,
  isTransient,
} from '../../../core/errors.js';
import { done, notYet, type PollStep, poll } from '../../../core/poll.js';
import { formatDuration } from '../../../core/values.js';
import type { LogLine, LogTail } from '../../lib/log-tail.js';
import type { Context } from './context.js';
import { stopTasks } from './stop.js';

/** Log lines kept per task for the job summary. */
export const RECENT_LINES = 50;
/**
 * GetLogEvents calls per second the step averages at most, across all its
 * tasks: well under CloudWatch Logs' per-account quota (25 a second by
 * default; see Service Quotas), leaving room for everything else.
 */
export const LOG_CALLS_PER_SECOND = 10;
/**
 * Calls (DescribeTasks + GetLogEvents) per task a minute the waiting loop
 * spends while tasks run, counted over the last {@link BUDGET_POLLS} polls:
 * 25 of the 30-a-minute target, the other 5 left for the extra pages of a
 * backlog (bench/results/run-fargate-task.md).
 */
export const STEADY_CALLS_PER_MINUTE = 25;
/** Polls the call budget is counted over. */
export const BUDGET_POLLS = 10;
/** A DescribeTasks at least every this many polls, whatever the budget. */
export const MAX_POLLS_WITHOUT_DESCRIBE = 5;
/** DescribeTasks takes at most 100 tasks. */
const DESCRIBE_BATCH = 100;
/** How long stopped tasks may take to reach STOPPED after StopTask. */
export const STOP_GRACE_MS = 3 * 60_000;
/** A "still waiting" line after this long without news. */
const HEARTBEAT_MS = 60_000;
/** Polls a just-started task may be missing from DescribeTasks (eventual consistency). */
const MISSING_POLLS = 10;
/** DescribeTasks polls in a row that may fail (after the client's retries) before the step fails. */
const MAX_FAILED_POLLS = 5;

/** Lifecycle statuses from which the container has (or had) started. */
const STARTED = new Set(['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);

export interface WatchedTask {
  shard: number;
  arn: string;
  id: string;
  /** The latest description. */
  task: Task;
  tail?: LogTail;
  /** Why the log stream is no longer read, after an error a retry cannot fix. */
  logError?: string;
  /** The last {@link RECENT_LINES} log lines. */
  recent: string[];
  missingPolls: number;
  /** When the step first saw it STOPPED. */
  stoppedSeenAt?: number;
  /**
   * Stopped, and a read at least one poll interval later found nothing new:
   * no more reads while other tasks run (the final read still comes).
   */
  drained?: boolean;
}

export interface WatchOptions {
  cluster: string;
  pollMs: number;
  /** Epoch ms at which the tasks are stopped. */
  deadline: number;
  /** StopTask reason at the deadline. */
  timeoutReason: string;
  /** StopTask reason when cancelled. */
  cancelReason: string;
  /** "[shard 2] " style prefixes on log lines (several tasks). */
  prefixLines: boolean;
  /**
   * Values replaced by *** in log lines before they are printed or kept for
   * the job summary (the secret-environment values: the runner masks them
   * in its log, but nothing else would in the summary or a local run).
   */
  redact?: string[];
}

export interface WatchOutcome {
  timedOut: boolean;
  cancelled: boolean;
  /** Tasks not seen STOPPED when the watch ended. */
  unsettled: string[];
  /** DescribeTasks and GetLogEvents calls made. */
  calls: { describe: number; logs: number };
}

export function isStopped(t: WatchedTask): boolean {
  return t.task.lastStatus === 'STOPPED';
}

function openTasks(tasks: WatchedTask[]): WatchedTask[] {
  return tasks.filter((t) => !isStopped(t));
}

/**
 * Streams one poll may read within {@link LOG_CALLS_PER_SECOND}; a read is
 * two calls when lines came (the lines, then the end of the stream).
 */
export function logReadsPerPoll(pollMs: number): number {
  return Math.max(1, Math.floor((LOG_CALLS_PER_SECOND * pollMs) / 1000 / 2));
}

function label(t: WatchedTask, count: number): string {
  return count > 1 ? `Task ${t.id} (shard ${t.shard})` : `Task ${t.id}`;
}

export async function watchTasks(
  ctx: Context,
  tasks: WatchedTask[],
  opts: WatchOptions,
): Promise<WatchOutcome> {
  const outcome: WatchOutcome = {
    timedOut: false,
    cancelled: false,
    unsettled: [],
    calls: { describe: 0, logs: 0 },
  };
  // Log reads per poll, so the step stays within LOG_CALLS_PER_SECOND; with
  // more running tasks than that, they take turns.
  const budget = logReadsPerPoll(opts.pollMs);
  let turn = 0;
  // Calls of the last polls (newest last), for the call budget.
  const spent: number[] = [];
  const callBudget =
    ((STEADY_CALLS_PER_MINUTE * opts.pollMs * BUDGET_POLLS) / 60_000) * tasks.length;
  let pollsWithoutDescribe = 0;
  const started = ctx.clock.now();
  let lastNews = started;
  let stopSentAt: number | undefined;

  const secrets = [...new Set(opts.redact ?? [])]
    .filter((v) => v !== '')
    .sort((a, b) => b.length - a.length);
  const redact = (line: string) =>
    secrets.reduce((text, secret) => text.replaceAll(secret, '***'), line);
  const print = (t: WatchedTask, lines: LogLine[]) => {
    if (lines.length === 0) return;
    const prefix = opts.prefixLines ? `[shard ${t.shard}] ` : '';
    const text = lines.map((l) => `${prefix}${redact(l.message.replace(/\r?\n$/, ''))}`);
    t.recent.push(...text);
    if (t.recent.length > RECENT_LINES) t.recent.splice(0, t.recent.length - RECENT_LINES);
    ctx.printLog(text);
    lastNews = ctx.clock.now();
  };

  const readLogs = async (t: WatchedTask) => {
    if (!t.tail) return;
    try {
      const stopped = t.stoppedSeenAt;
      const r = await t.tail.poll();
      outcome.calls.logs += r.calls;
      print(t, r.lines);
      if (
        stopped !== undefined &&
        ctx.clock.now() - stopped >= opts.pollMs &&
        r.lines.length === 0 &&
        (r.caughtUp || r.missing)
      ) {
        t.drained = true;
      }
      if (r.error)
        ctx.log(`${label(t, tasks.length)}: reading logs paused (${errorCode(r.error)}).`);
    } catch (err) {
      t.logError = explainError(err);
      ctx.warn(
        `${label(t, tasks.length)}: cannot read its logs, so they are not streamed: ${t.logError}`,
      );
      t.tail = undefined;
    }
  };

  const stop = async (reason: string): Promise<string[]> => {
    const open = tasks.filter((t) => !isStopped(t)).map((t) => t.arn);
    const r = await stopTasks(ctx.ecs, opts.cluster, open, reason);
    for (const f of r.failed) ctx.warn(`Could not stop ${f.arn}: ${f.error}`);
    return r.failed.map((f) => f.arn);
  };

  // One round: the status of the open tasks, then the logs that are due,
  // then the deadline. A failed DescribeTasks (after the client's retries)
  // still lets the logs be read and the deadline be kept; the poll then
  // backs off before the next round.
  // A task that stopped while others run is read on until its last lines
  // are in (not only at the very end): they are the ones that say why it
  // stopped. When every task has stopped, the final read below does it.
  const readableTasks = () => {
    const othersRun = tasks.some((t) => !isStopped(t));
    return tasks.filter(
      (t) =>
        t.tail &&
        !t.drained &&
        STARTED.has(t.task.lastStatus ?? '') &&
        (!isStopped(t) || othersRun),
    );
  };
  // DescribeTasks skipped only while every open task runs and the budget is
  // spent (log reads counted at two calls each); see the module's comment.
  const describeDue = () => {
    const open = openTasks(tasks);
    if (
      stopSentAt !== undefined ||
      pollsWithoutDescribe + 1 >= MAX_POLLS_WITHOUT_DESCRIBE ||
      open.some((t) => t.task.lastStatus !== 'RUNNING')
    ) {
      return true;
    }
    const recent = spent.slice(-(BUDGET_POLLS - 1)).reduce((a, b) => a + b, 0);
    const logReads = Math.min(budget, readableTasks().length);
    return recent + Math.ceil(open.length / DESCRIBE_BATCH) + 2 * logReads <= callBudget;
  };

  const round = async (): Promise<PollStep<void>> => {
    let failed: unknown;
    const callsBefore = outcome.calls.describe + outcome.calls.logs;
    if (describeDue()) {
      pollsWithoutDescribe = 0;
      try {
        outcome.calls.describe += await describe(
          ctx,
          opts.cluster,
          openTasks(tasks),
          (t, before) => {
            lastNews = ctx.clock.now();
            ctx.log(transition(t, before, tasks.length));
          },
        );
      } catch (err) {
        if (!isTransient(err)) throw err;
        failed = err;
      }
    } else {
      pollsWithoutDescribe++;
    }

    const readable = readableTasks();
    const due =
      readable.length <= budget
        ? readable
        : Array.from({ length: budget }, (_, i) => readable[(turn + i) % readable.length]!);
    turn += due.length;
    for (const t of due) await readLogs(t);
    spent.push(outcome.calls.describe + outcome.calls.logs - callsBefore);
    if (spent.length > BUDGET_POLLS) spent.shift();

    const now = ctx.clock.now();
    if (tasks.every(isStopped)) return done(undefined);
    if (stopSentAt === undefined && now >= opts.deadline) {
      outcome.timedOut = true;
      stopSentAt = now;
      const n = openTasks(tasks).length;
      ctx.log(`${opts.timeoutReason}: stopping ${n} task${n === 1 ? '' : 's'}.`);
      await stop(opts.timeoutReason);
    }
    if (stopSentAt !== undefined && now - stopSentAt >= STOP_GRACE_MS) {
      ctx.warn(
        `Tasks still not STOPPED ${formatDuration(STOP_GRACE_MS)} after StopTask; no longer waiting for them.`,
      );
      return done(undefined);
    }
    if (now - lastNews >= HEARTBEAT_MS) {
      lastNews = now;
      ctx.log(`Still waiting after ${formatDuration(now - started)}: ${statusCounts(tasks)}.`);
    }
    if (failed !== undefined) throw failed;
    return notYet;
  };

  try {
    await poll(round, {
      intervalMs: opts.pollMs,
      tolerate: isTransient,
      maxFailures: MAX_FAILED_POLLS,
      maxBackoffMs: 60_000,
      onFailure: (err, _n, delay) =>
        ctx.log(
          `DescribeTasks: AWS is ${isThrottling(err) ? 'throttling' : `failing (${errorCode(err) ?? 'error'})`}; polling again in ${formatDuration(delay)}.`,
        ),
      clock: ctx.clock,
      ...(ctx.signal && { signal: ctx.signal }),
    });
  } catch (err) {
    if (!ctx.signal?.aborted) throw err;
    outcome.cancelled = true;
    const n = openTasks(tasks).length;
    ctx.log(`The step was cancelled: stopping ${n} task${n === 1 ? '' : 's'}.`);
    outcome.unsettled = await stop(opts.cancelReason);
    return outcome;
  }

  // The final read of every stream, one after the other: the last lines of a
  // task are often ingested after it stopped, so the reads repeat after a
  // shared quiet period until one passes with nothing new (at most 3 times).
  let open = tasks.filter((t) => t.tail);
  const pass = async (): Promise<boolean> => {
    let quiet = true;
    for (let i = 0; i < open.length; i++) {
      const t = open[i]!;
      const tail = t.tail!;
      const before = tail.calls;
      try {
        const r = await tail.readToEnd((lines) => print(t, lines));
        quiet &&= r.quiet;
      } catch (err) {
        t.logError = explainError(err);
        ctx.warn(`${label(t, tasks.length)}: cannot read its last logs: ${t.logError}`);
        t.tail = undefined;
      }
      outcome.calls.logs += tail.calls - before;
    }
    return quiet;
  };
  await pass();
  // A container that never ran has no lines still to come.
  open = open.filter(
    (t) =>
      t.tail && (t.tail.found || (t.task.containers ?? []).some((c) => c.exitCode !== undefined)),
  );
  for (let round = 0; round < 3 && open.length && ctx.flushQuietMs > 0; round++) {
    await ctx.clock.sleep(ctx.flushQuietMs);
    if (await pass()) break;
  }
  outcome.unsettled = tasks.filter((t) => !isStopped(t)).map((t) => t.arn);
  return outcome;
}

/** Describes the open tasks in batches; returns the number of calls. */
async function describe(
  ctx: Context,
  cluster: string,
  open: WatchedTask[],
  onChange: (t: WatchedTask, before: string | undefined) => void,
): Promise<number> {
  let calls = 0;
  for (let i = 0; i < open.length; i += DESCRIBE_BATCH) {
    const batch = open.slice(i, i + DESCRIBE_BATCH);
    calls++;
    const out = await ctx.ecs.send(
      new DescribeTasksCommand({ cluster, tasks: batch.map((t) => t.arn) }),
    );
    for (const t of batch) {
      const task = out.tasks?.find((d) => d.taskArn === t.arn);
      if (!task) {
        t.missingPolls++;
        if (t.missingPolls > MISSING_POLLS) {
          const failure = out.failures?.find((f) => f.arn === t.arn);
          throw new ActionError(
            `Task ${t.arn} is no longer known to ECS (${failure?.reason ?? 'not returned by DescribeTasks'}).`,
            'It may have been deleted with its cluster; check the cluster in the console.',
          );
        }
        continue;
      }
      t.missingPolls = 0;
      const before = t.task.lastStatus;
      t.task = task;
      if (task.lastStatus !== before) {
        if (task.lastStatus === 'STOPPED') t.stoppedSeenAt = ctx.clock.now();
        onChange(t, before);
      }
    }
  }
  return calls;
}

function transition(t: WatchedTask, before: string | undefined, count: number): string {
  const status = t.task.lastStatus ?? 'UNKNOWN';
  const change = before ? `${before} -> ${status}` : status;
  if (status !== 'STOPPED') return `${label(t, count)}: ${change}`;
  const exits = (t.task.containers ?? [])
    .map(
      (c) => `${c.name} ${c.exitCode === undefined ? 'no exit code' : `exit code ${c.exitCode}`}`,
    )
    .join(', ');
  return `${label(t, count)}: ${change} (${t.task.stoppedReason || t.task.stopCode || 'no reason given'}; ${exits || 'no containers'})`;
}

function statusCounts(tasks: WatchedTask[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    const s = t.task.lastStatus ?? 'UNKNOWN';
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}
