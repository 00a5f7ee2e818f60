/**
 * What publish-config needs from the outside world: AWS clients, the
 * region, the log. Tests build one with mocked clients.
 */
import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { createClient, endpointFor, resolveRegion } from '../../lib/aws.js';

export interface Context {
  s3: S3Client;
  sts: STSClient;
  cfn: CloudFormationClient;
  region: string;
  /** Whether S3 is reached over TLS (false for a plain-HTTP endpoint such as an emulator). */
  s3Tls: boolean;
  log: (line: string) => void;
  warn: (line: string) => void;
}

export function makeContext(regionInput: string | undefined): Context {
  const region = resolveRegion(regionInput);
  return {
    s3: createClient(S3Client, 'S3', { region }),
    sts: createClient(STSClient, 'STS', { region }),
    cfn: createClient(CloudFormationClient, 'CloudFormation', { region }),
    region,
    s3Tls: !endpointFor('S3')?.startsWith('http://'),
    log: (line) => core.info(line),
    warn: (line) => core.warning(line),
  };
}
