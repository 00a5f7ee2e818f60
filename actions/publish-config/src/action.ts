/**
 * publish-config: publishes a config (a stack's outputs, a file, JSON,
 * KEY=value pairs) to the config bucket, creating the bucket when missing;
 * or, in read mode, reads one back as step outputs.
 */
import * as core from '@actions/core';
import { ActionError } from '../../../core/errors.js';
import { type S3Location, s3Url } from '../../../core/s3-url.js';
import { writeSummary } from '../../../core/summary.js';
import { type CallerIdentity, callerIdentity } from '../../lib/account.js';
import {
  type ConfigBucketResult,
  defaultConfigBucket,
  ensureConfigBucket,
} from '../../lib/config-bucket.js';
import { type ConfigPairs, pickKeys, readConfig } from '../../lib/config-store.js';
import { serializeConfig, writeConfig } from '../../lib/config-write.js';
import { maskSecret } from '../../lib/run.js';
import type { Context } from './context.js';
import { envVariables } from './env-export.js';
import { CONFIG_KEY, type Inputs, readInputs } from './inputs.js';
import { publishSummary, readSummary } from './report.js';
import { gather } from './sources.js';

/** Outputs every run sets; a config key with one of these names is only in the `config` output. */
export const FIXED_OUTPUTS = [
  'bucket',
  'key',
  'url',
  'version-id',
  'etag',
  'changed',
  'sha256',
  'config',
];

export async function main(makeContext: (inputs: Inputs) => Context): Promise<void> {
  const inputs = readInputs(process.env.GITHUB_WORKSPACE || process.cwd());
  const ctx = makeContext(inputs);
  if (inputs.mode === 'read') await readMode(ctx, inputs);
  else await publishMode(ctx, inputs);
}

async function resolveBucket(
  ctx: Context,
  inputs: Inputs,
  needIdentity: boolean,
): Promise<{ bucket: string; identity?: CallerIdentity }> {
  if (inputs.bucket && !needIdentity) return { bucket: inputs.bucket };
  const identity = await callerIdentity(ctx.sts);
  // readInputs makes sure env is given when bucket is not.
  const bucket = inputs.bucket ?? defaultConfigBucket(inputs.env!, identity.account, ctx.region);
  if (!inputs.bucket)
    ctx.log(
      `Config bucket: ${bucket} (the default for environment ${inputs.env} of account ${identity.account} in ${ctx.region}).`,
    );
  return { bucket, identity };
}

/**
 * Masks the values of the secret keys: the secret-keys input (each must be a
 * key of the config: a typo would leave a secret unmasked) and the keys the
 * config itself marks secret. Returns them all.
 */
function maskValues(
  pairs: ConfigPairs,
  named: string[],
  recorded: string[],
  where: string,
): string[] {
  const secrets = { ...pickKeys(pairs, named, where) };
  for (const key of recorded) if (Object.hasOwn(pairs, key)) secrets[key] = pairs[key]!;
  for (const value of Object.values(secrets)) maskSecret(value);
  return Object.keys(secrets).sort();
}

function setCommonOutputs(location: S3Location, pairs: ConfigPairs): void {
  core.setOutput('bucket', location.bucket);
  core.setOutput('key', location.key);
  core.setOutput('url', s3Url(location));
  core.setOutput('config', JSON.stringify(pairs));
}

