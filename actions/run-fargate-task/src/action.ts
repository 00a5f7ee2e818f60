/**
 * run-fargate-task, the whole main step: checks every input, the cluster,
 * the network and the task definition before anything starts; starts the
 * tasks (saving them for the post step at once); waits for them with their
 * logs streamed; and fails unless every task's containers exited 0.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ActionError } from '../../../core/errors.js';
import { writeSummary } from '../../../core/summary.js';
import { LogTail } from '../../lib/log-tail.js';
import { checkCapacity, resolveCluster } from './cluster.js';
import { type Context, makeContext } from './context.js';
import { type RunInputs, readInputs } from './inputs.js';
import {
  buildRequest,
  checkOverridesSize,
  type LaunchPlan,
  startError,
  startShard,
} from './launch.js';
import { awslogsOf, type LogTarget, streamName, taskIdOf } from './log-target.js';
import { resolveNetwork } from './network.js';
import { type RunReport, setOutputs, summaryMarkdown } from './report.js';
import { newNonce, startedByFor } from './run-identity.js';
import { checkFargateSize } from './sizes.js';
import { saveSettled, saveStarted } from './state.js';
import { stopCommand, stopTasks } from './stop.js';
import {
  checkFargate,
  essentialNames,
  pickContainer,
  resolveTaskDefinition,
} from './task-definition.js';
import { judgeTask, type TaskVerdict } from './verdict.js';
import { type WatchedTask, type WatchOutcome, watchTasks } from './watch.js';

export const TIMEOUT_PREFIX = 'mcfpipe run-fargate-task: timeout-minutes';
export const CANCEL_REASON =
  'mcfpipe run-fargate-task: the workflow step was cancelled before the task finished';

export async function main(makeCtx: (inputs: RunInputs) => Context = makeContext): Promise<void> {
  const inputs = readInputs();
  const ctx = makeCtx(inputs);
  const launch = await prepareLaunch(ctx, inputs);
  const startedAt = ctx.clock.now();
  const tasks = await startTasks(ctx, launch);
  const report = newReport(ctx, launch, tasks, startedAt);
  if (!inputs.wait) {
    await reportStarted(ctx, report);
    return;
  }
  const outcome = await waitForTasks(ctx, launch, tasks, startedAt);
  report.endedAt = ctx.clock.now();
  await reportOutcome(ctx, launch, report, outcome);
}

/** What a run starts, every part of it checked before a task starts. */
interface Launch {
  inputs: RunInputs;
  plan: LaunchPlan;
  requests: ReturnType<typeof buildRequest>[];
  /** The task definition, as resolved (label, registered or not). */
  resolved: Awaited<ReturnType<typeof resolveTaskDefinition>>;
  container: string;
  memory: number | undefined;
  logTarget: ReturnType<typeof awslogsOf>;
}

/** Everything that can be wrong is checked before a task starts: cluster, network, task definition, sizes. */
async function prepareLaunch(ctx: Context, inputs: RunInputs): Promise<Launch> {
  const cluster = await resolveCluster(ctx, inputs.cluster);
  checkCapacity(cluster, inputs.capacity);
  const network = await resolveNetwork(ctx, inputs.network);
  const startedBy = startedByFor(ctx.run, ctx.clock.now());
  const resolved = await resolveTaskDefinition(ctx, inputs.taskDefinition, {
    ...(inputs.image && { image: inputs.image }),
    ...(inputs.container && { container: inputs.container }),
    registeredBy: startedBy,
  });
  const def = resolved.definition;
  checkFargate(def);
  const container = pickContainer(def, inputs.container);
  const cpu = inputs.cpu ?? (def.cpu ? Number(def.cpu) : undefined);
  const memory = inputs.memory ?? (def.memory ? Number(def.memory) : undefined);
  if (cpu !== undefined && memory !== undefined && (inputs.cpu || inputs.memory)) {
    checkFargateSize(
      cpu,
      memory,
      `${inputs.cpu ? 'cpu input' : `cpu of ${resolved.label}`}, ${inputs.memory ? 'memory input' : `memory of ${resolved.label}`}`,
    );
  }
  const plan: LaunchPlan = {
    inputs,
    run: ctx.run,
    cluster,
    taskDefinitionArn: def.taskDefinitionArn!,
    container: container.name!,
    network,
    startedBy,
    nonce: newNonce(),
  };
  const requests = Array.from({ length: inputs.count }, (_, shard) => buildRequest(plan, shard));
  requests.forEach(checkOverridesSize);
  ctx.log(
    `Running ${resolved.label} on cluster ${cluster.name}: container ${container.name}, ${inputs.count} task${inputs.count === 1 ? '' : 's'}, subnets ${network.subnets.join(', ')} (from ${network.source}), public IP ${network.assignPublicIp}.`,
  );
  return {
    inputs,
    plan,
    requests,
    resolved,
    container: container.name!,
    memory,
    logTarget: awslogsOf(container, ctx.region),
  };
}

