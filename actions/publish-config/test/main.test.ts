/**
 * publish-config's main with @actions/core mocked (core-mock.ts): inputs in;
 * outputs, exported variables, the failure, masks and the summary as the
 * step leaves them.
 */
import { describe, expect, it, vi } from 'vitest';
import { serializeConfig } from '../../lib/config-write.js';
import { runAction } from '../../lib/run.js';
import { step } from '../../lib/testing/core-mock.js';
import { main } from '../src/action.js';
import { DEFAULT_BUCKET, FakeAws, NETWORK_KEY } from './fake-aws.js';

vi.mock('@actions/core', () => import('../../lib/testing/core-mock.js'));

describe('publish-config main (mocked @actions/core)', () => {
  it('publishes a stack’s outputs to the environment’s bucket, masking secret keys', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network');
    step.reset({
      'stack-name': 'mcfpipe-dev-network',
      layer: 'network',
      env: 'dev',
      set: 'DbPassword=pg-pass-7f3a91',
      'secret-keys': 'DbPassword',
    });
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toBeUndefined();
    // Masked as soon as the inputs are read, before anything could print it.
    expect(new Set(step.masks)).toEqual(new Set(['pg-pass-7f3a91']));
    expect(step.outputs).toMatchObject({
      bucket: DEFAULT_BUCKET,
      key: NETWORK_KEY,
      changed: 'true',
    });
    expect(step.summary).toContain('| DbPassword | (secret, masked) | set input |');
    expect(step.summary).not.toContain('pg-pass-7f3a91');
  });

  it('reads a config back: outputs, CFG_ variables, and the values the document marks secret masked', async () => {
    const aws = new FakeAws();
    aws.s3.addBucket(DEFAULT_BUCKET, { versioning: 'Enabled' });
    aws.s3.put(
      DEFAULT_BUCKET,
      NETWORK_KEY,
      serializeConfig({ CFG_VpcId: 'vpc-1', CFG_Token: 'tok-9f8e7d' }, {}, ['CFG_Token']),
    );
    step.reset({ mode: 'read', layer: 'network', env: 'dev', 'export-env': 'true' });
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toBeUndefined();
    expect(step.masks).toEqual(['tok-9f8e7d']);
    expect(step.exported).toEqual({ CFG_VpcId: 'vpc-1', CFG_Token: 'tok-9f8e7d' });
    expect(step.outputs).toMatchObject({ CFG_VpcId: 'vpc-1', changed: 'false' });
    expect(step.summary).not.toContain('tok-9f8e7d');
  });

  it('a failure is the step’s failure, with what to do', async () => {
    const aws = new FakeAws();
    step.reset({ layer: 'network', set: 'A=1' });
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toMatch(/^Input "env" is required and was not supplied\. Without "bucket"/);
    expect(step.outputs).toEqual({});
  });
});
