/**
 * The bundled action (dist/index.js) run as the runner runs it: against
 * moto for the whole publish-then-read cycle (bucket creation with its
 * protections, a stack's outputs, the unchanged rerun, read mode), and
 * against s3rver, a real S3-compatible server, with create-bucket: false.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, motoAvailable, startMoto } from '../../lib/testing/moto.js';
import { runBundledAction } from '../../lib/testing/run-action.js';
import { type S3rverServer, startS3rver } from '../../lib/testing/s3rver.js';

const MAIN = 'actions/publish-config/dist/index.js';
const NO_AWS = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
const KEY = 'mcfpipe/aws/network/network_config.json';

describe('bundled action without AWS', () => {
  it('fails on bad input with the message and exit code 1, before any AWS call', async () => {
    const run = await runBundledAction({ script: MAIN, inputs: { mode: 'write' }, env: NO_AWS });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input "mode": "write" is not valid. Accepted: one of publish, read.',
    );
    expect(run.stdout).not.toContain('ECONNREFUSED');
  });
});

const TEMPLATE = JSON.stringify({
  Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.20.0.0/16' } } },
  Outputs: {
    VpcId: { Value: { Ref: 'Vpc' }, Description: 'The VPC' },
    Stage: { Value: 'dev' },
  },
});

describe.skipIf(!motoAvailable())('bundled action against moto', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let vpcId: string;
  const bucket = 'mcfpipe-config-123456789012-us-east-1';
  beforeAll(async () => {
    moto = await startMoto();
    const config = {
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    s3 = new S3Client({ ...config, forcePathStyle: true });
    const cfn = new CloudFormationClient(config);
    await cfn.send(
      new CreateStackCommand({ StackName: 'mcfpipe-dev-network', TemplateBody: TEMPLATE }),
    );
    cfn.destroy();
  });
  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  const publish = () =>
    runBundledAction({
      script: MAIN,
      inputs: { 'stack-name': 'mcfpipe-dev-network', layer: 'network', env: 'dev' },
      env: moto.env,
    });

  it('creates the bucket locked down and publishes the stack outputs', async () => {
    const run = await publish();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      bucket,
      key: KEY,
      changed: 'true',
      url: `s3://${bucket}/${KEY}`,
    });
    expect(run.outputs['version-id']).not.toBe('');
    vpcId = JSON.parse(run.outputs.config!).VpcId;
    expect(vpcId).toMatch(/^vpc-[0-9a-f]+$/);
    expect(run.stdout).toContain(`Created bucket ${bucket} in us-east-1.`);
    expect(run.summary).toContain('| VpcId |');

    const Bucket = bucket;
    const [versioning, pab, encryption, ownership, tags, head] = await Promise.all([
      s3.send(new GetBucketVersioningCommand({ Bucket })),
      s3.send(new GetPublicAccessBlockCommand({ Bucket })),
      s3.send(new GetBucketEncryptionCommand({ Bucket })),
      s3.send(new GetBucketOwnershipControlsCommand({ Bucket })),
      s3.send(new GetBucketTaggingCommand({ Bucket })),
      s3.send(new HeadObjectCommand({ Bucket, Key: KEY })),
    ]);
    expect(versioning.Status).toBe('Enabled');
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('AES256');
    expect(ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe('BucketOwnerEnforced');
    // moto is plain HTTP: a TLS-only policy would lock this endpoint out (moto enforces
    // bucket policies), so none is put; the policy itself is covered by config-bucket.test.ts.
    expect(run.stdout).toContain('TLS not required (plain-HTTP endpoint)');
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket }))).rejects.toThrow(
      /policy does not exist/,
    );
    expect(tags.TagSet).toEqual(
      expect.arrayContaining([
        { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
        { Key: 'mcfpipe:env', Value: 'dev' },
      ]),
    );
    expect(head.ContentType).toBe('application/json');
    expect(head.Metadata?.sha256).toBe(run.outputs.sha256);
  });

  it('publishing the same outputs again writes no new version', async () => {
    const run = await publish();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.changed).toBe('false');
    expect(run.stdout).toContain(
      'Bucket mcfpipe-config-123456789012-us-east-1 exists with ACLs disabled',
    );
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: KEY }));
    expect(versions.Versions).toHaveLength(1);
  });

  it('read mode sets the published pairs as outputs and environment variables', async () => {
    const run = await runBundledAction({
      script: MAIN,
      inputs: {
        mode: 'read',
        layer: 'network',
        keys: 'VpcId',
        'export-env': 'true',
        'env-prefix': 'NET_',
      },
      env: moto.env,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      VpcId: vpcId,
      Stage: 'dev',
      bucket,
      key: KEY,
      changed: 'false',
    });
    expect(run.env).toEqual({ NET_Stage: 'dev', NET_VpcId: vpcId });
  });

  it('read mode on a key that was never published fails naming bucket and key', async () => {
    const run = await runBundledAction({
      script: MAIN,
      inputs: { mode: 'read', layer: 'db-api' },
      env: moto.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::No config at s3://${bucket}/mcfpipe/aws/db-api/db_api_config.json: the key does not exist in bucket ${bucket}.`,
    );
  });
});

describe('bundled action against s3rver', () => {
  let server: S3rverServer;
  let dir: string;
  beforeAll(async () => {
    server = await startS3rver();
    const client = server.client();
    await client.send(new CreateBucketCommand({ Bucket: 'plain-config' }));
    client.destroy();
    dir = await mkdtemp(join(tmpdir(), 'publish-config-dist-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes a file with create-bucket: false, then reads it back', async () => {
    writeFileSync(
      join(dir, 'global.json'),
      JSON.stringify({ SheetId: '1AbC', Region: 'us-east-1' }),
    );
    const inputs = {
      bucket: 'plain-config',
      layer: 'global',
      file: 'global.json',
      'create-bucket': 'false',
    };
    const env = { ...server.env, GITHUB_WORKSPACE: dir };
    const first = await runBundledAction({ script: MAIN, inputs, env });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({
      changed: 'true',
      'version-id': '',
      key: 'mcfpipe/aws/global/global_config.json',
    });
    const again = await runBundledAction({ script: MAIN, inputs, env });
    expect(again.outputs.changed).toBe('false');
    const read = await runBundledAction({
      script: MAIN,
      inputs: { mode: 'read', bucket: 'plain-config', layer: 'global' },
      env,
    });
    expect(read.exitCode, read.stdout).toBe(0);
    expect(read.outputs).toMatchObject({ SheetId: '1AbC', Region: 'us-east-1' });
  });
});
