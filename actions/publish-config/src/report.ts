/** The job summary of publish-config: what was published or read, and what happened to the bucket. */

import { type S3Location, s3Url } from '../../../core/s3-url.js';
import { cell, code, markdownTable } from '../../../core/summary.js';
import type { ConfigBucketResult } from '../../lib/config-bucket.js';
import type { ConfigPairs } from '../../lib/config-store.js';
import type { WriteResult } from '../../lib/config-write.js';
import type { EnvVariable } from './env-export.js';

const HIDDEN = '(secret, masked)';

function shown(key: string, value: string, secretKeys: string[]): string {
  return secretKeys.includes(key) ? HIDDEN : value;
}

export interface PublishReport {
  location: S3Location;
  pairs: ConfigPairs;
  origin: Record<string, string>;
  secretKeys: string[];
  result: WriteResult;
  bucket?: ConfigBucketResult;
}

export function publishSummary(r: PublishReport): string {
  const state = r.result.changed ? 'published' : 'unchanged';
  const out = [`## publish-config: ${code(s3Url(r.location))}: ${state}`, ''];
  out.push(
    r.result.changed
      ? `Wrote ${Object.keys(r.pairs).length} value(s), ${r.result.bytes} bytes${r.result.versionId ? `, version ${code(r.result.versionId)}` : ''}, sha256 ${code(r.result.sha256)}.`
      : `The stored config already has this content (sha256 ${code(r.result.sha256)}); no new version was written.`,
    '',
  );
  if (r.bucket?.created) {
    out.push(
      `Bucket ${code(r.location.bucket)} was created: ACLs disabled, public access blocked, default encryption, versioning, TLS-only policy, ownership tags.`,
      '',
    );
  }
  for (const repaired of r.bucket?.repaired ?? [])
    out.push(`- Bucket setting put right: ${cell(repaired)}`);
  for (const warning of r.bucket?.warnings ?? []) out.push(`- ⚠️ ${cell(warning)}`);
  if (r.bucket?.repaired.length || r.bucket?.warnings.length) out.push('');
  out.push(
    markdownTable(
      ['key', 'value', 'from'],
      Object.keys(r.pairs)
        .sort()
        .map((k) => [k, shown(k, r.pairs[k]!, r.secretKeys), r.origin[k] ?? '']),
    ),
  );
  return out.join('\n');
}

export interface ReadReport {
  location: S3Location;
  pairs: ConfigPairs;
  secretKeys: string[];
  exported: EnvVariable[];
}

export function readSummary(r: ReadReport): string {
  const envOf = Object.fromEntries(r.exported.map((v) => [v.key, v.name]));
  const withEnv = r.exported.length > 0;
  const headers = withEnv ? ['key', 'value', 'environment variable'] : ['key', 'value'];
  const rows = Object.keys(r.pairs)
    .sort()
    .map((k) => {
      const row = [k, shown(k, r.pairs[k]!, r.secretKeys)];
      if (withEnv) row.push(envOf[k] ?? '');
      return row;
    });
  return [
    `## publish-config: read ${code(s3Url(r.location))}`,
    '',
    `${Object.keys(r.pairs).length} value(s), set as step outputs.`,
    '',
    markdownTable(headers, rows),
  ].join('\n');
}
