/**
 * What a deploy does with a stack in a given state, and the instructions for
 * the states no tool should change on its own.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { explainFailure, readEvents } from '../../lib/stack-events.js';
import { isInProgress } from '../../lib/stack-wait.js';
import type { Context } from './context.js';
import { continueRollbackHint, DeployFailure, withoutStop } from './operation.js';

export type StackAction =
  /** No stack of that name. */
  | 'create'
  /** REVIEW_IN_PROGRESS: a stack created by a change set that was never executed. */
  | 'create-in-review'
  /** ROLLBACK_COMPLETE: a failed first create, which CloudFormation cannot update. */
  | 'recreate'
  | 'update'
  /** Another operation is running. */
  | 'wait'
  /** A state that needs a person. */
  | 'blocked';

/** Statuses where the deployed template is the one the resources match. */
export const STABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

export function stackAction(stack: Stack | undefined): StackAction {
  const status = stack?.StackStatus;
  if (!status || status === 'DELETE_COMPLETE') return 'create';
  if (status === 'REVIEW_IN_PROGRESS') return 'create-in-review';
  if (isInProgress(status)) return 'wait';
  if (status === 'ROLLBACK_COMPLETE') return 'recreate';
  if (STABLE.has(status) || status === 'CREATE_FAILED' || status === 'UPDATE_FAILED')
    return 'update';
  return 'blocked';
}

/**
 * The root cause of the stack's last failed operation, read from its latest
 * events ("Root cause: Queue (AWS::SQS::Queue) CREATE_FAILED: ..."), else
 * CloudFormation's status reason; '' when neither says anything.
 */
export async function lastFailure(ctx: Context, stack: Stack): Promise<string> {
  const since = stack.LastUpdatedTime ?? stack.DeletionTime ?? stack.CreationTime;
  const events = await readEvents(ctx.cfn, stack.StackId ?? stack.StackName ?? '', since).catch(
    () => [],
  );
  const cause = await explainFailure(ctx.cfn, events).catch(() => undefined);
  if (cause) return `Root cause: ${withoutStop(cause.message)}.`;
  return stack.StackStatusReason ? `CloudFormation says: ${stack.StackStatusReason}` : '';
}

/**
 * The error for a stack that needs a person (UPDATE_ROLLBACK_FAILED,
 * ROLLBACK_FAILED, DELETE_FAILED, IMPORT_ROLLBACK_FAILED, or ROLLBACK_COMPLETE
 * with recreate-failed off), with the root cause read from its latest events.
 */
export async function blockedError(
  ctx: Context,
  stack: Stack,
  recreateDisabled = false,
): Promise<DeployFailure> {
  const name = stack.StackName ?? '';
  const status = stack.StackStatus ?? '';
  const cause = await lastFailure(ctx, stack);
  const why = cause ? ` ${cause}` : '';
  // The step still outputs the stack's id and status (a later step may act on them).
  const error = (message: string, hint: string | undefined) =>
    new DeployFailure(message, hint, name, status, undefined, [], stack.StackId);
  switch (status) {
    case 'UPDATE_ROLLBACK_FAILED':
      return error(
        `Stack ${name} is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback, and CloudFormation accepts no change until the rollback is finished.${why}`,
        continueRollbackHint(name),
      );
    case 'ROLLBACK_COMPLETE':
      return error(
        `Stack ${name} is ROLLBACK_COMPLETE: its first create failed, and CloudFormation cannot update such a stack.${why}`,
        recreateDisabled
          ? `Delete it (aws cloudformation delete-stack --stack-name ${name}) or set recreate-failed: true to let this action delete and recreate it.`
          : undefined,
      );
    case 'ROLLBACK_FAILED':
      return error(
        `Stack ${name} is ROLLBACK_FAILED: its first create failed and the rollback could not delete every resource.${why}`,
        `Delete the stack, keeping what cannot be deleted (aws cloudformation delete-stack --stack-name ${name} --retain-resources <LogicalId ...>), remove those resources if you don't need them, then run again.`,
      );
    case 'DELETE_FAILED':
      return error(
        `Stack ${name} is DELETE_FAILED: a delete started and could not finish.${why}`,
        `Remove what blocks the delete (a non-empty bucket, a resource in use) and delete it again, or keep those resources: aws cloudformation delete-stack --stack-name ${name} --retain-resources <LogicalId ...>. Then run again.`,
      );
    default:
      return error(
        `Stack ${name} is ${status}, a state this action does not change on its own.${why}`,
        'Resolve it in the CloudFormation console (the stack events name the failing resource), then run again.',
      );
  }
}
