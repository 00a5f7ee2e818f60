/**
 * The config bucket: created when missing with every protection on, and
 * checked (and brought up to those protections) when it exists.
 *
 * A new bucket gets: ObjectOwnership BucketOwnerEnforced (ACLs disabled),
 * all four public-access blocks, default encryption (SSE-S3, or SSE-KMS with
 * a key), versioning, a bucket policy that denies any request without TLS,
 * and the ownership tags (ownership.ts). An existing bucket is checked for
 * each of these; a missing or weaker setting is put right and reported. Tags
 * are never added to an existing bucket: tagging is a claim of ownership that
 * cleanup-resources acts on, so only a bucket created here is tagged.
 *
 * HeadBucket comes first, not CreateBucket: in us-east-1 CreateBucket on a
 * bucket you already own succeeds (other regions answer
 * BucketAlreadyOwnedByYou), and HeadBucket with ExpectedBucketOwner tells a
 * bucket of another account apart before anything is written.
 */
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  type ServerSideEncryptionByDefault,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { ActionError, errorCode } from '../../core/errors.js';
import {
  ENV_NAME,
  MANAGED_BY_KEY,
  MANAGED_BY_VALUE,
  ownershipTags,
  tagRecord,
} from '../../core/ownership.js';

/** The default name's pattern, for messages. */
export const DEFAULT_CONFIG_BUCKET = 'mcfpipe-config-<env>-<account>-<region>';

const MAX_BUCKET_NAME = 63;

/**
 * `mcfpipe-config-<env>-<account>-<region>`: one bucket per environment, so
 * environments side by side in one account never overwrite each other's
 * configs (the keys are the same in every environment). `env` must match
 * ENV_NAME; a name over S3's 63 characters is an error saying what to do.
 */
export function defaultConfigBucket(env: string, account: string, region: string): string {
  if (!ENV_NAME.test(env)) {
    throw new ActionError(
      `The environment "${env}" cannot name a config bucket: expected lowercase letters, digits and hyphens, starting with a letter (such as dev or prod).`,
      `Set the "env" input to the environment (dev, staging, prod), or name the bucket with the "bucket" input.`,
    );
  }
  const name = `mcfpipe-config-${env}-${account}-${region}`;
  if (name.length > MAX_BUCKET_NAME) {
    const room = MAX_BUCKET_NAME - (name.length - env.length);
    throw new ActionError(
      `The default config bucket name ${name} is ${name.length} characters; S3 allows ${MAX_BUCKET_NAME}.`,
      `Use an environment name of at most ${room} characters in ${region}, or name the bucket with the "bucket" input.`,
    );
  }
  return name;
}

/** The default name for `opts`, or its pattern when the environment is not known. */
function exampleName(opts: ConfigBucketOptions): string {
  return opts.env && ENV_NAME.test(opts.env)
    ? `mcfpipe-config-${opts.env}-${opts.account}-${opts.region}`
    : `mcfpipe-config-<env>-${opts.account}-${opts.region}`;
}

export interface ConfigBucketOptions {
  bucket: string;
  region: string;
  /** The caller's account: the bucket must belong to it. */
  account: string;
  partition: string;
  /** SSE-KMS with this key (id, ARN or alias); SSE-S3 (AES256) when absent. */
  kmsKeyId?: string;
  /** The mcfpipe:env tag of a new bucket. */
  env?: string;
  /**
   * Put the policy that denies requests without TLS in place (default true).
   * false for a plain-HTTP S3-compatible endpoint (an emulator), which such
   * a policy would lock out of the bucket.
   */
  requireTls?: boolean;
  log: (line: string) => void;
}

export interface ConfigBucketResult {
  created: boolean;
  /** Settings put in place on an existing bucket, one sentence each. */
  repaired: string[];
  /** Things the user should know and this step does not change. */
  warnings: string[];
}

const TLS_SID = 'DenyInsecureTransport';

/** Does the bucket exist for us: 'mine', 'missing', or an error that explains. */
async function probe(s3: S3Client, opts: ConfigBucketOptions): Promise<'mine' | 'missing'> {
  try {
    await s3.send(
      new HeadBucketCommand({ Bucket: opts.bucket, ExpectedBucketOwner: opts.account }),
    );
    return 'mine';
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const code = errorCode(err);
    if (status === 404 || code === 'NotFound' || code === 'NoSuchBucket') return 'missing';
    if (status === 301 || code === 'PermanentRedirect') {
      const region = (err as { BucketRegion?: string }).BucketRegion;
      throw new ActionError(
        `Bucket ${opts.bucket} exists in another region${region ? ` (${region})` : ''}, not in ${opts.region}.`,
        'Run the step in the bucket\'s region (the "region" input), or choose another bucket name.',
        { cause: err },
      );
    }
    if (status === 403 || code === 'Forbidden' || code === 'AccessDenied') throw notOurs(opts, err);
    throw err;
  }
}

