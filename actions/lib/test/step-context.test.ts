import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../core/clock.js';
import { lazyClient, stepContext } from '../step-context.js';

describe('stepContext', () => {
  it('resolves the region input and gives the step log, the clock and the workflow run', () => {
    vi.stubEnv('GITHUB_RUN_ID', '4242');
    const ctx = stepContext('ap-southeast-1');
    expect(ctx.region).toBe('ap-southeast-1');
    expect(ctx.clock).toBe(systemClock);
    expect(ctx.run.runId).toBe('4242');
  });

  it('a bad region input fails before any client exists, naming the input', () => {
    expect(() => stepContext('Singapore')).toThrow(
      'Region "Singapore" from input "region" is not a valid AWS region',
    );
  });
});

describe('lazyClient', () => {
  it('loads and builds the client once, on first use, for the region', async () => {
    let loads = 0;
    const sts = lazyClient('eu-west-1', 'STS', async () => {
      loads++;
      return (await import('@aws-sdk/client-sts')).STSClient;
    });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([sts(), sts()]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    expect(await a.config.region()).toBe('eu-west-1');
    a.destroy();
  });
});
