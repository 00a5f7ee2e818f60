/**
 * S3 locations as users write them (s3://BUCKET/KEY), without the S3 client,
 * so code that only parses locations does not load it.
 */
import { InputError } from './values.js';

export interface S3Location {
  bucket: string;
  key: string;
}

/** S3's rule for bucket names (lowercase letters, digits, dots, hyphens; 3 to 63). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/key`; `input` names the input in errors. */
export function parseS3Url(input: string, value: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(value.trim());
  if (!match || !BUCKET_NAME.test(match[1]!)) {
    throw new InputError(
      input,
      value,
      's3://BUCKET/KEY, for example s3://my-config-bucket/mcfpipe/aws/network/network_config.json',
    );
  }
  return { bucket: match[1]!, key: match[2]! };
}

export function s3Url({ bucket, key }: S3Location): string {
  return `s3://${bucket}/${key}`;
}
