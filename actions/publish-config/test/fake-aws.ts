/**
 * The AWS publish-config talks to, in memory: an S3 (FakeS3), STS answering
 * for account 123456789012, and CloudFormation stacks with outputs.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { VirtualClock } from '../../../core/testing/virtual-clock.js';
import { missingStack, stack } from '../../lib/testing/cfn-fixtures.js';
import { FakeS3, OWNER } from '../../lib/testing/fake-s3.js';
import { runStepInProcess } from '../../lib/testing/run-step.js';
import { main } from '../src/action.js';
import type { Context } from '../src/context.js';

export const s3Mock = mockClient(S3Client);
export const stsMock = mockClient(STSClient);
export const cfnMock = mockClient(CloudFormationClient);

export const DEFAULT_BUCKET = `mcfpipe-config-dev-${OWNER}-us-east-1`;
export const NETWORK_KEY = 'mcfpipe/aws/network/network_config.json';

export const NETWORK_OUTPUTS: Output[] = [
  { OutputKey: 'VpcId', OutputValue: 'vpc-0a1b2c3d4e5f60718', Description: 'The VPC' },
  { OutputKey: 'PublicSubnet1Id', OutputValue: 'subnet-0a1b2c3d4e5f60718' },
  { OutputKey: 'PublicSubnet2Id', OutputValue: 'subnet-0b1c2d3e4f5a60719' },
  { OutputKey: 'PrivateSubnetId', OutputValue: 'subnet-0c1d2e3f4a5b60710' },
  { OutputKey: 'SGHTTP', OutputValue: 'sg-0a1b2c3d4e5f60711', ExportName: 'mcfpipe-dev-SGHTTP' },
  { OutputKey: 'SGPrivate', OutputValue: 'sg-0a1b2c3d4e5f60712' },
  { OutputKey: 'SGSSH', OutputValue: 'sg-0a1b2c3d4e5f60713' },
];

export class FakeAws {
  readonly s3 = new FakeS3(OWNER, 'us-east-1');
  readonly stacks = new Map<string, { status: string; outputs: Output[] }>();
  readonly log: string[] = [];
  readonly warnings: string[] = [];

  constructor() {
    s3Mock.reset();
    stsMock.reset();
    cfnMock.reset();
    this.s3.install(s3Mock);
    stsMock.on(GetCallerIdentityCommand).resolves({
      Account: OWNER,
      Arn: `arn:aws:sts::${OWNER}:assumed-role/mcfpipe-deployer/GitHubActions`,
      UserId: 'AROAEXAMPLE:GitHubActions',
    });
    cfnMock.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => {
      const s = this.stacks.get(input.StackName ?? '');
      if (!s) throw missingStack(input.StackName ?? '');
      return { Stacks: [stack(input.StackName!, s.status, { Outputs: s.outputs })] };
    });
  }

  addStack(name: string, outputs: Output[] = NETWORK_OUTPUTS, status = 'CREATE_COMPLETE'): void {
    this.stacks.set(name, { status, outputs });
  }

  context(): Context {
    return {
      s3: new S3Client({ region: 'us-east-1' }),
      sts: new STSClient({ region: 'us-east-1' }),
      cfn: new CloudFormationClient({ region: 'us-east-1' }),
      region: 'us-east-1',
      s3Tls: true,
      log: (l) => this.log.push(l),
      warn: (l) => this.warnings.push(l),
      clock: new VirtualClock(),
      run: { attempt: '1', serverUrl: 'https://github.com' },
    };
  }

  /** Runs the step; env is dev unless the inputs give env or bucket (give env: '' for none). */
  run(inputs: Record<string, string>) {
    const withEnv = 'env' in inputs || 'bucket' in inputs ? inputs : { env: 'dev', ...inputs };
    return runStepInProcess(() => main(() => this.context()), { inputs: withEnv });
  }
}
