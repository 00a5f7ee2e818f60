/**
 * What publish-config needs from the outside world: the shared step context
 * (actions/lib/step-context.ts), the CloudFormation, S3 and STS clients, and
 * whether S3 is reached over TLS. Tests build one with mocked clients.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { createClient, endpointFor } from '../../../core/aws.js';
import { type StepContext, stepContext } from '../../lib/step-context.js';
import type { Inputs } from './inputs.js';

export interface Context extends StepContext {
  cfn: CloudFormationClient;
  s3: S3Client;
  sts: STSClient;
  /** Whether S3 is reached over TLS (false for a plain-HTTP endpoint such as an emulator). */
  s3Tls: boolean;
}

export function makeContext(inputs: Pick<Inputs, 'region'>): Context {
  const step = stepContext(inputs.region);
  const { region } = step;
  return {
    ...step,
    cfn: createClient(CloudFormationClient, 'CloudFormation', { region }),
    s3: createClient(S3Client, 'S3', { region }),
    sts: createClient(STSClient, 'STS', { region }),
    s3Tls: !endpointFor('S3')?.startsWith('http://'),
  };
}
