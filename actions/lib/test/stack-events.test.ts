import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  explainFailure,
  findRootCause,
  formatEvent,
  isCascade,
  StackEventStream,
} from '../stack-events.js';
import {
  eventPages,
  failedCreateEvents,
  missingStack,
  stackEvent,
  stackId,
  throttled,
} from '../testing/cfn-fixtures.js';

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'us-east-1' });
const NAME = 'mcfpipe-dev-queue';

beforeEach(() => cfnMock.reset());

const failedCreate = () => failedCreateEvents(NAME);

describe('formatEvent', () => {
  it('shows time, logical id, type, status and reason on one line', () => {
    const line = formatEvent(failedCreate()[3]!);
    expect(line).toMatch(
      /^12:00:03 {2}Queue\s+AWS::SQS::Queue\s+CREATE_FAILED\s+Resource handler returned message: "Value 1209601/,
    );
    expect(formatEvent(failedCreate()[2]!)).toMatch(/CREATE_IN_PROGRESS$/);
  });
});

describe('StackEventStream', () => {
  it('yields every event of a create once, oldest first, across pages', async () => {
    const events = failedCreate();
    const pages = eventPages(events, 4);
    expect(pages).toHaveLength(3);
    cfnMock
      .on(DescribeStackEventsCommand)
      .callsFake(({ NextToken }) => pages[NextToken ? Number(NextToken.slice(5)) : 0]);
    const lines: string[] = [];
    const stream = new StackEventStream(cfn, { stack: NAME, log: (l) => lines.push(l) });
    const got = await stream.poll();
    expect(got.map((e) => e.EventId)).toEqual(events.map((e) => e.EventId));
    expect(lines).toHaveLength(events.length);
    expect(cfnMock.commandCalls(DescribeStackEventsCommand)).toHaveLength(3);
  });

  it('reads only the new events on later polls and stops paging at a known event', async () => {
    const events = failedCreate();
    const stream = new StackEventStream(cfn, { stack: NAME });
    cfnMock.on(DescribeStackEventsCommand).resolvesOnce(eventPages(events.slice(0, 3))[0]!);
    expect(await stream.poll()).toHaveLength(3);

    // Second poll: 3 new events on a first page of 4, which also holds a known one.
    cfnMock.reset();
    cfnMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [...events.slice(0, 6)].reverse().slice(0, 4),
      NextToken: 'more',
    });
    const second = await stream.poll();
    expect(second.map((e) => e.ResourceStatus)).toEqual([
      'CREATE_FAILED',
      'CREATE_FAILED',
      'ROLLBACK_IN_PROGRESS',
    ]);
    expect(cfnMock.commandCalls(DescribeStackEventsCommand)).toHaveLength(1);

    // Nothing new: nothing yielded.
    expect(await stream.poll()).toEqual([]);
    expect(stream.events).toHaveLength(6);
  });

  it('prime() hides the history so only the next operation is shown', async () => {
    const old = [
      stackEvent(NAME, 0, NAME, 'CREATE_IN_PROGRESS'),
      stackEvent(NAME, 5, NAME, 'CREATE_COMPLETE'),
    ];
    const update = [
      stackEvent(NAME, 100, NAME, 'UPDATE_IN_PROGRESS', { reason: 'User Initiated' }),
      stackEvent(NAME, 101, 'Queue', 'UPDATE_IN_PROGRESS'),
    ];
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(eventPages(old)[0]!)
      .resolvesOnce(eventPages([...old, ...update])[0]!);
    const stream = new StackEventStream(cfn, { stack: NAME });
    await stream.prime();
    expect((await stream.poll()).map((e) => e.ResourceStatus)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_IN_PROGRESS',
    ]);
  });

  it('treats a stack that does not exist yet as having no events', async () => {
    cfnMock.on(DescribeStackEventsCommand).rejects(missingStack(NAME));
    const stream = new StackEventStream(cfn, { stack: NAME });
    await expect(stream.prime()).resolves.toBeUndefined();
    await expect(stream.poll()).resolves.toEqual([]);
  });

  it('passes other errors to the caller and yields the events on the next poll', async () => {
    const events = failedCreate().slice(0, 2);
    cfnMock
      .on(DescribeStackEventsCommand)
      .rejectsOnce(throttled())
      .resolves(eventPages(events)[0]!);
    const stream = new StackEventStream(cfn, { stack: NAME });
    await expect(stream.poll()).rejects.toThrow('Rate exceeded');
    expect(await stream.poll()).toHaveLength(2);
  });

  it('ignores events older than `since`, and reads the stack it is told to follow', async () => {
    const events = failedCreate();
    cfnMock.on(DescribeStackEventsCommand).resolves(eventPages(events)[0]!);
    const stream = new StackEventStream(cfn, {
      stack: NAME,
      since: events[5]!.Timestamp!,
    });
    stream.follow(stackId(NAME));
    const got = await stream.poll();
    expect(got.map((e) => e.ResourceStatus)).toEqual([
      'ROLLBACK_IN_PROGRESS',
      'DELETE_COMPLETE',
      'DELETE_COMPLETE',
      'ROLLBACK_COMPLETE',
    ]);
    expect(cfnMock.commandCalls(DescribeStackEventsCommand)[0]!.args[0].input.StackName).toBe(
      stackId(NAME),
    );
  });
});

