import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isTransient } from '../../../core/errors.js';
import { StackEventStream } from '../stack-events.js';
import { describeStack, isInProgress, StackWaitTimeoutError, waitForStack } from '../stack-wait.js';
import {
  cfnError,
  eventPages,
  fakeClock,
  missingStack,
  stack,
  stackEvent,
  throttled,
} from '../testing/cfn-fixtures.js';

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'us-east-1' });
const NAME = 'mcfpipe-dev-network';

beforeEach(() => cfnMock.reset());

describe('isInProgress', () => {
  it('counts every *_IN_PROGRESS status except REVIEW_IN_PROGRESS', () => {
    expect(isInProgress('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBe(true);
    expect(isInProgress('ROLLBACK_IN_PROGRESS')).toBe(true);
    expect(isInProgress('REVIEW_IN_PROGRESS')).toBe(false);
    expect(isInProgress('UPDATE_ROLLBACK_FAILED')).toBe(false);
    expect(isInProgress(undefined)).toBe(false);
  });
});

describe('describeStack', () => {
  it('returns undefined for a stack that does not exist and rethrows other errors', async () => {
    cfnMock.on(DescribeStacksCommand).rejectsOnce(missingStack(NAME)).rejectsOnce(throttled());
    expect(await describeStack(cfn, NAME)).toBeUndefined();
    await expect(describeStack(cfn, NAME)).rejects.toThrow('Rate exceeded');
  });
});

describe('waitForStack', () => {
  it('polls until the stack settles, streaming its events in order', async () => {
    const events = [
      stackEvent(NAME, 0, NAME, 'UPDATE_IN_PROGRESS', { reason: 'User Initiated' }),
      stackEvent(NAME, 3, 'Queue', 'UPDATE_IN_PROGRESS'),
      stackEvent(NAME, 8, 'Queue', 'UPDATE_COMPLETE'),
      stackEvent(NAME, 9, NAME, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
      stackEvent(NAME, 10, NAME, 'UPDATE_COMPLETE'),
    ];
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack(NAME, 'UPDATE_IN_PROGRESS')] })
      .resolvesOnce({ Stacks: [stack(NAME, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] })
      .resolves({ Stacks: [stack(NAME, 'UPDATE_COMPLETE')] });
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(eventPages(events.slice(0, 2))[0]!)
      .resolvesOnce(eventPages(events.slice(0, 4))[0]!)
      .resolves(eventPages(events)[0]!);
    const lines: string[] = [];
    const clock = fakeClock();
    const stream = new StackEventStream(cfn, { stack: NAME, log: (l) => lines.push(l) });
    const result = await waitForStack(cfn, {
      stack: NAME,
      events: stream,
      pollMs: 2000,
      clock,
      log: (l) => lines.push(l),
    });
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(result.elapsedMs).toBe(4000);
    expect(clock.sleeps).toEqual([2000, 2000]);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(
      /^12:00:10 {2}mcfpipe-dev-network\s+AWS::CloudFormation::Stack\s+UPDATE_COMPLETE$/,
    );
  });

  it('ends at once for a settled stack, and reports a deleted one as DELETE_COMPLETE', async () => {
    cfnMock.on(DescribeStacksCommand).resolvesOnce({
      Stacks: [stack(NAME, 'REVIEW_IN_PROGRESS')],
    });
    const clock = fakeClock();
    expect((await waitForStack(cfn, { stack: NAME, clock })).status).toBe('REVIEW_IN_PROGRESS');
    cfnMock.on(DescribeStacksCommand).rejects(missingStack(NAME));
    const gone = await waitForStack(cfn, { stack: NAME, clock });
    expect(gone).toMatchObject({ status: 'DELETE_COMPLETE', stack: undefined });
    expect(clock.sleeps).toEqual([]);
  });

  it('keeps waiting through throttling of both APIs, backing off, and says so', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack(NAME, 'CREATE_IN_PROGRESS')] })
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(cfnError('InternalFailure', 'We encountered an internal error', 500))
      .resolves({ Stacks: [stack(NAME, 'CREATE_COMPLETE')] });
    cfnMock
      .on(DescribeStackEventsCommand)
      .rejectsOnce(throttled())
      .resolves(eventPages([stackEvent(NAME, 1, NAME, 'CREATE_COMPLETE')])[0]!);
    const clock = fakeClock();
    const lines: string[] = [];
    const result = await waitForStack(cfn, {
      stack: NAME,
      events: new StackEventStream(cfn, { stack: NAME }),
      pollMs: 1000,
      maxBackoffMs: 5000,
      clock,
      log: (l) => lines.push(l),
    });
    expect(result.status).toBe('CREATE_COMPLETE');
    // events throttled (1 trouble), then 2 throttles and a 500 (2..4), capped at 5s.
    expect(clock.sleeps).toEqual([2000, 4000, 5000, 5000]);
    expect(lines.filter((l) => /AWS is throttling/.test(l))).toHaveLength(3);
    expect(lines).toContain('AWS is answering again; still waiting for mcfpipe-dev-network.');
  });

  it('gives up on a lasting non-throttling failure and on any other error at once', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(cfnError('InternalFailure', 'internal error', 500));
    const clock = fakeClock();
    await expect(
      waitForStack(cfn, { stack: NAME, clock, maxFailedPolls: 2, log: () => {} }),
    ).rejects.toThrow('internal error');
    expect(clock.sleeps).toHaveLength(2);

    cfnMock.on(DescribeStacksCommand).rejects(cfnError('AccessDenied', 'not allowed'));
    await expect(waitForStack(cfn, { stack: NAME, clock })).rejects.toThrow('not allowed');
  });

  it('stops at the deadline with the status it last saw, never sleeping past it', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [stack(NAME, 'UPDATE_IN_PROGRESS')] });
    const clock = fakeClock();
    const lines: string[] = [];
    const err = await waitForStack(cfn, {
      stack: NAME,
      clock,
      pollMs: 4000,
      timeoutMs: 10_000,
      heartbeatMs: 8000,
      log: (l) => lines.push(l),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackWaitTimeoutError);
    expect(err).toMatchObject({ status: 'UPDATE_IN_PROGRESS', elapsedMs: 10_000 });
    expect((err as Error).message).toBe(
      'Stack mcfpipe-dev-network is still UPDATE_IN_PROGRESS after 10s, the time allowed.',
    );
    expect(clock.sleeps).toEqual([4000, 4000, 2000]);
    expect(lines).toEqual(['Still UPDATE_IN_PROGRESS after 8s (waiting for mcfpipe-dev-network).']);
  });
});

describe('isTransient', () => {
  it('accepts throttling, 5xx and network resets only', () => {
    expect(isTransient(throttled())).toBe(true);
    expect(isTransient(cfnError('ServiceUnavailable', 'down', 503))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(isTransient(cfnError('ValidationError', 'bad'))).toBe(false);
  });
});
