import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cfnError,
  failedCreateEvents,
  RETENTION_FAILURE,
  stackEvent,
  stackId,
  throttled,
} from '../../lib/testing/cfn-fixtures.js';
import {
  operationEvents,
  outputs,
  params,
  ScriptedStack,
  testContext,
} from './fake-cloudformation.js';
import { runStep, TEMPLATE, templateFile } from './run-main.js';

const cfnMock = mockClient(CloudFormationClient);
const NAME = 'mcfpipe-dev-jobs';
const ID = stackId(NAME);
const CS_ARN = (name: string) =>
  `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${name}/0f3c1d2e-1111-2222-3333-444455556666`;
const RESOURCES: Array<[string, string]> = [
  ['Queue', 'AWS::SQS::Queue'],
  ['Topic', 'AWS::SNS::Topic'],
];
const OUTPUTS = outputs({
  QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/mcfpipe-dev-jobs-dev',
  TopicArn: 'arn:aws:sns:us-east-1:123456789012:mcfpipe-dev-jobs-Topic-1ABC',
});
const CURRENT = params({ Env: 'dev', ApiKey: '****', Retention: '345600' });

beforeEach(() => cfnMock.reset());

/** Names of the commands sent, in order. */
function sent(): string[] {
  return cfnMock.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
}

function changeSetAnswers(changes: unknown[], status = 'CREATE_COMPLETE', reason?: string) {
  cfnMock.on(CreateChangeSetCommand).callsFake(({ ChangeSetName }) => ({
    Id: CS_ARN(ChangeSetName),
    StackId: ID,
  }));
  cfnMock
    .on(DescribeChangeSetCommand)
    .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
    .resolves({
      Status: status as 'CREATE_COMPLETE',
      ...(reason && { StatusReason: reason }),
      ExecutionStatus: status === 'FAILED' ? 'UNAVAILABLE' : 'AVAILABLE',
      Changes: changes as never,
    });
  cfnMock.on(DeleteChangeSetCommand).resolves({});
}

const ADD_QUEUE = {
  Type: 'Resource',
  ResourceChange: { Action: 'Add', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' },
};

const MODIFY_QUEUE = {
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: 'Queue',
    PhysicalResourceId: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
    ResourceType: 'AWS::SQS::Queue',
    Replacement: 'False',
    Details: [{ Target: { Attribute: 'Properties', Name: 'MessageRetentionPeriod' } }],
  },
};

describe('create', () => {
  it('creates a new stack with every setting, streams its paged events in order, and sets outputs', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'CREATE', RESOURCES);
    s.next(
      {},
      { status: 'CREATE_IN_PROGRESS', events: ev.start },
      {
        status: 'CREATE_COMPLETE',
        events: ev.finish,
        extra: { Outputs: OUTPUTS },
      },
    );
    cfnMock.on(CreateStackCommand).resolves({ StackId: ID });
    const { ctx, lines } = testContext();
    const run = await runStep(
      {
        name: NAME,
        template: templateFile(TEMPLATE),
        parameters: 'Retention=345600\nApiKey=s3cr3t-value',
        tags: 'team=data\nenv=dev',
        'timeout-minutes': '30',
        'termination-protection': 'true',
        'disable-rollback': 'true',
        'notification-arns': 'arn:aws:sns:us-east-1:123456789012:deploys',
        'role-arn': 'arn:aws:iam::123456789012:role/cfn-deployer',
      },
      ctx,
    );
    expect(run.error).toBeUndefined();
    const input = cfnMock.commandCalls(CreateStackCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      StackName: NAME,
      TimeoutInMinutes: 30,
      DisableRollback: true,
      EnableTerminationProtection: true,
      RoleARN: 'arn:aws:iam::123456789012:role/cfn-deployer',
      NotificationARNs: ['arn:aws:sns:us-east-1:123456789012:deploys'],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      Tags: [
        { Key: 'team', Value: 'data' },
        { Key: 'env', Value: 'dev' },
      ],
      ClientRequestToken: 'mcfpipe-4242-1',
    });
    expect(input.TemplateBody).toBe(TEMPLATE);
    // Env is left to its template default on create.
    expect(input.Parameters).toEqual(params({ ApiKey: 's3cr3t-value', Retention: '345600' }));
    // Every event once, oldest first, although served newest first in pages of 3.
    const eventLines = lines.filter((l) => /^\d\d:\d\d:\d\d {2}/.test(l));
    expect(eventLines.map((l) => l.split(/\s+/).slice(1, 4).join(' '))).toEqual([
      `${NAME} AWS::CloudFormation::Stack CREATE_IN_PROGRESS`,
      'Queue AWS::SQS::Queue CREATE_IN_PROGRESS',
      'Topic AWS::SNS::Topic CREATE_IN_PROGRESS',
      'Queue AWS::SQS::Queue CREATE_COMPLETE',
      'Topic AWS::SNS::Topic CREATE_COMPLETE',
      `${NAME} AWS::CloudFormation::Stack CREATE_COMPLETE`,
    ]);
    expect(run.outputs).toMatchObject({
      QueueUrl: OUTPUTS[0]!.OutputValue,
      TopicArn: OUTPUTS[1]!.OutputValue,
      'stack-id': ID,
      'stack-status': 'CREATE_COMPLETE',
      changed: 'true',
      'change-set-id': '',
    });
    expect(JSON.parse(run.outputs['outputs-json']!)).toEqual(OUTPUTS);
    expect(run.stdout).toContain('::add-mask::s3cr3t-value');
    expect(run.summary).toContain('created');
    expect(run.summary).toContain('| Add | `Queue` | AWS::SQS::Queue |');
    expect(run.summary).toContain('| `QueueUrl` |');
  });

  it('fails a failed create with the root cause, not the cancelled resources', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const events = failedCreateEvents(NAME);
    s.next(
      {},
      { status: 'CREATE_IN_PROGRESS', events: events.slice(0, 3) },
      { status: 'ROLLBACK_COMPLETE', events: events.slice(3) },
    );
    cfnMock.on(CreateStackCommand).resolves({ StackId: ID });
    const { ctx } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), parameters: 'Retention=1209601' },
      ctx,
    );
    expect(run.error).toContain(
      `Stack mcfpipe-dev-jobs failed creating: Queue (AWS::SQS::Queue) CREATE_FAILED: ${RETENTION_FAILURE}. The stack is now ROLLBACK_COMPLETE.\n`,
    );
    expect(run.error).toContain('recreate-failed');
    expect(run.outputs['stack-status']).toBe('ROLLBACK_COMPLETE');
    expect(run.summary).toContain('failed');
    expect(run.summary).toContain('| `Queue` | AWS::SQS::Queue | CREATE_FAILED |');
  });
});

