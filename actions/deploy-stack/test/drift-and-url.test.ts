import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cfnError, stackId, throttled } from '../../lib/testing/cfn-fixtures.js';
import { outputs, params, ScriptedStack, testContext } from './fake-cloudformation.js';
import { runStep } from './run-main.js';

const cfnMock = mockClient(CloudFormationClient);
const NAME = 'mcfpipe-dev-network';
const ID = stackId(NAME);

beforeEach(() => cfnMock.reset());

const SG_DRIFT = {
  StackId: ID,
  LogicalResourceId: 'SGHTTP',
  PhysicalResourceId: 'sg-0abc',
  ResourceType: 'AWS::EC2::SecurityGroup',
  StackResourceDriftStatus: 'MODIFIED' as const,
  Timestamp: new Date(),
  PropertyDifferences: [
    {
      PropertyPath: '/SecurityGroupIngress/2',
      ExpectedValue: 'null',
      ActualValue: '{"CidrIp":"0.0.0.0/0","FromPort":22,"IpProtocol":"tcp","ToPort":22}',
      DifferenceType: 'ADD' as const,
    },
  ],
};

function driftAnswers(drifts: unknown[], status = 'DRIFTED') {
  cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'det-1' });
  cfnMock
    .on(DescribeStackDriftDetectionStatusCommand)
    .resolvesOnce({
      StackId: ID,
      StackDriftDetectionId: 'det-1',
      DetectionStatus: 'DETECTION_IN_PROGRESS',
      Timestamp: new Date(),
    })
    .rejectsOnce(throttled())
    .resolves({
      StackId: ID,
      StackDriftDetectionId: 'det-1',
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: status as 'DRIFTED',
      DriftedStackResourceCount: drifts.length,
      Timestamp: new Date(),
    });
  cfnMock
    .on(DescribeStackResourceDriftsCommand)
    .resolvesOnce({ StackResourceDrifts: drifts.slice(0, 1) as never, NextToken: 'n2' })
    .resolves({ StackResourceDrifts: drifts.slice(1) as never });
}

describe('drift mode', () => {
  it('reports drifted resources with their property differences and fails by default', async () => {
    new ScriptedStack(cfnMock, NAME).next({
      status: 'UPDATE_COMPLETE',
      extra: { Outputs: outputs({ VpcId: 'vpc-1' }) },
    });
    const deleted = {
      ...SG_DRIFT,
      LogicalResourceId: 'PrivateRoute',
      ResourceType: 'AWS::EC2::Route',
      StackResourceDriftStatus: 'DELETED' as const,
      PropertyDifferences: [],
    };
    driftAnswers([SG_DRIFT, deleted]);
    const { ctx, lines } = testContext();
    const run = await runStep({ name: NAME, mode: 'drift' }, ctx);
    expect(
      cfnMock.commandCalls(DescribeStackResourceDriftsCommand)[0]!.args[0].input,
    ).toMatchObject({
      StackName: ID,
      StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
    });
    expect(run.error).toMatch(
      /^Stack mcfpipe-dev-network has drifted: 2 resources differ from the template \(PrivateRoute, SGHTTP\)\.\n.*fail-on-drift: false/,
    );
    expect(run.outputs).toMatchObject({
      'drift-status': 'DRIFTED',
      'drifted-resources': '2',
      changed: 'false',
      VpcId: 'vpc-1',
    });
    expect(run.summary).toContain('drift drifted (2 resources)');
    expect(run.summary).toContain(
      '| `SGHTTP` | AWS::EC2::SecurityGroup | MODIFIED (ADD) | `/SecurityGroupIngress/2` | null | {"CidrIp":"0.0.0.0/0","FromPort":22,"IpProtocol":"tcp","ToPort":22} |',
    );
    expect(run.summary).toContain('| `PrivateRoute` | AWS::EC2::Route | DELETED |');
    expect(lines).toContain(
      '      /SecurityGroupIngress/2 ADD: expected null, actual {"CidrIp":"0.0.0.0/0","FromPort":22,"IpProtocol":"tcp","ToPort":22}',
    );
  });

  it('passes an in-sync stack, and a drifted one with fail-on-drift: false', async () => {
    new ScriptedStack(cfnMock, NAME).next({ status: 'CREATE_COMPLETE' });
    driftAnswers([], 'IN_SYNC');
    const { ctx } = testContext();
    const inSync = await runStep({ name: NAME, mode: 'drift' }, ctx);
    expect(inSync.error).toBeUndefined();
    expect(inSync.outputs['drift-status']).toBe('IN_SYNC');
    expect(inSync.summary).toContain('drift in sync');

    cfnMock.reset();
    new ScriptedStack(cfnMock, NAME).next({ status: 'CREATE_COMPLETE' });
    driftAnswers([SG_DRIFT]);
    const tolerated = await runStep({ name: NAME, mode: 'drift', 'fail-on-drift': 'false' }, ctx);
    expect(tolerated.error).toBeUndefined();
    expect(tolerated.outputs['drift-status']).toBe('DRIFTED');
  });

  it('fails clearly for a stack that does not exist', async () => {
    new ScriptedStack(cfnMock, NAME).next({});
    const { ctx } = testContext();
    const run = await runStep({ name: NAME, mode: 'drift' }, ctx);
    expect(run.error).toBe(
      'Stack mcfpipe-dev-network does not exist, so it cannot drift.\nCheck the name and region, or deploy it first (mode: deploy).',
    );
    expect(cfnMock.commandCalls(DetectStackDriftCommand)).toHaveLength(0);
  });
});

