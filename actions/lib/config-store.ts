/**
 * Reading published configs from the config bucket.
 *
 * A published config (for example `mcfpipe/aws/network/network_config.json`)
 * is a stack's outputs as a JSON list of {"OutputKey", "OutputValue"}: the
 * format `aws cloudformation describe-stacks --query Stacks[0].Outputs` prints,
 * so existing scripts that read it keep working. A flat JSON object of scalar
 * values is read as well. Errors name the bucket and key.
 *
 * An entry may carry `"Secret": true` (publish-config's secret-keys): the
 * document records which values are secrets, so a reader masks them without
 * naming them. Scripts that read OutputKey and OutputValue are unaffected.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ActionError, errorCode, isAccessDenied } from '../../core/errors.js';
import { type S3Location, s3Url } from '../../core/s3-url.js';

export { parseS3Url, type S3Location, s3Url } from '../../core/s3-url.js';

export type ConfigPairs = Record<string, string>;

export interface OutputEntry {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
  /** The value is a secret: masked and kept out of summaries by whoever reads it. */
  Secret?: boolean;
}

export interface ParsedConfig {
  pairs: ConfigPairs;
  /** Keys whose entries say `"Secret": true`. */
  secretKeys: string[];
}

/** Turns config text into key/value pairs; `where` names the source in errors. */
export function parseConfigDocument(text: string, where: string): ParsedConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ActionError(`The config at ${where} is not valid JSON: ${(err as Error).message}`);
  }
  const pairs: ConfigPairs = {};
  const secretKeys: string[] = [];
  if (Array.isArray(doc)) {
    doc.forEach((entry: unknown, i) => {
      const e = entry as Partial<OutputEntry> | null;
      if (
        !e ||
        typeof e.OutputKey !== 'string' ||
        e.OutputValue === undefined ||
        e.OutputValue === null
      ) {
        throw new ActionError(
          `The config at ${where} is malformed: entry ${i} is ${JSON.stringify(entry)}; expected {"OutputKey": "...", "OutputValue": "..."}.`,
        );
      }
      if (e.Secret !== undefined && typeof e.Secret !== 'boolean') {
        // Shown without its value: the entry may hold a secret.
        throw new ActionError(
          `The config at ${where} is malformed: entry ${i} (${JSON.stringify(e.OutputKey)}) has "Secret": ${JSON.stringify(e.Secret)}; expected true or false.`,
        );
      }
      pairs[e.OutputKey] = String(e.OutputValue);
      if (e.Secret) secretKeys.push(e.OutputKey);
    });
    return { pairs, secretKeys };
  }
  if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (v !== null && typeof v === 'object') {
        throw new ActionError(
          `The config at ${where} is malformed: "${k}" is not a string, number or boolean. Expected a list of {"OutputKey", "OutputValue"} or a flat JSON object.`,
        );
      }
      pairs[k] = String(v);
    }
    return { pairs, secretKeys };
  }
  throw new ActionError(
    `The config at ${where} is malformed: expected a list of {"OutputKey", "OutputValue"} or a flat JSON object.`,
  );
}

/** S3's refusal: AccessDenied, or a bare 403 (HEAD requests have no error body). */
export function isS3Denied(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return isAccessDenied(err) || errorCode(err) === 'Forbidden' || status === 403;
}

/** Pairs in the published (AWS CLI outputs) format, in key order. */
export function toOutputEntries(pairs: ConfigPairs): OutputEntry[] {
  return Object.keys(pairs)
    .sort()
    .map((k) => ({ OutputKey: k, OutputValue: pairs[k]! }));
}

/** Downloads and parses a published config. */
export async function readConfig(s3: S3Client, location: S3Location): Promise<ParsedConfig> {
  const where = s3Url(location);
  let text: string;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    text = (await res.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    const code = errorCode(err);
    if (code === 'NoSuchKey' || code === 'NotFound') {
      throw new ActionError(
        `No config at ${where}: the key does not exist in bucket ${location.bucket}.`,
        'Publish it first with the publish-config action (the layer that creates it must be deployed), or check the key.',
        { cause: err },
      );
    }
    if (code === 'NoSuchBucket') {
      throw new ActionError(
        `No config at ${where}: bucket ${location.bucket} does not exist in this account and region.`,
        'Run the setup workflow (publish-config creates the bucket), or check the bucket name and region.',
        { cause: err },
      );
    }
    if (isS3Denied(err)) {
      throw new ActionError(
        `Cannot read the config at ${where}: access denied (HTTP 403). S3 gives this answer also when the key does not exist and the role may not list bucket ${location.bucket} (s3:ListBucket).`,
        `Check the key (publish it first if the layer that creates it is not deployed), and allow s3:GetObject on ${where} and s3:ListBucket on bucket ${location.bucket} for this role.`,
        { cause: err },
      );
    }
    throw err;
  }
  return parseConfigDocument(text, where);
}

/** The values of `keys` from `pairs`, or an error listing the missing keys and the ones present. */
export function pickKeys(pairs: ConfigPairs, keys: string[], where: string): ConfigPairs {
  const missing = keys.filter((k) => !Object.hasOwn(pairs, k));
  if (missing.length) {
    throw new ActionError(
      `The config at ${where} has no ${missing.map((k) => `"${k}"`).join(', ')}. Keys present: ${
        Object.keys(pairs).sort().join(', ') || '(none)'
      }.`,
    );
  }
  return Object.fromEntries(keys.map((k) => [k, pairs[k]!]));
}
