/**
 * Running one stack operation (create, execute a change set, delete) to its
 * end: events streamed live, the deadline enforced (an update that outlives
 * it is cancelled and rolled back), and a failure explained by its root cause.
 */
import {
  CancelUpdateStackCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { ActionError, errorCode } from '../../../core/errors.js';
import { explainFailure, type FailureCause, StackEventStream } from '../../lib/stack-events.js';
import {
  describeStack,
  StackWaitTimeoutError,
  type WaitResult,
  waitForStack,
} from '../../lib/stack-wait.js';
import type { Context } from './context.js';

/**
 * A stack operation that ended badly, or a stack state that stops the deploy;
 * carries what the step outputs (stack-status, stack-id) and the job summary show.
 */
export class DeployFailure extends ActionError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly stackName: string,
    readonly status: string | undefined,
    readonly rootCause: FailureCause | undefined,
    readonly events: readonly StackEvent[],
    /** When known otherwise than from the events. */
    readonly knownStackId?: string,
  ) {
    super(message, hint);
  }

  get stackId(): string | undefined {
    return this.knownStackId ?? this.events.find((e) => e.StackId)?.StackId;
  }
}

export const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

export interface OperationOptions {
  kind: 'create' | 'update' | 'delete';
  stackName: string;
  /** The stack's id when it exists already: its older events are skipped. */
  existingStackId?: string;
  /** Deadline of the wait, from timeout-minutes. */
  timeoutMinutes?: number;
  /** CloudFormation enforces the timeout itself (CreateStack TimeoutInMinutes): wait a little longer for its rollback to start. */
  cloudFormationTimeout?: boolean;
  disableRollback?: boolean;
  /** Starts the operation; returns the stack id. */
  start: () => Promise<string>;
}

export interface OperationResult {
  stack: Stack | undefined;
  status: string;
  events: readonly StackEvent[];
  elapsedMs: number;
}

/** Slack for CloudFormation's own create timeout to fire before ours. */
const CFN_TIMEOUT_GRACE_MS = 2 * 60_000;
/** How long a cancelled update gets to roll back, at least. */
const MIN_ROLLBACK_WAIT_MS = 15 * 60_000;

export async function runOperation(ctx: Context, opts: OperationOptions): Promise<OperationResult> {
  const stream = new StackEventStream(ctx.cfn, {
    stack: opts.existingStackId ?? opts.stackName,
    log: ctx.log,
  });
  if (opts.existingStackId) await stream.prime();
  const stackId = await opts.start();
  stream.follow(stackId);
  const timeoutMs = opts.timeoutMinutes
    ? opts.timeoutMinutes * 60_000 + (opts.cloudFormationTimeout ? CFN_TIMEOUT_GRACE_MS : 0)
    : undefined;
  let result: WaitResult;
  try {
    result = await waitForStack(ctx.cfn, {
      stack: stackId,
      events: stream,
      pollMs: ctx.pollMs,
      clock: ctx.clock,
      log: ctx.log,
      ...(timeoutMs !== undefined && { timeoutMs }),
    });
  } catch (err) {
    if (!(err instanceof StackWaitTimeoutError)) throw err;
    result = await afterTimeout(ctx, opts, stackId, stream, err);
  }
  const ok =
    opts.kind === 'delete' ? result.status === 'DELETE_COMPLETE' : SUCCESS.has(result.status);
  if (!ok) throw await failure(ctx, opts, result.status, stream.events);
  return {
    stack: result.stack,
    status: result.status,
    events: stream.events,
    elapsedMs: result.elapsedMs,
  };
}

/** A reason without its final full stop, to end a sentence of our own. */
export function withoutStop(text: string): string {
  return text.replace(/\.+\s*$/, '');
}

/** Resources whose latest event is still *_IN_PROGRESS. */
export function stillInProgress(events: readonly StackEvent[]): string[] {
  const last = new Map<string, StackEvent>();
  for (const e of events) {
    if (e.PhysicalResourceId === e.StackId && e.ResourceType === 'AWS::CloudFormation::Stack')
      continue;
    if (e.LogicalResourceId) last.set(e.LogicalResourceId, e);
  }
  return [...last.values()]
    .filter((e) => e.ResourceStatus?.endsWith('_IN_PROGRESS'))
    .map((e) => `${e.LogicalResourceId} (${e.ResourceType})`);
}

/** Waits for a rollback (or cancel) to settle; at its deadline, the status it last saw. */
async function settle(
  ctx: Context,
  stackId: string,
  stream: StackEventStream,
  timeoutMs: number,
): Promise<WaitResult & { settled: boolean }> {
  try {
    const result = await waitForStack(ctx.cfn, {
      stack: stackId,
      events: stream,
      pollMs: ctx.pollMs,
      clock: ctx.clock,
      log: ctx.log,
      timeoutMs,
    });
    return { ...result, settled: true };
  } catch (err) {
    if (!(err instanceof StackWaitTimeoutError)) throw err;
    return { status: err.status, stack: undefined, elapsedMs: err.elapsedMs, settled: false };
  }
}

