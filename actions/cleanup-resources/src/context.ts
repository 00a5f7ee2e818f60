/**
 * What cleanup-resources needs from the outside world: the shared step
 * context (CloudFormation, S3, STS, region, log), the ECR and CloudWatch
 * Logs clients, the clock and pace of stack polling, the run's identity.
 * Tests build one with mocked clients and a fake clock.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { createClient } from '../../lib/aws.js';
import { type Clock, systemClock } from '../../lib/stack-wait.js';
import { type StepContext, stepContext } from '../../lib/step-context.js';
import { type WorkflowRun, workflowRunFrom } from '../../lib/workflow-run.js';

export interface Context extends StepContext {
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
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
    ecr: createClient(ECRClient, 'ECR', { region }),
    logs: createClient(CloudWatchLogsClient, 'CloudWatch Logs', { region }),
    clock: systemClock,
    pollMs: 5000,
    run: workflowRunFrom(),
  };
}
