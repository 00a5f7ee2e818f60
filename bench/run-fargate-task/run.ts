/**
 * run-fargate-task benchmarks, on simulated time: the action's real waiting
 * loop (watchTasks, with LogTail on each task's stream) against a simulated
 * ECS and CloudWatch Logs whose log source writes lines at random moments
 * (a Poisson process, with bursts). The clock only moves when the action
 * sleeps, so 30 simulated minutes take well under a second and every run
 * with the same seed gives the same numbers.
 *
 * 1. API calls per minute of waiting tasks (DescribeTasks + GetLogEvents),
 *    per task. Target: at most 30 per minute per task at the default poll
 *    interval, on average and in the busiest minute.
 * 2. Every line printed, exactly once.
 * 3. Log delivery latency: from the moment CloudWatch has a line (its
 *    ingestion time) to the moment the action prints it. Target: at most
 *    the task's log interval (one poll interval; more when more tasks run
 *    than one poll may read, see logReadsPerPoll).
 *
 * Prints a verdict per scenario and target (bench/lib/verdict.mjs) and exits
 * 1 when one is missed.
 *
 *   npx tsx bench/run-fargate-task/run.ts [--minutes 30] [--seed 7] [--out bench/results/run-fargate-task.md]
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import { LogTail } from '../../actions/lib/log-tail.js';
import { FakeLogStream } from '../../actions/lib/testing/fake-log-stream.js';
import type { Context } from '../../actions/run-fargate-task/src/context.js';
import { DEFAULT_POLL_MS } from '../../actions/run-fargate-task/src/inputs.js';
import {
  BUDGET_POLLS,
  LOG_CALLS_PER_SECOND,
  logReadsPerPoll,
  MAX_POLLS_WITHOUT_DESCRIBE,
  STEADY_CALLS_PER_MINUTE,
  type WatchedTask,
  watchTasks,
} from '../../actions/run-fargate-task/src/watch.js';
import { runHeader, Verdicts } from '../lib/verdict.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    `Usage: npx tsx bench/run-fargate-task/run.ts [--minutes 30] [--seed 7] [--out bench/results/run-fargate-task.md]\n\nrun-fargate-task: API calls per minute and log latency of the waiting loop, on simulated time.`,
  );
  process.exit(0);
}
const MINUTES = Number(values.minutes);
const SEED = Number(values.seed);

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  name: string;
  tasks: number;
  pollMs: number;
  /** Mean log lines per second per task. */
  linesPerSecond: number;
  /** Occasional bursts of this many lines at once (0: none). */
  burst: number;
}

interface Result {
  scenario: Scenario;
  /** Calls per task per minute: mean and the busiest minute, while RUNNING. */
  perTaskMean: number;
  perTaskMax: number;
  describePerMinute: number;
  logsPerMinute: number;
  lines: number;
  delivered: number;
  duplicates: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  logIntervalMs: number;
}

const START = Date.UTC(2024, 4, 1, 12, 0, 0);

