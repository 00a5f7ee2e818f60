/**
 * Stopping tasks this step started: at the timeout, on cancellation, in the
 * post step, and when a later shard could not be started. Each task is
 * stopped on its own, so one failure does not leave the others running;
 * each StopTask is retried by the ECS client (core/aws-retry.ts), not here.
 */
import { type ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { errorCode, explainError } from '../../../core/errors.js';

export interface StopResult {
  /** Stopped by this call, or already unknown to ECS (stopped long ago). */
  stopped: string[];
  failed: Array<{ arn: string; error: string }>;
}

/** ECS forgets a task about an hour after it stopped; stopping it then is not a failure. */
function isUnknownTask(err: unknown): boolean {
  return (
    errorCode(err) === 'InvalidParameterException' &&
    /referenced task was not found/i.test(err instanceof Error ? err.message : String(err))
  );
}

/** StopTask's reason is at most 255 characters. */
export function stopReason(text: string): string {
  return text.length > 255 ? `${text.slice(0, 254)}…` : text;
}

export async function stopTasks(
  ecs: ECSClient,
  cluster: string,
  arns: string[],
  reason: string,
): Promise<StopResult> {
  const result: StopResult = { stopped: [], failed: [] };
  await Promise.all(
    arns.map(async (arn) => {
      try {
        await ecs.send(new StopTaskCommand({ cluster, task: arn, reason: stopReason(reason) }));
        result.stopped.push(arn);
      } catch (err) {
        if (isUnknownTask(err)) result.stopped.push(arn);
        else result.failed.push({ arn, error: explainError(err) });
      }
    }),
  );
  result.stopped.sort((a, b) => arns.indexOf(a) - arns.indexOf(b));
  return result;
}

/** The CLI command that stops the given tasks, for messages when stopping failed. */
export function stopCommand(cluster: string, arns: string[]): string {
  return arns.map((arn) => `aws ecs stop-task --cluster ${cluster} --task ${arn}`).join('\n');
}
