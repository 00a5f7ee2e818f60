/**
 * The post step: after a main step that did not see its tasks stop, every
 * task it started that still runs is stopped.
 */
import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { runStepInProcess } from '../../lib/testing/run-step.js';
import { main } from '../src/action.js';
import { POST_REASON, type PostContext, post } from '../src/post-step.js';
import {
  CLUSTER,
  CLUSTER_ARN,
  ecsError,
  ecsMock,
  FAMILY,
  FakeAws,
  NETWORK_CONFIG_URL,
  type Step,
} from './fake-ecs.js';

const BASE = { 'task-definition': FAMILY, cluster: CLUSTER, 'network-config': NETWORK_CONFIG_URL };
const FOREVER: Step[] = [{ status: 'PROVISIONING' }, { status: 'PENDING' }, { status: 'RUNNING' }];

function postContext(log: string[]): PostContext {
  return {
    ecs: () => new ECSClient({ region: 'us-east-1' }),
    log: (l) => log.push(l),
  };
}

/** A main step that crashes while its tasks run (DescribeTasks refused after two polls). */
async function crashedMain(aws: FakeAws, inputs: Record<string, string> = {}) {
  aws.scripts = [FOREVER];
  const step = await runStepInProcess(
    () =>
      main(() => ({
        ...aws.context(),
        clock: {
          now: aws.clock.now,
          sleep: async (ms) => {
            await aws.clock.sleep(ms);
            if (aws.clock.sleeps.length === 2) {
              aws.describeProblems.push(ecsError('AccessDeniedException', 'not authorized'));
            }
          },
        },
      })),
    { inputs: { ...BASE, ...inputs } },
  );
  expect(step.error).toContain('not authorized');
  return step.state;
}

describe('post step', () => {
  it('stops the tasks a crashed main step left running', async () => {
    const aws = new FakeAws();
    const state = await crashedMain(aws, { count: '2' });
    expect(state.settled).toBeUndefined();
    ecsMock.resetHistory();
    const log: string[] = [];
    const step = await runStepInProcess(() => post(postContext(log)), { state });
    expect(step.error).toBeUndefined();
    const stops = ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
    expect(stops).toEqual(
      aws.tasks.map((t) => ({ cluster: CLUSTER_ARN, task: t.arn, reason: POST_REASON })),
    );
    expect(log).toContain('Stopping 2 task(s) this run started that are still running:');
    expect(step.summary).toContain('## run-fargate-task: cleanup');
    expect(step.summary).toContain(aws.tasks[1]!.arn);
  });

  it('does nothing after a main step that saw every task stop', async () => {
    const aws = new FakeAws();
    const main1 = await runStepInProcess(() => main(() => aws.context()), { inputs: BASE });
    expect(main1.state.settled).toBe('true');
    ecsMock.resetHistory();
    const log: string[] = [];
    await runStepInProcess(() => post(postContext(log)), { state: main1.state });
    expect(ecsMock.calls()).toHaveLength(0);
    expect(log).toEqual([
      'Nothing to clean up: the main step saw every task it started stop, or was not asked to wait for them.',
    ]);
  });

  it('says it has no task state from the main step when it has none, and does nothing', async () => {
    const log: string[] = [];
    const step = await runStepInProcess(() => post(postContext(log)), { state: {} });
    expect(step.error).toBeUndefined();
    expect(log).toEqual([
      'Nothing to clean up: no task state from the main step (it started no task, or ended before it could start one).',
    ]);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('says so when the main step saved a run with no task', async () => {
    const log: string[] = [];
    const state = { tasks: JSON.stringify({ region: 'us-east-1', cluster: 'c', tasks: [] }) };
    const step = await runStepInProcess(() => post(postContext(log)), { state });
    expect(step.error).toBeUndefined();
    expect(log).toEqual(['Nothing to clean up: the main step started no task.']);
  });

  it('leaves tasks alone that have stopped meanwhile', async () => {
    const aws = new FakeAws();
    const state = await crashedMain(aws);
    // The task finishes on its own before the post step runs.
    aws.tasks[0]!.script = [{ status: 'STOPPED', exits: { tester: 0 } }];
    aws.tasks[0]!.at = -1;
    ecsMock.resetHistory();
    const log: string[] = [];
    await runStepInProcess(() => post(postContext(log)), { state });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(log).toContain('All 1 task(s) this run started have stopped; nothing to stop.');
  });

  it('sends DescribeTasks once (its client retries it), and stops every task when it still fails', async () => {
    const aws = new FakeAws();
    const state = await crashedMain(aws);
    ecsMock.resetHistory();
    aws.describeProblems = [ecsError('ThrottlingException', 'Rate exceeded')];
    const log: string[] = [];
    const step = await runStepInProcess(() => post(postContext(log)), { state });
    expect(step.error).toBeUndefined();
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(1);
    expect(ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([
      aws.tasks[0]!.arn,
    ]);
    expect(log.join('\n')).toMatch(/Could not check which tasks still run: AWS kept throttling/);
  });

  it('stops every task it started when it cannot tell which still run', async () => {
    const aws = new FakeAws();
    const state = await crashedMain(aws, { count: '2' });
    ecsMock.resetHistory();
    aws.describeProblems = [
      ecsError('AccessDeniedException', 'not authorized to perform: ecs:DescribeTasks'),
    ];
    const log: string[] = [];
    const step = await runStepInProcess(() => post(postContext(log)), { state });
    expect(step.error).toBeUndefined();
    expect(ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual(
      aws.tasks.map((t) => t.arn),
    );
    expect(log[0]).toBe(
      'Could not check which tasks still run: Access denied: AWS was refused: not authorized to perform: ecs:DescribeTasks. Stopping every task this run started.',
    );
  });

  it('fails with the command to run by hand when a task cannot be stopped', async () => {
    const aws = new FakeAws();
    const state = await crashedMain(aws);
    ecsMock
      .on(StopTaskCommand)
      .rejects(ecsError('AccessDeniedException', 'not authorized to perform: ecs:StopTask'));
    const step = await runStepInProcess(() => post(postContext([])), { state });
    expect(step.error).toContain('Could not stop 1 task(s) this run started');
    expect(step.error).toContain(
      `aws ecs stop-task --cluster ${CLUSTER_ARN} --task ${aws.tasks[0]!.arn}`,
    );
  });

  it('counts a task ECS no longer knows as stopped, not as a failure', async () => {
    const aws = new FakeAws();
    const state = await crashedMain(aws, { count: '2' });
    ecsMock.resetHistory();
    aws.describeProblems = [
      ecsError('AccessDeniedException', 'not authorized to perform: ecs:DescribeTasks'),
    ];
    ecsMock
      .on(StopTaskCommand)
      .rejects(ecsError('InvalidParameterException', 'The referenced task was not found.'));
    const step = await runStepInProcess(() => post(postContext([])), { state });
    expect(step.error).toBeUndefined();
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(2);
  });

  it('still fails on other invalid-parameter answers to StopTask', async () => {
    const aws = new FakeAws();
    const state = await crashedMain(aws);
    ecsMock
      .on(StopTaskCommand)
      .rejects(ecsError('InvalidParameterException', 'Task Identifier is invalid'));
    const step = await runStepInProcess(() => post(postContext([])), { state });
    expect(step.error).toContain('Could not stop 1 task(s) this run started');
  });

  it('refuses unreadable state rather than guessing', async () => {
    const step = await runStepInProcess(() => post(postContext([])), { state: { tasks: '{oops' } });
    expect(step.error).toContain('The saved state of the main step is unreadable');
  });
});