async function simulate(s: Scenario): Promise<Result> {
  const random = prng(SEED);
  let now = START;
  const runMs = MINUTES * 60_000;
  const stopAt = START + runMs;

  // The log source: per task, lines at exponential gaps, plus bursts.
  const schedule: Array<{ at: number; task: number; text: string }> = [];
  for (let task = 0; task < s.tasks; task++) {
    let t = START + 20_000; // the container starts ~20 s after RunTask
    let n = 0;
    while (t < stopAt) {
      t += -Math.log(1 - random()) * (1000 / s.linesPerSecond);
      const count = s.burst && random() < 0.002 ? s.burst : 1;
      for (let i = 0; i < count && t < stopAt; i++) {
        schedule.push({ at: Math.floor(t), task, text: `task ${task} line ${n++}` });
      }
    }
  }
  schedule.sort((a, b) => a.at - b.at);
  const streams = Array.from({ length: s.tasks }, () => new FakeLogStream({ now: () => now }));
  let next = 0;
  const advanceTo = (to: number) => {
    while (next < schedule.length && schedule[next]!.at <= to) {
      const line = schedule[next++]!;
      now = line.at;
      streams[line.task]!.write(line.text);
    }
    now = to;
  };

  // ECS: each task PROVISIONING, PENDING, RUNNING from 20 s, STOPPED at the end.
  const calls: Array<{ at: number; op: 'describe' | 'logs' }> = [];
  const arns = Array.from(
    { length: s.tasks },
    (_, i) => `arn:aws:ecs:us-east-1:123456789012:task/bench/${String(i).padStart(32, '0')}`,
  );
  const taskAt = (arn: string): Task => {
    const elapsed = now - START;
    const status =
      now >= stopAt
        ? 'STOPPED'
        : elapsed >= 20_000
          ? 'RUNNING'
          : elapsed >= 10_000
            ? 'PENDING'
            : 'PROVISIONING';
    return {
      taskArn: arn,
      lastStatus: status,
      containers: [{ name: 'app', ...(status === 'STOPPED' && { exitCode: 0 }) }],
      createdAt: new Date(START),
      ...(status === 'STOPPED' && {
        stoppedAt: new Date(stopAt),
        stoppedReason: 'Essential container in task exited',
      }),
    };
  };
  const ecs = {
    send: async (command: { input: { tasks?: string[] } }) => {
      calls.push({ at: now, op: 'describe' });
      return { tasks: (command.input.tasks ?? []).map(taskAt), failures: [] };
    },
  } as unknown as ECSClient;
  const logs = {
    send: async (command: { input: { logStreamName: string } }) => {
      calls.push({ at: now, op: 'logs' });
      const i = Number(command.input.logStreamName.split('/').pop());
      return streams[i]!.getLogEvents(command.input as never);
    },
  } as unknown as CloudWatchLogsClient;

  const ingested = new Map<string, number>();
  for (const line of schedule) ingested.set(line.text, line.at);
  const latencies: number[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const ctx: Context = {
    ecs,
    logs: () => logs,
    s3: () => {
      throw new Error('not used');
    },
    region: 'us-east-1',
    clock: {
      now: () => now,
      sleep: async (ms: number) => advanceTo(now + ms),
    },
    log: () => {},
    warn: () => {},
    printLog: (lines) => {
      for (const line of lines) {
        const text = line.replace(/^\[shard \d+\] /, '');
        if (seen.has(text)) duplicates++;
        seen.add(text);
        latencies.push(now - ingested.get(text)!);
      }
    },
    run: { attempt: '1', serverUrl: 'https://github.com' },
    retryBaseMs: 1000,
    flushQuietMs: 2000,
  };
  const tasks: WatchedTask[] = arns.map((arn, shard) => ({
    shard,
    arn,
    id: arn.split('/').pop()!,
    task: taskAt(arn),
    recent: [],
    missingPolls: 0,
    tail: new LogTail(logs, { group: '/ecs/bench', stream: `app/app/${shard}` }),
  }));
  await watchTasks(ctx, tasks, {
    cluster: 'bench',
    pollMs: s.pollMs,
    deadline: START + 24 * 3_600_000,
    timeoutReason: 'timeout',
    cancelReason: 'cancel',
    prefixLines: s.tasks > 1,
  });

  // Calls per minute while the tasks run (from the first full minute to the stop).
  const minutes = new Map<number, { describe: number; logs: number }>();
  for (const c of calls) {
    if (c.at >= stopAt) continue;
    const m = Math.floor((c.at - START) / 60_000);
    const b = minutes.get(m) ?? { describe: 0, logs: 0 };
    b[c.op]++;
    minutes.set(m, b);
  }
  const full = [...minutes.entries()].filter(([m]) => m >= 1 && m < MINUTES).map(([, b]) => b);
  const perTask = full.map((b) => (b.describe + b.logs) / s.tasks);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    scenario: s,
    perTaskMean: perTask.reduce((a, b) => a + b, 0) / perTask.length,
    perTaskMax: Math.max(...perTask),
    describePerMinute: full.reduce((a, b) => a + b.describe, 0) / full.length,
    logsPerMinute: full.reduce((a, b) => a + b.logs, 0) / full.length,
    lines: schedule.length,
    delivered: seen.size,
    duplicates,
    latencyP50: pct(0.5),
    latencyP99: pct(0.99),
    latencyMax: latencies[latencies.length - 1] ?? 0,
    logIntervalMs: s.pollMs * Math.ceil(s.tasks / logReadsPerPoll(s.pollMs)),
  };
}