async function publishMode(ctx: Context, inputs: Inputs): Promise<void> {
  // Sources first: a bad file or a missing stack fails before anything is created.
  const gathered = await gather(ctx, inputs.sources);
  const count = Object.keys(gathered.pairs).length;
  if (count === 0) {
    throw new ActionError(
      `Nothing to publish: ${gathered.description} gave no values.`,
      'A stack needs Outputs in its template; a file or json needs at least one pair; or add KEY=value lines with the set input.',
    );
  }
  const secretKeys = maskValues(
    gathered.pairs,
    inputs.secretKeys,
    gathered.secretKeys,
    gathered.description,
  );
  const { bucket, identity } = await resolveBucket(ctx, inputs, inputs.createBucket);
  const location = { bucket, key: inputs.key };
  let bucketResult: ConfigBucketResult | undefined;
  if (inputs.createBucket && identity) {
    bucketResult = await ensureConfigBucket(ctx.s3, {
      bucket,
      region: ctx.region,
      account: identity.account,
      partition: identity.partition,
      log: ctx.log,
      requireTls: ctx.s3Tls,
      ...(inputs.kmsKeyId && { kmsKeyId: inputs.kmsKeyId }),
      ...(inputs.env && { env: inputs.env }),
    });
    for (const warning of bucketResult.warnings) ctx.warn(warning);
  }
  const text = serializeConfig(gathered.pairs, gathered.details, secretKeys);
  const result = await writeConfig(ctx.s3, location, text, {
    metadata: { 'mcfpipe-source': headerSafe(gathered.description) },
    ...(identity && { expectedOwner: identity.account }),
  });
  const version = result.versionId ? ` version ${result.versionId}` : '';
  if (result.changed) {
    ctx.log(
      `Published ${s3Url(location)}${version}: ${count} value(s) from ${gathered.description}, ${result.bytes} bytes, sha256 ${result.sha256}.`,
    );
  } else {
    ctx.log(`${s3Url(location)} is unchanged (sha256 ${result.sha256}); no new version written.`);
  }
  setCommonOutputs(location, gathered.pairs);
  core.setOutput('version-id', result.versionId ?? '');
  core.setOutput('etag', unquote(result.etag));
  core.setOutput('changed', String(result.changed));
  core.setOutput('sha256', result.sha256);
  await writeSummary((s) =>
    s.addRaw(
      publishSummary({
        location,
        pairs: gathered.pairs,
        origin: gathered.origin,
        secretKeys,
        result,
        ...(bucketResult && { bucket: bucketResult }),
      }),
    ),
  );
}

async function readMode(ctx: Context, inputs: Inputs): Promise<void> {
  const { bucket } = await resolveBucket(ctx, inputs, false);
  const location = { bucket, key: inputs.key };
  const where = s3Url(location);
  const { pairs, secretKeys: recorded } = await readConfig(ctx.s3, location);
  const secretKeys = maskValues(pairs, inputs.secretKeys, recorded, where);
  if (inputs.requiredKeys.length) pickKeys(pairs, inputs.requiredKeys, where);
  // Before any output: a refused key leaves the step with nothing set.
  const exported = inputs.exportEnv ? envVariables(pairs, inputs.envPrefix) : [];
  const shadowed: string[] = [];
  const unnamed: string[] = [];
  for (const [key, value] of Object.entries(pairs)) {
    if (FIXED_OUTPUTS.includes(key)) shadowed.push(key);
    // A stored key is outside text: one with a line break could write other
    // outputs into GITHUB_OUTPUT, so only key-like names become outputs.
    else if (!CONFIG_KEY.test(key)) unnamed.push(JSON.stringify(key));
    else core.setOutput(key, value);
  }
  if (shadowed.length) {
    ctx.warn(
      `Config key(s) ${shadowed.join(', ')} share a name with this action's own outputs; read them from the "config" output (JSON) instead.`,
    );
  }
  if (unnamed.length) {
    ctx.warn(
      `Config key(s) ${unnamed.join(', ')} are not step output names (a letter or _, then letters, digits and _ . : / -); read them from the "config" output (JSON) instead.`,
    );
  }
  for (const { name, value } of exported) core.exportVariable(name, value);
  setCommonOutputs(location, pairs);
  core.setOutput('changed', 'false');
  ctx.log(
    `Read ${Object.keys(pairs).length} value(s) from ${where}${
      inputs.exportEnv ? `, exported as ${exported.map((v) => v.name).join(', ') || 'nothing'}` : ''
    }.`,
  );
  await writeSummary((s) => s.addRaw(readSummary({ location, pairs, secretKeys, exported })));
}

/** S3 metadata travels in HTTP headers: printable ASCII only, bounded. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
