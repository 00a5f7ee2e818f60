/**
 * The deploy-stack inputs, read and validated before any AWS call. Every
 * error names the input, the bad value and what is accepted.
 */

import { BUCKET_NAME, parseS3Url } from '../../../core/s3-url.js';
import { InputError, parseJson, parseKeyValues } from '../../../core/values.js';
import { getBoolean, getChoice, getInteger, getList, getString, raw } from '../../lib/inputs.js';

export const MODES = ['deploy', 'plan', 'drift'] as const;
export type Mode = (typeof MODES)[number];

export const CAPABILITIES = [
  'CAPABILITY_IAM',
  'CAPABILITY_NAMED_IAM',
  'CAPABILITY_AUTO_EXPAND',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Where the template comes from. */
export type TemplateSource =
  | { kind: 'file'; path: string }
  | {
      kind: 'url';
      url: string;
      /** For messages: the value as given. */
      given: string;
      /** For s3://BUCKET/KEY: the URL is made regional once the region is known. */
      s3?: { bucket: string; key: string };
    };

export interface DeployInputs {
  name: string;
  /** undefined only in drift mode, which reads no template. */
  template: TemplateSource | undefined;
  /** The raw `parameters` input; parsed against the template later (see parameters.ts). */
  parameters: string;
  capabilities: Capability[];
  tags: Array<{ Key: string; Value: string }> | undefined;
  roleArn: string | undefined;
  /** undefined: leave as it is (off for a new stack). */
  terminationProtection: boolean | undefined;
  timeoutMinutes: number | undefined;
  mode: Mode;
  failOnEmpty: boolean;
  disableRollback: boolean;
  templateBucket: { bucket: string; prefix: string } | undefined;
  notificationArns: string[] | undefined;
  region: string | undefined;
  recreateFailed: boolean;
  keepChangeSet: boolean;
  failOnDrift: boolean;
}

/** CloudFormation's rule for stack names. */
export const STACK_NAME = /^[A-Za-z][-A-Za-z0-9]{0,127}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
/** Timeouts up to 5 days, the longest a self-hosted runner job may run. */
export const MAX_TIMEOUT_MINUTES = 7200;

export function parseStackName(value: string): string {
  if (!STACK_NAME.test(value)) {
    throw new InputError(
      'name',
      value,
      'a CloudFormation stack name: a letter, then letters, digits and hyphens, at most 128 characters',
    );
  }
  return value;
}

export function parseTemplateSource(value: string): TemplateSource {
  if (value.startsWith('s3://')) {
    const { bucket, key } = parseS3Url('template', value);
    return { kind: 'url', url: s3HttpsUrl(bucket, key), given: value, s3: { bucket, key } };
  }
  if (/^https:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InputError('template', value, 'a file path, an https:// URL or s3://BUCKET/KEY');
    }
    return { kind: 'url', url: url.toString(), given: value };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new InputError('template', value, 'a file path, an https:// URL or s3://BUCKET/KEY');
  }
  return { kind: 'file', path: value };
}

