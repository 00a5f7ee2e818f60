import { describe, expect, it } from 'vitest';
import { operationName, runIdFrom } from '../src/context.js';
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
