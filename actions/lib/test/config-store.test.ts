import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseConfigDocument,
  parseS3Url,
  pickKeys,
  readConfig,
  toOutputEntries,
} from '../config-store.js';

const s3 = new S3Client({ region: 'us-east-1' });
const mock = mockClient(s3);
afterEach(() => mock.reset());

/** The part of an SDK stream body that readConfig uses. */
function body(text: string) {
  return { transformToString: async () => text };
}

describe('parseS3Url', () => {
  it('splits bucket and key', () => {
    expect(
      parseS3Url('network-config', 's3://cfg-bucket/mcfpipe/aws/network/network_config.json'),
    ).toEqual({
      bucket: 'cfg-bucket',
      key: 'mcfpipe/aws/network/network_config.json',
    });
  });
  it.each(['cfg/key', 's3://cfg', 's3://Bad_Bucket/key', 'https://cfg.s3.amazonaws.com/k'])(
    'rejects %s',
    (v) => {
      expect(() => parseS3Url('network-config', v)).toThrow(
        /Input "network-config": .* Accepted: s3:\/\/BUCKET\/KEY/,
      );
    },
  );
});

describe('config documents', () => {
  it('reads the AWS CLI outputs list and flat objects', () => {
    expect(
      parseConfigDocument(
        '[{"OutputKey":"VpcId","OutputValue":"vpc-1"},{"OutputKey":"N","OutputValue":2}]',
        'x',
      ),
    ).toEqual({ pairs: { VpcId: 'vpc-1', N: '2' }, secretKeys: [] });
    expect(parseConfigDocument('{"Env":"dev","Count":3,"On":true}', 'x')).toEqual({
      pairs: { Env: 'dev', Count: '3', On: 'true' },
      secretKeys: [],
    });
  });

  it('reads which entries are secret', () => {
    expect(
      parseConfigDocument(
        '[{"OutputKey":"Token","OutputValue":"t0k3n-value","Secret":true},{"OutputKey":"Url","OutputValue":"u","Secret":false}]',
        'x',
      ),
    ).toEqual({ pairs: { Token: 't0k3n-value', Url: 'u' }, secretKeys: ['Token'] });
    // A Secret that is not a boolean is an error that does not show the value.
    const err = (() => {
      try {
        parseConfigDocument(
          '[{"OutputKey":"Token","OutputValue":"t0k3n-value","Secret":"yes"}]',
          's3://b/k',
        );
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(err).toBe(
      'The config at s3://b/k is malformed: entry 0 ("Token") has "Secret": "yes"; expected true or false.',
    );
  });

  it('names the source of a malformed document', () => {
    expect(() => parseConfigDocument('[{"Key":"x"}]', 's3://b/k')).toThrow(
      'The config at s3://b/k is malformed: entry 0 is {"Key":"x"}',
    );
    expect(() => parseConfigDocument('{', 's3://b/k')).toThrow(
      'The config at s3://b/k is not valid JSON',
    );
    expect(() => parseConfigDocument('{"a":{"b":1}}', 's3://b/k')).toThrow(
      '"a" is not a string, number or boolean',
    );
    expect(() => parseConfigDocument('"text"', 's3://b/k')).toThrow('malformed');
  });

  it('writes pairs back in the published format, sorted', () => {
    expect(toOutputEntries({ b: '2', a: '1' })).toEqual([
      { OutputKey: 'a', OutputValue: '1' },
      { OutputKey: 'b', OutputValue: '2' },
    ]);
  });

  it('picks keys or lists what is missing and what is there', () => {
    expect(pickKeys({ a: '1', b: '2' }, ['a'], 'w')).toEqual({ a: '1' });
    expect(() => pickKeys({ a: '1', b: '2' }, ['a', 'SGPrivate'], 's3://b/k')).toThrow(
      'The config at s3://b/k has no "SGPrivate". Keys present: a, b.',
    );
  });
});

describe('readConfig', () => {
  it('downloads and parses', async () => {
    mock
      .on(GetObjectCommand)
      .resolves({ Body: body('[{"OutputKey":"VpcId","OutputValue":"vpc-1"}]') } as never);
    await expect(readConfig(s3, { bucket: 'b', key: 'k.json' })).resolves.toEqual({
      pairs: { VpcId: 'vpc-1' },
      secretKeys: [],
    });
  });

  it('explains a missing key and a missing bucket', async () => {
    mock
      .on(GetObjectCommand)
      .rejects(
        Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
      );
    await expect(readConfig(s3, { bucket: 'b', key: 'k.json' })).rejects.toThrow(
      'No config at s3://b/k.json: the key does not exist in bucket b.',
    );
    mock
      .on(GetObjectCommand)
      .rejects(Object.assign(new Error('no bucket'), { name: 'NoSuchBucket' }));
    await expect(readConfig(s3, { bucket: 'b', key: 'k.json' })).rejects.toThrow(
      'bucket b does not exist',
    );
  });

  it('access denied names the bucket and key, and says S3 answers so for a missing key without s3:ListBucket', async () => {
    mock.on(GetObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const err = await readConfig(s3, { bucket: 'b', key: 'k.json' }).catch((e) => e);
    expect(err.message).toBe(
      'Cannot read the config at s3://b/k.json: access denied (HTTP 403). S3 gives this answer also when the key does not exist and the role may not list bucket b (s3:ListBucket).',
    );
    expect(err.hint).toMatch(/s3:GetObject on s3:\/\/b\/k\.json and s3:ListBucket on bucket b/);
  });
});
