/**
 * The bundled action (dist/index.js and dist/post/index.js) run as the
 * runner runs it, against moto. moto (see moto-notes.md) starts a Fargate
 * task in RUNNING, moves it one state per DescribeTasks call to STOPPED,
 * reports exit code 0 for the first container and writes no logs; the
 * action's verdict on what moto shows is asserted here, and the paths moto
 * cannot show (non-zero exits, stop reasons, log pages) are covered by the
 * mocked sequences in run.test.ts.
 */
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, motoAvailable, startMoto } from '../../../core/testing/moto.js';
import { runBundledAction } from '../../lib/testing/run-action.js';
import { CANCEL_REASON } from '../src/action.js';
import { POST_REASON } from '../src/post-step.js';
import { buildMotoWorld, type MotoWorld } from './moto-setup.js';

const MAIN = 'actions/run-fargate-task/dist/index.js';
const POST = 'actions/run-fargate-task/dist/post/index.js';
/** An endpoint nothing listens on: any AWS call would fail as a network error. */
const NO_AWS = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };

describe('bundled action without AWS', () => {
  it('fails on bad input with the message and a non-zero exit, before any AWS call', async () => {
    const run = await runBundledAction({
      script: MAIN,
      inputs: { 'task-definition': 'mcfpipe-dev-tester', count: '0' },
      env: NO_AWS,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input "count": "0" is not valid. Accepted: a whole number from 1 to 50.',
    );
    expect(run.stdout).not.toContain('ECONNREFUSED');
  });

  it('the post step has nothing to do when the main step started nothing', async () => {
    const run = await runBundledAction({ script: POST, env: NO_AWS });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Nothing to clean up');
  });
});

const haveMoto = motoAvailable();

describe.skipIf(!haveMoto)('bundled action against moto', () => {
  let moto: MotoServer;
  let world: MotoWorld;
  beforeAll(async () => {
    moto = await startMoto();
    world = await buildMotoWorld(moto);
  });
  afterAll(async () => {
    world?.destroy();
    await moto?.stop();
  });

  const inputs = () => ({
    'task-definition': world.family,
    'network-config': world.networkConfigUrl,
    'poll-interval': '1s',
    environment: 'DB_API_URL=http://127.0.0.1:8080',
  });
  const describeTask = async (arn: string) =>
    (await world.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: [arn] })))
      .tasks![0]!;

  /** Runs the main step and signals it as soon as its task has started (and been saved). */
  const signalOnceStarted = (signal: NodeJS.Signals) => {
    let sent = false;
    return runBundledAction({
      script: MAIN,
      inputs: { ...inputs(), 'poll-interval': '5s' },
      env: moto.env,
      onStdout: (out, kill) => {
        if (!sent && out.includes('Started task')) {
          sent = true;
          kill(signal);
        }
      },
    });
  };

  it('runs the task to STOPPED and reports the exit code moto gives (0)', async () => {
    const run = await runBundledAction({ script: MAIN, inputs: inputs(), env: moto.env });
    expect(run.exitCode, run.stdout).toBe(0);
    const arn = run.outputs['task-arns']!;
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:task\/mcfpipe-test\/[0-9a-f-]+$/);
    expect(run.outputs).toMatchObject({
      'exit-code': '0',
      'log-group': '/ecs/mcfpipe-test-tester',
      'log-stream': `tester/tester/${arn.split('/').pop()}`,
    });
    expect(run.stdout).toContain('Cluster: mcfpipe-test (the only one in us-east-1).');
    expect(run.stdout).toMatch(/DEPROVISIONING -> STOPPED \(no reason given; tester exit code 0\)/);
    expect(run.state.settled).toBe('true');
    expect(run.summary).toContain(`## run-fargate-task: <code>${world.family}:1</code>: succeeded`);
    const task = await describeTask(arn);
    expect(task.startedBy).toBe('mcfpipe-gh-4242-1');
    expect(task.overrides?.containerOverrides?.[0]?.environment).toEqual([
      { name: 'DB_API_URL', value: 'http://127.0.0.1:8080' },
      { name: 'SHARD_INDEX', value: '0' },
      { name: 'SHARD_COUNT', value: '1' },
    ]);
  });

  it('stops the task itself when cancelled (SIGINT), and fails', async () => {
    const run = await signalOnceStarted('SIGINT');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('::error::The step was cancelled; this step stopped its task.');
    const arn = JSON.parse(run.state.tasks!).tasks[0];
    const task = await describeTask(arn);
    expect(task.lastStatus).toBe('STOPPED');
    expect(task.stoppedReason).toBe(CANCEL_REASON);
  });

  it('the post step stops a task the killed main step left running', async () => {
    const main = await signalOnceStarted('SIGKILL');
    expect(main.exitCode).not.toBe(0);
    expect(main.state.settled).toBeUndefined();
    const arn = JSON.parse(main.state.tasks!).tasks[0];
    expect((await describeTask(arn)).lastStatus).not.toBe('STOPPED');

    const post = await runBundledAction({ script: POST, env: moto.env, state: main.state });
    expect(post.exitCode, post.stdout).toBe(0);
    expect(post.stdout).toContain(
      `Stopping 1 task(s) this run started that are still running:\n  ${arn}`,
    );
    const task = await describeTask(arn);
    expect(task.lastStatus).toBe('STOPPED');
    expect(task.stoppedReason).toBe(POST_REASON);
  });

  it('lists the task definitions there are when the family does not exist', async () => {
    const run = await runBundledAction({
      script: MAIN,
      inputs: { ...inputs(), 'task-definition': 'mcfpipe-test-scraper' },
      env: moto.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      'mcfpipe-test-scraper does not exist (or is not ACTIVE) in us-east-1. Task definition families in us-east-1: mcfpipe-test-tester.',
    );
    expect(run.state.tasks).toBeUndefined();
  });
});
