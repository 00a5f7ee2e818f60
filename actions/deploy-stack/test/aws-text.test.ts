/**
 * Text that comes from AWS (stack event reasons, drift values) is shown in the
 * log and the summary, and never acted on as a workflow command, through the
 * log the action really uses (makeContext's).
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { failedCreateEvents, stackEvent, stackId } from '../../lib/testing/cfn-fixtures.js';
import { runnerView } from '../../lib/testing/workflow-commands.js';
import type { Context } from '../src/context.js';
import { makeContext } from '../src/context.js';
import type { DeployInputs } from '../src/inputs.js';
import { ScriptedStack, testContext } from './fake-cloudformation.js';
import { runStep, TEMPLATE, templateFile } from './run-main.js';

const cfnMock = mockClient(CloudFormationClient);
beforeEach(() => cfnMock.reset());

const HOSTILE =
  'Invalid request\n::warning::pwned by a stack event\n##[add-mask]x\n  ::error::pwned again';

/** The test context, logging through the action's own log and warnings. */
function realLogContext(): Context {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  const real = makeContext({ region: 'us-east-1' } as DeployInputs);
  return { ...testContext().ctx, log: real.log, warn: real.warn };
}

/** Commands the runner would act on that a hostile text put there. */
function injected(stdout: string) {
  return runnerView(stdout).commands.filter(
    (c) => /pwned/.test(c.data) || (c.command === 'add-mask' && c.data === 'x'),
  );
}

describe('text from AWS never acts as a workflow command', () => {
  it('a stack event reason with newlines and commands is shown, not run', async () => {
    const name = 'mcfpipe-dev-jobs';
    const events = failedCreateEvents(name);
    events[3] = stackEvent(name, 3, 'Queue', 'CREATE_FAILED', { reason: HOSTILE });
    new ScriptedStack(cfnMock, name).next(
      {},
      { status: 'CREATE_IN_PROGRESS', events: events.slice(0, 3) },
      { status: 'ROLLBACK_COMPLETE', events: events.slice(3) },
    );
    cfnMock.on(CreateStackCommand).resolves({ StackId: stackId(name) });
    const run = await runStep(
      { name, template: templateFile(TEMPLATE), parameters: 'Retention=1' },
      realLogContext(),
    );
    expect(run.error).toContain('Queue (AWS::SQS::Queue) CREATE_FAILED: Invalid request');
    expect(injected(run.stdout)).toEqual([]);
    const shown = runnerView(run.stdout).shown;
    expect(shown).toContain('::warning::pwned by a stack event');
    expect(shown).toContain('##[add-mask]x');
    // In the summary the reason stays inside its table cell.
    expect(run.summary).toContain(
      '| Invalid request<br>::warning::pwned by a stack event<br>##[add-mask]x<br>  ::error::pwned again |',
    );
  });

  it('drift values and paths with newlines and commands are shown, not run', async () => {
    const name = 'mcfpipe-dev-network';
    const id = stackId(name);
    new ScriptedStack(cfnMock, name).next({ status: 'UPDATE_COMPLETE' });
    cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'det-1' });
    cfnMock.on(DescribeStackDriftDetectionStatusCommand).resolves({
      StackId: id,
      StackDriftDetectionId: 'det-1',
      DetectionStatus: 'DETECTION_FAILED',
      DetectionStatusReason: 'Partial\n::warning::pwned by a detection reason',
      StackDriftStatus: 'DRIFTED',
      Timestamp: new Date(),
    });
    cfnMock.on(DescribeStackResourceDriftsCommand).resolves({
      StackResourceDrifts: [
        {
          StackId: id,
          LogicalResourceId: 'Bucket',
          ResourceType: 'AWS::S3::Bucket',
          StackResourceDriftStatus: 'MODIFIED',
          Timestamp: new Date(),
          PropertyDifferences: [
            {
              PropertyPath: '/Tags/0/Value\n::notice::pwned by a path',
              ExpectedValue: 'a',
              ActualValue: `b\n${HOSTILE}`,
              DifferenceType: 'NOT_EQUAL',
            },
          ],
        },
      ],
    });
    const run = await runStep({ name, mode: 'drift' }, realLogContext());
    expect(run.error).toMatch(/^Stack mcfpipe-dev-network has drifted: 1 resource differ/);
    expect(injected(run.stdout)).toEqual([]);
    expect(runnerView(run.stdout).shown).toContain(
      '::notice::pwned by a path NOT_EQUAL: expected a, actual b',
    );
    expect(run.summary).toContain(
      'Drift detection could not check everything: Partial<br>::warning::pwned by a detection reason',
    );
  });

  it('an output whose value holds backticks cannot leave its code span in the summary', async () => {
    const { deploySummary } = await import('../src/report.js');
    const text = deploySummary(
      {
        mode: 'deploy',
        stackName: 'mcfpipe-dev-jobs',
        stack: undefined,
        status: 'CREATE_COMPLETE',
        changed: true,
        changeSetId: undefined,
        changes: [],
        outcome: 'created',
        note: 'Created.',
        outputs: [{ OutputKey: 'a`b', OutputValue: 'v' }],
        events: [],
        elapsedMs: 1000,
      },
      'us-east-1',
    );
    expect(text).toContain('| `` a`b `` | v |  |');
  });
});