/** Starts the shards in order; each task is saved for the post step as soon as it exists. */
async function startTasks(ctx: Context, launch: Launch): Promise<WatchedTask[]> {
  const { inputs, plan } = launch;
  const tasks: WatchedTask[] = [];
  for (let shard = 0; shard < inputs.count; shard++) {
    let task: Awaited<ReturnType<typeof startShard>>;
    try {
      if (ctx.signal?.aborted)
        throw new ActionError('The step was cancelled before every task was started.');
      task = await startShard(ctx, launch.requests[shard]!, shard, plan);
    } catch (err) {
      await abandonStarted(ctx, plan.cluster.arn, tasks, inputs.wait);
      throw startError(shard, inputs.count, err);
    }
    const id = taskIdOf(task.taskArn!);
    tasks.push({ shard, arn: task.taskArn!, id, task, recent: [], missingPolls: 0 });
    if (inputs.wait) {
      saveStarted({
        region: ctx.region,
        cluster: plan.cluster.arn,
        tasks: tasks.map((t) => t.arn),
      });
    }
    ctx.log(
      `Started task ${id}${inputs.count > 1 ? ` (shard ${shard})` : ''}: ${task.lastStatus ?? 'PROVISIONING'}.`,
    );
  }
  if (!inputs.wait) saveSettled();
  return tasks;
}

/** The report of the started tasks (outputs and job summary), with where their logs are. */
function newReport(
  ctx: Context,
  launch: Launch,
  tasks: WatchedTask[],
  startedAt: number,
): RunReport {
  const { logTarget, container } = launch;
  const target = 'group' in logTarget ? logTarget : undefined;
  if ('unavailable' in logTarget && launch.inputs.streamLogs) {
    ctx.warn(`Logs are not streamed: ${logTarget.unavailable}`);
  }
  return {
    taskDefinition: launch.resolved.label,
    registered: launch.resolved.registered,
    cluster: launch.plan.cluster.name,
    region: ctx.region,
    container,
    tasks,
    streams: tasks.map((t) => (target ? streamName(target, container, t.id) : undefined)),
    startedAt,
    endedAt: startedAt,
    ...(target && { logGroup: target.group, logRegion: target.region }),
    ...('unavailable' in logTarget && { logsUnavailable: logTarget.unavailable }),
  };
}

/** wait: false — the outputs and summary of the started tasks, which keep running. */
async function reportStarted(ctx: Context, report: RunReport): Promise<void> {
  setOutputs(report);
  await writeSummary((s) => s.addRaw(summaryMarkdown(report)));
  ctx.log('wait is false: not waiting for the tasks; they keep running after this step.');
}

/** Watches the tasks to their stop (logs streamed), stopping them at the deadline or on cancel. */
async function waitForTasks(
  ctx: Context,
  launch: Launch,
  tasks: WatchedTask[],
  startedAt: number,
): Promise<WatchOutcome> {
  const { inputs, logTarget, container } = launch;
  if ('group' in logTarget && inputs.streamLogs) attachTails(ctx, tasks, logTarget, container);
  const outcome = await watchTasks(ctx, tasks, {
    cluster: launch.plan.cluster.arn,
    pollMs: inputs.pollMs,
    deadline: startedAt + inputs.timeoutMs,
    timeoutReason: `${TIMEOUT_PREFIX} (${inputs.timeoutMs / 60_000}) reached`,
    cancelReason: CANCEL_REASON,
    prefixLines: tasks.length > 1,
    redact: inputs.secretEnvironment.map((key) => inputs.environment[key]!),
  });
  // After a cancellation the post step checks again that StopTask took effect.
  if (outcome.unsettled.length === 0 && !outcome.cancelled) saveSettled();
  return outcome;
}

