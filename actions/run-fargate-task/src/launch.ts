/**
 * Starting the tasks: one RunTask call per shard (each shard has its own
 * SHARD_INDEX), named after the workflow run, with an idempotency token so a
 * retried call never starts a second task. RunTask's `failures` (no Fargate
 * capacity, for example: ECS answered, but started nothing) are retried here
 * with backoff; throttling, 5xx and network errors of the call itself are
 * retried by the ECS client (core/aws-retry.ts), never here as well.
 * Anything else, or the last failure, is reported with ECS's reason.
 */
import {
  type Failure,
  type KeyValuePair,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Task,
  type TaskOverride,
} from '@aws-sdk/client-ecs';
import { ActionError, explainError, isTransient } from '../../../core/errors.js';
import { retry } from '../../../core/retry.js';
import { formatDuration } from '../../../core/values.js';
import type { WorkflowRun } from '../../lib/workflow-run.js';
import type { ResolvedCluster } from './cluster.js';
import type { Context } from './context.js';
import type { RunInputs } from './inputs.js';
import type { ResolvedNetwork } from './network.js';
import { clientTokenFor, runTags } from './run-identity.js';

/** RunTask allows 8192 characters of overrides, JSON punctuation included. */
export const MAX_OVERRIDES_CHARS = 8192;

/** RunTask answers per shard that started nothing, before giving up (each call retried by the client). */
export const START_ATTEMPTS = 6;

export interface LaunchPlan {
  inputs: RunInputs;
  run: WorkflowRun;
  cluster: ResolvedCluster;
  taskDefinitionArn: string;
  container: string;
  network: ResolvedNetwork;
  startedBy: string;
  nonce: string;
}

/** RunTask's answer when it started nothing: ECS's reason for it. */
export class RunTaskFailure extends Error {
  override readonly name = 'RunTaskFailure';
  constructor(readonly failure: Failure) {
    super(`${failure.reason ?? 'no reason given'}${failure.detail ? ` (${failure.detail})` : ''}`);
  }
}

const CAPACITY = /capacity|unavailable|throttl|rate exceeded|try again/i;
/** ECS's placement failure reasons (RESOURCE:MEMORY, AGENT), in capitals. */
const PLACEMENT = /^(RESOURCE:|AGENT)/;

/**
 * Worth another RunTask: ECS answered but had no capacity right now. (An
 * error of the call itself was already retried by the client.)
 */
export function isRetryableStart(err: unknown): boolean {
  if (err instanceof RunTaskFailure)
    return CAPACITY.test(err.message) || PLACEMENT.test(err.message);
  return (
    !isTransient(err) &&
    err instanceof Error &&
    /capacity is unavailable|insufficient capacity/i.test(err.message)
  );
}

export function buildRequest(plan: LaunchPlan, shard: number): RunTaskCommandInput {
  const { inputs } = plan;
  const environment: KeyValuePair[] = [
    ...Object.entries(inputs.environment).map(([name, value]) => ({ name, value })),
    { name: 'SHARD_INDEX', value: String(shard) },
    { name: 'SHARD_COUNT', value: String(inputs.count) },
  ];
  const overrides: TaskOverride = {
    containerOverrides: [
      {
        name: plan.container,
        environment,
        ...(inputs.command && { command: inputs.command }),
      },
    ],
    ...(inputs.cpu !== undefined && { cpu: String(inputs.cpu) }),
    ...(inputs.memory !== undefined && { memory: String(inputs.memory) }),
  };
  return {
    cluster: plan.cluster.arn,
    taskDefinition: plan.taskDefinitionArn,
    count: 1,
    ...plan.inputs.capacity,
    ...(inputs.platformVersion && { platformVersion: inputs.platformVersion }),
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: plan.network.subnets,
        securityGroups: plan.network.securityGroups,
        assignPublicIp: plan.network.assignPublicIp,
      },
    },
    overrides,
    startedBy: plan.startedBy,
    tags: runTags(plan.run, plan.startedBy, inputs.tags, { index: shard, count: inputs.count }),
    enableECSManagedTags: true,
    clientToken: clientTokenFor(plan.nonce, plan.startedBy, shard),
  };
}