describe('create timeout', () => {
  it("lets CloudFormation's own create timeout fire, waits out the rollback, and names it", async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(
      {},
      {
        status: 'CREATE_IN_PROGRESS',
        events: [
          stackEvent(NAME, 0, NAME, 'CREATE_IN_PROGRESS', { reason: 'User Initiated' }),
          stackEvent(NAME, 1, 'Db', 'CREATE_IN_PROGRESS', { type: 'AWS::RDS::DBInstance' }),
        ],
      },
    );
    cfnMock.on(CreateStackCommand).resolves({ StackId: ID });
    const { ctx, clock, lines } = testContext();
    // CloudFormation fails the create at 5 minutes; its rollback outlasts our 2-minute grace.
    const timeline = [
      [5 * 60_000, 'ROLLBACK_IN_PROGRESS'],
      [12 * 60_000, 'ROLLBACK_COMPLETE'],
    ] as const;
    const started = clock.now();
    let stage = 0;
    const sleep = clock.sleep;
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      const [at, status] = timeline[stage] ?? [];
      if (at !== undefined && clock.now() - started >= at) {
        stage++;
        s.next({
          status,
          events:
            status === 'ROLLBACK_IN_PROGRESS'
              ? [
                  stackEvent(NAME, 300, 'Db', 'CREATE_FAILED', {
                    type: 'AWS::RDS::DBInstance',
                    reason: 'Resource creation cancelled',
                  }),
                  stackEvent(NAME, 301, NAME, 'ROLLBACK_IN_PROGRESS', {
                    reason:
                      'Stack creation time exceeded the specified timeout. Rollback requested by user.',
                  }),
                ]
              : [stackEvent(NAME, 720, NAME, 'ROLLBACK_COMPLETE')],
        });
      }
    };
    const run = await runStep(
      {
        name: NAME,
        template: templateFile(TEMPLATE),
        parameters: 'Retention=60',
        'timeout-minutes': '5',
      },
      ctx,
    );
    expect(cfnMock.commandCalls(CreateStackCommand)[0]!.args[0].input.TimeoutInMinutes).toBe(5);
    expect(lines).toContain(
      `Stack ${NAME} is ROLLBACK_IN_PROGRESS; waiting for the rollback to finish.`,
    );
    expect(run.error).toMatch(
      /^Stack mcfpipe-dev-jobs failed creating: mcfpipe-dev-jobs \(AWS::CloudFormation::Stack\) ROLLBACK_IN_PROGRESS: Stack creation time exceeded the specified timeout\. Rollback requested by user\. The stack is now ROLLBACK_COMPLETE\./,
    );
  });
});