/** Each task's verdict, the outputs and summary, and the step's failure unless every task exited 0. */
async function reportOutcome(
  ctx: Context,
  launch: Launch,
  report: RunReport,
  outcome: WatchOutcome,
): Promise<void> {
  const { tasks } = report;
  const timeoutMinutes = launch.inputs.timeoutMs / 60_000;
  const stoppedByStep = outcome.timedOut
    ? `Stopped by this step: it did not finish within timeout-minutes (${timeoutMinutes}).`
    : outcome.cancelled
      ? 'Stopped by this step: the workflow run was cancelled.'
      : undefined;
  const essential = essentialNames(launch.resolved.definition);
  const verdicts: TaskVerdict[] = tasks.map((t) =>
    judgeTask(t.task, {
      container: launch.container,
      essential,
      ...(launch.memory !== undefined && { memory: String(launch.memory) }),
      ...(stoppedByStep &&
        t.task.stoppedReason?.startsWith('mcfpipe run-fargate-task') && { stoppedByStep }),
    }),
  );
  report.verdicts = verdicts;
  report.failure = failureOf(outcome, verdicts, tasks, timeoutMinutes, launch.plan.cluster.arn);
  setOutputs(report);
  await writeSummary((s) => s.addRaw(summaryMarkdown(report)));
  if (report.failure) throw new ActionError(report.failure.message, report.failure.hint);
  ctx.log(
    tasks.length === 1
      ? `Task ${tasks[0]!.id}: ${verdicts[0]!.reason}.`
      : `All ${tasks.length} tasks exited with code 0.`,
  );
}

function attachTails(
  ctx: Context,
  tasks: WatchedTask[],
  target: LogTarget,
  container: string,
): void {
  const client: CloudWatchLogsClient = ctx.logs(target.region);
  for (const t of tasks) {
    t.tail = new LogTail(client, {
      group: target.group,
      stream: streamName(target, container, t.id),
    });
  }
}

/** When a later shard cannot start, the earlier ones are stopped unless the step is not waiting. */
async function abandonStarted(
  ctx: Context,
  cluster: string,
  tasks: WatchedTask[],
  wait: boolean,
): Promise<void> {
  if (tasks.length === 0 || !wait) return;
  const arns = tasks.map((t) => t.arn);
  ctx.log(`Stopping the ${arns.length} task${arns.length === 1 ? '' : 's'} already started.`);
  const r = await stopTasks(
    ctx.ecs,
    cluster,
    arns,
    'mcfpipe run-fargate-task: another shard of this step could not be started',
  );
  for (const f of r.failed) ctx.warn(`Could not stop ${f.arn}: ${f.error}`);
  if (r.failed.length === 0) saveSettled();
}

function failureOf(
  outcome: WatchOutcome,
  verdicts: TaskVerdict[],
  tasks: WatchedTask[],
  timeoutMinutes: number,
  cluster: string,
): { message: string; hint?: string } | undefined {
  const unsettled = outcome.unsettled.length
    ? ` Still not stopped: ${outcome.unsettled.join(', ')}. Stop them with:\n${stopCommand(cluster, outcome.unsettled)}`
    : '';
  if (outcome.cancelled) {
    return {
      message: `The step was cancelled; this step stopped its ${tasks.length === 1 ? 'task' : `${tasks.length} tasks`}.${unsettled}`,
    };
  }
  if (outcome.timedOut) {
    return {
      message: `The task${tasks.length === 1 ? '' : 's'} did not finish within timeout-minutes (${timeoutMinutes}), so this step stopped ${tasks.length === 1 ? 'it' : 'them'}.${unsettled}`,
      hint: 'Raise timeout-minutes if the work needs longer; the last log lines are in the job summary.',
    };
  }
  const failing = verdicts.map((v, i) => ({ v, t: tasks[i]! })).filter(({ v }) => !v.ok);
  if (failing.length === 0) return undefined;
  if (tasks.length === 1)
    return {
      message: `Task ${tasks[0]!.id} failed: ${failing[0]!.v.reason}`,
      ...hintOf(failing[0]!.v),
    };
  return {
    message: `${failing.length} of ${tasks.length} tasks failed: ${failing
      .slice(0, 5)
      .map(({ v, t }) => `shard ${t.shard} (${t.id}): ${v.reason}`)
      .join('; ')}${failing.length > 5 ? '; ...' : ''}`,
    ...hintOf(failing[0]!.v),
  };
}

function hintOf(v: TaskVerdict): { hint?: string } {
  return v.hint ? { hint: v.hint } : {};
}
