import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../lib/config-write.js';
import { OWNER } from '../../lib/testing/fake-s3.js';
import { DEFAULT_BUCKET, FakeAws, NETWORK_KEY, s3Mock, stsMock } from './fake-aws.js';

const puts = () => s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);

describe("publishing a stack's outputs", () => {
  it('creates the default bucket, publishes the outputs in the AWS CLI format, and reports it', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network');
    const step = await aws.run({
      'stack-name': 'mcfpipe-dev-network',
      layer: 'network',
      env: 'dev',
    });
    expect(step.error).toBeUndefined();
    const stored = aws.s3.latest(DEFAULT_BUCKET, NETWORK_KEY)!;
    const doc = JSON.parse(stored.body);
    expect(doc.map((e: { OutputKey: string }) => e.OutputKey)).toEqual([
      'PrivateSubnetId',
      'PublicSubnet1Id',
      'PublicSubnet2Id',
      'SGHTTP',
      'SGPrivate',
      'SGSSH',
      'VpcId',
    ]);
    expect(doc).toContainEqual({
      OutputKey: 'VpcId',
      OutputValue: 'vpc-0a1b2c3d4e5f60718',
      Description: 'The VPC',
    });
    expect(doc).toContainEqual({
      OutputKey: 'SGHTTP',
      OutputValue: 'sg-0a1b2c3d4e5f60711',
      ExportName: 'mcfpipe-dev-SGHTTP',
    });
    expect(stored.contentType).toBe('application/json');
    expect(stored.metadata).toEqual({
      sha256: sha256Hex(stored.body),
      'mcfpipe-source': 'stack mcfpipe-dev-network',
    });
    expect(aws.s3.buckets.get(DEFAULT_BUCKET)!.tags).toEqual([
      { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
      { Key: 'mcfpipe:env', Value: 'dev' },
    ]);
    expect(step.outputs).toEqual({
      bucket: DEFAULT_BUCKET,
      key: NETWORK_KEY,
      url: `s3://${DEFAULT_BUCKET}/${NETWORK_KEY}`,
      'version-id': stored.versionId,
      etag: stored.etag.replace(/"/g, ''),
      changed: 'true',
      sha256: sha256Hex(stored.body),
      config: JSON.stringify({
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        PublicSubnet1Id: 'subnet-0a1b2c3d4e5f60718',
        PublicSubnet2Id: 'subnet-0b1c2d3e4f5a60719',
        PrivateSubnetId: 'subnet-0c1d2e3f4a5b60710',
        SGHTTP: 'sg-0a1b2c3d4e5f60711',
        SGPrivate: 'sg-0a1b2c3d4e5f60712',
        SGSSH: 'sg-0a1b2c3d4e5f60713',
      }),
    });
    expect(aws.log).toContain(
      `Config bucket: ${DEFAULT_BUCKET} (the default for environment dev of account ${OWNER} in us-east-1).`,
    );
    expect(aws.log.at(-1)).toMatch(
      new RegExp(
        `^Published s3://${DEFAULT_BUCKET}/${NETWORK_KEY} version v\\d+: 7 value\\(s\\) from stack mcfpipe-dev-network, \\d+ bytes, sha256 [0-9a-f]{64}\\.$`,
      ),
    );
    expect(step.summary).toContain(
      `## publish-config: <code>s3://${DEFAULT_BUCKET}/${NETWORK_KEY}</code>: published`,
    );
    expect(step.summary).toContain('was created: ACLs disabled, public access blocked');
    expect(step.summary).toContain('| VpcId | vpc-0a1b2c3d4e5f60718 | stack mcfpipe-dev-network |');
  });

  it('a second identical publish writes no new version and says changed=false', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network');
    const inputs = { 'stack-name': 'mcfpipe-dev-network', layer: 'network' };
    const first = await aws.run(inputs);
    // First publish: STS + HeadBucket, CreateBucket, 5 settings + HeadObject, PutObject.
    expect(s3Mock.calls()).toHaveLength(9);
    expect(stsMock.calls()).toHaveLength(1);
    s3Mock.resetHistory();
    stsMock.resetHistory();
    const second = await aws.run(inputs);
    // Unchanged: STS + HeadBucket, 6 settings reads, HeadObject; no PutObject.
    expect(s3Mock.calls()).toHaveLength(8);
    expect(stsMock.calls()).toHaveLength(1);
    expect(second.error).toBeUndefined();
    expect(second.outputs.changed).toBe('false');
    expect(second.outputs['version-id']).toBe(first.outputs['version-id']);
    expect(second.outputs.etag).toBe(first.outputs.etag);
    expect(puts()).toHaveLength(0);
    expect(aws.s3.buckets.get(DEFAULT_BUCKET)!.versions).toHaveLength(1);
    expect(aws.log.at(-1)).toMatch(
      /is unchanged \(sha256 [0-9a-f]{64}\); no new version written\.$/,
    );
    expect(second.summary).toContain(': unchanged');
    // A changed output publishes a new version.
    aws.stacks.get('mcfpipe-dev-network')!.outputs[0]!.OutputValue = 'vpc-0ffffffffffffffff';
    const third = await aws.run(inputs);
    expect(third.outputs.changed).toBe('true');
    expect(aws.s3.buckets.get(DEFAULT_BUCKET)!.versions).toHaveLength(2);
  });

  it.each([['ROLLBACK_COMPLETE'], ['UPDATE_IN_PROGRESS'], ['DELETE_FAILED']])(
    'refuses the outputs of a stack in %s, before touching the bucket',
    async (status) => {
      const aws = new FakeAws();
      aws.addStack('mcfpipe-dev-network', undefined, status);
      const step = await aws.run({ 'stack-name': 'mcfpipe-dev-network', layer: 'network' });
      expect(step.error).toMatch(
        new RegExp(
          `^Stack mcfpipe-dev-network is ${status}: its outputs are not those of a settled, working deployment`,
        ),
      );
      expect(s3Mock.calls()).toHaveLength(0);
    },
  );

  it('a stack that does not exist is named with the region', async () => {
    const aws = new FakeAws();
    const step = await aws.run({ 'stack-name': 'mcfpipe-dev-network', layer: 'network' });
    expect(step.error).toBe(
      'Input "stack-name": stack mcfpipe-dev-network does not exist in us-east-1.\nDeploy it first (deploy-stack), or check the name and the region.',
    );
  });

  it('a stack without outputs and nothing else is an error, not an empty config', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-empty', []);
    const step = await aws.run({ 'stack-name': 'mcfpipe-dev-empty', key: 'x/y.json' });
    expect(step.error).toMatch(/^Nothing to publish: stack mcfpipe-dev-empty gave no values\./);
    expect(aws.warnings).toEqual(['Stack mcfpipe-dev-empty has no outputs.']);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('publishing files, JSON and pairs', () => {
  it('merges stack outputs, a file, inline JSON and set lines, later sources winning', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-db-api', [
      { OutputKey: 'ApiUrl', OutputValue: 'https://old.example.com', Description: 'API' },
      { OutputKey: 'TableJob', OutputValue: 'mcfpipe-dev-job' },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'publish-config-'));
    writeFileSync(join(dir, 'extra.json'), JSON.stringify({ Region: 'us-east-1', Count: 3 }));
    vi.stubEnv('GITHUB_WORKSPACE', dir);
    const step = await aws.run({
      'stack-name': 'mcfpipe-dev-db-api',
      layer: 'db-api',
      bucket: 'my-config-bucket',
      file: 'extra.json',
      json: '[{"OutputKey": "ApiUrl", "OutputValue": "https://api.example.com"}]',
      set: 'Stage=dev\nCount=4',
    });
    expect(step.error).toBeUndefined();
    const stored = aws.s3.latest('my-config-bucket', 'mcfpipe/aws/db-api/db_api_config.json')!;
    expect(JSON.parse(stored.body)).toEqual([
      { OutputKey: 'ApiUrl', OutputValue: 'https://api.example.com' },
      { OutputKey: 'Count', OutputValue: '4' },
      { OutputKey: 'Region', OutputValue: 'us-east-1' },
      { OutputKey: 'Stage', OutputValue: 'dev' },
      { OutputKey: 'TableJob', OutputValue: 'mcfpipe-dev-job' },
    ]);
    expect(stored.metadata['mcfpipe-source']).toBe(
      'stack mcfpipe-dev-db-api + file extra.json + json input + set input',
    );
    expect(step.summary).toContain('| ApiUrl | https://api.example.com | json input |');
    expect(step.summary).toContain('| Count | 4 | set input |');
    expect(step.summary).toContain('| Region | us-east-1 | file extra.json |');
  });

  it('masks secret-keys values in the log and hides them in the summary', async () => {
    const aws = new FakeAws();
    const step = await aws.run({
      key: 'mcfpipe/aws/global/global_config.json',
      set: 'SheetId=1AbC\nApiToken=tok-very-secret',
      'secret-keys': 'ApiToken',
    });
    expect(step.error).toBeUndefined();
    expect(step.stdout).toContain('::add-mask::tok-very-secret');
    expect(step.summary).not.toContain('tok-very-secret');
    expect(step.summary).toContain('| ApiToken | (secret, masked) | set input |');
  });

  it('records the secret keys in the published document, so a later read masks them unasked', async () => {
    const aws = new FakeAws();
    const key = 'mcfpipe/aws/global/global_config.json';
    const published = await aws.run({
      key,
      set: 'SheetId=1AbC\nApiToken=tok-very-secret',
      'secret-keys': 'ApiToken',
    });
    expect(published.error).toBeUndefined();
    expect(JSON.parse(aws.s3.latest(DEFAULT_BUCKET, key)!.body)).toEqual([
      { OutputKey: 'ApiToken', OutputValue: 'tok-very-secret', Secret: true },
      { OutputKey: 'SheetId', OutputValue: '1AbC' },
    ]);
    // The reader does not name the secret: the document does.
    const read = await aws.run({ mode: 'read', key });
    expect(read.error).toBeUndefined();
    expect(read.stdout).toContain('::add-mask::tok-very-secret');
    expect(read.outputs.ApiToken).toBe('tok-very-secret');
    expect(read.summary).not.toContain('tok-very-secret');
    expect(read.summary).toContain('| ApiToken | (secret, masked) |');
    // Republishing without secret-keys from a file that marks it keeps it secret.
    const dir = mkdtempSync(join(tmpdir(), 'publish-config-'));
    vi.stubEnv('GITHUB_WORKSPACE', dir);
    writeFileSync(join(dir, 'global.json'), aws.s3.latest(DEFAULT_BUCKET, key)!.body);
    const again = await aws.run({ key, file: 'global.json', set: 'SheetId=2XyZ' });
    expect(again.error).toBeUndefined();
    expect(again.stdout).toContain('::add-mask::tok-very-secret');
    expect(JSON.parse(aws.s3.latest(DEFAULT_BUCKET, key)!.body)[0]).toEqual({
      OutputKey: 'ApiToken',
      OutputValue: 'tok-very-secret',
      Secret: true,
    });
  });

  it('marking a key secret writes a new version even when the values are the same', async () => {
    const aws = new FakeAws();
    const inputs = { key: 'k/c.json', set: 'ApiToken=tok-very-secret' };
    await aws.run(inputs);
    const marked = await aws.run({ ...inputs, 'secret-keys': 'ApiToken' });
    expect(marked.outputs.changed).toBe('true');
  });

  it('a secret key that is not in the config is an error (a typo would leave a secret unmasked)', async () => {
    const aws = new FakeAws();
    const step = await aws.run({ key: 'a/b.json', set: 'ApiToken=x', 'secret-keys': 'ApiTokn' });
    expect(step.error).toBe('The config at set input has no "ApiTokn". Keys present: ApiToken.');
  });

  it('a file that is missing or malformed names the file', async () => {
    const aws = new FakeAws();
    const dir = mkdtempSync(join(tmpdir(), 'publish-config-'));
    vi.stubEnv('GITHUB_WORKSPACE', dir);
    let step = await aws.run({ key: 'a/b.json', file: 'missing.json' });
    expect(step.error).toMatch(
      /^Input "file": cannot read missing.json \(.*missing\.json\): ENOENT/,
    );
    writeFileSync(join(dir, 'bad.json'), '[{"Key": "x"}]');
    step = await aws.run({ key: 'a/b.json', file: 'bad.json' });
    expect(step.error).toBe(
      'The config at file bad.json is malformed: entry 0 is {"Key":"x"}; expected {"OutputKey": "...", "OutputValue": "..."}.',
    );
    step = await aws.run({ key: 'a/b.json', json: '{"a": {"nested": 1}}' });
    expect(step.error).toMatch(/^The config at the "json" input is malformed: "a" is not a string/);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('the bucket', () => {
  it('create-bucket: false writes to the named bucket with no STS and no bucket calls', async () => {
    const aws = new FakeAws();
    aws.s3.addBucket('existing-bucket', { versioning: 'Enabled' });
    const step = await aws.run({
      bucket: 'existing-bucket',
      key: 'k/c.json',
      set: 'A=1',
      'create-bucket': 'false',
    });
    expect(step.error).toBeUndefined();
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    expect(s3Mock.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'HeadObjectCommand',
      'PutObjectCommand',
    ]);
  });

  it('create-bucket: false on a missing bucket says how to fix it', async () => {
    const aws = new FakeAws();
    const step = await aws.run({
      bucket: 'missing-bucket',
      key: 'k/c.json',
      set: 'A=1',
      'create-bucket': 'false',
    });
    expect(step.error).toBe(
      'Cannot write s3://missing-bucket/k/c.json: bucket missing-bucket does not exist in this account and region.\nLet publish-config create it (create-bucket: true, the default), or check the bucket name and region.',
    );
  });

  it('each environment has its own bucket: publishing dev never overwrites prod', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network');
    aws.addStack('mcfpipe-prod-network', [{ OutputKey: 'VpcId', OutputValue: 'vpc-prod' }]);
    const prod = await aws.run({
      'stack-name': 'mcfpipe-prod-network',
      layer: 'network',
      env: 'prod',
    });
    const dev = await aws.run({
      'stack-name': 'mcfpipe-dev-network',
      layer: 'network',
      env: 'dev',
    });
    expect([prod.error, dev.error]).toEqual([undefined, undefined]);
    const prodBucket = `mcfpipe-config-prod-${OWNER}-us-east-1`;
    expect(prod.outputs.bucket).toBe(prodBucket);
    expect(dev.outputs.bucket).toBe(DEFAULT_BUCKET);
    expect(JSON.parse(aws.s3.latest(prodBucket, NETWORK_KEY)!.body)).toEqual([
      { OutputKey: 'VpcId', OutputValue: 'vpc-prod' },
    ]);
    expect(aws.s3.buckets.get(prodBucket)!.versions).toHaveLength(1);
    expect(aws.s3.buckets.get(prodBucket)!.tags).toContainEqual({
      Key: 'mcfpipe:env',
      Value: 'prod',
    });
    // Read mode finds each environment's config in its own bucket.
    const read = await aws.run({ mode: 'read', layer: 'network', env: 'prod' });
    expect(read.outputs.VpcId).toBe('vpc-prod');
  });

  it('a name taken by another account fails with the fix and writes nothing', async () => {
    const aws = new FakeAws();
    aws.s3.addBucket('taken-name', { owner: '999988887777' });
    const step = await aws.run({ bucket: 'taken-name', key: 'k/c.json', set: 'A=1' });
    expect(step.error).toMatch(
      /^Bucket taken-name exists but does not belong to account 123456789012/,
    );
    expect(step.error).toContain('mcfpipe-config-<env>-123456789012-us-east-1');
    expect(puts()).toHaveLength(0);
  });

  it('an existing bucket with weaker settings is put right, and the summary says what changed', async () => {
    const aws = new FakeAws();
    aws.s3.addBucket('old-bucket', { ownership: 'BucketOwnerEnforced' });
    const step = await aws.run({ bucket: 'old-bucket', key: 'k/c.json', set: 'A=1' });
    expect(step.error).toBeUndefined();
    expect(step.summary).toContain(
      '- Bucket setting put right: versioning was never enabled; turned on',
    );
    expect(step.summary).toContain('is not tagged mcfpipe:managed-by=mcfpipe');
    expect(aws.warnings).toHaveLength(1);
  });
});