describe('update', () => {
  function existing(extra = {}) {
    const history = operationEvents(NAME, -3600, 'CREATE', RESOURCES);
    return {
      status: 'UPDATE_COMPLETE',
      events: [...history.start, ...history.finish],
      extra: { Parameters: CURRENT, Outputs: OUTPUTS, ...extra },
    };
  }

  it('updates through a change set, keeping parameters not given, and shows only the new events', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'UPDATE', [['Queue', 'AWS::SQS::Queue']]);
    s.next(
      existing(),
      { status: 'UPDATE_IN_PROGRESS', events: ev.start },
      {
        status: 'UPDATE_COMPLETE',
        events: ev.finish,
      },
    );
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old template' });
    changeSetAnswers([MODIFY_QUEUE]);
    cfnMock.on(ExecuteChangeSetCommand).resolves({});
    const { ctx, lines } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), parameters: 'Retention=86400' },
      ctx,
    );
    expect(run.error).toBeUndefined();
    const cs = cfnMock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(cs).toMatchObject({
      StackName: NAME,
      ChangeSetName: 'mcfpipe-4242-1',
      ChangeSetType: 'UPDATE',
      TemplateBody: TEMPLATE,
    });
    expect(cs.Parameters).toEqual([
      { ParameterKey: 'Env', UsePreviousValue: true },
      { ParameterKey: 'ApiKey', UsePreviousValue: true },
      { ParameterKey: 'Retention', ParameterValue: '86400' },
    ]);
    expect(cs.Tags).toBeUndefined();
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input).toMatchObject({
      ChangeSetName: CS_ARN('mcfpipe-4242-1'),
      ClientRequestToken: 'mcfpipe-4242-1',
      DisableRollback: false,
    });
    expect(lines).toContain(
      '  Modify   Queue                     AWS::SQS::Queue  replacement: False  (MessageRetentionPeriod)',
    );
    expect(lines.some((l) => l.includes('CREATE_COMPLETE'))).toBe(false);
    expect(lines.filter((l) => l.includes('UPDATE_'))).toHaveLength(4);
    expect(run.outputs).toMatchObject({
      changed: 'true',
      'stack-status': 'UPDATE_COMPLETE',
      'change-set-id': CS_ARN('mcfpipe-4242-1'),
      QueueUrl: OUTPUTS[0]!.OutputValue,
    });
    expect(run.summary).toContain(
      '| Modify | `Queue` | AWS::SQS::Queue | False | MessageRetentionPeriod |',
    );
  });

  it('reports the root cause of an update that rolled back', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(
      existing(),
      {
        status: 'UPDATE_IN_PROGRESS',
        events: [
          stackEvent(NAME, 0, NAME, 'UPDATE_IN_PROGRESS', { reason: 'User Initiated' }),
          stackEvent(NAME, 1, 'Queue', 'UPDATE_IN_PROGRESS'),
          stackEvent(NAME, 1, 'Topic', 'UPDATE_IN_PROGRESS', { type: 'AWS::SNS::Topic' }),
        ],
      },
      {
        status: 'UPDATE_ROLLBACK_IN_PROGRESS',
        events: [
          stackEvent(NAME, 2, 'Topic', 'UPDATE_FAILED', {
            type: 'AWS::SNS::Topic',
            reason: 'Resource update cancelled',
          }),
          stackEvent(NAME, 3, 'Queue', 'UPDATE_FAILED', {
            reason:
              'mcfpipe-dev-jobs-dev already exists in stack arn:aws:cloudformation:us-east-1:123456789012:stack/other/1',
          }),
          stackEvent(NAME, 4, NAME, 'UPDATE_ROLLBACK_IN_PROGRESS', {
            reason: 'The following resource(s) failed to update: [Queue, Topic].',
          }),
        ],
      },
      {
        status: 'UPDATE_ROLLBACK_COMPLETE',
        events: [
          stackEvent(NAME, 8, 'Queue', 'UPDATE_COMPLETE'),
          stackEvent(NAME, 9, NAME, 'UPDATE_ROLLBACK_COMPLETE'),
        ],
      },
    );
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old template' });
    changeSetAnswers([MODIFY_QUEUE]);
    cfnMock.on(ExecuteChangeSetCommand).resolves({});
    const { ctx } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toBe(
      'Stack mcfpipe-dev-jobs failed updating: Queue (AWS::SQS::Queue) UPDATE_FAILED: mcfpipe-dev-jobs-dev already exists in stack arn:aws:cloudformation:us-east-1:123456789012:stack/other/1. The stack is now UPDATE_ROLLBACK_COMPLETE.\nThe stack is back on its previous version. Fix the cause and run again.',
    );
    expect(run.outputs['stack-status']).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(run.summary).toContain('Resource update cancelled');
  });

  it('treats an empty change set as success, deleting it; fail-on-empty makes it a failure', async () => {
    for (const failOnEmpty of ['false', 'true']) {
      cfnMock.reset();
      const s = new ScriptedStack(cfnMock, NAME);
      s.next(existing());
      // Only a comment changed: the text differs, CloudFormation finds nothing to do.
      cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: `# old comment\n${TEMPLATE}` });
      changeSetAnswers(
        [],
        'FAILED',
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      );
      const { ctx } = testContext();
      const run = await runStep(
        { name: NAME, template: templateFile(TEMPLATE), 'fail-on-empty': failOnEmpty },
        ctx,
      );
      expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
      expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
      expect(run.outputs).toMatchObject({ changed: 'false', 'stack-status': 'UPDATE_COMPLETE' });
      expect(run.outputs.QueueUrl).toBe(OUTPUTS[0]!.OutputValue);
      if (failOnEmpty === 'true') {
        expect(run.error).toMatch(/No changes to stack mcfpipe-dev-jobs.*fail-on-empty is true/);
      } else {
        expect(run.error).toBeUndefined();
      }
    }
  });

  it('detects an exact no-op without a change set, in at most 3 AWS calls', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing({ Tags: [{ Key: 'team', Value: 'data' }] }));
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
    const { ctx } = testContext();
    const run = await runStep(
      {
        name: NAME,
        template: templateFile(TEMPLATE),
        parameters: 'Retention=345600\nEnv=dev',
        tags: 'team=data',
      },
      ctx,
    );
    expect(run.error).toBeUndefined();
    // The benchmark of the issue: AWS calls for a no-op deploy of an existing stack
    // (at most 3; exactly these 2: DescribeStacks, then GetTemplate to compare the text).
    expect(sent()).toEqual(['DescribeStacks', 'GetTemplate']);
    expect(run.outputs).toMatchObject({
      changed: 'false',
      'change-set-id': '',
      'stack-id': ID,
      QueueUrl: OUTPUTS[0]!.OutputValue,
    });
    expect(run.summary).toContain('no changes');
  });

  it('goes through a change set when a value cannot be compared exactly (NoEcho) or differs', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing());
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
    changeSetAnswers([], 'FAILED', 'No updates are to be performed.');
    const { ctx, lines } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), parameters: 'ApiKey=same-or-not' },
      ctx,
    );
    expect(run.error).toBeUndefined();
    expect(lines).toContain(
      'Creating a change set: parameter ApiKey is NoEcho (its value cannot be compared).',
    );
    expect(cfnMock.commandCalls(GetTemplateCommand)).toHaveLength(0);
    expect(run.outputs.changed).toBe('false');
  });

  it('names every difference it found, not only the first', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing({ Tags: [{ Key: 'team', Value: 'data' }] }));
    changeSetAnswers([MODIFY_QUEUE]);
    const { ctx, lines } = testContext();
    await runStep(
      {
        name: NAME,
        template: templateFile(TEMPLATE),
        mode: 'plan',
        parameters: 'ApiKey=new-key\nEnv=prod\nRetention=345600',
        tags: 'team=platform',
        'role-arn': 'arn:aws:iam::123456789012:role/cfn-deployer',
      },
      ctx,
    );
    expect(lines).toContain(
      'Creating a change set: parameter ApiKey is NoEcho (its value cannot be compared); parameter Env changes; the tags change; the role changes.',
    );
  });

  it('goes through a change set when the same text can deploy differently (an included snippet, a module)', async () => {
    const included = TEMPLATE.replace(
      '  Topic:\n    Type: AWS::SNS::Topic\n',
      "  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      'Fn::Transform':\n        Name: AWS::Include\n        Parameters: {Location: 's3://snippets/topic.yaml'}\n",
    );
    const moduled = `${TEMPLATE.replace('Outputs:', '  Bucket:\n    Type: Org::Storage::Bucket::MODULE\nOutputs:')}`;
    for (const [text, reason] of [
      [included, 'Topic uses Fn::Transform'],
      [moduled, 'it uses a module (Bucket)'],
    ] as const) {
      cfnMock.reset();
      const s = new ScriptedStack(cfnMock, NAME);
      s.next(existing());
      cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: text });
      changeSetAnswers([MODIFY_QUEUE]);
      cfnMock.on(ExecuteChangeSetCommand).resolves({});
      const { ctx, lines } = testContext();
      await runStep({ name: NAME, template: templateFile(text), mode: 'plan' }, ctx);
      expect(lines).toContain(`Creating a change set: ${reason}.`);
      expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
    }
  });

  it('turns termination protection on when asked, even when nothing else changes', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing({ EnableTerminationProtection: false }));
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
    cfnMock.on(UpdateTerminationProtectionCommand).resolves({});
    const { ctx } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), 'termination-protection': 'true' },
      ctx,
    );
    expect(run.error).toBeUndefined();
    expect(cfnMock.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input).toEqual({
      StackName: ID,
      EnableTerminationProtection: true,
    });
    expect(run.outputs.changed).toBe('true');
  });

  it('in plan mode reports a termination-protection change without making it', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing({ EnableTerminationProtection: false }));
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
    const { ctx, lines } = testContext();
    const run = await runStep(
      {
        name: NAME,
        template: templateFile(TEMPLATE),
        'termination-protection': 'true',
        mode: 'plan',
      },
      ctx,
    );
    expect(run.error).toBeUndefined();
    expect(cfnMock.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    expect(run.outputs.changed).toBe('true');
    expect(lines).toContain(
      `No changes to stack ${NAME}: the deployed template, parameters and settings are the same. A deploy would turn termination protection on.`,
    );
  });

  it('deletes a change set CloudFormation rejects and shows the reason', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing());
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    changeSetAnswers(
      [],
      'FAILED',
      'Template error: instance of Fn::GetAtt references undefined resource Missing',
    );
    const { ctx } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toBe(
      'CloudFormation rejected the change set for stack mcfpipe-dev-jobs: Template error: instance of Fn::GetAtt references undefined resource Missing\nNothing was changed; the failed change set was deleted. Fix the template or inputs and run again.',
    );
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('waits for a stack busy with another operation, then deploys', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const theirs = operationEvents(NAME, -30, 'UPDATE', [['Topic', 'AWS::SNS::Topic']]);
    const ours = operationEvents(NAME, 60, 'UPDATE', [['Queue', 'AWS::SQS::Queue']]);
    s.next(
      { ...existing(), status: 'UPDATE_IN_PROGRESS', events: theirs.start },
      { status: 'UPDATE_IN_PROGRESS' },
      { status: 'UPDATE_COMPLETE', events: theirs.finish },
      { status: 'UPDATE_IN_PROGRESS', events: ours.start },
      { status: 'UPDATE_COMPLETE', events: ours.finish },
    );
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    changeSetAnswers([MODIFY_QUEUE]);
    cfnMock.on(ExecuteChangeSetCommand).resolves({});
    const { ctx, lines } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toBeUndefined();
    expect(lines[0]).toMatch(/^Stack mcfpipe-dev-jobs is busy \(UPDATE_IN_PROGRESS\).*Waiting/);
    // Their operation's end is shown, then ours; the change set came after their update finished.
    const order = sent();
    expect(order.indexOf('CreateChangeSet')).toBeGreaterThan(
      order.lastIndexOf('DescribeStacks', 3),
    );
    expect(lines.filter((l) => / Topic .*UPDATE_COMPLETE/.test(l))).toHaveLength(1);
    expect(run.outputs['stack-status']).toBe('UPDATE_COMPLETE');
  });

  it('gives up waiting for a busy stack at timeout-minutes, changing nothing', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next({ ...existing(), status: 'UPDATE_IN_PROGRESS' });
    const { ctx } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), 'timeout-minutes': '2' },
      ctx,
    );
    expect(run.error).toBe(
      `Stack ${NAME} is still UPDATE_IN_PROGRESS after 2m: another operation holds it, and nothing was deployed.\nRun again when it has finished. To keep workflow runs from overlapping, give the deploy job a concurrency group (concurrency: deploy-\${{ inputs.env }}).`,
    );
    expect(new Set(sent())).toEqual(new Set(['DescribeStacks', 'DescribeStackEvents']));
    expect(run.outputs).toMatchObject({ 'stack-status': 'UPDATE_IN_PROGRESS', 'stack-id': ID });
  });

  it('fails at once on UPDATE_ROLLBACK_FAILED with the cause and how to continue the rollback', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next({
      status: 'UPDATE_ROLLBACK_FAILED',
      events: [
        stackEvent(NAME, 0, NAME, 'UPDATE_IN_PROGRESS'),
        stackEvent(NAME, 2, 'Queue', 'UPDATE_FAILED', {
          reason: 'Access denied for SetQueueAttributes',
        }),
        stackEvent(NAME, 3, NAME, 'UPDATE_ROLLBACK_IN_PROGRESS'),
        stackEvent(NAME, 5, 'Queue', 'UPDATE_FAILED', {
          reason: 'Queue was deleted outside CloudFormation',
        }),
        stackEvent(NAME, 6, NAME, 'UPDATE_ROLLBACK_FAILED'),
      ],
      extra: { LastUpdatedTime: new Date(Date.UTC(2024, 4, 1, 11, 59, 0)) },
    });
    const { ctx, clock } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toContain(
      'Stack mcfpipe-dev-jobs is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback',
    );
    expect(run.error).toContain(
      'Root cause: Queue (AWS::SQS::Queue) UPDATE_FAILED: Access denied for SetQueueAttributes',
    );
    expect(run.error).toContain(
      'aws cloudformation continue-update-rollback --stack-name mcfpipe-dev-jobs',
    );
    expect(run.error).toContain('Continue update rollback');
    expect(run.summary).toContain('## deploy-stack: <code>mcfpipe-dev-jobs</code>: failed');
    expect(run.summary).toContain('> Fix what blocks the rollback');
    expect(new Set(sent())).toEqual(new Set(['DescribeStacks', 'DescribeStackEvents']));
    expect(clock.sleeps).toEqual([]);
    // A later step can act on the state (e.g. continue the rollback).
    expect(run.outputs).toMatchObject({ 'stack-status': 'UPDATE_ROLLBACK_FAILED', 'stack-id': ID });
    expect(run.summary).toContain('[Open the stack in the CloudFormation console]');
  });

  it('cancels an update that outlives timeout-minutes and fails with that message', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing(), {
      status: 'UPDATE_IN_PROGRESS',
      events: [
        stackEvent(NAME, 0, NAME, 'UPDATE_IN_PROGRESS', { reason: 'User Initiated' }),
        stackEvent(NAME, 1, 'Database', 'UPDATE_IN_PROGRESS', { type: 'AWS::RDS::DBInstance' }),
      ],
    });
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    changeSetAnswers([MODIFY_QUEUE]);
    cfnMock.on(ExecuteChangeSetCommand).resolves({});
    cfnMock.on(CancelUpdateStackCommand).callsFake(() => {
      s.next(
        {
          status: 'UPDATE_ROLLBACK_IN_PROGRESS',
          events: [
            stackEvent(NAME, 700, NAME, 'UPDATE_ROLLBACK_IN_PROGRESS', {
              reason: 'Stack update cancelled',
            }),
          ],
        },
        {
          status: 'UPDATE_ROLLBACK_COMPLETE',
          events: [stackEvent(NAME, 760, NAME, 'UPDATE_ROLLBACK_COMPLETE')],
        },
      );
      return {};
    });
    const { ctx, clock, warnings } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), 'timeout-minutes': '10' },
      ctx,
    );
    expect(cfnMock.commandCalls(CancelUpdateStackCommand)).toHaveLength(1);
    expect(run.error).toBe(
      'Stack mcfpipe-dev-jobs did not finish updating within 10 minutes (timeout-minutes), so the update was cancelled. Still in progress: Database (AWS::RDS::DBInstance). The stack is now UPDATE_ROLLBACK_COMPLETE, back on its previous version.\nRaise timeout-minutes if the update needs longer, or find out why the resource above is slow in the CloudFormation console.',
    );
    expect(warnings[0]).toMatch(/did not finish updating within 10 minutes.*cancelling/);
    expect(run.outputs['stack-status']).toBe('UPDATE_ROLLBACK_COMPLETE');
    // The deadline is kept: no poll sleeps past 10 minutes before the cancel.
    const beforeCancel = clock.sleeps.slice(0, clock.sleeps.length - 2);
    expect(beforeCancel.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10 * 60_000 + 1000);
  });

  it('rides out throttled status polls, and leaves retrying each call to its client', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'UPDATE', [['Queue', 'AWS::SQS::Queue']]);
    s.next(
      existing(),
      { status: 'UPDATE_IN_PROGRESS', events: ev.start },
      { error: throttled() },
      { error: throttled() },
      { status: 'UPDATE_COMPLETE', events: ev.finish },
    );
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    changeSetAnswers([MODIFY_QUEUE]);
    cfnMock.on(ExecuteChangeSetCommand).resolves({});
    const { ctx, lines } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toBeUndefined();
    expect(run.outputs['stack-status']).toBe('UPDATE_COMPLETE');
    expect(lines.filter((l) => /AWS is throttling; polling/.test(l))).toHaveLength(2);

    // A call that still fails after its client's retries (core/aws-retry.ts) is not sent again here.
    cfnMock.reset();
    new ScriptedStack(cfnMock, NAME).next(existing());
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    cfnMock.on(CreateChangeSetCommand).rejects(throttled());
    const failed = await runStep(
      { name: NAME, template: templateFile(TEMPLATE) },
      testContext().ctx,
    );
    expect(failed.error).toMatch(/^AWS kept throttling/);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });

  it('waits and starts over when another run gets in between, under a new change-set name', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 100, 'UPDATE', [['Queue', 'AWS::SQS::Queue']]);
    s.next(
      existing(),
      { status: 'UPDATE_IN_PROGRESS' },
      { status: 'UPDATE_COMPLETE' },
      { status: 'UPDATE_IN_PROGRESS', events: ev.start },
      { status: 'UPDATE_COMPLETE', events: ev.finish },
    );
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    changeSetAnswers([MODIFY_QUEUE]);
    cfnMock
      .on(ExecuteChangeSetCommand)
      .rejectsOnce(
        cfnError(
          'ValidationError',
          `Stack:${ID} is in UPDATE_IN_PROGRESS state and can not be updated.`,
        ),
      )
      .resolves({});
    const { ctx, warnings } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toBeUndefined();
    expect(warnings[0]).toMatch(/Another operation on stack mcfpipe-dev-jobs got in between/);
    const names = cfnMock
      .commandCalls(CreateChangeSetCommand)
      .map((c) => c.args[0].input.ChangeSetName);
    expect(names).toEqual(['mcfpipe-4242-1', 'mcfpipe-4242-1-2']);
    // The change set that could not run was not left behind.
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)[0]!.args[0].input.ChangeSetName).toBe(
      CS_ARN('mcfpipe-4242-1'),
    );
    expect(run.outputs['change-set-id']).toBe(CS_ARN('mcfpipe-4242-1-2'));
  });

  it('fails with a clear message when other operations keep getting in between', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next(existing());
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    changeSetAnswers([MODIFY_QUEUE]);
    cfnMock
      .on(ExecuteChangeSetCommand)
      .rejects(
        cfnError(
          'ValidationError',
          `Stack:${ID} is in UPDATE_IN_PROGRESS state and can not be updated.`,
        ),
      );
    const { ctx } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE) }, ctx);
    expect(run.error).toBe(
      `Stack ${NAME}: another operation got in between 3 times, so nothing was deployed. Last answer from CloudFormation: Stack:${ID} is in UPDATE_IN_PROGRESS state and can not be updated.\nAnother workflow run or a person keeps changing this stack. Give the deploy jobs of a stack one concurrency group (concurrency: deploy-<env>), then run again.`,
    );
    // Each try's change set was deleted, none left behind.
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(3);
  });
});

