import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it, vi } from 'vitest';
import { serializeConfig } from '../../lib/config-write.js';
import { parseCommandFile } from '../../lib/testing/run-action.js';
import { DEFAULT_BUCKET, FakeAws, NETWORK_KEY, stsMock } from './fake-aws.js';

const NETWORK = {
  VpcId: 'vpc-0a1b2c3d4e5f60718',
  PublicSubnet1Id: 'subnet-0a1b2c3d4e5f60718',
  SGPrivate: 'sg-0a1b2c3d4e5f60712',
};

function withConfig(text = serializeConfig(NETWORK), bucket = DEFAULT_BUCKET): FakeAws {
  const aws = new FakeAws();
  aws.s3.addBucket(bucket, { versioning: 'Enabled' });
  aws.s3.put(bucket, NETWORK_KEY, text);
  return aws;
}

/** A fresh GITHUB_ENV file for core.exportVariable. */
function envFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'publish-config-env-')), 'env');
  writeFileSync(file, '');
  vi.stubEnv('GITHUB_ENV', file);
  return file;
}

describe('read mode', () => {
  it('sets every pair as a step output, plus the config as JSON', async () => {
    const aws = withConfig();
    const step = await aws.run({ mode: 'read', layer: 'network' });
    expect(step.error).toBeUndefined();
    expect(step.outputs).toEqual({
      ...NETWORK,
      bucket: DEFAULT_BUCKET,
      key: NETWORK_KEY,
      url: `s3://${DEFAULT_BUCKET}/${NETWORK_KEY}`,
      config: JSON.stringify({
        PublicSubnet1Id: NETWORK.PublicSubnet1Id,
        SGPrivate: NETWORK.SGPrivate,
        VpcId: NETWORK.VpcId,
      }),
      changed: 'false',
    });
    expect(aws.log.at(-1)).toBe(`Read 3 value(s) from s3://${DEFAULT_BUCKET}/${NETWORK_KEY}.`);
    expect(step.summary).toContain('| VpcId | vpc-0a1b2c3d4e5f60718 |');
  });

  it('with a bucket given, makes no STS call', async () => {
    const aws = withConfig(undefined, 'cfg-bucket');
    const step = await aws.run({ mode: 'read', layer: 'network', bucket: 'cfg-bucket' });
    expect(step.error).toBeUndefined();
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('export-env sets environment variables for later steps, with a prefix', async () => {
    const aws = withConfig(serializeConfig({ ...NETWORK, 'db.url': 'https://x' }));
    const file = envFile();
    const step = await aws.run({
      mode: 'read',
      layer: 'network',
      'export-env': 'true',
      'env-prefix': 'NET_',
    });
    expect(step.error).toBeUndefined();
    expect(parseCommandFile(readFileSync(file, 'utf8'))).toEqual({
      NET_PublicSubnet1Id: NETWORK.PublicSubnet1Id,
      NET_SGPrivate: NETWORK.SGPrivate,
      NET_VpcId: NETWORK.VpcId,
      NET_db_url: 'https://x',
    });
    expect(step.summary).toContain('| db.url | https://x | NET_db_url |');
  });

  it('export-env refuses a key that would set PATH or AWS_ variables, and keys that collide', async () => {
    envFile();
    let step = await withConfig(serializeConfig({ AWS_REGION: 'eu-west-1' })).run({
      mode: 'read',
      layer: 'network',
      'export-env': 'true',
    });
    expect(step.error).toBe(
      'export-env: config key "AWS_REGION" would set the environment variable AWS_REGION, which this step never sets from a config (it steers the runner, a shell, how programs load code, TLS, proxies or AWS credentials).\nSet env-prefix (for example CFG_) to export every key under a prefix.',
    );
    step = await withConfig(serializeConfig({ 'a.b': '1', a_b: '2' })).run({
      mode: 'read',
      layer: 'network',
      'export-env': 'true',
    });
    expect(step.error).toMatch(
      /^export-env: config keys "a\.b" and "a_b" both become the environment variable a_b\./,
    );
  });

  it('export-env refuses names that load code or change TLS in later steps, whatever their case', async () => {
    envFile();
    for (const key of [
      'LD_AUDIT',
      'DYLD_INSERT_LIBRARIES',
      'GIT_SSH_COMMAND',
      'git_config_count',
      'JAVA_TOOL_OPTIONS',
      'PYTHONPATH',
      'PERL5OPT',
      'RUBYOPT',
      'npm_config_script_shell',
      'NODE_EXTRA_CA_CERTS',
      'NODE_TLS_REJECT_UNAUTHORIZED',
      'SSL_CERT_FILE',
      'PROMPT_COMMAND',
      'ALL_PROXY',
    ]) {
      const step = await withConfig(serializeConfig({ [key]: 'x' })).run({
        mode: 'read',
        layer: 'network',
        'export-env': 'true',
      });
      expect(step.error, key).toMatch(
        new RegExp(
          `^export-env: config key "${key}" would set the environment variable ${key}, which this step never sets`,
        ),
      );
    }
    // Ordinary names that merely begin like one stay allowed.
    const step = await withConfig(serializeConfig({ PythonVersion: '3.12', GitSha: 'abc' })).run({
      mode: 'read',
      layer: 'network',
      'export-env': 'true',
    });
    expect(step.error).toBeUndefined();
  });

  it('secret-keys are masked before they become outputs', async () => {
    const aws = withConfig(serializeConfig({ ...NETWORK, DbPassword: 'hunter2-long-secret' }));
    const step = await aws.run({ mode: 'read', layer: 'network', 'secret-keys': 'DbPassword' });
    expect(step.error).toBeUndefined();
    const mask = step.stdout.indexOf('::add-mask::hunter2-long-secret');
    expect(mask).toBeGreaterThanOrEqual(0);
    expect(step.outputs.DbPassword).toBe('hunter2-long-secret');
    expect(step.summary).not.toContain('hunter2');
  });

  it('keys that must be present: a missing one fails naming the keys there are', async () => {
    const aws = withConfig();
    const step = await aws.run({ mode: 'read', layer: 'network', keys: 'VpcId, PrivateSubnetId' });
    expect(step.error).toBe(
      `The config at s3://${DEFAULT_BUCKET}/${NETWORK_KEY} has no "PrivateSubnetId". Keys present: PublicSubnet1Id, SGPrivate, VpcId.`,
    );
  });

  it('a missing key or bucket, and a malformed file, name the bucket and key', async () => {
    let step = await withConfig().run({
      mode: 'read',
      key: 'mcfpipe/aws/db-api/db_api_config.json',
    });
    expect(step.error).toBe(
      `No config at s3://${DEFAULT_BUCKET}/mcfpipe/aws/db-api/db_api_config.json: the key does not exist in bucket ${DEFAULT_BUCKET}.\nPublish it first with the publish-config action (the layer that creates it must be deployed), or check the key.`,
    );
    step = await new FakeAws().run({ mode: 'read', layer: 'network', bucket: 'no-such-bucket' });
    expect(step.error).toMatch(
      /^No config at s3:\/\/no-such-bucket\/.*: bucket no-such-bucket does not exist/,
    );
    step = await withConfig('{"VpcId": ').run({ mode: 'read', layer: 'network' });
    expect(step.error).toMatch(
      new RegExp(`^The config at s3://${DEFAULT_BUCKET}/${NETWORK_KEY} is not valid JSON`),
    );
  });

  it('a config key named like a fixed output stays in the config output, with a warning', async () => {
    const aws = withConfig(serializeConfig({ bucket: 'other', VpcId: 'vpc-1' }));
    const step = await aws.run({ mode: 'read', layer: 'network' });
    expect(step.outputs.bucket).toBe(DEFAULT_BUCKET);
    expect(JSON.parse(step.outputs.config!)).toEqual({ bucket: 'other', VpcId: 'vpc-1' });
    expect(aws.warnings[0]).toMatch(
      /^Config key\(s\) bucket share a name with this action's own outputs/,
    );
  });

  it('a stored key with a line break cannot write other outputs: it stays in the config output', async () => {
    const hostile = 'x<<EOF\nurl=s3://elsewhere/k\nEOF\ny';
    const aws = withConfig(JSON.stringify({ VpcId: 'vpc-1', [hostile]: 'v', 'has space': 'w' }));
    const step = await aws.run({ mode: 'read', layer: 'network' });
    expect(step.error).toBeUndefined();
    expect(step.outputs.url).toBe(`s3://${DEFAULT_BUCKET}/${NETWORK_KEY}`);
    expect(Object.keys(step.outputs).sort()).toEqual(
      ['VpcId', 'bucket', 'changed', 'config', 'key', 'url'].sort(),
    );
    expect(JSON.parse(step.outputs.config!)).toEqual({
      VpcId: 'vpc-1',
      [hostile]: 'v',
      'has space': 'w',
    });
    expect(aws.warnings).toEqual([
      'Config key(s) "x<<EOF\\nurl=s3://elsewhere/k\\nEOF\\ny", "has space" are not step output names (a letter or _, then letters, digits and _ . : / -); read them from the "config" output (JSON) instead.',
    ]);
  });
});