function notOurs(opts: ConfigBucketOptions, cause: unknown): ActionError {
  return new ActionError(
    `Bucket ${opts.bucket} exists but does not belong to account ${opts.account} (or this role may not read it). Bucket names are global: another account may own this name.`,
    `Choose another name with the "bucket" input, for example ${exampleName(opts)}; if the bucket is yours, allow s3:ListBucket on it for this role.`,
    { cause },
  );
}

/** Ensures the config bucket exists with the protections above. */
export async function ensureConfigBucket(
  s3: S3Client,
  opts: ConfigBucketOptions,
): Promise<ConfigBucketResult> {
  const result: ConfigBucketResult = { created: false, repaired: [], warnings: [] };
  if ((await probe(s3, opts)) === 'missing') {
    result.created = await create(s3, opts);
  }
  if (result.created) {
    opts.log(`Created bucket ${opts.bucket} in ${opts.region}.`);
    await configureNew(s3, opts);
    opts.log(
      `Bucket ${opts.bucket}: ACLs disabled, public access blocked, ${encryptionName(opts)} encryption, versioning on, ${opts.requireTls === false ? 'TLS not required (plain-HTTP endpoint)' : 'TLS required'}, tagged ${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}.`,
    );
    return result;
  }
  await checkExisting(s3, opts, result);
  return result;
}

async function create(s3: S3Client, opts: ConfigBucketOptions): Promise<boolean> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: opts.bucket,
        ObjectOwnership: 'BucketOwnerEnforced',
        // us-east-1 takes no LocationConstraint (sending it is an error).
        ...(opts.region !== 'us-east-1' && {
          CreateBucketConfiguration: {
            LocationConstraint: opts.region as BucketLocationConstraint,
          },
        }),
      }),
    );
    return true;
  } catch (err) {
    const code = errorCode(err);
    // Created meanwhile by another run of ours: fine, check it like any existing bucket.
    if (code === 'BucketAlreadyOwnedByYou') return false;
    if (code === 'BucketAlreadyExists') {
      throw new ActionError(
        `Bucket name ${opts.bucket} is already taken by another AWS account (bucket names are global across all accounts).`,
        `Choose another name with the "bucket" input, for example ${exampleName(opts)}.`,
        { cause: err },
      );
    }
    throw err;
  }
}

function encryptionName(opts: ConfigBucketOptions): string {
  return opts.kmsKeyId ? `SSE-KMS (${opts.kmsKeyId})` : 'SSE-S3 (AES256)';
}

function encryptionRule(opts: ConfigBucketOptions): ServerSideEncryptionRule {
  return opts.kmsKeyId
    ? {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: opts.kmsKeyId,
        },
        BucketKeyEnabled: true,
      }
    : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };
}

/** The statement that denies every request made without TLS. */
export function tlsStatement(bucket: string, partition: string): Record<string, unknown> {
  const arn = `arn:${partition}:s3:::${bucket}`;
  return {
    Sid: TLS_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

const BLOCK_ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const putters = {
  publicAccess: (s3: S3Client, o: ConfigBucketOptions) =>
    s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: o.bucket,
        ExpectedBucketOwner: o.account,
        PublicAccessBlockConfiguration: BLOCK_ALL,
      }),
    ),
  encryption: (s3: S3Client, o: ConfigBucketOptions) =>
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket: o.bucket,
        ExpectedBucketOwner: o.account,
        ServerSideEncryptionConfiguration: { Rules: [encryptionRule(o)] },
      }),
    ),
  versioning: (s3: S3Client, o: ConfigBucketOptions) =>
    s3.send(
      new PutBucketVersioningCommand({
        Bucket: o.bucket,
        ExpectedBucketOwner: o.account,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    ),
  /** `base`: the current policy document, whose other fields (Version, Id) are kept. */
  policy: (
    s3: S3Client,
    o: ConfigBucketOptions,
    statements: unknown[],
    base: Record<string, unknown> = { Version: '2012-10-17' },
  ) =>
    s3.send(
      new PutBucketPolicyCommand({
        Bucket: o.bucket,
        ExpectedBucketOwner: o.account,
        Policy: JSON.stringify({ ...base, Statement: statements }),
      }),
    ),
  ownershipControls: (s3: S3Client, o: ConfigBucketOptions) =>
    s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: o.bucket,
        ExpectedBucketOwner: o.account,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    ),
};