describe('stack states', () => {
  it('deletes a ROLLBACK_COMPLETE stack (protection off first) and creates it again', async () => {
    const newId = stackId(NAME, 'new-uuid');
    const s = new ScriptedStack(cfnMock, NAME);
    const created = operationEvents(NAME, 600, 'CREATE', RESOURCES, newId);
    s.next(
      {
        status: 'ROLLBACK_COMPLETE',
        events: [
          stackEvent(NAME, 0, NAME, 'CREATE_IN_PROGRESS'),
          stackEvent(NAME, 2, 'Queue', 'CREATE_FAILED', {
            reason: 'Invalid MessageRetentionPeriod',
          }),
          stackEvent(NAME, 3, NAME, 'ROLLBACK_IN_PROGRESS'),
          stackEvent(NAME, 5, NAME, 'ROLLBACK_COMPLETE'),
        ],
        extra: { EnableTerminationProtection: true },
      },
      { status: 'DELETE_IN_PROGRESS', events: [stackEvent(NAME, 300, NAME, 'DELETE_IN_PROGRESS')] },
      { status: 'DELETE_COMPLETE', events: [stackEvent(NAME, 310, NAME, 'DELETE_COMPLETE')] },
      { status: 'CREATE_IN_PROGRESS', events: created.start, extra: { StackId: newId } },
      { status: 'CREATE_COMPLETE', events: created.finish, extra: { Outputs: OUTPUTS } },
    );
    cfnMock.on(UpdateTerminationProtectionCommand).resolves({});
    cfnMock.on(DeleteStackCommand).resolves({});
    cfnMock.on(CreateStackCommand).resolves({ StackId: newId });
    const { ctx, warnings } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(TEMPLATE), parameters: 'Retention=86400' },
      ctx,
    );
    expect(run.error).toBeUndefined();
    expect(warnings[0]).toContain(
      'Root cause: Queue (AWS::SQS::Queue) CREATE_FAILED: Invalid MessageRetentionPeriod.',
    );
    const order = sent().filter((c) => !c.startsWith('Describe'));
    expect(order).toEqual(['UpdateTerminationProtection', 'DeleteStack', 'CreateStack']);
    expect(cfnMock.commandCalls(DeleteStackCommand)[0]!.args[0].input.StackName).toBe(ID);
    expect(run.outputs).toMatchObject({ 'stack-id': newId, 'stack-status': 'CREATE_COMPLETE' });
    expect(run.summary).toContain('re-created');
  });

  it('leaves a ROLLBACK_COMPLETE stack alone when recreate-failed is off, saying what to do', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next({
      status: 'ROLLBACK_COMPLETE',
      extra: { StackStatusReason: 'The following resource(s) failed to create: [Queue].' },
    });
    const { ctx } = testContext();
    const run = await runStep(
      {
        name: NAME,
        template: templateFile(TEMPLATE),
        'recreate-failed': 'false',
        parameters: 'Retention=60',
      },
      ctx,
    );
    expect(run.error).toContain('is ROLLBACK_COMPLETE: its first create failed');
    expect(run.error).toContain('aws cloudformation delete-stack --stack-name mcfpipe-dev-jobs');
    expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('creates a REVIEW_IN_PROGRESS stack through a CREATE change set', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'CREATE', RESOURCES);
    s.next(
      { status: 'REVIEW_IN_PROGRESS', events: [stackEvent(NAME, -60, NAME, 'REVIEW_IN_PROGRESS')] },
      { status: 'CREATE_IN_PROGRESS', events: ev.start },
      { status: 'CREATE_COMPLETE', events: ev.finish, extra: { Outputs: OUTPUTS } },
    );
    changeSetAnswers([ADD_QUEUE]);
    cfnMock.on(ExecuteChangeSetCommand).resolves({});
    const { ctx } = testContext();
    const run = await runStep(
      {
        name: NAME,
        template: templateFile(TEMPLATE),
        parameters: 'Retention=60',
        'disable-rollback': 'true',
      },
      ctx,
    );
    expect(run.error).toBeUndefined();
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).toBe(
      'CREATE',
    );
    // disable-rollback reaches a create through the change set's OnStackFailure.
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.OnStackFailure).toBe(
      'DO_NOTHING',
    );
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input.DisableRollback).toBe(
      undefined,
    );
    expect(cfnMock.commandCalls(CreateStackCommand)).toHaveLength(0);
    expect(run.outputs['stack-status']).toBe('CREATE_COMPLETE');
  });
});

