/**
 * deploy-stack's main with @actions/core mocked (core-mock.ts): inputs in;
 * outputs, the failure, masks and the summary as the step leaves them.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runAction } from '../../lib/run.js';
import { stackId } from '../../lib/testing/cfn-fixtures.js';
import { step } from '../../lib/testing/core-mock.js';
import { main } from '../src/action.js';
import { operationEvents, outputs, ScriptedStack, testContext } from './fake-cloudformation.js';
import { TEMPLATE, templateFile } from './run-main.js';

vi.mock('@actions/core', () => import('../../lib/testing/core-mock.js'));

const cfnMock = mockClient(CloudFormationClient);
beforeEach(() => cfnMock.reset());
const NAME = 'mcfpipe-dev-jobs';

describe('deploy-stack main (mocked @actions/core)', () => {
  it('creates a stack: outputs set, the NoEcho value masked, the summary written', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'CREATE', [['Queue', 'AWS::SQS::Queue']]);
    s.next(
      {},
      { status: 'CREATE_IN_PROGRESS', events: ev.start },
      {
        status: 'CREATE_COMPLETE',
        events: ev.finish,
        extra: { Outputs: outputs({ QueueUrl: 'https://sqs/q', TopicArn: 'arn:t' }) },
      },
    );
    cfnMock.on(CreateStackCommand).resolves({ StackId: stackId(NAME) });
    step.reset({
      name: NAME,
      template: templateFile(TEMPLATE),
      parameters: 'Retention=345600\nApiKey=s3cr3t-value',
    });
    await runAction(() => main(() => testContext().ctx));
    expect(step.failed).toBeUndefined();
    expect(step.masks).toContain('s3cr3t-value');
    expect(step.outputs).toMatchObject({
      QueueUrl: 'https://sqs/q',
      'stack-status': 'CREATE_COMPLETE',
      changed: 'true',
    });
    expect(step.summary).toContain('## deploy-stack: <code>mcfpipe-dev-jobs</code>: created');
  });

  it('drift mode: outputs say in sync', async () => {
    new ScriptedStack(cfnMock, NAME).next({ status: 'UPDATE_COMPLETE' });
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
    cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'd' });
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves({
      StackId: stackId(NAME),
      StackDriftDetectionId: 'd',
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: 'IN_SYNC',
      Timestamp: new Date(),
    });
    cfnMock.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [] });
    step.reset({ name: NAME, mode: 'drift' });
    await runAction(() => main(() => testContext().ctx));
    expect(step.failed).toBeUndefined();
    expect(step.outputs).toMatchObject({ 'drift-status': 'IN_SYNC', 'drifted-resources': '0' });
    expect(step.summary).toContain('drift in sync');
  });

  it('bad input fails the step with the message, before any AWS call', async () => {
    step.reset({ name: NAME, mode: 'apply' });
    await runAction(() => main(() => testContext().ctx));
    expect(step.failed).toBe(
      'Input "mode": "apply" is not valid. Accepted: one of deploy, plan, drift.',
    );
    expect(cfnMock.calls()).toHaveLength(0);
    expect(step.outputs).toEqual({});
  });
});
