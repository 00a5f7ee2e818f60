import { describe, expect, it } from 'vitest';
import { ActionError, explainError, isThrottling } from '../errors.js';

function sdkError(name: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, ...extra });
}

describe('explainError', () => {
  it('shows an ActionError with its hint', () => {
    expect(
      explainError(new ActionError('Stack x failed: Bucket exists', 'Pick another name.')),
    ).toBe('Stack x failed: Bucket exists\nPick another name.');
  });

  it('says how to configure missing credentials', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(explainError(err)).toMatch(
      /^No AWS credentials found\. .*configure-aws-credentials.*id-token: write/,
    );
  });

  it('names the refused operation on access denied', () => {
    const err = sdkError(
      'AccessDenied',
      'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: cloudformation:CreateChangeSet',
      {
        $service: 'CloudFormation',
        $command: 'CreateChangeSet',
      },
    );
    expect(explainError(err)).toBe(
      "Access denied: CloudFormation CreateChangeSet was refused: User: arn:aws:sts::1:assumed-role/x is not authorized to perform: cloudformation:CreateChangeSet. Allow the action for CreateChangeSet on the resource in the role's policy.",
    );
  });

  it('explains expired and invalid credentials', () => {
    expect(
      explainError(
        sdkError('ExpiredToken', 'The security token included in the request is expired'),
      ),
    ).toMatch(/credentials have expired/);
    expect(explainError(sdkError('InvalidClientTokenId', 'bad token'))).toMatch(
      /AWS rejected the credentials/,
    );
  });

  it('recognises throttling by code and by message', () => {
    expect(isThrottling(sdkError('Throttling', 'Rate exceeded'))).toBe(true);
    expect(isThrottling(sdkError('SomethingElse', 'Rate exceeded'))).toBe(true);
    expect(isThrottling(sdkError('ValidationError', 'bad'))).toBe(false);
    expect(
      explainError(
        sdkError('Throttling', 'Rate exceeded', {
          $service: 'CloudFormation',
          $command: 'DescribeStackEvents',
        }),
      ),
    ).toMatch(/AWS kept throttling CloudFormation DescribeStackEvents after every retry/);
  });

  it('explains an unreachable endpoint', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      $service: 'S3',
    });
    expect(explainError(err)).toMatch(/^Cannot reach the S3 endpoint: ECONNREFUSED/);
  });

  it('names the operation and status of any other SDK error', () => {
    const err = sdkError('ValidationError', 'Template format error: unsupported structure.', {
      $service: 'CloudFormation',
      $command: 'CreateChangeSet',
    });
    expect(explainError(err)).toBe(
      'CloudFormation CreateChangeSet failed (HTTP 400): ValidationError: Template format error: unsupported structure.',
    );
  });

  it('falls back to the message of plain errors and to String() of anything else', () => {
    expect(explainError(new Error('plain'))).toBe('plain');
    expect(explainError('text')).toBe('text');
    expect(explainError(null)).toBe('null');
    expect(explainError(42)).toBe('42');
  });

  it("explains the SDK's missing region, whatever its case", () => {
    for (const message of ['Region is missing', 'region is missing from the config']) {
      expect(explainError(new Error(message))).toMatch(/^No AWS region configured\. /);
    }
    expect(explainError(new Error('Region is us-east-1'))).toBe('Region is us-east-1');
  });
});
