/**
 * What cleanup-resources needs from the outside world: the shared step
 * context (actions/lib/step-context.ts), the CloudFormation, S3 and STS
 * clients, the ECR and CloudWatch Logs clients (loaded on first use), and
 * the pace of stack polling. Tests build one with mocked clients and a
 * virtual clock.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { createClient } from '../../../core/aws.js';
import { lazyClient, type StepContext, stepContext } from '../../lib/step-context.js';
import type { Inputs } from './inputs.js';

export interface Context extends StepContext {
  cfn: CloudFormationClient;
  s3: S3Client;
  sts: STSClient;
  /** Loaded on first use (a chunk of the bundle): only ecr-repositories needs it. */
  ecr: () => Promise<ECRClient>;
  /** Loaded on first use: only log-groups needs it. */
  logs: () => Promise<CloudWatchLogsClient>;
  /** Time between stack status polls. */
  pollMs: number;
}

export function makeContext(inputs: Pick<Inputs, 'region'>): Context {
  const step = stepContext(inputs.region);
  const { region } = step;
  return {
    ...step,
    cfn: createClient(CloudFormationClient, 'CloudFormation', { region }),
    s3: createClient(S3Client, 'S3', { region }),
    sts: createClient(STSClient, 'STS', { region }),
    ecr: lazyClient(region, 'ECR', () => import('@aws-sdk/client-ecr').then((m) => m.ECRClient)),
    logs: lazyClient(region, 'CloudWatch Logs', () =>
      import('@aws-sdk/client-cloudwatch-logs').then((m) => m.CloudWatchLogsClient),
    ),
    pollMs: 5000,
  };
}