describe('findRootCause', () => {
  it('names the first real failure, not the cancelled resources or the stack', () => {
    const cause = findRootCause(failedCreate());
    expect(cause?.LogicalResourceId).toBe('Queue');
    expect(cause?.ResourceStatusReason).toMatch(/MessageRetentionPeriod is invalid/);
  });

  it('finds the cause of an update that rolled back', () => {
    const events = [
      stackEvent(NAME, 0, NAME, 'UPDATE_IN_PROGRESS', { reason: 'User Initiated' }),
      stackEvent(NAME, 1, 'Bucket', 'UPDATE_IN_PROGRESS', { type: 'AWS::S3::Bucket' }),
      stackEvent(NAME, 1, 'Role', 'UPDATE_IN_PROGRESS', { type: 'AWS::IAM::Role' }),
      stackEvent(NAME, 2, 'Role', 'UPDATE_FAILED', {
        type: 'AWS::IAM::Role',
        reason: 'Resource update cancelled',
      }),
      stackEvent(NAME, 3, 'Bucket', 'UPDATE_FAILED', {
        type: 'AWS::S3::Bucket',
        reason: 'mybucket already exists',
      }),
      stackEvent(NAME, 4, NAME, 'UPDATE_ROLLBACK_IN_PROGRESS', {
        reason: 'The following resource(s) failed to update: [Bucket, Role].',
      }),
      stackEvent(NAME, 9, NAME, 'UPDATE_ROLLBACK_COMPLETE'),
    ];
    expect(findRootCause(events)?.LogicalResourceId).toBe('Bucket');
  });

  it('falls back to the stack event when no resource failed', () => {
    const events = [
      stackEvent(NAME, 0, NAME, 'CREATE_IN_PROGRESS'),
      stackEvent(NAME, 1, NAME, 'ROLLBACK_IN_PROGRESS', {
        reason: 'Parameter validation failed: parameter value vpc-1 does not exist',
      }),
      stackEvent(NAME, 2, NAME, 'ROLLBACK_COMPLETE'),
    ];
    expect(findRootCause(events)?.ResourceStatusReason).toMatch(/Parameter validation failed/);
    expect(findRootCause([stackEvent(NAME, 0, NAME, 'CREATE_COMPLETE')])).toBeUndefined();
  });

  it("prefers the stack's reason when every failed resource was only cancelled (a timeout)", () => {
    const events = [
      stackEvent(NAME, 0, NAME, 'CREATE_IN_PROGRESS'),
      stackEvent(NAME, 1, 'Db', 'CREATE_IN_PROGRESS', { type: 'AWS::RDS::DBInstance' }),
      stackEvent(NAME, 300, 'Db', 'CREATE_FAILED', {
        type: 'AWS::RDS::DBInstance',
        reason: 'Resource creation cancelled',
      }),
      stackEvent(NAME, 301, NAME, 'ROLLBACK_IN_PROGRESS', {
        reason: 'Stack creation time exceeded the specified timeout. Rollback requested by user.',
      }),
    ];
    expect(findRootCause(events)?.ResourceStatusReason).toBe(
      'Stack creation time exceeded the specified timeout. Rollback requested by user.',
    );
  });

  it('recognises the cancellation cascade', () => {
    expect(isCascade('Resource creation cancelled')).toBe(true);
    expect(isCascade('Resource update cancelled')).toBe(true);
    expect(isCascade('The following resource(s) failed to create: [A].')).toBe(true);
    expect(isCascade('Bucket already exists')).toBe(false);
    expect(isCascade(undefined)).toBe(false);
  });
});

describe('explainFailure', () => {
  it('follows a failed nested stack to the resource inside it', async () => {
    const nestedId = stackId(`${NAME}-Database-1ABC`, 'nested-uuid');
    const outer = [
      stackEvent(NAME, 0, NAME, 'CREATE_IN_PROGRESS'),
      stackEvent(NAME, 1, 'Database', 'CREATE_IN_PROGRESS', {
        type: 'AWS::CloudFormation::Stack',
        physicalId: nestedId,
      }),
      stackEvent(NAME, 30, 'Database', 'CREATE_FAILED', {
        type: 'AWS::CloudFormation::Stack',
        physicalId: nestedId,
        reason: `Embedded stack ${nestedId} was not successfully created: The following resource(s) failed to create: [Cluster].`,
      }),
    ];
    const inner = [
      stackEvent(`${NAME}-Database-1ABC`, 2, 'Cluster', 'CREATE_IN_PROGRESS', {
        stackId: nestedId,
        type: 'AWS::RDS::DBCluster',
      }),
      stackEvent(`${NAME}-Database-1ABC`, 20, 'Cluster', 'CREATE_FAILED', {
        stackId: nestedId,
        type: 'AWS::RDS::DBCluster',
        reason: 'The engine version 5.6 is not supported',
      }),
    ];
    cfnMock.on(DescribeStackEventsCommand, { StackName: nestedId }).resolves(eventPages(inner)[0]!);
    const cause = await explainFailure(cfn, outer);
    expect(cause?.message).toBe(
      'Database/Cluster (AWS::RDS::DBCluster) CREATE_FAILED: The engine version 5.6 is not supported',
    );
  });

  it('keeps the outer cause when the nested events cannot be read', async () => {
    const nestedId = stackId('gone', 'x');
    const outer = [
      stackEvent(NAME, 1, 'Database', 'CREATE_FAILED', {
        type: 'AWS::CloudFormation::Stack',
        physicalId: nestedId,
        reason: 'Embedded stack failed',
      }),
    ];
    cfnMock.on(DescribeStackEventsCommand).rejects(new Error('AccessDenied'));
    expect((await explainFailure(cfn, outer))?.message).toBe(
      'Database (AWS::CloudFormation::Stack) CREATE_FAILED: Embedded stack failed',
    );
    expect(await explainFailure(cfn, [])).toBeUndefined();
  });
});
