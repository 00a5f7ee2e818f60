/**
 * The inputs of publish-config, read and checked before any AWS call. See
 * action.yml for each input's meaning and default.
 */
import { resolve } from 'node:path';
import { ENV_NAME } from '../../../core/ownership.js';
import { BUCKET_NAME } from '../../../core/s3-url.js';
import { InputError, MissingInputError, parseKeyValues } from '../../../core/values.js';
import { DEFAULT_CONFIG_BUCKET } from '../../lib/config-bucket.js';
import { getBoolean, getChoice, getList, getString, raw } from '../../lib/inputs.js';
import { maskSecret } from '../../lib/run.js';
import { DEFAULT_ENV_PREFIX } from './env-export.js';

export const MODES = ['publish', 'read'] as const;
export type Mode = (typeof MODES)[number];

/** Where the published values come from, merged in this order (later wins). */
export interface Sources {
  stackName?: string;
  file?: { path: string; shown: string };
  json?: string;
  set: Record<string, string>;
}

export interface Inputs {
  mode: Mode;
  /** Undefined: the default name, from the account and region. */
  bucket?: string;
  key: string;
  sources: Sources;
  createBucket: boolean;
  kmsKeyId?: string;
  env?: string;
  /** Keys whose values are masked in the log and hidden in the summary. */
  secretKeys: string[];
  /** read: keys that must be present. */
  requiredKeys: string[];
  exportEnv: boolean;
  envPrefix: string;
  region?: string;
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const STACK_ARN =
  /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]*\/[\w-]+$/;
const LAYER = /^[a-z][a-z0-9-]{0,62}$/;
/** Keys of `set` lines, and of names given in secret-keys / keys. */
export const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;
/** A prefix of exported names: never empty, ending in _ (so PATH cannot be one). */
const ENV_PREFIX = /^[A-Za-z][A-Za-z0-9_]*_$/;

/** `network` -> mcfpipe/aws/network/network_config.json; `db-api` -> mcfpipe/aws/db-api/db_api_config.json. */
export function layerKey(layer: string): string {
  return `mcfpipe/aws/${layer}/${layer.replace(/-/g, '_')}_config.json`;
}

export function readInputs(cwd: string = process.cwd()): Inputs {
  const mode = getChoice('mode', MODES, 'publish');
  const secretKeys = keyList('secret-keys');
  // Mask before anything else can quote the values (errors quote inputs).
  maskSetValues(raw('set'), secretKeys);
  const inputs: Inputs = {
    mode,
    key: readKey(),
    sources: readSources(mode, cwd),
    createBucket: getBoolean('create-bucket', true),
    secretKeys,
    requiredKeys: keyList('keys'),
    exportEnv: getBoolean('export-env', false),
    envPrefix: getString('env-prefix') ?? DEFAULT_ENV_PREFIX,
  };
  const bucket = getString('bucket');
  if (bucket !== undefined) {
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
      throw new InputError(
        'bucket',
        bucket,
        `an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit (or leave it empty for the environment's bucket ${DEFAULT_CONFIG_BUCKET})`,
      );
    }
    inputs.bucket = bucket;
  }
  if (!ENV_PREFIX.test(inputs.envPrefix)) {
    throw new InputError(
      'env-prefix',
      inputs.envPrefix,
      `a prefix of letters, digits and _, starting with a letter and ending in _ (default ${DEFAULT_ENV_PREFIX}); export-env exports only the config keys that begin with it`,
    );
  }
  const env = getString('env');
  if (env !== undefined) {
    if (!ENV_NAME.test(env)) {
      throw new InputError(
        'env',
        env,
        'lowercase letters, digits and hyphens, such as dev or prod',
      );
    }
    inputs.env = env;
  }
  if (inputs.bucket === undefined && inputs.env === undefined) {
    throw new MissingInputError(
      'env',
      `Without "bucket" the config is in the environment's own bucket, ${DEFAULT_CONFIG_BUCKET}: set env to the environment (dev, staging, prod), or name the bucket with the "bucket" input.`,
    );
  }
  const kms = getString('kms-key-id');
  if (kms !== undefined) inputs.kmsKeyId = kms;
  const region = getString('region');
  if (region !== undefined) inputs.region = region;
  if (mode === 'read') {
    const given = publishOnly.filter((name) => raw(name) !== '');
    if (given.length) {
      throw new InputError(
        given[0]!,
        raw(given[0]!),
        'nothing in read mode: stack-name, file, json and set are for mode: publish',
      );
    }
  } else if (inputs.exportEnv) {
    throw new InputError(
      'export-env',
      raw('export-env'),
      'false in publish mode (it applies to mode: read)',
    );
  }
  return inputs;
}

const publishOnly = ['stack-name', 'file', 'json', 'set'];

function keyList(name: string): string[] {
  const keys = getList(name);
  for (const k of keys) {
    if (!CONFIG_KEY.test(k))
      throw new InputError(name, k, 'config keys such as VpcId or SGPrivate');
  }
  return keys;
}

function maskSetValues(text: string, secretKeys: string[]): void {
  const secret = new Set(secretKeys);
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && secret.has(line.slice(0, eq).trim())) maskSecret(line.slice(eq + 1).trim());
  }
}

function readKey(): string {
  const key = getString('key');
  const layer = getString('layer');
  if (key !== undefined && layer !== undefined) {
    throw new InputError('layer', layer, 'either key or layer, not both');
  }
  if (layer !== undefined) {
    if (!LAYER.test(layer)) {
      throw new InputError('layer', layer, 'a layer name such as global, network or db-api');
    }
    return layerKey(layer);
  }
  if (key === undefined) {
    throw new MissingInputError(
      'key',
      'Give the object key (mcfpipe/aws/network/network_config.json), or a layer (network) to use mcfpipe/aws/<layer>/<layer>_config.json.',
    );
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  const control = /[\u0000-\u001f\u007f]/;
  if (
    bytes > 1024 ||
    key.startsWith('/') ||
    key.endsWith('/') ||
    key.includes('//') ||
    control.test(key) ||
    key.split('/').some((part) => part === '.' || part === '..')
  ) {
    throw new InputError(
      'key',
      key,
      'an S3 object key such as mcfpipe/aws/network/network_config.json: at most 1,024 bytes, no leading or trailing slash, no empty, "." or ".." path segments, no control characters',
    );
  }
  return key;
}

function readSources(mode: Mode, cwd: string): Sources {
  const sources: Sources = { set: {} };
  if (mode === 'read') return sources;
  const stackName = getString('stack-name');
  if (stackName !== undefined) {
    if (!STACK_NAME.test(stackName) && !STACK_ARN.test(stackName)) {
      throw new InputError(
        'stack-name',
        stackName,
        'a stack name (a letter, then letters, digits and hyphens, at most 128) or a stack ARN',
      );
    }
    sources.stackName = stackName;
  }
  const file = getString('file');
  if (file !== undefined) sources.file = { path: resolve(cwd, file), shown: file };
  const json = getString('json');
  if (json !== undefined) sources.json = json;
  sources.set = parseKeyValues('set', raw('set'), CONFIG_KEY);
  if (
    !sources.stackName &&
    !sources.file &&
    sources.json === undefined &&
    !Object.keys(sources.set).length
  ) {
    throw new MissingInputError(
      'stack-name',
      'In publish mode give at least one source: stack-name (publish its outputs), file, json, or set (KEY=value lines).',
    );
  }
  return sources;
}