describe('plan', () => {
  it('describes every page of the change set, executes nothing and deletes it', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    s.next({ status: 'UPDATE_COMPLETE', extra: { Parameters: CURRENT } });
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    changeSetAnswers([]);
    const replaceTopic = {
      Type: 'Resource',
      ResourceChange: {
        Action: 'Modify',
        LogicalResourceId: 'Topic',
        ResourceType: 'AWS::SNS::Topic',
        Replacement: 'True',
        Details: [
          { Target: { Attribute: 'Properties', Name: 'TopicName', RequiresRecreation: 'Always' } },
        ],
      },
    };
    const removeOld = {
      Type: 'Resource',
      ResourceChange: {
        Action: 'Remove',
        LogicalResourceId: 'OldQueue',
        ResourceType: 'AWS::SQS::Queue',
      },
    };
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
      .resolvesOnce({
        Status: 'CREATE_COMPLETE',
        Changes: [MODIFY_QUEUE] as never,
        NextToken: 'p2',
      })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: [replaceTopic, removeOld] as never });
    const { ctx } = testContext();
    const run = await runStep({ name: NAME, template: templateFile(TEMPLATE), mode: 'plan' }, ctx);
    expect(run.error).toBeUndefined();
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)[2]!.args[0].input.NextToken).toBe('p2');
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(run.outputs).toMatchObject({ changed: 'true', 'change-set-id': '' });
    expect(run.summary).toContain('Planned changes (3)');
    expect(run.summary).toContain('| Modify | `Topic` | AWS::SNS::Topic | True | TopicName |');
    expect(run.summary).toContain('| Remove | `OldQueue` | AWS::SQS::Queue |  |  |');
  });

  it('plans a new stack and removes the empty stack the change set made; keeps it on request', async () => {
    for (const keep of ['false', 'true']) {
      cfnMock.reset();
      const s = new ScriptedStack(cfnMock, NAME);
      // No stack; then the empty one the CREATE change set made.
      s.next({}, { status: 'REVIEW_IN_PROGRESS' });
      changeSetAnswers([ADD_QUEUE]);
      cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [] });
      cfnMock.on(DeleteStackCommand).resolves({});
      const { ctx } = testContext();
      const run = await runStep(
        {
          name: NAME,
          template: templateFile(TEMPLATE),
          mode: 'plan',
          parameters: 'Retention=60',
          'keep-change-set': keep,
        },
        ctx,
      );
      expect(run.error).toBeUndefined();
      expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).toBe(
        'CREATE',
      );
      const deleted = keep === 'false' ? 1 : 0;
      expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(deleted);
      expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(deleted);
      expect(run.outputs['change-set-id']).toBe(keep === 'true' ? CS_ARN('mcfpipe-4242-1') : '');
      expect(run.summary).toContain('the stack does not exist yet');
    }
  });

  it("leaves the empty stack of a plan alone when another run's change set is on it", async () => {
    // A deploy found the plan's empty stack REVIEW_IN_PROGRESS and put its own
    // CREATE change set on it (or is already executing it): deleting the stack
    // now would destroy that deploy.
    for (const [later, others] of [
      [
        'REVIEW_IN_PROGRESS',
        [
          {
            ChangeSetId: CS_ARN('mcfpipe-77-1'),
            ChangeSetName: 'mcfpipe-77-1',
            Status: 'CREATE_COMPLETE',
          },
        ],
      ],
      ['CREATE_IN_PROGRESS', []],
    ] as const) {
      cfnMock.reset();
      const s = new ScriptedStack(cfnMock, NAME);
      s.next({}, { status: later });
      changeSetAnswers([ADD_QUEUE]);
      cfnMock.on(ListChangeSetsCommand).resolves({
        Summaries: [
          {
            ChangeSetId: CS_ARN('mcfpipe-4242-1'),
            ChangeSetName: 'mcfpipe-4242-1',
            Status: 'DELETE_COMPLETE',
          },
          ...others,
        ] as never,
      });
      cfnMock.on(DeleteStackCommand).resolves({});
      const { ctx, lines } = testContext();
      const run = await runStep(
        { name: NAME, template: templateFile(TEMPLATE), mode: 'plan', parameters: 'Retention=60' },
        ctx,
      );
      expect(run.error).toBeUndefined();
      expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
      expect(cfnMock.commandCalls(DeleteStackCommand), later).toHaveLength(0);
      expect(
        lines.some((l) => l.startsWith(`Leaving`)),
        later,
      ).toBe(true);
    }
  });
});

