/**
 * The waiting loop's call budget (watch.ts): log reads every poll, and
 * DescribeTasks skipped while every task runs and the budget is spent, so a
 * chatty task stays under 30 calls a minute even around a backlog, with every
 * line printed once and at most one poll interval late.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { LogTail } from '../../lib/log-tail.js';
import { FakeLogStream } from '../../lib/testing/fake-log-stream.js';
import type { Context } from '../src/context.js';
import { DEFAULT_POLL_MS } from '../src/inputs.js';
import { MAX_POLLS_WITHOUT_DESCRIBE, type WatchedTask, watchTasks } from '../src/watch.js';

const START = Date.UTC(2024, 4, 1, 12, 0, 0);
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef';
const POLL = DEFAULT_POLL_MS;

interface Run {
  calls: Array<{ at: number; op: 'describe' | 'logs' }>;
  printed: Array<{ at: number; text: string }>;
  written: Map<string, number>;
  task: WatchedTask;
}

/**
 * One task: PROVISIONING, RUNNING from 20 s, STOPPED at `stopAt`; a log line
 * a second while it runs, and `burst` lines at once at `burstAt`.
 */
async function watch(opts: { stopAt: number; burstAt?: number; burst?: number }): Promise<Run> {
  let now = START;
  const stream = new FakeLogStream({ now: () => now });
  const written = new Map<string, number>();
  let n = 0;
  let lastWrite = START + 20_000;
  const write = (text: string) => {
    written.set(text, now);
    stream.write(text);
  };
  const advanceTo = (to: number) => {
    for (; lastWrite + 1000 <= Math.min(to, START + opts.stopAt); lastWrite += 1000) {
      now = lastWrite + 1000;
      write(`line ${n++}`);
      if (opts.burstAt !== undefined && now === START + opts.burstAt) {
        for (let i = 0; i < (opts.burst ?? 0); i++) write(`burst ${i}`);
      }
    }
    now = to;
  };
  const status = (): Task => {
    const elapsed = now - START;
    const lastStatus =
      elapsed >= opts.stopAt ? 'STOPPED' : elapsed >= 20_000 ? 'RUNNING' : 'PROVISIONING';
    return {
      taskArn: ARN,
      lastStatus,
      containers: [{ name: 'app', ...(lastStatus === 'STOPPED' && { exitCode: 0 }) }],
    };
  };
  const calls: Run['calls'] = [];
  const ecs = {
    send: async () => {
      calls.push({ at: now, op: 'describe' });
      return { tasks: [status()], failures: [] };
    },
  } as unknown as ECSClient;
  const logs = {
    send: async (command: { input: object }) => {
      calls.push({ at: now, op: 'logs' });
      return stream.getLogEvents(command.input as never);
    },
  } as unknown as CloudWatchLogsClient;
  const printed: Run['printed'] = [];
  const ctx: Context = {
    ecs,
    logs: () => logs,
    s3: () => {
      throw new Error('not used');
    },
    region: 'us-east-1',
    clock: { now: () => now, sleep: async (ms: number) => advanceTo(now + ms) },
    log: () => {},
    warn: () => {},
    printLog: (lines) => {
      for (const text of lines) printed.push({ at: now, text });
    },
    run: { attempt: '1', serverUrl: 'https://github.com' },
    retryBaseMs: 1000,
    flushQuietMs: 2000,
  };
  const task: WatchedTask = {
    shard: 0,
    arn: ARN,
    id: ARN.split('/').pop()!,
    task: status(),
    recent: [],
    missingPolls: 0,
    tail: new LogTail(logs, { group: '/ecs/app', stream: 'app/app/0' }),
  };
  await watchTasks(ctx, [task], {
    cluster: 'c',
    pollMs: POLL,
    deadline: START + 3_600_000,
    timeoutReason: 'timeout',
    cancelReason: 'cancel',
    prefixLines: false,
  });
  return { calls, printed, written, task };
}

/** Calls in each whole minute from `from` to `to` (ms after the start). */
function perMinute(calls: Run['calls'], from: number, to: number): number[] {
  const out: number[] = [];
  for (let m = from; m + 60_000 <= to; m += 60_000) {
    out.push(calls.filter((c) => c.at >= START + m && c.at < START + m + 60_000).length);
  }
  return out;
}

function expectEveryLineOnceInTime(run: Run): void {
  const texts = run.printed.map((p) => p.text);
  expect(new Set(texts).size).toBe(texts.length);
  expect(texts.length).toBe(run.written.size);
  const late = run.printed.filter((p) => p.at - run.written.get(p.text)! > POLL);
  expect(late).toEqual([]);
}

describe('the call budget of the waiting loop', () => {
  it('a chatty running task: 25 calls a minute, DescribeTasks every other poll', async () => {
    const run = await watch({ stopAt: 10 * 60_000 });
    for (const count of perMinute(run.calls, 60_000, 9 * 60_000)) expect(count).toBe(25);
    expectEveryLineOnceInTime(run);
  });

  it('while the task starts, every poll describes it', async () => {
    const run = await watch({ stopAt: 5 * 60_000 });
    const describes = run.calls.filter((c) => c.op === 'describe' && c.at < START + 20_000);
    expect(describes.map((c) => c.at - START)).toEqual([0, 6000, 12_000, 18_000]);
  });

  it('a backlog of 3 pages is read in its poll and paid for by the next polls: no minute over 30', async () => {
    const run = await watch({ stopAt: 10 * 60_000, burstAt: 3 * 60_000 + 30_000, burst: 25_000 });
    const minutes = perMinute(run.calls, 60_000, 9 * 60_000);
    expect(Math.max(...minutes)).toBeLessThanOrEqual(30);
    // Its poll read the 3 pages and the end of the stream at once.
    const atBurst = run.calls.filter((c) => c.op === 'logs' && c.at === START + 210_000);
    expect(atBurst).toHaveLength(4);
    expectEveryLineOnceInTime(run);
  });

  it(`never goes ${MAX_POLLS_WITHOUT_DESCRIBE} polls without DescribeTasks, and sees the stop within them`, async () => {
    // A backlog every minute keeps the budget spent.
    const run = await watch({ stopAt: 6 * 60_000, burstAt: 2 * 60_000, burst: 60_000 });
    const describes = run.calls.filter((c) => c.op === 'describe').map((c) => c.at);
    const gaps = describes.slice(1).map((at, i) => at - describes[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MAX_POLLS_WITHOUT_DESCRIBE * POLL);
    expect(gaps.some((g) => g > POLL)).toBe(true);
    expect(run.task.stoppedSeenAt! - (START + 6 * 60_000)).toBeLessThanOrEqual(
      MAX_POLLS_WITHOUT_DESCRIBE * POLL,
    );
    expectEveryLineOnceInTime(run);
  });
});
