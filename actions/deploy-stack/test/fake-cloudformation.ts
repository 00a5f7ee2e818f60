/**
 * A scripted CloudFormation for unit tests, on aws-sdk-client-mock: each
 * DescribeStacks call moves the stack to the next scripted state and
 * publishes that state's events; DescribeStackEvents serves everything
 * published so far, newest first, in pages of 3 (so paging is always
 * exercised). Mutating calls are recorded by the mock for assertions.
 */
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Output,
  type Parameter,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  fakeClock,
  missingStack,
  stack,
  stackEvent,
  stackId,
} from '../../lib/testing/cfn-fixtures.js';
import type { Context } from '../src/context.js';

export type CfnMock = AwsClientStub<CloudFormationClient>;

export interface Step {
  /** undefined: the stack does not exist. */
  status?: string;
  events?: StackEvent[];
  extra?: Partial<Stack>;
  /** Throw this instead (e.g. throttling), without advancing. */
  error?: Error;
}

export class ScriptedStack {
  readonly published: StackEvent[] = [];
  private steps: Step[] = [];
  private current: Step = {};
  describeCalls = 0;

  constructor(
    readonly mock: CfnMock,
    readonly name: string,
    readonly base: Partial<Stack> = {},
    pageSize = 3,
  ) {
    mock.on(DescribeStacksCommand).callsFake(() => {
      this.describeCalls++;
      const next = this.steps.shift();
      if (next?.error) throw next.error;
      if (next) {
        this.current = { ...next, extra: { ...this.current.extra, ...next.extra } };
        this.published.push(...(next.events ?? []));
      }
      if (this.current.status === undefined) throw missingStack(name);
      return { Stacks: [this.stack()] };
    });
    mock
      .on(DescribeStackEventsCommand)
      .callsFake(({ StackName, NextToken }: { StackName?: string; NextToken?: string }) => {
        // By name: the current stack's events; by id: that stack's (also once deleted).
        const id = StackName?.startsWith('arn:') ? StackName : this.stack().StackId;
        if (this.current.status === undefined && !StackName?.startsWith('arn:'))
          throw missingStack(name);
        const newestFirst = this.published.filter((e) => e.StackId === id).reverse();
        const start = NextToken ? Number(NextToken) : 0;
        const end = start + pageSize;
        return {
          StackEvents: newestFirst.slice(start, end),
          ...(end < newestFirst.length && { NextToken: String(end) }),
        };
      });
  }

  stack(): Stack {
    return stack(this.name, this.current.status ?? 'NONE', { ...this.base, ...this.current.extra });
  }

  /**
   * The states the next DescribeStacks calls return, in order (the first is
   * what the deploy sees first); the last one repeats.
   */
  next(...steps: Step[]): this {
    this.steps.push(...steps);
    return this;
  }
}

/** Events of a successful operation: stack IN_PROGRESS, each resource, stack COMPLETE. */
export function operationEvents(
  name: string,
  at: number,
  verb: 'CREATE' | 'UPDATE' | 'DELETE',
  resources: Array<[string, string]>,
  sid = stackId(name),
): { start: StackEvent[]; finish: StackEvent[] } {
  const start = [
    stackEvent(name, at, name, `${verb}_IN_PROGRESS`, { reason: 'User Initiated', stackId: sid }),
    ...resources.map(([id, type], i) =>
      stackEvent(name, at + 1 + i, id, `${verb}_IN_PROGRESS`, { type, stackId: sid }),
    ),
  ];
  const finish = [
    ...resources.map(([id, type], i) =>
      stackEvent(name, at + 10 + i, id, `${verb}_COMPLETE`, { type, stackId: sid }),
    ),
    stackEvent(name, at + 20, name, `${verb}_COMPLETE`, { stackId: sid }),
  ];
  return { start, finish };
}

export function outputs(values: Record<string, string>): Output[] {
  return Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
}

export function params(values: Record<string, string>): Parameter[] {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

/** A Context on the mocked client, a fake clock and captured log lines. */
export function testContext(cfn = new CloudFormationClient({ region: 'us-east-1' })) {
  const clock = fakeClock();
  const lines: string[] = [];
  const warnings: string[] = [];
  const ctx: Context = {
    cfn,
    s3: () => Promise.reject(new Error('S3 is not used in this test')),
    region: 'us-east-1',
    clock,
    pollMs: 5000,
    log: (l) => lines.push(l),
    warn: (l) => warnings.push(l),
    runId: '4242-1',
    run: { runId: '4242', attempt: '1', serverUrl: 'https://github.com' },
  };
  return { ctx, clock, lines, warnings };
}

export { mockClient };
