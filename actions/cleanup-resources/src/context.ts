/**
 * What cleanup-resources needs from the outside world: the AWS clients, the
 * clock and pace of stack polling, the log, the run's identity. Tests build
 * one with mocked clients and a fake clock.
 */
import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { createClient, resolveRegion } from '../../lib/aws.js';
import { type Clock, systemClock } from '../../lib/stack-wait.js';
import { type WorkflowRun, workflowRunFrom } from '../../lib/workflow-run.js';

export interface Context {
  cfn: CloudFormationClient;
  s3: S3Client;
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
  sts: STSClient;
  region: string;
  clock: Clock;
  /** Time between stack status polls. */
  pollMs: number;
  log: (line: string) => void;
  warn: (line: string) => void;
  run: WorkflowRun;
}

export function makeContext(regionInput: string | undefined): Context {
  const region = resolveRegion(regionInput);
  return {
    cfn: createClient(CloudFormationClient, 'CloudFormation', { region }),
    s3: createClient(S3Client, 'S3', { region }),
    ecr: createClient(ECRClient, 'ECR', { region }),
    logs: createClient(CloudWatchLogsClient, 'CloudWatch Logs', { region }),
    sts: createClient(STSClient, 'STS', { region }),
    region,
    clock: systemClock,
    pollMs: 5000,
    log: (line) => core.info(line),
    warn: (line) => core.warning(line),
    run: workflowRunFrom(),
  };
}
