/**
 * What the actions that work on stacks and the config bucket share in their
 * context: the region, the step's log, and the CloudFormation, S3 and STS
 * clients (built with createClient, so they honour AWS_ENDPOINT_URL and name
 * the failing call in errors). Each action adds what only it needs; tests
 * build the whole context with mocked clients.
 */
import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { createClient, resolveRegion } from '../../core/aws.js';
import { logLine } from './log.js';

export interface StepContext {
  cfn: CloudFormationClient;
  s3: S3Client;
  sts: STSClient;
  region: string;
  log: (line: string) => void;
  warn: (line: string) => void;
}

/** The shared part of a context, for the `region` input (else AWS_REGION). */
export function stepContext(regionInput: string | undefined): StepContext {
  const region = resolveRegion(regionInput);
  return {
    cfn: createClient(CloudFormationClient, 'CloudFormation', { region }),
    s3: createClient(S3Client, 'S3', { region }),
    sts: createClient(STSClient, 'STS', { region }),
    region,
    log: logLine,
    warn: (line) => core.warning(line),
  };
}
