import { describe, expect, it } from 'vitest';
import { layerKey } from '../src/inputs.js';
import { cfnMock, FakeAws, s3Mock, stsMock } from './fake-aws.js';

describe('bad input fails before any AWS call, naming the input and what is accepted', () => {
  it.each([
    [{ set: 'A=1' }, /^Input "key" is required and was not supplied\. Give the object key/],
    [
      { key: 'a.json', layer: 'network' },
      'Input "layer": "network" is not valid. Accepted: either key or layer, not both.',
    ],
    [
      { layer: 'Network' },
      'Input "layer": "Network" is not valid. Accepted: a layer name such as global, network or db-api.',
    ],
    [
      { key: '/abs.json', set: 'A=1' },
      /^Input "key": "\/abs.json" is not valid\. Accepted: an S3 object key/,
    ],
    [{ key: 'a/../b.json', set: 'A=1' }, /^Input "key": "a\/..\/b.json" is not valid/],
    [
      { key: 'a.json', set: 'A=1', bucket: 'My_Bucket' },
      /^Input "bucket": "My_Bucket" is not valid\. Accepted: an S3 bucket name/,
    ],
    [
      { key: 'a.json', set: 'A=1', mode: 'write' },
      'Input "mode": "write" is not valid. Accepted: one of publish, read.',
    ],
    [
      { key: 'a.json' },
      /^Input "stack-name" is required and was not supplied\. In publish mode give at least one source/,
    ],
    [
      { key: 'a.json', set: 'no equals sign' },
      'Input "set": "no equals sign" is not valid. Accepted: KEY=value lines, one pair per line.',
    ],
    [
      { key: 'a.json', set: 'A=1\nA=2' },
      'Input "set (line 2)": "A=2" is not valid. Accepted: each KEY at most once.',
    ],
    [{ key: 'a.json', 'stack-name': 'bad_name!' }, /^Input "stack-name": "bad_name!" is not valid/],
    [
      { key: 'a.json', set: 'A=1', 'create-bucket': 'maybe' },
      'Input "create-bucket": "maybe" is not valid. Accepted: true or false (also yes/no, on/off, 1/0).',
    ],
    [
      { key: 'a.json', set: 'A=1', env: 'Dev Env' },
      'Input "env": "Dev Env" is not valid. Accepted: lowercase letters, digits and hyphens, such as dev or prod.',
    ],
    [
      { key: 'a.json', set: 'A=1', env: '' },
      'Input "env" is required and was not supplied. Without "bucket" the config is in the environment\'s own bucket, mcfpipe-config-<env>-<account>-<region>: set env to the environment (dev, staging, prod), or name the bucket with the "bucket" input.',
    ],
    [
      { mode: 'read', layer: 'network', env: '' },
      /^Input "env" is required and was not supplied\. Without "bucket"/,
    ],
    [
      { key: 'a.json', set: 'A=1', 'export-env': 'true' },
      'Input "export-env": "true" is not valid. Accepted: false in publish mode (it applies to mode: read).',
    ],
    [
      { mode: 'read', key: 'a.json', set: 'A=1' },
      'Input "set": "A=1" is not valid. Accepted: nothing in read mode: stack-name, file, json and set are for mode: publish.',
    ],
    ...['1X_', 'CFG', '_', 'PATH', 'A-B_'].map((prefix): [Record<string, string>, string] => [
      { mode: 'read', key: 'a.json', 'env-prefix': prefix },
      `Input "env-prefix": "${prefix}" is not valid. Accepted: a prefix of letters, digits and _, starting with a letter and ending in _ (default CFG_); export-env exports only the config keys that begin with it.`,
    ]),
    [
      { mode: 'read', key: 'a.json', keys: 'Vpc Id' },
      'Input "keys": "Vpc Id" is not valid. Accepted: config keys such as VpcId or SGPrivate.',
    ],
  ])('%j', async (inputs, expected) => {
    const step = await new FakeAws().run(inputs as Record<string, string>);
    if (typeof expected === 'string') expect(step.error).toBe(expected);
    else expect(step.error).toMatch(expected);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(stsMock.calls()).toHaveLength(0);
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('layer names map to the keys of the config bucket layout', () => {
    expect(layerKey('global')).toBe('mcfpipe/aws/global/global_config.json');
    expect(layerKey('network')).toBe('mcfpipe/aws/network/network_config.json');
    expect(layerKey('db-api')).toBe('mcfpipe/aws/db-api/db_api_config.json');
  });

  it('a value of secret-keys in set is masked even when another input is bad', async () => {
    const step = await new FakeAws().run({
      key: 'a.json',
      set: 'Token=abc-secret-123\nbad line',
      'secret-keys': 'Token',
    });
    expect(step.stdout).toContain('::add-mask::abc-secret-123');
    expect(step.error).toMatch(/^Input "set \(line 2\)"/);
  });
});
