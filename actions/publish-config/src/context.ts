/**
 * What publish-config needs from the outside world: the shared step context
 * (CloudFormation, S3, STS, region, log) and whether S3 is reached over TLS.
 * Tests build one with mocked clients.
 */
import { endpointFor } from '../../../core/aws.js';
import { type StepContext, stepContext } from '../../lib/step-context.js';

export interface Context extends StepContext {
  /** Whether S3 is reached over TLS (false for a plain-HTTP endpoint such as an emulator). */
  s3Tls: boolean;
}

export function makeContext(regionInput: string | undefined): Context {
  return {
    ...stepContext(regionInput),
    s3Tls: !endpointFor('S3')?.startsWith('http://'),
  };
}
