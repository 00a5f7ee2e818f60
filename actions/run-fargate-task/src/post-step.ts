/**
 * The post step (runs with `post-if: always()`): when the main step did not
 * see its tasks stop (the run was cancelled, the job timed out, the step
 * crashed), it stops every task the main step started that still runs, so
 * nothing is left running and billing. A task it cannot stop fails the step
 * with the command to stop it by hand.
 */
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { createClient } from '../../../core/aws.js';
import { ActionError, explainError } from '../../../core/errors.js';
import { writeSummary } from '../../../core/summary.js';
import { logLine } from '../../lib/log.js';
import { readState } from './state.js';
import { stopCommand, stopTasks } from './stop.js';

export const POST_REASON =
  'mcfpipe run-fargate-task post step: the workflow step ended (cancelled, timed out or failed) before the task finished';

export interface PostContext {
  ecs: (region: string) => ECSClient;
  log: (line: string) => void;
}

const defaultContext: PostContext = {
  ecs: (region) => createClient(ECSClient, 'ECS', { region }),
  log: logLine,
};

export async function post(ctx: PostContext = defaultContext): Promise<void> {
  const { started, settled } = readState();
  if (!started) {
    ctx.log(
      'Nothing to clean up: no task state from the main step (it started no task, or ended before it could start one).',
    );
    return;
  }
  if (settled || started.tasks.length === 0) {
    ctx.log(
      started.tasks.length === 0
        ? 'Nothing to clean up: the main step started no task.'
        : 'Nothing to clean up: the main step saw every task it started stop, or was not asked to wait for them.',
    );
    return;
  }
  const ecs = ctx.ecs(started.region);
  let running: string[] = [];
  try {
    for (let i = 0; i < started.tasks.length; i += 100) {
      const batch = started.tasks.slice(i, i + 100);
      const out = await ecs.send(
        new DescribeTasksCommand({ cluster: started.cluster, tasks: batch }),
      );
      for (const arn of batch) {
        const task = out.tasks?.find((t) => t.taskArn === arn);
        // Only a task ECS reports STOPPED is left alone; one it does not return is stopped too.
        if (task?.lastStatus !== 'STOPPED') running.push(arn);
      }
    }
  } catch (err) {
    // Not knowing which tasks still run is no reason to leave them running:
    // StopTask on a task that has stopped changes nothing.
    ctx.log(
      `Could not check which tasks still run: ${explainError(err)} Stopping every task this run started.`,
    );
    running = [...started.tasks];
  }
  if (running.length === 0) {
    ctx.log(`All ${started.tasks.length} task(s) this run started have stopped; nothing to stop.`);
    return;
  }
  ctx.log(`Stopping ${running.length} task(s) this run started that are still running:`);
  for (const arn of running) ctx.log(`  ${arn}`);
  const result = await stopTasks(ecs, started.cluster, running, POST_REASON);
  await writeSummary((s) =>
    s.addRaw(
      `## run-fargate-task: cleanup\n\nThe step ended before its tasks finished; stopped ${result.stopped.length} task(s) still running:\n\n${result.stopped.map((a) => `- \`${a}\``).join('\n')}\n`,
    ),
  );
  if (result.failed.length) {
    throw new ActionError(
      `Could not stop ${result.failed.length} task(s) this run started: ${result.failed.map((f) => `${f.arn}: ${f.error}`).join('; ')}`,
      `They may still be running (and billing). Stop them with:\n${stopCommand(
        started.cluster,
        result.failed.map((f) => f.arn),
      )}`,
    );
  }
  ctx.log(`Stopped ${result.stopped.length} task(s).`);
}