async function afterTimeout(
  ctx: Context,
  opts: OperationOptions,
  stackId: string,
  stream: StackEventStream,
  timeout: StackWaitTimeoutError,
): Promise<WaitResult> {
  const limit = `${opts.timeoutMinutes} minute${opts.timeoutMinutes === 1 ? '' : 's'} (timeout-minutes)`;
  const busy = stillInProgress(stream.events);
  const busyText = busy.length ? ` Still in progress: ${busy.join(', ')}.` : '';
  if (timeout.status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') {
    ctx.log(
      `The update is complete; CloudFormation is still removing replaced resources after ${limit}. Not waiting for the clean-up.`,
    );
    const stack = await describeStack(ctx.cfn, stackId);
    return { stack, status: 'UPDATE_COMPLETE', elapsedMs: timeout.elapsedMs };
  }
  if (timeout.status === 'UPDATE_IN_PROGRESS') {
    ctx.warn(
      `Stack ${opts.stackName} did not finish updating within ${limit}: cancelling the update.`,
    );
    try {
      await ctx.cfn.send(new CancelUpdateStackCommand({ StackName: stackId }));
    } catch (err) {
      // The update may have ended between the last poll and the cancel.
      if (errorCode(err) !== 'ValidationError') throw err;
      ctx.log(`CancelUpdateStack: ${(err as Error).message}`);
    }
    const after = await settle(
      ctx,
      stackId,
      stream,
      Math.max(MIN_ROLLBACK_WAIT_MS, (opts.timeoutMinutes ?? 0) * 60_000),
    );
    if (SUCCESS.has(after.status)) {
      ctx.warn('The update finished before the cancel took effect.');
      return after;
    }
    throw new DeployFailure(
      `Stack ${opts.stackName} did not finish updating within ${limit}, so the update was cancelled.${busyText} The stack is now ${after.status}${
        after.status === 'UPDATE_ROLLBACK_COMPLETE' ? ', back on its previous version' : ''
      }.`,
      'Raise timeout-minutes if the update needs longer, or find out why the resource above is slow in the CloudFormation console.',
      opts.stackName,
      after.status,
      undefined,
      stream.events,
    );
  }
  if (timeout.status.includes('ROLLBACK')) {
    // Already failing (CloudFormation's own create timeout, or a failed
    // resource): let the rollback finish, then report its root cause.
    ctx.log(`Stack ${opts.stackName} is ${timeout.status}; waiting for the rollback to finish.`);
    const after = await settle(ctx, stackId, stream, MIN_ROLLBACK_WAIT_MS);
    if (after.settled) return after;
  }
  const cause = await explainFailure(ctx.cfn, stream.events).catch(() => undefined);
  throw new DeployFailure(
    `Stack ${opts.stackName} is still ${timeout.status} after ${limit}.${busyText}${
      cause ? ` Root cause: ${withoutStop(cause.message)}.` : ''
    }`,
    timeout.status === 'CREATE_IN_PROGRESS'
      ? 'CloudFormation cannot cancel a create: it carries on in the background. The next run waits for it; delete the stack to stop it.'
      : 'CloudFormation carries on in the background; the next run waits for it to finish.',
    opts.stackName,
    timeout.status,
    cause,
    stream.events,
  );
}

function hintFor(status: string, stackName: string): string {
  switch (status) {
    case 'ROLLBACK_COMPLETE':
      return 'The failed first create was rolled back. Fix the cause and run again: the stack is deleted and created anew (recreate-failed).';
    case 'UPDATE_ROLLBACK_COMPLETE':
      return 'The stack is back on its previous version. Fix the cause and run again.';
    case 'CREATE_FAILED':
    case 'UPDATE_FAILED':
      return `Rollback is disabled (disable-rollback), so the resources that succeeded are kept. Fix the cause and run again, or roll back with: aws cloudformation rollback-stack --stack-name ${stackName}`;
    case 'UPDATE_ROLLBACK_FAILED':
      return continueRollbackHint(stackName);
    case 'ROLLBACK_FAILED':
    case 'DELETE_FAILED':
      return `Delete the stack by hand, keeping what cannot be deleted: aws cloudformation delete-stack --stack-name ${stackName} --retain-resources <LogicalId ...>; then run again.`;
    default:
      return 'See the stack events above.';
  }
}

export function continueRollbackHint(stackName: string): string {
  return `Fix what blocks the rollback (often a resource changed or deleted outside CloudFormation), then finish it: in the console, Stack actions > Continue update rollback (resources that cannot roll back may be skipped), or aws cloudformation continue-update-rollback --stack-name ${stackName} [--resources-to-skip <LogicalId ...>]. Then run this workflow again.`;
}

async function failure(
  ctx: Context,
  opts: OperationOptions,
  status: string,
  events: readonly StackEvent[],
): Promise<DeployFailure> {
  const cause = await explainFailure(ctx.cfn, events).catch(() => undefined);
  const verb = { create: 'creating', update: 'updating', delete: 'deleting' }[opts.kind];
  return new DeployFailure(
    `Stack ${opts.stackName} failed ${verb}: ${
      cause ? withoutStop(cause.message) : 'CloudFormation reported no failed resource'
    }. The stack is now ${status}.`,
    hintFor(status, opts.stackName),
    opts.stackName,
    status,
    cause,
    events,
  );
}
