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

  it('export-env sets the keys that begin with the prefix (CFG_ by default) as environment variables', async () => {
    const aws = withConfig(
      serializeConfig({ CFG_VpcId: NETWORK.VpcId, 'CFG_db.url': 'https://x', CFG_Stage: 'dev' }),
    );
    const file = envFile();
    const step = await aws.run({ mode: 'read', layer: 'network', 'export-env': 'true' });
    expect(step.error).toBeUndefined();
    expect(parseCommandFile(readFileSync(file, 'utf8'))).toEqual({
      CFG_VpcId: NETWORK.VpcId,
      CFG_db_url: 'https://x',
      CFG_Stage: 'dev',
    });
    expect(step.summary).toContain('| CFG_db.url | https://x | CFG_db_url |');
  });

  it('env-prefix chooses another prefix', async () => {
    const aws = withConfig(serializeConfig({ NET_VpcId: NETWORK.VpcId, NET_Private: 'x' }));
    const file = envFile();
    const step = await aws.run({
      mode: 'read',
      layer: 'network',
      'export-env': 'true',
      'env-prefix': 'NET_',
    });
    expect(step.error).toBeUndefined();
    expect(parseCommandFile(readFileSync(file, 'utf8'))).toEqual({
      NET_VpcId: NETWORK.VpcId,
      NET_Private: 'x',
    });
  });

  // Names a deny-list let through: each would steer a later step's tools.
  it.each([
    'GOFLAGS',
    'MAVEN_OPTS',
    'PIP_INDEX_URL',
    'RUSTC_WRAPPER',
    'CHROMIUM_PATH',
    'CARGO_HOME',
    'GEM_HOME',
    'LD_PRELOAD',
    'PATH',
    'AWS_REGION',
    'cfg_lowercase',
    'CFG_',
  ])(
    'export-env refuses the key %s (no CFG_ prefix), exporting nothing and setting no output',
    async (key) => {
      const file = envFile();
      const step = await withConfig(serializeConfig({ CFG_Fine: 'ok', [key]: 'x' })).run({
        mode: 'read',
        layer: 'network',
        'export-env': 'true',
      });
      expect(step.error).toBe(
        `export-env: config key "${key}" does not begin with CFG_, the prefix every exported variable must have (env-prefix, default CFG_), so nothing was exported.\nName the keys to export CFG_<name> in the published config, or set env-prefix to the prefix they share (letters, digits and _, ending in _). Every key is also a step output and in the "config" output, without export-env.`,
      );
      expect(readFileSync(file, 'utf8')).toBe('');
      expect(step.outputs).toEqual({});
    },
  );

  it('export-env refuses two keys that become one name', async () => {
    envFile();
    const step = await withConfig(serializeConfig({ 'CFG_a.b': '1', CFG_a_b: '2' })).run({
      mode: 'read',
      layer: 'network',
      'export-env': 'true',
    });
    expect(step.error).toMatch(
      /^export-env: config keys "CFG_a\.b" and "CFG_a_b" both become the environment variable CFG_a_b\./,
    );
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
