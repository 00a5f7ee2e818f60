import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../config-store.js';
import { serializeConfig, sha256Hex, writeConfig } from '../config-write.js';
import { FakeS3, OWNER } from '../testing/fake-s3.js';

const s3 = new S3Client({ region: 'us-east-1' });
const mock = mockClient(s3);
afterEach(() => mock.reset());

const LOCATION = { bucket: 'cfg-bucket', key: 'mcfpipe/aws/network/network_config.json' };

function fake() {
  const f = new FakeS3();
  f.install(mock);
  f.addBucket('cfg-bucket', { versioning: 'Enabled' });
  return f;
}

describe('serializeConfig', () => {
  it('writes the AWS CLI outputs list, sorted by key, with stack details kept', () => {
    const text = serializeConfig(
      { VpcId: 'vpc-1', SGHTTP: 'sg-1' },
      { VpcId: { Description: 'The VPC', ExportName: 'mcfpipe-dev-VpcId' } },
    );
    expect(text).toBe(
      `${JSON.stringify(
        [
          { OutputKey: 'SGHTTP', OutputValue: 'sg-1' },
          {
            OutputKey: 'VpcId',
            OutputValue: 'vpc-1',
            Description: 'The VPC',
            ExportName: 'mcfpipe-dev-VpcId',
          },
        ],
        null,
        2,
      )}\n`,
    );
  });

  it('equal configs are equal bytes whatever the order of the keys', () => {
    expect(serializeConfig({ A: '1', B: '2' })).toBe(serializeConfig({ B: '2', A: '1' }));
  });
});

describe('writeConfig', () => {
  it('writes JSON with its sha256 in the metadata and no ACL, and it reads back', async () => {
    const f = fake();
    const text = serializeConfig({ VpcId: 'vpc-1' });
    const result = await writeConfig(s3, LOCATION, text, {
      metadata: { 'mcfpipe-source': 'stack x' },
      expectedOwner: OWNER,
    });
    expect(result).toMatchObject({ changed: true, sha256: sha256Hex(text), bytes: text.length });
    expect(result.versionId).toMatch(/^v\d+$/);
    const put = mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      ContentType: 'application/json',
      Metadata: { 'mcfpipe-source': 'stack x', sha256: sha256Hex(text) },
      ChecksumSHA256: Buffer.from(sha256Hex(text), 'hex').toString('base64'),
      ExpectedBucketOwner: OWNER,
    });
    expect(put.ACL).toBeUndefined();
    expect(f.latest('cfg-bucket', LOCATION.key)!.body).toBe(text);
    expect((await readConfig(s3, LOCATION)).pairs).toEqual({ VpcId: 'vpc-1' });
  });

  it('writes no new version when the content is unchanged, and returns the current version', async () => {
    const f = fake();
    const text = serializeConfig({ VpcId: 'vpc-1' });
    const first = await writeConfig(s3, LOCATION, text);
    const second = await writeConfig(s3, LOCATION, text);
    expect(second).toEqual({ ...first, changed: false });
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(f.buckets.get('cfg-bucket')!.versions).toHaveLength(1);
    const third = await writeConfig(s3, LOCATION, serializeConfig({ VpcId: 'vpc-2' }));
    expect(third.changed).toBe(true);
    expect(third.versionId).not.toBe(first.versionId);
    expect(f.buckets.get('cfg-bucket')!.versions).toHaveLength(2);
  });

  it('rewrites an object written by something else (no sha256 metadata) once', async () => {
    const f = fake();
    const text = serializeConfig({ VpcId: 'vpc-1' });
    f.put('cfg-bucket', LOCATION.key, text);
    expect((await writeConfig(s3, LOCATION, text)).changed).toBe(true);
    expect((await writeConfig(s3, LOCATION, text)).changed).toBe(false);
  });

  it('a missing bucket is an error that names it and the fix', async () => {
    fake();
    const err = await writeConfig(s3, { bucket: 'nope-bucket', key: 'k.json' }, '[]').catch(
      (e) => e,
    );
    expect(err.message).toBe(
      'Cannot write s3://nope-bucket/k.json: bucket nope-bucket does not exist in this account and region.',
    );
    expect(err.hint).toMatch(/create-bucket: true/);
  });

  it('access denied (HeadObject 403, PutObject AccessDenied) names the bucket and key', async () => {
    // HeadObject answers 403 with no body: for a key that does not exist when the role
    // may not s3:ListBucket, and for a bucket of another account (ExpectedBucketOwner).
    mock.on(HeadObjectCommand).rejects(
      Object.assign(new Error('UnknownError'), {
        name: 'Forbidden',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const head = await writeConfig(s3, LOCATION, '[]', { expectedOwner: OWNER }).catch((e) => e);
    expect(head.message).toBe(
      `Cannot write s3://cfg-bucket/${LOCATION.key}: access denied (HTTP 403) reading the current object. S3 gives this answer also when the key does not exist and the role may not list bucket cfg-bucket (s3:ListBucket), and when the bucket belongs to another account than ${OWNER}.`,
    );
    expect(head.hint).toMatch(/s3:GetObject and s3:PutObject on s3:\/\/cfg-bucket\/mcfpipe\/aws/);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(0);

    mock.reset();
    mock.on(HeadObjectCommand).rejects(
      Object.assign(new Error('Not Found'), {
        name: 'NotFound',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    mock.on(PutObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const put = await writeConfig(s3, LOCATION, '[]').catch((e) => e);
    expect(put.message).toBe(
      `Cannot write s3://cfg-bucket/${LOCATION.key}: access denied (HTTP 403): Access Denied.`,
    );
    expect(put.hint).toMatch(/s3:PutObject on s3:\/\/cfg-bucket\/mcfpipe/);
  });
});
