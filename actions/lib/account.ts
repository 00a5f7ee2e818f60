/**
 * Who the credentials belong to: the account id (for default names and for
 * S3's ExpectedBucketOwner check) and the partition (for ARNs).
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export interface CallerIdentity {
  account: string;
  /** aws, aws-cn, aws-us-gov, ... */
  partition: string;
  arn: string;
}

export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  const arn = out.Arn ?? '';
  return {
    account: out.Account ?? '',
    partition: /^arn:([^:]+):/.exec(arn)?.[1] ?? 'aws',
    arn,
  };
}
