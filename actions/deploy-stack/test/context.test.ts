import { describe, expect, it } from 'vitest';
import { cfnError, throttled } from '../../lib/testing/cfn-fixtures.js';
import { operationName, runIdFrom, tolerant } from '../src/context.js';
import { STACK_NAME } from '../src/inputs.js';
import { testContext } from './fake-cloudformation.js';

describe('change-set names', () => {
  it('name the run, the attempt and the step, and are valid change-set names', () => {
    const env = {
      GITHUB_RUN_ID: '9876543210',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_ACTION: '__deploy_network_2',
    };
    expect(runIdFrom(env, 0)).toBe('9876543210-2-deploy-network-2');
    expect(runIdFrom({ GITHUB_RUN_ID: '42' }, 0)).toBe('42-1');
    expect(runIdFrom({}, 1_700_000_000_000)).toBe('local-loyw3v28');
    const { ctx } = testContext();
    ctx.runId = runIdFrom({ ...env, GITHUB_ACTION: 'x'.repeat(200) }, 0);
    for (const n of [operationName(ctx, 1), operationName(ctx, 3)]) expect(n).toMatch(STACK_NAME);
    expect(operationName(ctx, 3)).toMatch(/-3$/);
  });
});

describe('tolerant', () => {
  it('retries throttling with growing pauses, and gives up sooner on other transient errors', async () => {
    const { ctx, clock } = testContext();
    let calls = 0;
    const value = await tolerant(ctx, 'CreateChangeSet', async () => {
      if (++calls < 4) throw throttled();
      return 'done';
    });
    expect(value).toBe('done');
    expect(clock.sleeps).toEqual([2000, 4000, 8000]);

    const failing = tolerant(ctx, 'ExecuteChangeSet', async () => {
      throw cfnError('InternalFailure', 'internal error', 500);
    });
    await expect(failing).rejects.toThrow('internal error');
    await expect(
      tolerant(ctx, 'X', async () => {
        throw cfnError('ValidationError', 'bad');
      }),
    ).rejects.toThrow('bad');
  });
});