describe('large templates', () => {
  const s3Mock = mockClient(S3Client);
  const big = `${TEMPLATE}\nMetadata:\n  Padding: '${'x'.repeat(52_000)}'\n`;

  it('uploads a template over 51,200 bytes to the template bucket under a content key', async () => {
    s3Mock.reset();
    s3Mock.on(PutObjectCommand).resolves({});
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'CREATE', RESOURCES);
    s.next({}, { status: 'CREATE_COMPLETE', events: [...ev.start, ...ev.finish] });
    cfnMock.on(CreateStackCommand).resolves({ StackId: ID });
    const { ctx } = testContext();
    ctx.s3 = async () => new S3Client({ region: 'us-east-1' });
    const run = await runStep(
      {
        name: NAME,
        template: templateFile(big),
        parameters: 'Retention=60',
        'template-bucket': 'my-artifacts/cfn',
      },
      ctx,
    );
    expect(run.error).toBeUndefined();
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    const put = s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put.Bucket).toBe('my-artifacts');
    expect(put.Key).toMatch(/^cfn\/mcfpipe-templates\/mcfpipe-dev-jobs\/[0-9a-f]{20}\.yaml$/);
    const input = cfnMock.commandCalls(CreateStackCommand)[0]!.args[0].input;
    expect(input.TemplateBody).toBeUndefined();
    expect(input.TemplateURL).toBe(`https://my-artifacts.s3.us-east-1.amazonaws.com/${put.Key}`);
  });

  it('refuses a large template without a bucket before any AWS call', async () => {
    const { ctx } = testContext();
    const run = await runStep(
      { name: NAME, template: templateFile(big), parameters: 'Retention=60' },
      ctx,
    );
    expect(run.error).toMatch(
      /is 5\d,\d{3} bytes, over CloudFormation's inline limit of 51,200 bytes\.\nSet the "template-bucket" input/,
    );
    expect(cfnMock.calls()).toHaveLength(0);
  });
});

describe('event stream during waits', () => {
  it('asks DescribeStackEvents only for new pages', async () => {
    const s = new ScriptedStack(cfnMock, NAME);
    const ev = operationEvents(NAME, 0, 'CREATE', RESOURCES);
    s.next({}, { status: 'CREATE_COMPLETE', events: [...ev.start, ...ev.finish] });
    cfnMock.on(CreateStackCommand).resolves({ StackId: ID });
    const { ctx } = testContext();
    await runStep(
      { name: NAME, template: templateFile(TEMPLATE), parameters: 'Retention=60' },
      ctx,
    );
    // 6 events in pages of 3: two pages, read once each.
    expect(cfnMock.commandCalls(DescribeStackEventsCommand)).toHaveLength(2);
    expect(cfnMock.commandCalls(DescribeStacksCommand)).toHaveLength(2);
  });
});
