/**
 * The drift mode: run CloudFormation drift detection on the stack, wait for
 * it, and list the resources that drifted with their property differences.
 * Nothing is changed.
 */
import {
  DescribeStackDriftDetectionStatusCommand,
  type DescribeStackDriftDetectionStatusCommandOutput,
  DetectStackDriftCommand,
  paginateDescribeStackResourceDrifts,
  type Stack,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { ActionError, isTransient } from '../../../core/errors.js';
import { done, notYet, poll } from '../../../core/poll.js';
import { formatDuration } from '../../../core/values.js';
import { describeStack, isInProgress, waitForStack } from '../../lib/stack-wait.js';
import type { Context } from './context.js';

export interface DriftResult {
  stackName: string;
  stack: Stack;
  /** IN_SYNC, DRIFTED, or UNKNOWN when detection failed for some resources. */
  driftStatus: string;
  /** Why detection could not check everything, if so. */
  detectionNote?: string;
  drifts: StackResourceDrift[];
  elapsedMs: number;
}

/** Drift detection usually takes seconds to minutes. */
const DETECTION_LIMIT_MS = 30 * 60_000;

export async function detectDrift(ctx: Context, stackName: string): Promise<DriftResult> {
  const started = ctx.clock.now();
  let stack = await describeStack(ctx.cfn, stackName);
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS') {
    throw new ActionError(
      `Stack ${stackName} does not exist${stack ? ' yet (REVIEW_IN_PROGRESS)' : ''}, so it cannot drift.`,
      'Check the name and region, or deploy it first (mode: deploy).',
    );
  }
  if (isInProgress(stack.StackStatus)) {
    ctx.log(`Stack ${stackName} is ${stack.StackStatus}; waiting for it before detecting drift.`);
    stack = (
      await waitForStack(ctx.cfn, {
        stack: stack.StackId!,
        pollMs: ctx.pollMs,
        clock: ctx.clock,
        log: ctx.log,
        timeoutMs: 60 * 60_000,
      })
    ).stack!;
  }
  const stackId = stack.StackId!;
  ctx.log(`Detecting drift on stack ${stackName}.`);
  const { StackDriftDetectionId: id } = await ctx.cfn.send(
    new DetectStackDriftCommand({ StackName: stackId }),
  );
  const status = await waitForDetection(ctx, id!);
  if (status.DetectionStatus === 'DETECTION_FAILED' && status.StackDriftStatus === undefined) {
    throw new ActionError(
      `Drift detection on stack ${stackName} failed: ${status.DetectionStatusReason ?? 'no reason given'}`,
      'Usually the role lacks read permissions on some resource types; see the reason above.',
    );
  }
  const drifts: StackResourceDrift[] = [];
  const pages = paginateDescribeStackResourceDrifts(
    { client: ctx.cfn },
    { StackName: stackId, StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'] },
  );
  for await (const page of pages) drifts.push(...(page.StackResourceDrifts ?? []));
  drifts.sort((a, b) => (a.LogicalResourceId ?? '').localeCompare(b.LogicalResourceId ?? ''));
  for (const d of drifts) {
    ctx.log(`  ${d.StackResourceDriftStatus}  ${d.LogicalResourceId}  ${d.ResourceType}`);
    for (const p of d.PropertyDifferences ?? []) ctx.log(`      ${propertyLine(p)}`);
  }
  const driftStatus = drifts.length > 0 ? 'DRIFTED' : (status.StackDriftStatus ?? 'UNKNOWN');
  return {
    stackName,
    stack,
    driftStatus,
    ...(status.DetectionStatus === 'DETECTION_FAILED' && {
      detectionNote: status.DetectionStatusReason ?? 'some resources could not be checked',
    }),
    drifts,
    elapsedMs: ctx.clock.now() - started,
  };
}

export function propertyLine(p: {
  PropertyPath?: string;
  DifferenceType?: string;
  ExpectedValue?: string;
  ActualValue?: string;
}): string {
  return `${p.PropertyPath} ${p.DifferenceType}: expected ${p.ExpectedValue ?? '(none)'}, actual ${p.ActualValue ?? '(none)'}`;
}

async function waitForDetection(
  ctx: Context,
  id: string,
): Promise<DescribeStackDriftDetectionStatusCommandOutput> {
  return poll(
    async () => {
      const out = await ctx.cfn.send(
        new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id }),
      );
      return out.DetectionStatus === 'DETECTION_IN_PROGRESS' ? notYet : done(out);
    },
    {
      intervalMs: { firstMs: Math.min(2000, ctx.pollMs), maxMs: ctx.pollMs },
      tolerate: isTransient,
      maxBackoffMs: 30_000,
      timeoutMs: DETECTION_LIMIT_MS,
      timeoutError: (elapsed) =>
        new ActionError(
          `Drift detection ${id} is still running after ${formatDuration(elapsed)}.`,
          'Look at it in the CloudFormation console, or run again later.',
        ),
      clock: ctx.clock,
    },
  );
}
