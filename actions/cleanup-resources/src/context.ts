/**
 * What cleanup-resources needs from the outside world: the shared step
 * context (CloudFormation, S3, STS, region, log), the ECR and CloudWatch
 * Logs clients, the clock and pace of stack polling, the run's identity.
 * Tests build one with mocked clients and a fake clock.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createClient } from '../../../core/aws.js';
import { type Clock, systemClock } from '../../../core/clock.js';
import { once } from '../../lib/once.js';
import { type StepContext, stepContext } from '../../lib/step-context.js';
import { type WorkflowRun, workflowRunFrom } from '../../lib/workflow-run.js';

export interface Context extends StepContext {
  /** Loaded on first use (a chunk of the bundle): only ecr-repositories needs it. */
  ecr: () => Promise<ECRClient>;
  /** Loaded on first use: only log-groups needs it. */
  logs: () => Promise<CloudWatchLogsClient>;
  clock: Clock;
  /** Time between stack status polls. */
  pollMs: number;
  run: WorkflowRun;
}

export function makeContext(regionInput: string | undefined): Context {
  const shared = stepContext(regionInput);
  const region = shared.region;
  return {
    ...shared,
    ecr: once(() =>
      import('@aws-sdk/client-ecr').then(({ ECRClient }) =>
        createClient(ECRClient, 'ECR', { region }),
      ),
    ),
    logs: once(() =>
      import('@aws-sdk/client-cloudwatch-logs').then(({ CloudWatchLogsClient }) =>
        createClient(CloudWatchLogsClient, 'CloudWatch Logs', { region }),
      ),
    ),
    clock: systemClock,
    pollMs: 5000,
    run: workflowRunFrom(),
  };
}
