/**
 * The bundled action (dist/index.js) run as the runner runs it: against
 * moto for the whole publish-then-read cycle (bucket creation with its
 * protections, a stack's outputs, the unchanged rerun, read mode, export-env),
 * and with create-bucket: false on a bucket made beforehand.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, motoAvailable, startMoto } from '../../../core/testing/moto.js';
import { readBucketSettings } from '../../lib/config-bucket.js';
import { runBundledAction, runWithoutAws } from '../../lib/testing/run-action.js';

const MAIN = 'actions/publish-config/dist/index.js';
const KEY = 'mcfpipe/aws/network/network_config.json';

it('the bundle fails on bad input with the message and exit code 1, before any AWS call', async () => {
  const run = await runWithoutAws(MAIN, { mode: 'write' });
  expect([run.exitCode, run.reachedAws]).toEqual([1, false]);
  expect(run.stdout).toContain(
    '::error::Input "mode": "write" is not valid. Accepted: one of publish, read.',
  );
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
  const bucket = 'mcfpipe-config-dev-123456789012-us-east-1';
  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    const cfn = new CloudFormationClient(moto.clientConfig);
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

    // What moto says, read by the same six S3 calls a check of an existing bucket makes.
    const settings = await readBucketSettings(s3, bucket);
    // moto is plain HTTP: a TLS-only policy would lock this endpoint out (moto enforces
    // bucket policies), so none is put; the policy itself is covered by config-bucket.test.ts.
    expect(run.stdout).toContain('TLS not required (plain-HTTP endpoint)');
    expect(settings).toEqual({
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      encryption: { SSEAlgorithm: 'AES256' },
      versioning: 'Enabled',
      objectOwnership: 'BucketOwnerEnforced',
      tags: { 'mcfpipe:managed-by': 'mcfpipe', 'mcfpipe:env': 'dev' },
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: KEY }));
    expect(head.ContentType).toBe('application/json');
    expect(head.Metadata?.sha256).toBe(run.outputs.sha256);
  });

  it('publishing the same outputs again writes no new version', async () => {
    const run = await publish();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.changed).toBe('false');
    expect(run.stdout).toContain(`Bucket ${bucket} exists with ACLs disabled`);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: KEY }));
    expect(versions.Versions).toHaveLength(1);
  });

  it('read mode sets the published pairs as outputs', async () => {
    const run = await runBundledAction({
      script: MAIN,
      inputs: { mode: 'read', layer: 'network', env: 'dev', keys: 'VpcId' },
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
  });

  it('export-env exports the CFG_ keys, and refuses a config with others', async () => {
    const global = { layer: 'global', env: 'dev' };
    const published = await runBundledAction({
      script: MAIN,
      inputs: { ...global, set: 'CFG_SheetId=1AbC\nCFG_Region=us-east-1' },
      env: moto.env,
    });
    expect(published.exitCode, published.stdout).toBe(0);
    const read = await runBundledAction({
      script: MAIN,
      inputs: { ...global, mode: 'read', 'export-env': 'true' },
      env: moto.env,
    });
    expect(read.exitCode, read.stdout).toBe(0);
    expect(read.env).toEqual({ CFG_SheetId: '1AbC', CFG_Region: 'us-east-1' });
    const refused = await runBundledAction({
      script: MAIN,
      inputs: { mode: 'read', layer: 'network', env: 'dev', 'export-env': 'true' },
      env: moto.env,
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain(
      '::error::export-env: config key "Stage" does not begin with CFG_',
    );
    expect(refused.env).toEqual({});
  });

  it('read mode on a key that was never published fails naming bucket and key', async () => {
    const run = await runBundledAction({
      script: MAIN,
      inputs: { mode: 'read', layer: 'db-api', env: 'dev' },
      env: moto.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::No config at s3://${bucket}/mcfpipe/aws/db-api/db_api_config.json: the key does not exist in bucket ${bucket}.`,
    );
  });
  it('publishes a file with create-bucket: false to an unversioned bucket, then reads it back', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'plain-config' }));
    const dir = await mkdtemp(join(tmpdir(), 'publish-config-dist-'));
    try {
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
      const env = { ...moto.env, GITHUB_WORKSPACE: dir };
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
