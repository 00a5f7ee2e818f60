import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../core/cfn-template.js';
import { stackId } from '../../lib/testing/cfn-fixtures.js';
import { declaredFromTemplate } from '../src/parameters.js';
import { noEchoOutputs } from '../src/secret-outputs.js';
import { operationEvents, outputs, ScriptedStack, testContext } from './fake-cloudformation.js';
import { runStep, templateFile } from './run-main.js';

const cfnMock = mockClient(CloudFormationClient);
beforeEach(() => cfnMock.reset());

const NAME = 'mcfpipe-dev-api';
const ID = stackId(NAME);

const TEMPLATE = `Parameters:
  DbPassword:
    Type: String
    NoEcho: true
  Env:
    Type: String
    Default: dev
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  TopicArn:
    Value: !Ref Topic
  Password:
    Value: !Ref DbPassword
  ConnectionString:
    Value: !Sub 'postgres://app:\${DbPassword}@db.\${Env}.internal:5432/app'
  Literal:
    Value: !Sub 'costs \${!DbPassword} nothing'
  Joined:
    Value: !Join [':', [!Ref Env, !Select [0, [!Ref DbPassword]]]]
`;

const STACK_OUTPUTS = outputs({
  TopicArn: 'arn:aws:sns:us-east-1:123456789012:topic',
  Password: 'pg-pass-7f3a91',
  ConnectionString: 'postgres://app:pg-pass-7f3a91@db.dev.internal:5432/app',
  Literal: 'costs ${DbPassword} nothing',
  Joined: 'dev:pg-pass-7f3a91',
});

describe('noEchoOutputs', () => {
  it('finds outputs that reference a NoEcho parameter through Ref, Sub and nested functions', () => {
    const template = parseTemplate(TEMPLATE);
    const declared = declaredFromTemplate(
      template.Parameters as Record<string, Record<string, unknown>>,
    );
    expect(noEchoOutputs(template, declared)).toEqual(['Password', 'ConnectionString', 'Joined']);
  });

  it('a variable of Fn::Sub with the same name hides the parameter', () => {
    const template = parseTemplate(`Parameters:
  Token: {Type: String, NoEcho: 'true'}
Resources: {Topic: {Type: AWS::SNS::Topic}}
Outputs:
  Shadowed: {Value: !Sub ['\${Token}', {Token: plain}]}
  Through: {Value: !Sub ['\${X}', {X: !Ref Token}]}
`);
    const declared = declaredFromTemplate(
      template.Parameters as Record<string, Record<string, unknown>>,
    );
    expect(noEchoOutputs(template, declared)).toEqual(['Through']);
  });
});

describe('a NoEcho value returned as a stack output', () => {
  it('is masked before it reaches GITHUB_OUTPUT, and not shown in the summary', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'CREATE', [['Topic', 'AWS::SNS::Topic']]);
    s.next(
      {},
      { status: 'CREATE_IN_PROGRESS', events: ev.start },
      { status: 'CREATE_COMPLETE', events: ev.finish, extra: { Outputs: STACK_OUTPUTS } },
    );
    cfnMock.on(CreateStackCommand).resolves({ StackId: ID });
    const { ctx } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), parameters: 'DbPassword=pg-pass-7f3a91' },
      ctx,
    );
    expect(run.error).toBeUndefined();
    const masks = [...run.stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]);
    expect(masks).toContain('postgres://app:pg-pass-7f3a91@db.dev.internal:5432/app');
    expect(masks).toContain('dev:pg-pass-7f3a91');
    expect(masks).not.toContain('arn:aws:sns:us-east-1:123456789012:topic');
    expect(run.outputs.ConnectionString).toBe(
      'postgres://app:pg-pass-7f3a91@db.dev.internal:5432/app',
    );
    expect(run.summary).not.toContain('pg-pass-7f3a91');
    expect(run.summary).toContain('| `ConnectionString` | (NoEcho value, masked) |');
    expect(run.summary).toContain('| `TopicArn` | arn:aws:sns:us-east-1:123456789012:topic |');
    // The local template said which outputs: no GetTemplate call.
    expect(cfnMock.commandCalls(GetTemplateCommand)).toHaveLength(0);
  });

  it('in drift mode, the deployed template says which outputs to mask', async () => {
    new ScriptedStack(cfnMock, NAME).next({
      status: 'UPDATE_COMPLETE',
      extra: { Outputs: STACK_OUTPUTS },
    });
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
    cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'det-1' });
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves({
      StackId: ID,
      StackDriftDetectionId: 'det-1',
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: 'IN_SYNC',
      Timestamp: new Date(),
    });
    cfnMock.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [] });
    const { ctx, warnings } = testContext();
    const run = await runStep({ name: NAME, mode: 'drift' }, ctx);
    expect(run.error).toBeUndefined();
    expect(cfnMock.commandCalls(GetTemplateCommand)[0]!.args[0].input).toEqual({
      StackName: ID,
      TemplateStage: 'Original',
    });
    const masks = [...run.stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]);
    expect(masks.sort()).toEqual(
      [
        'pg-pass-7f3a91',
        'postgres://app:pg-pass-7f3a91@db.dev.internal:5432/app',
        'dev:pg-pass-7f3a91',
      ].sort(),
    );
    expect(warnings).toEqual([]);
  });

  it('when the template cannot be read, every output is masked, with a warning', async () => {
    new ScriptedStack(cfnMock, NAME).next({
      status: 'UPDATE_COMPLETE',
      extra: { Outputs: STACK_OUTPUTS },
    });
    cfnMock.on(GetTemplateCommand).rejects(new Error('AccessDenied'));
    cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'det-1' });
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves({
      StackId: ID,
      StackDriftDetectionId: 'det-1',
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: 'IN_SYNC',
      Timestamp: new Date(),
    });
    cfnMock.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [] });
    const { ctx, warnings } = testContext();
    const run = await runStep({ name: NAME, mode: 'drift' }, ctx);
    expect(run.error).toBeUndefined();
    const masks = [...run.stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]);
    expect(masks).toHaveLength(STACK_OUTPUTS.length);
    expect(warnings).toEqual([
      `Could not read the template of stack ${NAME} to tell which outputs hold NoEcho values; every output is masked.`,
    ]);
  });
});