async function configureNew(s3: S3Client, opts: ConfigBucketOptions): Promise<void> {
  // The public access block first: nothing may be public even for a moment.
  await putters.publicAccess(s3, opts);
  await Promise.all([
    putters.encryption(s3, opts),
    putters.versioning(s3, opts),
    ...(opts.requireTls === false
      ? []
      : [putters.policy(s3, opts, [tlsStatement(opts.bucket, opts.partition)])]),
    s3.send(
      new PutBucketTaggingCommand({
        Bucket: opts.bucket,
        ExpectedBucketOwner: opts.account,
        Tagging: { TagSet: ownershipTags(opts.env) },
      }),
    ),
  ]);
}

/** Reads a setting; `missing` codes mean "not configured" (undefined). */
async function read<T>(fetch: () => Promise<T>, missing: string[]): Promise<T | undefined> {
  try {
    return await fetch();
  } catch (err) {
    if (missing.includes(errorCode(err) ?? '')) return undefined;
    throw err;
  }
}

/** The protections of a bucket as S3 reports them; undefined where nothing is configured. */
export interface BucketSettings {
  /** The four public-access blocks (BlockPublicAcls, ...), as set. */
  publicAccessBlock?: { [K in keyof typeof BLOCK_ALL]?: boolean | undefined };
  encryption?: ServerSideEncryptionByDefault;
  /** Enabled, Suspended, or undefined when versioning was never enabled. */
  versioning?: string;
  objectOwnership?: string;
  policy?: string;
  tags: Record<string, string>;
}

/** Reads a bucket's protections (six reads in parallel: one round trip). */
export async function readBucketSettings(
  s3: S3Client,
  bucket: string,
  expectedOwner?: string,
): Promise<BucketSettings> {
  const ids = { Bucket: bucket, ...(expectedOwner && { ExpectedBucketOwner: expectedOwner }) };
  const [pab, encryption, versioning, ownership, policy, tagging] = await Promise.all([
    read(
      () => s3.send(new GetPublicAccessBlockCommand(ids)),
      ['NoSuchPublicAccessBlockConfiguration'],
    ),
    read(
      () => s3.send(new GetBucketEncryptionCommand(ids)),
      ['ServerSideEncryptionConfigurationNotFoundError'],
    ),
    s3.send(new GetBucketVersioningCommand(ids)),
    read(
      () => s3.send(new GetBucketOwnershipControlsCommand(ids)),
      ['OwnershipControlsNotFoundError'],
    ),
    read(() => s3.send(new GetBucketPolicyCommand(ids)), ['NoSuchBucketPolicy']),
    read(() => s3.send(new GetBucketTaggingCommand(ids)), ['NoSuchTagSet']),
  ]);
  const settings: BucketSettings = { tags: tagRecord(tagging?.TagSet) };
  const block = pab?.PublicAccessBlockConfiguration;
  if (block) settings.publicAccessBlock = block;
  const rule =
    encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
  if (rule) settings.encryption = rule;
  if (versioning.Status) settings.versioning = versioning.Status;
  const objectOwnership = ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
  if (objectOwnership) settings.objectOwnership = objectOwnership;
  if (policy?.Policy) settings.policy = policy.Policy;
  return settings;
}

