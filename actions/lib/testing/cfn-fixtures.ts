/**
 * Test support for CloudFormation: realistic stack events, stacks and AWS
 * errors as the API returns them, and a fake clock for the waiters.
 */
import {
  CloudFormationServiceException,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { VirtualClock } from '../../../core/testing/virtual-clock.js';
import { serviceError } from './aws-errors.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export function stackId(name: string, uuid = '5e1f0a10-0000-11ef-8000-0a1b2c3d4e5f'): string {
  return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/${uuid}`;
}

let counter = 0;

/**
 * A stack event. `at` is seconds after 2024-05-01T12:00:00Z; a resource
 * event by default, the stack's own event when `logicalId` is the stack name.
 */
export function stackEvent(
  stackName: string,
  at: number,
  logicalId: string,
  status: string,
  opts: { type?: string; reason?: string; physicalId?: string; id?: string; stackId?: string } = {},
): StackEvent {
  const sid = opts.stackId ?? stackId(stackName);
  const isStack = logicalId === stackName;
  counter++;
  return {
    StackId: sid,
    StackName: stackName,
    EventId: opts.id ?? (isStack ? `${counter}-${status}` : `${logicalId}-${status}-${counter}`),
    LogicalResourceId: logicalId,
    PhysicalResourceId: opts.physicalId ?? (isStack ? sid : `${stackName}-${logicalId}-ABC123`),
    ResourceType: opts.type ?? (isStack ? 'AWS::CloudFormation::Stack' : 'AWS::SQS::Queue'),
    Timestamp: new Date(Date.UTC(2024, 4, 1, 12, 0, 0) + at * 1000),
    ResourceStatus: status as StackEvent['ResourceStatus'],
    ...(opts.reason && { ResourceStatusReason: opts.reason }),
  };
}

export const RETENTION_FAILURE =
  'Resource handler returned message: "Value 1209601 for parameter MessageRetentionPeriod is invalid. Reason: Must be between 60 and 1209600." (RequestToken: 1d2e, HandlerErrorCode: InvalidRequest)';

/**
 * A failed first create as AWS reports it (oldest first): a queue fails with
 * a real reason, the topic beside it is cancelled, the stack rolls back.
 * The stack is still CREATE_IN_PROGRESS during the first 3 events.
 */
export function failedCreateEvents(name: string, start = 0): StackEvent[] {
  return [
    stackEvent(name, start, name, 'CREATE_IN_PROGRESS', { reason: 'User Initiated' }),
    stackEvent(name, start + 2, 'Topic', 'CREATE_IN_PROGRESS', { type: 'AWS::SNS::Topic' }),
    stackEvent(name, start + 2, 'Queue', 'CREATE_IN_PROGRESS'),
    stackEvent(name, start + 3, 'Queue', 'CREATE_FAILED', { reason: RETENTION_FAILURE }),
    stackEvent(name, start + 4, 'Topic', 'CREATE_FAILED', {
      type: 'AWS::SNS::Topic',
      reason: 'Resource creation cancelled',
    }),
    stackEvent(name, start + 5, name, 'ROLLBACK_IN_PROGRESS', {
      reason:
        'The following resource(s) failed to create: [Topic, Queue]. Rollback requested by user.',
    }),
    stackEvent(name, start + 9, 'Queue', 'DELETE_COMPLETE'),
    stackEvent(name, start + 9, 'Topic', 'DELETE_COMPLETE', { type: 'AWS::SNS::Topic' }),
    stackEvent(name, start + 10, name, 'ROLLBACK_COMPLETE'),
  ];
}

/** Splits events (given oldest first) into DescribeStackEvents pages, newest first. */
export function eventPages(
  events: StackEvent[],
  pageSize = 100,
): Array<{ StackEvents: StackEvent[]; NextToken?: string }> {
  const newestFirst = [...events].reverse();
  const pages: Array<{ StackEvents: StackEvent[]; NextToken?: string }> = [];
  for (let i = 0; i < newestFirst.length || i === 0; i += pageSize) {
    const page: { StackEvents: StackEvent[]; NextToken?: string } = {
      StackEvents: newestFirst.slice(i, i + pageSize),
    };
    if (i + pageSize < newestFirst.length) page.NextToken = `page-${i / pageSize + 1}`;
    pages.push(page);
  }
  return pages;
}

/** A stack as DescribeStacks returns it. */
export function stack(name: string, status: string, extra: Partial<Stack> = {}): Stack {
  return {
    StackId: stackId(name),
    StackName: name,
    StackStatus: status as Stack['StackStatus'],
    CreationTime: new Date(Date.UTC(2024, 4, 1, 11, 0, 0)),
    ...extra,
  };
}

/** An error as the CloudFormation client throws it (`name` is the AWS error code). */
export function cfnError(name: string, message: string, httpStatusCode = 400): Error {
  return serviceError(CloudFormationServiceException, name, message, httpStatusCode);
}

export const throttled = () => cfnError('Throttling', 'Rate exceeded');
export const missingStack = (name: string) =>
  cfnError('ValidationError', `Stack with id ${name} does not exist`);

/** A virtual clock (core/testing/virtual-clock.ts): sleeps advance time at once; `sleeps` records each pause. */
export function fakeClock(start = Date.UTC(2024, 4, 1, 12, 0, 0)): VirtualClock {
  return new VirtualClock(start);
}