/** Refuses overrides RunTask would reject for size, before any task starts. */
export function checkOverridesSize(request: RunTaskCommandInput): void {
  const size = JSON.stringify(request.overrides ?? {}).length;
  if (size <= MAX_OVERRIDES_CHARS) return;
  throw new ActionError(
    `The command and environment make ${size} characters of RunTask overrides; ECS allows ${MAX_OVERRIDES_CHARS}.`,
    'Move large values into the task definition, Secrets Manager or SSM parameters, or an S3 object the task reads.',
  );
}

/**
 * Starts one shard's task, retrying capacity failures and throttling. A
 * retry after an error keeps the client token (the first call may have
 * started the task); a retry after ECS answered with `failures` (it started
 * nothing) takes a new one, since ECS would answer the same token with the
 * same failures again.
 */
export async function startShard(
  ctx: Context,
  request: RunTaskCommandInput,
  shard: number,
  plan: Pick<LaunchPlan, 'nonce' | 'startedBy'>,
): Promise<Task> {
  let generation = 0;
  let clientToken = request.clientToken;
  return retry(
    async () => {
      const out = await ctx.ecs.send(new RunTaskCommand({ ...request, clientToken }));
      const task = out.tasks?.[0];
      if (task?.taskArn) return task;
      generation++;
      clientToken = clientTokenFor(plan.nonce, plan.startedBy, shard, generation);
      throw new RunTaskFailure(out.failures?.[0] ?? { reason: 'RunTask started no task' });
    },
    {
      attempts: START_ATTEMPTS,
      baseMs: ctx.retryBaseMs,
      maxMs: 30_000,
      retryable: isRetryableStart,
      onRetry: (err, attempt, delay) =>
        ctx.log(
          `Shard ${shard}: RunTask attempt ${attempt} of ${START_ATTEMPTS} did not start the task (${err instanceof Error ? err.message : String(err)}); trying again in ${formatDuration(delay)}.`,
        ),
      clock: ctx.clock,
      ...(ctx.signal && { signal: ctx.signal }),
    },
  );
}

/** The error when a shard could not be started. */
export function startError(shard: number, count: number, err: unknown): ActionError {
  const which = count > 1 ? `shard ${shard} of ${count}` : 'the task';
  const retried = isRetryableStart(err) ? ` (after ${START_ATTEMPTS} attempts)` : '';
  const reason = err instanceof RunTaskFailure ? err.message : undefined;
  if (reason === undefined) {
    // explainError already says what to do about throttling, 5xx and a foreign endpoint.
    const hint = isTransient(err)
      ? undefined
      : hintFor(err instanceof Error ? err.message : String(err));
    return new ActionError(
      `RunTask could not start ${which}${retried}: ${explainError(err)}`,
      hint,
      {
        cause: err,
      },
    );
  }
  return new ActionError(`ECS did not start ${which}${retried}: ${reason}.`, hintFor(reason), {
    cause: err,
  });
}

function hintFor(reason: string): string {
  if (CAPACITY.test(reason) || PLACEMENT.test(reason)) {
    return 'Fargate had no capacity for the task in the chosen subnets; run again later, add subnets in other availability zones, or use FARGATE rather than FARGATE_SPOT.';
  }
  if (/iam:PassRole|not authorized to perform/i.test(reason)) {
    return "The caller needs ecs:RunTask on the task definition and iam:PassRole on the task's execution and task roles.";
  }
  if (/No Fargate configuration exists/i.test(reason)) {
    return 'The cpu and memory of the task are not a Fargate size (see the cpu and memory inputs).';
  }
  return 'Check the reason above; the task definition, the cluster and the network settings are the usual suspects.';
}