async function checkExisting(
  s3: S3Client,
  opts: ConfigBucketOptions,
  result: ConfigBucketResult,
): Promise<void> {
  const settings = await readBucketSettings(s3, opts.bucket, opts.account);
  const repairs: Array<{ what: string; run: () => Promise<unknown> }> = [];

  const block = settings.publicAccessBlock;
  if (!block || !Object.keys(BLOCK_ALL).every((k) => block[k as keyof typeof BLOCK_ALL])) {
    repairs.push({
      what: 'public access was not fully blocked; all four blocks turned on',
      run: () => putters.publicAccess(s3, opts),
    });
  }
  const rule = settings.encryption;
  if (!rule) {
    repairs.push({
      what: `default encryption was off; set to ${encryptionName(opts)}`,
      run: () => putters.encryption(s3, opts),
    });
  } else if (opts.kmsKeyId && rule.KMSMasterKeyID !== opts.kmsKeyId) {
    repairs.push({
      what: `default encryption was ${rule.SSEAlgorithm}${rule.KMSMasterKeyID ? ` (${rule.KMSMasterKeyID})` : ''}; set to ${encryptionName(opts)} as the kms-key-id input asks`,
      run: () => putters.encryption(s3, opts),
    });
  }
  if (settings.versioning !== 'Enabled') {
    repairs.push({
      what: `versioning was ${settings.versioning ?? 'never enabled'}; turned on`,
      run: () => putters.versioning(s3, opts),
    });
  }
  const objectOwnership = settings.objectOwnership;
  if (objectOwnership !== 'BucketOwnerEnforced') {
    repairs.push({
      what: `object ownership was ${objectOwnership ?? 'not set'} (ACLs in effect); set to BucketOwnerEnforced (ACLs disabled)`,
      run: () => putters.ownershipControls(s3, opts),
    });
  }
  const policy = policyDocument(settings.policy, opts, result);
  const arn = `arn:${opts.partition}:s3:::${opts.bucket}`;
  if (
    opts.requireTls !== false &&
    policy &&
    !policy.statements.some((st) => deniesInsecureTransport(st, arn))
  ) {
    const sids = new Set(policy.statements.map((st) => (st as { Sid?: unknown } | null)?.Sid));
    const added = tlsStatement(opts.bucket, opts.partition);
    // Statement ids must be unique within a policy.
    if (sids.has(TLS_SID)) added.Sid = `${TLS_SID}Mcfpipe`;
    repairs.push({
      what: settings.policy
        ? 'the bucket policy allowed requests without TLS; a statement denying them was added (the other statements are unchanged)'
        : 'there was no bucket policy; one denying requests without TLS was put in place',
      run: () => putters.policy(s3, opts, [...policy.statements, added], policy.base),
    });
  }
  if (settings.tags[MANAGED_BY_KEY] !== MANAGED_BY_VALUE) {
    result.warnings.push(
      `Bucket ${opts.bucket} is not tagged ${MANAGED_BY_KEY}=${MANAGED_BY_VALUE} (it was not created by publish-config); cleanup-resources will refuse to delete it unless forced. This step does not add the tag.`,
    );
  }
  // Public access first, as on a new bucket.
  for (const repair of repairs) {
    await repair.run();
    result.repaired.push(repair.what);
    opts.log(`Bucket ${opts.bucket}: ${repair.what}.`);
  }
  if (repairs.length === 0) {
    opts.log(
      `Bucket ${opts.bucket} exists with ACLs disabled, public access blocked, encryption, versioning${opts.requireTls === false ? '' : ' and TLS required'}.`,
    );
  }
}

/**
 * The current policy: its statements and its other fields (Version, Id), or a
 * new document when there is none; undefined when unreadable.
 */
function policyDocument(
  text: string | undefined,
  opts: ConfigBucketOptions,
  result: ConfigBucketResult,
): { statements: unknown[]; base?: Record<string, unknown> } | undefined {
  if (!text) return { statements: [] };
  try {
    const doc = JSON.parse(text) as { Statement?: unknown } | null;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
    const { Statement, ...base } = doc as Record<string, unknown>;
    const statements = Array.isArray(Statement)
      ? Statement
      : Statement && typeof Statement === 'object'
        ? [Statement]
        : [];
    return { statements, base };
  } catch {
    result.warnings.push(
      `The policy of bucket ${opts.bucket} could not be read as JSON; it was left as it is (check that it denies requests without TLS).`,
    );
    return undefined;
  }
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Whether an IAM resource pattern (`*` at the end at most, as such policies use) covers `target`. */
function covers(pattern: unknown, target: string): boolean {
  if (typeof pattern !== 'string') return false;
  return (
    pattern === '*' ||
    pattern === target ||
    (pattern.endsWith('*') && target.startsWith(pattern.slice(0, -1)))
  );
}

/**
 * Whether a statement denies every request made without TLS: to anyone, for
 * every S3 action, on the bucket and all its objects, with no other
 * condition. A narrower one (some actions, a prefix, one role) does not count.
 */
function deniesInsecureTransport(statement: unknown, arn: string): boolean {
  if (!statement || typeof statement !== 'object') return false;
  const s = statement as Record<string, unknown>;
  if (s.Effect !== 'Deny' || 'NotPrincipal' in s || 'NotAction' in s || 'NotResource' in s) {
    return false;
  }
  const principal = s.Principal;
  const anyone =
    principal === '*' ||
    (principal !== null &&
      typeof principal === 'object' &&
      Object.keys(principal).length === 1 &&
      list((principal as { AWS?: unknown }).AWS).includes('*'));
  if (!anyone) return false;
  if (!list(s.Action).some((a) => a === '*' || a === 's3:*')) return false;
  const resources = list(s.Resource);
  if (![arn, `${arn}/*`].every((target) => resources.some((r) => covers(r, target)))) return false;
  const condition = s.Condition as Record<string, Record<string, unknown>> | undefined;
  if (!condition || Object.keys(condition).length !== 1 || !condition.Bool) return false;
  const bool = condition.Bool;
  if (Object.keys(bool).length !== 1) return false;
  const value = bool['aws:SecureTransport'];
  return value === 'false' || value === false || (Array.isArray(value) && value.includes('false'));
}
