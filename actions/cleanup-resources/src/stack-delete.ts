/**
 * Deleting one stack: wait out an operation in progress, turn termination
 * protection off when allowed, empty the stack's buckets, DeleteStack, and
 * wait with the stack's events streamed live (lines prefixed with the stack
 * name: independent stacks are deleted at the same time). DELETE_FAILED is
 * retried once (a dependency such as a network interface often frees itself
 * meanwhile); a second failure is reported with every resource that blocked
 * the deletion and its reason.
 */
import {
  DeleteStackCommand,
  type StackEvent,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { errorCode, explainError } from '../../../core/errors.js';
import { formatDuration } from '../../../core/values.js';
import { emptyBucket } from '../../lib/s3-empty.js';
import { isCascade, StackEventStream } from '../../lib/stack-events.js';
import { isInProgress, StackWaitTimeoutError, waitForStack } from '../../lib/stack-wait.js';
import type { Context } from './context.js';
import { count, formatBytes, type Outcomes } from './outcome.js';
import type { StepResult } from './stack-order.js';
import { CONDITIONAL, type StackPlan } from './stack-plan.js';

export interface DeleteStackOptions {
  timeoutMs: number;
  outcomes: Outcomes;
}

/** Attempts of DeleteStack: the first, and one retry after DELETE_FAILED. */
const ATTEMPTS = 2;

export interface Blocker {
  logicalId: string;
  type: string;
  physicalId?: string;
  reason: string;
}

/** Resources that failed to delete in these events, each once (its last reason), cascades left out. */
export function blockingResources(events: readonly StackEvent[]): Blocker[] {
  const byId = new Map<string, Blocker>();
  for (const e of events) {
    if (e.ResourceStatus !== 'DELETE_FAILED') continue;
    if (e.ResourceType === 'AWS::CloudFormation::Stack' && e.PhysicalResourceId === e.StackId)
      continue;
    const reason = e.ResourceStatusReason ?? 'no reason given';
    if (isCascade(reason)) continue;
    byId.set(e.LogicalResourceId ?? '?', {
      logicalId: e.LogicalResourceId ?? '?',
      type: e.ResourceType ?? '?',
      ...(e.PhysicalResourceId && { physicalId: e.PhysicalResourceId }),
      reason,
    });
  }
  return [...byId.values()];
}

function describeBlocker(b: Blocker): string {
  return `${b.logicalId} (${b.type}${b.physicalId ? ` ${b.physicalId}` : ''}): ${b.reason}`;
}

/** A token per run, attempt and stack operation, so a retried call is not taken for a new one. */
function requestToken(ctx: Context, attempt: number): string {
  const run = ctx.run.runId ? `${ctx.run.runId}-${ctx.run.attempt}` : String(ctx.clock.now());
  return `mcfpipe-cleanup-${run}-${attempt}`;
}

async function emptyStackBuckets(
  ctx: Context,
  plan: StackPlan,
  say: (line: string) => void,
): Promise<void> {
  for (const bucket of plan.buckets) {
    try {
      const result = await emptyBucket(ctx.s3, bucket);
      if (result.deleted) {
        say(
          `emptied bucket ${bucket}: ${count(result.versions, 'object version')}, ${count(result.deleteMarkers, 'delete marker')}, ${formatBytes(result.bytes)}.`,
        );
      }
    } catch (err) {
      if (errorCode(err) === 'NoSuchBucket') continue;
      throw err;
    }
  }
}

export async function deleteStack(
  ctx: Context,
  plan: StackPlan,
  opts: DeleteStackOptions,
): Promise<StepResult> {
  const say = (line: string) => ctx.log(`[${plan.name}] ${line}`);
  const started = ctx.clock.now();
  const stream = new StackEventStream(ctx.cfn, { stack: plan.id, log: say });
  const wait = () =>
    waitForStack(ctx.cfn, {
      stack: plan.id,
      events: stream,
      pollMs: ctx.pollMs,
      timeoutMs: Math.max(0, opts.timeoutMs - (ctx.clock.now() - started)),
      clock: ctx.clock,
      log: say,
    });
  const fail = (reason: string): StepResult => {
    opts.outcomes.add('stack', plan.name, 'failed', reason);
    return { ok: false, reason };
  };
  try {
    await stream.prime();
    if (isInProgress(plan.status) && plan.status !== 'DELETE_IN_PROGRESS') {
      say(`is ${plan.status}; waiting for that operation to finish before deleting.`);
      await wait();
    }
    if (plan.terminationProtected) {
      await ctx.cfn.send(
        new UpdateTerminationProtectionCommand({
          StackName: plan.id,
          EnableTerminationProtection: false,
        }),
      );
      say('termination protection turned off (allow-termination-protected: true).');
    }
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      await emptyStackBuckets(ctx, plan, say);
      const from = stream.events.length;
      say(attempt === 1 ? 'deleting.' : 'deleting again (retry after DELETE_FAILED).');
      await ctx.cfn.send(
        new DeleteStackCommand({
          StackName: plan.id,
          ClientRequestToken: requestToken(ctx, attempt),
        }),
      );
      const result = await wait();
      if (result.status === 'DELETE_COMPLETE') {
        const took = formatDuration(ctx.clock.now() - started);
        const emptied = plan.buckets.length
          ? `, ${count(plan.buckets.length, 'bucket')} emptied first`
          : '';
        opts.outcomes.add(
          'stack',
          plan.name,
          'deleted',
          `deleted in ${took} (${count(plan.resources.length, 'resource')}${emptied}${attempt > 1 ? ', on the retry' : ''})`,
        );
        for (const r of plan.retained) {
          opts.outcomes.add(
            'stack resource',
            r.physicalId ?? `${plan.name}/${r.logicalId}`,
            'kept',
            retainedReason(plan, r),
          );
        }
        say(`deleted (${took}).`);
        return { ok: true };
      }
      if (result.status !== 'DELETE_FAILED') {
        return fail(
          `ended in ${result.status}${result.stack?.StackStatusReason ? `: ${result.stack.StackStatusReason}` : ''}`,
        );
      }
      const blockers = blockingResources(stream.events.slice(from));
      const why = blockers.length
        ? blockers.map(describeBlocker).join('; ')
        : (result.stack?.StackStatusReason ?? 'no reason given');
      if (attempt < ATTEMPTS) {
        say(`DELETE_FAILED: ${why}. Retrying once.`);
        continue;
      }
      for (const b of blockers) {
        opts.outcomes.add(
          'stack resource',
          `${plan.name}/${b.logicalId}`,
          'failed',
          `${b.type}${b.physicalId ? ` ${b.physicalId}` : ''}: ${b.reason}`,
        );
      }
      return fail(`DELETE_FAILED twice; blocked by ${why}`);
    }
    return fail('not deleted');
  } catch (err) {
    if (err instanceof StackWaitTimeoutError) {
      return fail(
        `${err.message} Raise timeout-minutes, or run the cleanup again later (it picks up where this one stopped).`,
      );
    }
    return fail(explainError(err));
  }
}

export function retainedReason(
  plan: StackPlan,
  r: { logicalId: string; type: string; policy?: string },
): string {
  if (r.policy === CONDITIONAL) {
    return `${r.type} ${r.logicalId} of stack ${plan.name}: its DeletionPolicy is set by a condition, so it is treated as kept (not emptied first); CloudFormation applies the policy it resolves to (delete it by hand if it stays and you no longer need its data)`;
  }
  return `${r.type} ${r.logicalId} of stack ${plan.name}: DeletionPolicy Retain, so CloudFormation leaves it in place (delete it by hand if you no longer need its data)`;
}
