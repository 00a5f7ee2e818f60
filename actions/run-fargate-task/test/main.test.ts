/**
 * run-fargate-task's main and post step with @actions/core mocked
 * (core-mock.ts): inputs in; outputs, state for the post step, the failure,
 * masks and the summary as the step leaves them.
 */
import { describe, expect, it, vi } from 'vitest';
import { runAction } from '../../lib/run.js';
import { step } from '../../lib/testing/core-mock.js';
import { main } from '../src/action.js';
import { post } from '../src/post-step.js';
import {
  CLUSTER,
  CLUSTER_ARN,
  ecsMock,
  FAMILY,
  FakeAws,
  failedWith,
  NETWORK_CONFIG_URL,
} from './fake-ecs.js';

vi.mock('@actions/core', () => import('../../lib/testing/core-mock.js'));

const BASE = { 'task-definition': FAMILY, cluster: CLUSTER, 'network-config': NETWORK_CONFIG_URL };

describe('run-fargate-task main (mocked @actions/core)', () => {
  it('a task that exits 0: outputs, settled state, secrets masked, summary', async () => {
    const aws = new FakeAws();
    step.reset({
      ...BASE,
      environment: 'DB_API_URL=https://api.example.com\nTOKEN=s3cr3t-value',
      'secret-environment': 'TOKEN',
    });
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toBeUndefined();
    expect(step.masks).toContain('s3cr3t-value');
    expect(step.outputs).toMatchObject({ 'exit-code': '0', 'task-arns': aws.tasks[0]!.arn });
    expect(step.state.settled).toBe('true');
    expect(JSON.parse(step.state.tasks!)).toMatchObject({ cluster: CLUSTER_ARN });
    expect(step.summary).toContain('succeeded');
  });

  it('a task that exits 3 fails the step with its exit code', async () => {
    const aws = new FakeAws();
    aws.scripts = [failedWith(3)];
    step.reset(BASE);
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toMatch(/exit(ed with)? code 3/);
    expect(step.outputs['exit-code']).toBe('3');
    expect(step.summary).toContain('failed (1 of 1 task)');
  });

  it('the post step with no state from the main step stops nothing, and says why', async () => {
    step.reset({}, {});
    ecsMock.resetHistory();
    await runAction(() => post());
    expect(step.failed).toBeUndefined();
    expect(step.log).toEqual([
      'Nothing to clean up: no task state from the main step (it started no task, or ended before it could start one).',
    ]);
    expect(ecsMock.calls()).toHaveLength(0);
  });
});