describe('URL templates', () => {
  it('reads the declared parameters with GetTemplateSummary and rejects unknown ones before any change', async () => {
    cfnMock.on(GetTemplateSummaryCommand).resolves({
      Parameters: [
        { ParameterKey: 'Env', DefaultValue: 'dev', ParameterType: 'String', NoEcho: false },
        { ParameterKey: 'DbPassword', ParameterType: 'String', NoEcho: true },
      ],
    });
    const { ctx } = testContext();
    const run = await runStep(
      { name: NAME, template: 's3://my-templates/network.yaml', parameters: 'Envv=prod' },
      ctx,
    );
    expect(cfnMock.commandCalls(GetTemplateSummaryCommand)[0]!.args[0].input).toEqual({
      TemplateURL: 'https://my-templates.s3.us-east-1.amazonaws.com/network.yaml',
    });
    expect(run.error).toContain(
      's3://my-templates/network.yaml declares no parameter Envv (did you mean Env?).',
    );
    expect(cfnMock.calls()).toHaveLength(1);
  });

  it('deploys through a change set with TemplateURL (no text to compare) and masks NoEcho values', async () => {
    cfnMock.on(GetTemplateSummaryCommand).resolves({
      Parameters: [{ ParameterKey: 'DbPassword', ParameterType: 'String', NoEcho: true }],
    });
    new ScriptedStack(cfnMock, NAME).next({
      status: 'UPDATE_COMPLETE',
      extra: { Parameters: params({ DbPassword: '****' }) },
    });
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs', StackId: ID });
    cfnMock.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: "The submitted information didn't contain changes.",
    });
    cfnMock.on(DeleteChangeSetCommand).resolves({});
    const { ctx } = testContext();
    const run = await runStep(
      {
        name: NAME,
        template: 'https://example-bucket.s3.ap-southeast-1.amazonaws.com/t/network.yaml',
        parameters: 'DbPassword=hunter2-hunter2',
      },
      ctx,
    );
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain('::add-mask::hunter2-hunter2');
    expect(cfnMock.commandCalls(GetTemplateCommand)).toHaveLength(0);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.TemplateURL).toBe(
      'https://example-bucket.s3.ap-southeast-1.amazonaws.com/t/network.yaml',
    );
    expect(run.outputs.changed).toBe('false');
    expect(cfnMock.commandCalls(GetTemplateSummaryCommand)).toHaveLength(1);
  });

  it("turns s3://BUCKET/KEY into the URL of the stack's region (also in China)", async () => {
    cfnMock.on(GetTemplateSummaryCommand).resolves({ Parameters: [] });
    const { ctx } = testContext();
    ctx.region = 'cn-north-1';
    await runStep(
      { name: NAME, template: 's3://my-templates/a b/network.yaml', parameters: 'X=1' },
      ctx,
    );
    expect(cfnMock.commandCalls(GetTemplateSummaryCommand)[0]!.args[0].input.TemplateURL).toBe(
      'https://my-templates.s3.cn-north-1.amazonaws.com.cn/a%20b/network.yaml',
    );
  });

  it('explains a URL CloudFormation cannot read', async () => {
    cfnMock
      .on(GetTemplateSummaryCommand)
      .rejects(cfnError('ValidationError', 'S3 error: Access Denied'));
    const { ctx } = testContext();
    const run = await runStep({ name: NAME, template: 's3://my-templates/network.yaml' }, ctx);
    expect(run.error).toMatch(
      /^CloudFormation cannot read the template at s3:\/\/my-templates\/network\.yaml: S3 error: Access Denied\nCheck the URL/,
    );
  });
});
