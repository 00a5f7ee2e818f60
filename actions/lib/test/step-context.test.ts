import { describe, expect, it } from 'vitest';
import { stepContext } from '../step-context.js';

describe('stepContext', () => {
  it('builds the CloudFormation, S3 and STS clients for the region input', async () => {
    const ctx = stepContext('ap-southeast-1');
    expect(ctx.region).toBe('ap-southeast-1');
    for (const client of [ctx.cfn, ctx.s3, ctx.sts]) {
      expect(await client.config.region()).toBe('ap-southeast-1');
      client.destroy();
    }
  });

  it('a bad region input fails before any client exists, naming the input', () => {
    expect(() => stepContext('Singapore')).toThrow(
      'Region "Singapore" from input "region" is not a valid AWS region',
    );
  });
});
