import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConfigBucketOptions,
  defaultConfigBucket,
  ensureConfigBucket,
  tlsStatement,
} from '../config-bucket.js';
import { FakeS3, OTHER_ACCOUNT, OWNER, s3Error } from '../testing/fake-s3.js';

const s3 = new S3Client({ region: 'us-east-1' });
const mock = mockClient(s3);
afterEach(() => mock.reset());

function setup(region = 'us-east-1') {
  const f = new FakeS3(OWNER, region);
  f.install(mock);
  const log: string[] = [];
  const opts: ConfigBucketOptions = {
    bucket: 'mcfpipe-config-test',
    region,
    account: OWNER,
    partition: 'aws',
    log: (l) => log.push(l),
  };
  return { f, log, opts };
}

const createInputs = () => mock.commandCalls(CreateBucketCommand).map((c) => c.args[0].input);

describe('defaultConfigBucket: one bucket per environment', () => {
  it('names the bucket after the environment, the account and the region', () => {
    expect(defaultConfigBucket('dev', OWNER, 'ap-southeast-1')).toBe(
      'mcfpipe-config-dev-123456789012-ap-southeast-1',
    );
    expect(defaultConfigBucket('prod', OWNER, 'ap-southeast-1')).toBe(
      'mcfpipe-config-prod-123456789012-ap-southeast-1',
    );
  });

  it.each([[''], ['Dev'], ['dev_1'], ['-dev'], ['d'.repeat(33)]])(
    'refuses the environment %j, saying what to set',
    (env) => {
      const err = (() => {
        try {
          defaultConfigBucket(env, OWNER, 'us-east-1');
        } catch (e) {
          return e as { message: string; hint?: string };
        }
      })();
      expect(err?.message).toBe(
        `The environment "${env}" cannot name a config bucket: expected lowercase letters, digits and hyphens, starting with a letter (such as dev or prod).`,
      );
      expect(err?.hint).toBe(
        'Set the "env" input to the environment (dev, staging, prod), or name the bucket with the "bucket" input.',
      );
    },
  );

  it('refuses a name over 63 characters, saying how long the environment may be', () => {
    // 15 + 1 + 12 + 1 + 14 = 43 characters around the environment in ap-southeast-1: 20 left.
    expect(defaultConfigBucket('e'.repeat(20), OWNER, 'ap-southeast-1')).toHaveLength(63);
    expect(() => defaultConfigBucket('e'.repeat(21), OWNER, 'ap-southeast-1')).toThrow(
      expect.objectContaining({
        message: `The default config bucket name mcfpipe-config-${'e'.repeat(21)}-123456789012-ap-southeast-1 is 64 characters; S3 allows 63.`,
        hint: 'Use an environment name of at most 20 characters in ap-southeast-1, or name the bucket with the "bucket" input.',
      }),
    );
  });
});