const D = DEFAULT_POLL_MS;
const scenarios: Scenario[] = [
  {
    name: '1 task, quiet (a line a minute)',
    tasks: 1,
    pollMs: D,
    linesPerSecond: 1 / 60,
    burst: 0,
  },
  { name: '1 task, chatty (2 lines/s)', tasks: 1, pollMs: D, linesPerSecond: 2, burst: 0 },
  {
    name: '1 task, chatty with bursts of 25,000 lines',
    tasks: 1,
    pollMs: D,
    linesPerSecond: 2,
    burst: 25_000,
  },
  { name: '10 tasks, chatty', tasks: 10, pollMs: D, linesPerSecond: 2, burst: 0 },
  {
    name: '50 tasks (the count cap), 1 line/s each',
    tasks: 50,
    pollMs: D,
    linesPerSecond: 1,
    burst: 0,
  },
  { name: '1 task, chatty, poll-interval 5s', tasks: 1, pollMs: 5000, linesPerSecond: 2, burst: 0 },
  {
    name: '1 task, chatty, poll-interval 1s (minimum)',
    tasks: 1,
    pollMs: 1000,
    linesPerSecond: 2,
    burst: 0,
  },
];

const started = Date.now();
const results: Result[] = [];
for (const s of scenarios) results.push(await simulate(s));
const wallMs = Date.now() - started;

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const MAX_CALLS_PER_MINUTE = 30;
const verdicts = new Verdicts();
const rows = results.map((r) => {
  const name = r.scenario.name;
  const atDefault = r.scenario.pollMs === D;
  const calls = atDefault
    ? verdicts.check(
        `${name}: at most ${MAX_CALLS_PER_MINUTE} calls/min/task, mean and busiest minute`,
        `${r.perTaskMean.toFixed(1)} / ${r.perTaskMax.toFixed(1)}`,
        r.perTaskMean <= MAX_CALLS_PER_MINUTE && r.perTaskMax <= MAX_CALLS_PER_MINUTE,
      )
    : 'no target (not the default interval)';
  const once = verdicts.check(
    `${name}: every line printed exactly once`,
    `${r.lines} written, ${r.delivered} printed, ${r.duplicates} twice`,
    r.delivered === r.lines && r.duplicates === 0,
  );
  const latency = verdicts.check(
    `${name}: latency at most the log interval (${sec(r.logIntervalMs)})`,
    `max ${sec(r.latencyMax)}`,
    r.latencyMax <= r.logIntervalMs,
  );
  return `| ${name} | ${r.perTaskMean.toFixed(1)} | ${r.perTaskMax.toFixed(1)} | ${calls} | ${r.describePerMinute.toFixed(1)} | ${r.logsPerMinute.toFixed(1)} | ${r.lines.toLocaleString('en')} / ${r.delivered.toLocaleString('en')} / ${r.duplicates} | ${once} | ${sec(r.latencyP50)} | ${sec(r.latencyP99)} | ${sec(r.latencyMax)} | ${sec(r.logIntervalMs)} | ${latency} |`;
});
const report = `# run-fargate-task: API calls and log latency of waiting tasks

${runHeader()}

${verdicts.summary()}

Simulated: ${MINUTES} minutes of RUNNING tasks per scenario, seed ${SEED}
(the action's own waiting loop, \`watchTasks\` with \`LogTail\`, against a
simulated ECS and CloudWatch Logs; log lines arrive as a Poisson process).
Wall time for all scenarios: ${wallMs} ms.

Targets, each with a verdict column: at most **${MAX_CALLS_PER_MINUTE} API calls per minute
per task** (DescribeTasks + GetLogEvents) at the default poll interval
(${D / 1000} s), on average and in the busiest minute; **every line printed
exactly once**; and log lines printed **at most one log interval** after
CloudWatch has them (the poll interval, longer only when more tasks run than
one poll may read).

| scenario | calls/min/task (mean) | calls/min/task (busiest minute) | calls verdict | DescribeTasks/min | GetLogEvents/min | lines written / printed / printed twice | once verdict | latency p50 | latency p99 | latency max | log interval | latency verdict |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

How to read it:

- Per running task, a poll reads its log with one GetLogEvents call when
  nothing is new (the stream's token comes back unchanged) or two when lines
  came (the lines, then the call that finds the end of the stream), one more
  per extra page while a backlog larger than a page (10,000 lines or 1 MB) is
  read. Log reads are never put off: that keeps the latency bound.
- DescribeTasks (one call for up to 100 tasks) spends what the logs leave of
  a budget of ${STEADY_CALLS_PER_MINUTE} calls per task a minute, counted over the last ${BUDGET_POLLS} polls. While
  every task is RUNNING, a poll whose DescribeTasks would go over it skips
  the call (never ${MAX_POLLS_WITHOUT_DESCRIBE} polls in a row); while a task starts or stops, and after
  StopTask, every poll describes. So one chatty task costs ${(2 * 60_000) / D} GetLogEvents
  and ${(STEADY_CALLS_PER_MINUTE * D) / 60_000 - 2 > 0 ? 'a DescribeTasks every other poll' : 'few DescribeTasks'} (${STEADY_CALLS_PER_MINUTE} a minute), and the ${MAX_CALLS_PER_MINUTE - STEADY_CALLS_PER_MINUTE} calls
  left under the target pay for a backlog's extra pages; the polls after a
  backlog skip their DescribeTasks until the budget is back. The price: a
  task that stops while running is noticed up to ${MAX_POLLS_WITHOUT_DESCRIBE} polls later instead of 1
  (its lines still show within the log interval).
- Stopping after a partly filled page would save the end-of-stream call,
  but AWS documents that partly filled and empty pages do not mean the end
  of the stream: lines after one would wait a whole interval more.
- Not bounded: a backlog of more pages than the ${MAX_CALLS_PER_MINUTE - STEADY_CALLS_PER_MINUTE} spare calls within a
  minute (over 50,000 lines at once) is still read in that poll (up to 20
  pages), so that minute goes over the target; the next polls' skipped
  DescribeTasks bring the average back.
- GetLogEvents averages at most ${LOG_CALLS_PER_SECOND} calls per second for the whole step,
  well under CloudWatch Logs' per-account quota (25 per second by default;
  see Service Quotas): with more running tasks than ${logReadsPerPoll(D)} at ${D / 1000} s, they
  take turns, and a task's log interval (the latency bound) grows to the
  poll interval times the number of turns (12 s for 50 tasks).
- A shorter poll-interval buys latency with calls (the budget is per
  minute, so a shorter interval skips more DescribeTasks, but the log reads
  alone cost two calls per poll): at 1 s one chatty task makes well over
  100 calls a minute, far over the target; that is the user's choice to
  make, the default stays within it.

Command:

\`\`\`sh
npx tsx bench/run-fargate-task/run.ts --minutes ${MINUTES} --seed ${SEED}${values.out ? ` --out ${relative(ROOT, resolve(values.out))}` : ''}
\`\`\`
`;
console.log(report);
if (values.out) writeFileSync(resolve(values.out), report);
verdicts.exit();
