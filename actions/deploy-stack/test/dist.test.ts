/**
 * The bundled action (dist/index.js) run as the runner runs it, against moto.
 * moto creates stacks synchronously and (see moto-notes.md) may omit outputs
 * after a change-set deploy: the assertions stay within what moto shows;
 * rollbacks, events and waits are covered by the mocked sequences.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, motoAvailable, startMoto } from '../../../core/testing/moto.js';
import { runBundledAction } from '../../lib/testing/run-action.js';
import { TEMPLATE, templateFile } from './run-main.js';

const SCRIPT = 'actions/deploy-stack/dist/index.js';

describe('bundled action: bad input', () => {
  it('fails with the message and a non-zero exit, before any AWS call', async () => {
    const run = await runBundledAction({
      script: SCRIPT,
      inputs: { name: 'not_a_stack', template: 'cloudformation/none.yaml' },
      // An endpoint nothing listens on: a call would show up as a network error.
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input "name": "not_a_stack" is not valid. Accepted: a CloudFormation stack name',
    );
  });
});

const haveMoto = motoAvailable();

describe.skipIf(!haveMoto)('bundled action against moto', () => {
  let moto: MotoServer;
  let template: string;
  beforeAll(async () => {
    moto = await startMoto();
    template = templateFile(TEMPLATE);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  const deployRun = (inputs: Record<string, string>) =>
    runBundledAction({
      script: SCRIPT,
      inputs: { name: 'mcfpipe-test-jobs', template, ...inputs },
      env: moto.env,
      timeoutMs: 30_000,
    });

  it('creates the stack, then finds a second identical run a no-op', async () => {
    const first = await deployRun({ parameters: 'Retention=345600' });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({
      'stack-status': 'CREATE_COMPLETE',
      changed: 'true',
      'change-set-id': '',
    });
    expect(first.outputs['stack-id']).toMatch(
      /^arn:aws:cloudformation:us-east-1:\d{12}:stack\/mcfpipe-test-jobs\//,
    );
    expect(first.outputs.QueueUrl).toMatch(/\/mcfpipe-test-jobs-dev$/);
    expect(first.outputs.TopicArn).toMatch(
      /^arn:aws:sns:us-east-1:\d{12}:mcfpipe-test-jobs-Topic-/,
    );
    expect(first.stdout).toMatch(
      /mcfpipe-test-jobs\s+AWS::CloudFormation::Stack\s+CREATE_COMPLETE/,
    );
    expect(first.summary).toContain('## deploy-stack: <code>mcfpipe-test-jobs</code>: created');
    expect(first.summary).toContain('| `QueueUrl` |');

    const second = await deployRun({ parameters: 'Retention=345600' });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      changed: 'false',
      'stack-id': first.outputs['stack-id'],
      'stack-status': 'CREATE_COMPLETE',
      QueueUrl: first.outputs.QueueUrl,
    });
    expect(second.stdout).toContain(
      'No changes to stack mcfpipe-test-jobs: the deployed template, parameters and settings are the same.',
    );
    expect(second.summary).toContain(': no changes');
  });

  it('plans a change without executing it, then deploys it through a change set', async () => {
    const changed = templateFile(
      TEMPLATE.replace(
        'Type: AWS::SNS::Topic',
        'Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: Alerts',
      ),
    );
    const plan = await runBundledAction({
      script: SCRIPT,
      inputs: { name: 'mcfpipe-test-jobs', template: changed, mode: 'plan' },
      env: moto.env,
    });
    expect(plan.exitCode).toBe(0);
    expect(plan.outputs.changed).toBe('true');
    expect(plan.summary).toContain('Planned changes');
    expect(plan.summary).toMatch(/\| Modify \| `Topic` \| AWS::SNS::Topic \|/);

    const cfn = new CloudFormationClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const before = (await cfn.send(new DescribeStacksCommand({ StackName: 'mcfpipe-test-jobs' })))
      .Stacks![0]!;
    expect(before.StackStatus).toBe('CREATE_COMPLETE');

    const update = await runBundledAction({
      script: SCRIPT,
      inputs: { name: 'mcfpipe-test-jobs', template: changed },
      env: moto.env,
    });
    expect(update.exitCode).toBe(0);
    expect(update.outputs).toMatchObject({ changed: 'true', 'stack-status': 'UPDATE_COMPLETE' });
    expect(update.outputs['change-set-id']).toMatch(/:changeSet\/mcfpipe-4242-1\//);
    expect(update.stdout).toContain('Executing change set mcfpipe-4242-1.');
    cfn.destroy();
  });

  it('rejects an unknown parameter and leaves AWS untouched', async () => {
    const run = await runBundledAction({
      script: SCRIPT,
      inputs: {
        name: 'mcfpipe-test-other',
        template,
        parameters: 'Retention=60\nEnvironment=prod',
      },
      env: moto.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('declares no parameter Environment');
    const cfn = new CloudFormationClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await expect(
      cfn.send(new DescribeStacksCommand({ StackName: 'mcfpipe-test-other' })),
    ).rejects.toThrow('does not exist');
    cfn.destroy();
  });
});