/** The https URL CloudFormation reads an S3 object from (virtual-hosted style). */
export function s3HttpsUrl(bucket: string, key: string, region?: string): string {
  const host = region
    ? `${bucket}.s3.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`
    : `${bucket}.s3.amazonaws.com`;
  return `https://${host}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export function parseCapabilities(values: string[]): Capability[] {
  const out: Capability[] = [];
  for (const value of values) {
    const upper = value.toUpperCase();
    const known = CAPABILITIES.find((c) => c === upper || c === `CAPABILITY_${upper}`);
    if (!known) throw new InputError('capabilities', value, `any of ${CAPABILITIES.join(', ')}`);
    if (!out.includes(known)) out.push(known);
  }
  return out;
}

const TAG_ACCEPTED =
  'KEY=value lines, or a JSON list of {"Key": ..., "Value": ...}, or a JSON object; at most 50 tags, keys up to 128 characters not starting with "aws:", values up to 256';

export function parseTags(value: string): Array<{ Key: string; Value: string }> | undefined {
  if (value.trim() === '') return undefined;
  let pairs: Array<[string, string]>;
  const text = value.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    const doc = parseJson<unknown>('tags', text);
    if (Array.isArray(doc)) {
      pairs = doc.map((t) => {
        const tag = t as { Key?: unknown; Value?: unknown } | null;
        if (!tag || typeof tag.Key !== 'string' || tag.Value === undefined || tag.Value === null)
          throw new InputError('tags', JSON.stringify(t), TAG_ACCEPTED);
        return [tag.Key, String(tag.Value)];
      });
    } else if (doc && typeof doc === 'object') {
      pairs = Object.entries(doc).map(([k, v]) => [k, String(v)]);
    } else {
      throw new InputError('tags', text, TAG_ACCEPTED);
    }
  } else {
    pairs = Object.entries(parseKeyValues('tags', value, /^[\p{L}\p{Z}\p{N}_.:/=+@-]+$/u));
  }
  if (pairs.length > 50) throw new InputError('tags', `${pairs.length} tags`, TAG_ACCEPTED);
  for (const [k, v] of pairs) {
    if (k.length === 0 || k.length > 128 || k.toLowerCase().startsWith('aws:') || v.length > 256)
      throw new InputError('tags', `${k}=${v}`, TAG_ACCEPTED);
  }
  return pairs.map(([Key, Value]) => ({ Key, Value }));
}

export function parseTemplateBucket(value: string): { bucket: string; prefix: string } {
  const [bucket = '', ...rest] = value.replace(/^s3:\/\//, '').split('/');
  if (!BUCKET_NAME.test(bucket)) {
    throw new InputError(
      'template-bucket',
      value,
      'an S3 bucket name, optionally with a key prefix (my-bucket or my-bucket/templates)',
    );
  }
  return { bucket, prefix: rest.filter(Boolean).join('/') };
}

function checkEach(name: string, values: string[], pattern: RegExp, accepted: string): void {
  for (const v of values) if (!pattern.test(v)) throw new InputError(name, v, accepted);
}

/** Reads and validates every input. */
export function readInputs(): DeployInputs {
  const name = parseStackName(
    getString('name', { required: true, hint: 'Give the CloudFormation stack name.' }),
  );
  const mode = getChoice('mode', MODES, 'deploy');
  const templateValue = getString('template', {
    required: mode !== 'drift',
    hint: 'Give the template file path (relative to the workspace), an https:// URL or s3://BUCKET/KEY.',
  });
  const capabilities = raw('capabilities')
    ? parseCapabilities(getList('capabilities'))
    : [...CAPABILITIES];
  const roleArn = getString('role-arn');
  if (roleArn) {
    checkEach(
      'role-arn',
      [roleArn],
      ROLE_ARN,
      'an IAM role ARN: arn:aws:iam::123456789012:role/NAME',
    );
  }
  const notificationArns = raw('notification-arns') ? getList('notification-arns') : undefined;
  if (notificationArns) {
    checkEach(
      'notification-arns',
      notificationArns,
      SNS_ARN,
      'SNS topic ARNs such as arn:aws:sns:us-east-1:123456789012:deploys, comma or newline separated (at most 5)',
    );
    if (notificationArns.length > 5) {
      throw new InputError(
        'notification-arns',
        notificationArns.join(','),
        'at most 5 SNS topic ARNs',
      );
    }
  }
  const terminationProtection =
    raw('termination-protection') === '' ? undefined : getBoolean('termination-protection', false);
  const bucket = getString('template-bucket');
  return {
    name,
    mode,
    template: templateValue ? parseTemplateSource(templateValue) : undefined,
    parameters: raw('parameters'),
    capabilities,
    tags: parseTags(raw('tags')),
    roleArn,
    terminationProtection,
    timeoutMinutes: getInteger('timeout-minutes', undefined, { min: 1, max: MAX_TIMEOUT_MINUTES }),
    failOnEmpty: getBoolean('fail-on-empty', false),
    disableRollback: getBoolean('disable-rollback', false),
    templateBucket: bucket ? parseTemplateBucket(bucket) : undefined,
    notificationArns,
    region: getString('region'),
    recreateFailed: getBoolean('recreate-failed', true),
    keepChangeSet: getBoolean('keep-change-set', false),
    failOnDrift: getBoolean('fail-on-drift', true),
  };
}