describe('ensureConfigBucket: a new bucket', () => {
  it('creates it locked down: no ACLs, no public access, SSE-S3, versioning, TLS only, tagged', async () => {
    const { f, log, opts } = setup();
    const result = await ensureConfigBucket(s3, { ...opts, env: 'dev' });
    expect(result).toEqual({ created: true, repaired: [], warnings: [] });
    // us-east-1 takes no LocationConstraint.
    expect(createInputs()).toEqual([
      { Bucket: 'mcfpipe-config-test', ObjectOwnership: 'BucketOwnerEnforced' },
    ]);
    const b = f.buckets.get('mcfpipe-config-test')!;
    expect(b.ownership).toBe('BucketOwnerEnforced');
    expect(b.publicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(b.encryption).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(b.versioning).toBe('Enabled');
    expect(JSON.parse(b.policy!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::mcfpipe-config-test', 'arn:aws:s3:::mcfpipe-config-test/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    expect(b.tags).toEqual([
      { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
      { Key: 'mcfpipe:env', Value: 'dev' },
    ]);
    // The public access block is in place before any other setting.
    const order = mock.calls().map((c) => c.args[0].constructor.name);
    expect(order.slice(0, 3)).toEqual([
      'HeadBucketCommand',
      'CreateBucketCommand',
      'PutPublicAccessBlockCommand',
    ]);
    expect(log[0]).toBe('Created bucket mcfpipe-config-test in us-east-1.');
  });

  it('sends the region as LocationConstraint outside us-east-1, and a KMS key when given', async () => {
    const { f, opts } = setup('ap-southeast-1');
    await ensureConfigBucket(s3, { ...opts, kmsKeyId: 'alias/mcfpipe' });
    expect(createInputs()[0]).toEqual({
      Bucket: 'mcfpipe-config-test',
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { LocationConstraint: 'ap-southeast-1' },
    });
    expect(f.buckets.get('mcfpipe-config-test')!.encryption).toEqual([
      {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: 'alias/mcfpipe',
        },
        BucketKeyEnabled: true,
      },
    ]);
  });

  it('puts no TLS-only policy on a bucket behind a plain-HTTP endpoint (it would lock the endpoint out)', async () => {
    const { f, log, opts } = setup();
    await ensureConfigBucket(s3, { ...opts, requireTls: false });
    expect(f.buckets.get('mcfpipe-config-test')!.policy).toBeUndefined();
    expect(log[1]).toContain('TLS not required (plain-HTTP endpoint)');
    expect((await ensureConfigBucket(s3, { ...opts, requireTls: false })).repaired).toEqual([]);
  });

  it('uses the partition in the policy ARNs', () => {
    expect(tlsStatement('b', 'aws-cn').Resource).toEqual([
      'arn:aws-cn:s3:::b',
      'arn:aws-cn:s3:::b/*',
    ]);
  });

  it('a bucket created meanwhile by another run (BucketAlreadyOwnedByYou) is checked, not an error', async () => {
    const { f, opts } = setup('eu-west-1');
    f.failNext('HeadBucket', s3Error('NotFound', 'UnknownError', 404));
    f.addBucket('mcfpipe-config-test', { region: 'eu-west-1', versioning: 'Enabled' });
    const result = await ensureConfigBucket(s3, opts);
    expect(result.created).toBe(false);
    expect(mock.commandCalls(CreateBucketCommand)).toHaveLength(1);
    expect(result.repaired.length).toBeGreaterThan(0);
  });
});

describe('ensureConfigBucket: names that are not ours', () => {
  it('BucketAlreadyExists (a name taken by another account) says to choose another name', async () => {
    const { f, opts } = setup();
    f.failNext('HeadBucket', s3Error('NotFound', 'UnknownError', 404));
    f.addBucket('mcfpipe-config-test', { owner: OTHER_ACCOUNT });
    const err = await ensureConfigBucket(s3, opts).catch((e) => e);
    expect(err.message).toBe(
      'Bucket name mcfpipe-config-test is already taken by another AWS account (bucket names are global across all accounts).',
    );
    expect(err.hint).toBe(
      'Choose another name with the "bucket" input, for example mcfpipe-config-<env>-123456789012-us-east-1.',
    );
    // With the environment known, the example is that environment's bucket.
    f.failNext('HeadBucket', s3Error('NotFound', 'UnknownError', 404));
    const withEnv = await ensureConfigBucket(s3, { ...opts, env: 'staging' }).catch((e) => e);
    expect(withEnv.hint).toBe(
      'Choose another name with the "bucket" input, for example mcfpipe-config-staging-123456789012-us-east-1.',
    );
  });

  it('a bucket of another account (403 on HeadBucket with ExpectedBucketOwner) is refused before any write', async () => {
    const { f, opts } = setup();
    f.addBucket('mcfpipe-config-test', { owner: OTHER_ACCOUNT });
    await expect(ensureConfigBucket(s3, opts)).rejects.toThrow(
      'Bucket mcfpipe-config-test exists but does not belong to account 123456789012',
    );
    expect(mock.commandCalls(HeadBucketCommand)[0]!.args[0].input.ExpectedBucketOwner).toBe(OWNER);
    expect(mock.calls()).toHaveLength(1);
  });

  it('a bucket in another region is named with its region', async () => {
    const { f, opts } = setup();
    f.failNext(
      'HeadBucket',
      Object.assign(s3Error('PermanentRedirect', 'Moved', 301), { BucketRegion: 'eu-central-1' }),
    );
    await expect(ensureConfigBucket(s3, opts)).rejects.toThrow(
      'Bucket mcfpipe-config-test exists in another region (eu-central-1), not in us-east-1.',
    );
  });
});

describe('ensureConfigBucket: an existing bucket', () => {
  it('that is already right costs one HeadBucket and six reads, and changes nothing', async () => {
    const { log, opts } = setup();
    await ensureConfigBucket(s3, opts);
    mock.resetHistory();
    const result = await ensureConfigBucket(s3, opts);
    expect(result).toEqual({ created: false, repaired: [], warnings: [] });
    const names = mock.calls().map((c) => c.args[0].constructor.name);
    expect(names).toHaveLength(7);
    expect(names.filter((n) => n.startsWith('Put') || n.startsWith('Create'))).toEqual([]);
    expect(log.at(-1)).toMatch(/exists with ACLs disabled, public access blocked/);
  });

  it('puts right what is missing or weaker, keeps the other policy statements, and never adds tags', async () => {
    const { f, opts } = setup();
    const other = {
      Sid: 'ReadForAuditors',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:role/audit' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::mcfpipe-config-test/*',
    };
    f.addBucket('mcfpipe-config-test', {
      versioning: 'Suspended',
      ownership: 'ObjectWriter',
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: true,
      },
      policy: JSON.stringify({ Version: '2012-10-17', Statement: other }),
    });
    const result = await ensureConfigBucket(s3, opts);
    expect(result.repaired).toEqual([
      'public access was not fully blocked; all four blocks turned on',
      'default encryption was off; set to SSE-S3 (AES256)',
      'versioning was Suspended; turned on',
      'object ownership was ObjectWriter (ACLs in effect); set to BucketOwnerEnforced (ACLs disabled)',
      'the bucket policy allowed requests without TLS; a statement denying them was added (the other statements are unchanged)',
    ]);
    expect(result.warnings).toEqual([
      'Bucket mcfpipe-config-test is not tagged mcfpipe:managed-by=mcfpipe (it was not created by publish-config); cleanup-resources will refuse to delete it unless forced. This step does not add the tag.',
    ]);
    const b = f.buckets.get('mcfpipe-config-test')!;
    expect(JSON.parse(b.policy!).Statement).toEqual([
      other,
      tlsStatement('mcfpipe-config-test', 'aws'),
    ]);
    expect(b.versioning).toBe('Enabled');
    expect(b.ownership).toBe('BucketOwnerEnforced');
    expect(b.tags).toBeUndefined();
    expect(mock.commandCalls(PutBucketTaggingCommand)).toHaveLength(0);
    // The public access block is fixed first.
    const puts = mock
      .calls()
      .map((c) => c.args[0])
      .filter((c) => c.constructor.name.startsWith('Put'));
    expect(puts[0]).toBeInstanceOf(PutPublicAccessBlockCommand);
  });

  it('switches to the KMS key the input asks for', async () => {
    const { f, opts } = setup();
    await ensureConfigBucket(s3, opts);
    const result = await ensureConfigBucket(s3, {
      ...opts,
      kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
    });
    expect(result.repaired).toEqual([
      'default encryption was AES256; set to SSE-KMS (arn:aws:kms:us-east-1:123456789012:key/abc) as the kms-key-id input asks',
    ]);
    expect(
      f.buckets.get('mcfpipe-config-test')!.encryption![0]!.ApplyServerSideEncryptionByDefault!
        .SSEAlgorithm,
    ).toBe('aws:kms');
  });

  it('a TLS deny that covers only some actions, objects or principals does not count; the policy keeps its Version and Id', async () => {
    const { f, opts } = setup();
    const arn = 'arn:aws:s3:::mcfpipe-config-test';
    const narrow = [
      // Only reads of one prefix: writes without TLS stay allowed.
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `${arn}/private/*`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      // One role only.
      {
        Effect: 'Deny',
        Principal: { AWS: 'arn:aws:iam::123456789012:role/ci' },
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ];
    f.addBucket('mcfpipe-config-test', {
      versioning: 'Enabled',
      ownership: 'BucketOwnerEnforced',
      encryption: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      policy: JSON.stringify({ Version: '2008-10-17', Id: 'team-policy', Statement: narrow }),
    });
    const result = await ensureConfigBucket(s3, opts);
    expect(result.repaired).toEqual([
      'the bucket policy allowed requests without TLS; a statement denying them was added (the other statements are unchanged)',
    ]);
    const policy = JSON.parse(f.buckets.get('mcfpipe-config-test')!.policy!);
    expect(policy.Version).toBe('2008-10-17');
    expect(policy.Id).toBe('team-policy');
    // Statement ids must be unique in a policy: ours gets another one.
    expect(policy.Statement).toEqual([
      ...narrow,
      { ...tlsStatement('mcfpipe-config-test', 'aws'), Sid: 'DenyInsecureTransportMcfpipe' },
    ]);
    // Once in place, the next run changes nothing.
    mock.resetHistory();
    expect((await ensureConfigBucket(s3, opts)).repaired).toEqual([]);
  });

  it('leaves a policy it cannot parse alone, with a warning', async () => {
    const { f, opts } = setup();
    await ensureConfigBucket(s3, opts);
    f.buckets.get('mcfpipe-config-test')!.policy = '{not json';
    const result = await ensureConfigBucket(s3, opts);
    expect(result.repaired).toEqual([]);
    expect(result.warnings).toEqual([
      'The policy of bucket mcfpipe-config-test could not be read as JSON; it was left as it is (check that it denies requests without TLS).',
    ]);
  });
});
