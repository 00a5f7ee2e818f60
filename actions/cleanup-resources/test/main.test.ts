/**
 * cleanup-resources' main with @actions/core mocked (core-mock.ts): inputs
 * in; outputs, the failure and the summary as the step leaves them.
 */
import { describe, expect, it, vi } from 'vitest';
import { runAction } from '../../lib/run.js';
import { step } from '../../lib/testing/core-mock.js';
import { main } from '../src/action.js';
import { FakeAws } from './fake-aws.js';

vi.mock('@actions/core', () => import('../../lib/testing/core-mock.js'));

const list = (output: string | undefined) =>
  (JSON.parse(output ?? '[]') as Array<{ kind: string; name: string }>).map(
    (o) => `${o.kind} ${o.name}`,
  );

describe('cleanup-resources main (mocked @actions/core)', () => {
  it('deletes an environment’s stacks: every verdict an output, the summary complete', async () => {
    const aws = new FakeAws();
    aws.layers('mcfpipe-dev');
    step.reset({ 'stack-prefix': 'mcfpipe-dev' });
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toBeUndefined();
    expect(list(step.outputs.deleted).sort()).toEqual([
      'stack mcfpipe-dev-db-api',
      'stack mcfpipe-dev-network',
      'stack mcfpipe-dev-tester',
      'stack mcfpipe-dev-webscraper',
    ]);
    expect(list(step.outputs.kept)).toEqual(['stack resource mcfpipe-dev-job']);
    expect(JSON.parse(step.outputs.refused!)).toEqual([]);
    expect(step.summary).toContain('## cleanup-resources: complete');
  });

  it('a dry run changes nothing and says what it would delete', async () => {
    const aws = new FakeAws();
    aws.layers('mcfpipe-dev');
    step.reset({ 'stack-prefix': 'mcfpipe-dev', 'dry-run': 'true' });
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toBeUndefined();
    expect(aws.stacks.some((s) => s.deleted)).toBe(false);
    expect(list(step.outputs['would-delete'])).toHaveLength(4);
    expect(step.summary).toContain('## cleanup-resources: dry run (nothing changed)');
  });

  it('a refused bucket fails the step, naming it', async () => {
    const aws = new FakeAws();
    aws.s3.addBucket('someone-elses-data', { tags: [{ Key: 'team', Value: 'finance' }] });
    step.reset({ buckets: 'someone-elses-data' });
    await runAction(() => main(() => aws.context()));
    expect(step.failed).toMatch(/^Cleanup incomplete: 0 failures, 1 refused/);
    expect(step.failed).toContain('someone-elses-data');
    expect(list(step.outputs.refused)).toEqual(['bucket someone-elses-data']);
  });
});
