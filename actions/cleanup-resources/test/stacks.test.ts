import {
  DeleteStackCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { cfnMock, FakeAws, OWNED } from './fake-aws.js';

const deleteCalls = () => cfnMock.commandCalls(DeleteStackCommand).map((c) => c.args[0].input);

/** The timeline of stacks deleted one after another, each gone before the next starts. */
const oneAfterAnother = (...names: string[]) => names.flatMap((n) => [`delete ${n}`, `gone ${n}`]);

describe('stack order', () => {
  it('deletes the layers in reverse order of creation, independent ones at the same time', async () => {
    const aws = new FakeAws();
    aws.layers();
    const step = await aws.run({ 'stack-prefix': 'mcfpipe-dev' });
    expect(step.error).toBeUndefined();
    const t = aws.timeline;
    // tester and webscraper start together, before either is gone.
    expect(t.slice(0, 2).sort()).toEqual([
      'delete mcfpipe-dev-tester',
      'delete mcfpipe-dev-webscraper',
    ]);
    expect(t.indexOf('delete mcfpipe-dev-db-api')).toBeGreaterThan(
      t.indexOf('gone mcfpipe-dev-tester'),
    );
    expect(t.indexOf('delete mcfpipe-dev-db-api')).toBeGreaterThan(
      t.indexOf('gone mcfpipe-dev-webscraper'),
    );
    expect(t.indexOf('delete mcfpipe-dev-network')).toBeGreaterThan(
      t.indexOf('gone mcfpipe-dev-db-api'),
    );
    expect(t.at(-1)).toBe('gone mcfpipe-dev-network');
    expect(aws.stacks.every((s) => s.deleted)).toBe(true);
    // The stack id is used, so a deleted stack is still found, and each call carries a token.
    expect(deleteCalls()[0]).toEqual({
      StackName: expect.stringMatching(/^arn:aws:cloudformation:/),
      ClientRequestToken: 'mcfpipe-cleanup-4242-1-1',
    });
    // DeletionPolicy Retain: kept and said so.
    const kept = JSON.parse(step.outputs.kept!);
    expect(kept).toEqual([
      {
        kind: 'stack resource',
        name: 'mcfpipe-dev-job',
        reason: expect.stringMatching(
          /^AWS::DynamoDB::Table JobTable of stack mcfpipe-dev-db-api: DeletionPolicy Retain/,
        ),
      },
    ]);
    expect(
      JSON.parse(step.outputs.deleted!)
        .map((o: { name: string }) => o.name)
        .sort(),
    ).toEqual([
      'mcfpipe-dev-db-api',
      'mcfpipe-dev-network',
      'mcfpipe-dev-tester',
      'mcfpipe-dev-webscraper',
    ]);
    expect(step.summary).toContain('## cleanup-resources: complete');
    expect(step.summary).toContain('### Kept (1)');
    // Events are streamed, prefixed with the stack's name.
    expect(aws.log.some((l) => /^\[mcfpipe-dev-db-api\] .*JobTable .*DELETE_SKIPPED/.test(l))).toBe(
      true,
    );
  });

  it('given the layer names in creation order, deletes them in reverse, with no import between them', async () => {
    const aws = new FakeAws();
    const names = ['network', 'db-api', 'tester', 'webscraper', 'github-oidc'].map(
      (layer) => `mcfpipe-dev-${layer}`,
    );
    // No exports or imports: the order comes from the layer names alone.
    for (const name of names) aws.addStack(name);
    const step = await aws.run({ stacks: names.join('\n') });
    expect(step.error).toBeUndefined();
    const t = aws.timeline;
    // tester and webscraper (both after db-api) are deleted at the same time.
    expect(t.slice(0, 2).sort()).toEqual([
      'delete mcfpipe-dev-tester',
      'delete mcfpipe-dev-webscraper',
    ]);
    expect(t.slice(2, 4).sort()).toEqual([
      'gone mcfpipe-dev-tester',
      'gone mcfpipe-dev-webscraper',
    ]);
    // Then one after another; github-oidc (created first: the workflows' role) goes last.
    expect(t.slice(4)).toEqual(
      oneAfterAnother('mcfpipe-dev-db-api', 'mcfpipe-dev-network', 'mcfpipe-dev-github-oidc'),
    );
  });

  it('an importer goes before the stack whose export it imports, whatever the names', async () => {
    const aws = new FakeAws();
    aws.addStack('shared-base', {
      outputs: [{ OutputKey: 'Topic', OutputValue: 'arn:t', ExportName: 'shared-topic' }],
    });
    aws.addStack('alpha-consumer', { imports: ['shared-topic'] });
    const step = await aws.run({ stacks: 'shared-base, alpha-consumer' });
    expect(step.error).toBeUndefined();
    expect(aws.timeline).toEqual(oneAfterAnother('alpha-consumer', 'shared-base'));
  });

  it('refuses a stack whose export is imported by a stack that stays, and deletes nothing it needs', async () => {
    const aws = new FakeAws();
    aws.layers();
    const step = await aws.run({ stacks: 'mcfpipe-dev-network' });
    expect(step.error).toMatch(/^Cleanup incomplete: 0 failures, 1 refused\./);
    const refused = JSON.parse(step.outputs.refused!);
    expect(refused[0].reason).toBe(
      'its exports (mcfpipe-dev-VpcId) are imported by mcfpipe-dev-db-api, which is not being deleted; add it to the cleanup or remove the imports first',
    );
    expect(deleteCalls()).toHaveLength(0);
  });

  it('a github-oidc stack goes last', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-github-oidc');
    aws.addStack('mcfpipe-dev-network');
    await aws.run({ stacks: 'mcfpipe-github-oidc\nmcfpipe-dev-network' });
    expect(aws.timeline).toEqual(oneAfterAnother('mcfpipe-dev-network', 'mcfpipe-github-oidc'));
  });
});

describe('selecting stacks', () => {
  it('exclude-stacks keeps a stack the prefix selects, and lists it as kept', async () => {
    const aws = new FakeAws();
    aws.layers();
    aws.addStack('mcfpipe-dev-github-oidc');
    const step = await aws.run({
      'stack-prefix': 'mcfpipe-dev',
      'exclude-stacks': 'mcfpipe-dev-github-oidc',
    });
    expect(step.error).toBeUndefined();
    expect(aws.stacks.find((s) => s.name === 'mcfpipe-dev-github-oidc')!.deleted).toBe(false);
    expect(aws.stacks.filter((s) => s.deleted).map((s) => s.name)).toHaveLength(4);
    expect(JSON.parse(step.outputs.kept!)).toContainEqual({
      kind: 'stack',
      name: 'mcfpipe-dev-github-oidc',
      reason: 'excluded by exclude-stacks',
    });
  });

  it('an excluded stack that imports an export keeps the exporting stack too (refused)', async () => {
    const aws = new FakeAws();
    aws.layers();
    const step = await aws.run({
      'stack-prefix': 'mcfpipe-dev',
      'exclude-stacks': 'mcfpipe-dev-db*',
    });
    expect(step.error).toMatch(/^Cleanup incomplete: 0 failures, 1 refused/);
    expect(JSON.parse(step.outputs.refused!)[0]).toMatchObject({
      name: 'mcfpipe-dev-network',
      reason: expect.stringContaining('imported by mcfpipe-dev-db-api, which is not being deleted'),
    });
    expect(
      aws.stacks
        .filter((s) => s.deleted)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['mcfpipe-dev-tester', 'mcfpipe-dev-webscraper']);
  });

  it('by env tag, across pages of DescribeStacks, leaving other envs alone', async () => {
    const aws = new FakeAws();
    aws.layers('mcfpipe-dev');
    aws.addStack('mcfpipe-prod-network', { tags: [{ Key: 'mcfpipe:env', Value: 'prod' }] });
    const step = await aws.run({ env: 'dev' });
    expect(step.error).toBeUndefined();
    expect(aws.stacks.find((s) => s.name === 'mcfpipe-prod-network')!.deleted).toBe(false);
    expect(aws.stacks.filter((s) => s.deleted)).toHaveLength(4);
  });

  it('a stack-prefix matches <prefix>-..., not a longer name that merely starts the same', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network');
    aws.addStack('mcfpipe-development-network');
    await aws.run({ 'stack-prefix': 'mcfpipe-dev' });
    expect(aws.stacks.map((s) => [s.name, s.deleted])).toEqual([
      ['mcfpipe-dev-network', true],
      ['mcfpipe-development-network', false],
    ]);
  });

  it('a prefix that matches nothing is a warning and a success', async () => {
    const aws = new FakeAws();
    const step = await aws.run({ 'stack-prefix': 'mcfpipe-qa' });
    expect(step.error).toBeUndefined();
    expect(aws.warnings).toEqual([
      'stack-prefix mcfpipe-qa matched nothing.',
      'Nothing matched: there was nothing to delete.',
    ]);
  });

  it('a stack already gone is a success (idempotent), and a second run changes nothing', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-tester');
    const first = await aws.run({ stacks: 'mcfpipe-dev-tester,mcfpipe-dev-webscraper' });
    expect(first.error).toBeUndefined();
    expect(JSON.parse(first.outputs.deleted!)).toEqual([
      { kind: 'stack', name: 'mcfpipe-dev-webscraper', reason: 'already gone' },
      {
        kind: 'stack',
        name: 'mcfpipe-dev-tester',
        reason: expect.stringMatching(/^deleted in \d+s \(1 resource\)$/),
      },
    ]);
    const second = await aws.run({ stacks: 'mcfpipe-dev-tester,mcfpipe-dev-webscraper' });
    expect(second.error).toBeUndefined();
    expect(JSON.parse(second.outputs.deleted!).map((o: { reason: string }) => o.reason)).toEqual([
      'already gone',
      'already gone',
    ]);
    expect(deleteCalls()).toHaveLength(1);
  });
});

describe('safety and failures', () => {
  it('the job summary lists what was deleted, kept, refused and failed, each with its reason', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-tester', { failDeletes: 2 });
    aws.addStack('mcfpipe-dev-webscraper', {
      resources: [
        {
          logicalId: 'Archive',
          type: 'AWS::S3::Bucket',
          physicalId: 'mcfpipe-dev-archive',
          retain: true,
        },
      ],
    });
    aws.s3.addBucket('someone-elses-data', { tags: [{ Key: 'team', Value: 'finance' }] });
    aws.s3.addBucket('mcfpipe-dev-raw', { tags: OWNED });
    const step = await aws.run({
      stacks: 'mcfpipe-dev-tester, mcfpipe-dev-webscraper',
      buckets: 'someone-elses-data, mcfpipe-dev-raw',
    });
    expect(step.error).toMatch(/^Cleanup incomplete: 1 failure, 1 refused \(2 deleted\)\./);
    const s = step.summary;
    expect(s).toContain('## cleanup-resources: incomplete');
    expect(s).toContain('failed: 2, refused: 1, deleted: 2, kept: 1.');
    for (const heading of ['### ❌ Failed (2)', '### ⛔ Refused (1)', '### 🗑️ Deleted (2)'])
      expect(s).toContain(heading);
    expect(s).toContain(
      '| stack resource | mcfpipe-dev-tester/Queue | AWS::SQS::Queue https://sqs/mcfpipe-dev-tester-Queue: Resource handler returned message: "Access Denied" |',
    );
    expect(s).toMatch(
      /\| stack \| mcfpipe-dev-tester \| DELETE_FAILED twice; blocked by Queue \(AWS::SQS::Queue https:\/\/sqs\/mcfpipe-dev-tester-Queue\): Resource handler returned message: "Access Denied" \|/,
    );
    expect(s).toContain(
      '| bucket | someone-elses-data | not tagged mcfpipe:managed-by=mcfpipe; set force: true to delete it anyway |',
    );
    expect(s).toMatch(/\| stack \| mcfpipe-dev-webscraper \| deleted in \d+s \(1 resource\) \|/);
    expect(s).toContain(
      '| bucket | mcfpipe-dev-raw | emptied (0 object versions, 0 delete markers, 0 bytes) and deleted |',
    );
    expect(s).toContain(
      '### Kept (1)\n\n| type | name | reason |\n| --- | --- | --- |\n| stack resource | mcfpipe-dev-archive | AWS::S3::Bucket Archive of stack mcfpipe-dev-webscraper: DeletionPolicy Retain, so CloudFormation leaves it in place',
    );
  });

  it('refuses a termination-protected stack, and keeps the stacks that must outlive it', async () => {
    const aws = new FakeAws();
    aws.layers();
    aws.stacks.find((s) => s.name === 'mcfpipe-dev-db-api')!.terminationProtection = true;
    const step = await aws.run({ 'stack-prefix': 'mcfpipe-dev' });
    expect(step.error).toMatch(/^Cleanup incomplete: 0 failures, 2 refused \(2 deleted\)\./);
    const refused = JSON.parse(step.outputs.refused!);
    expect(refused).toEqual([
      {
        kind: 'stack',
        name: 'mcfpipe-dev-db-api',
        reason:
          'termination protection is on; set allow-termination-protected: true to turn it off and delete the stack',
      },
      {
        kind: 'stack',
        name: 'mcfpipe-dev-network',
        reason: 'not deleted: mcfpipe-dev-db-api must be deleted first and was not',
      },
    ]);
    expect(
      aws.stacks
        .filter((s) => s.deleted)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['mcfpipe-dev-tester', 'mcfpipe-dev-webscraper']);
    expect(cfnMock.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
  });

  it('with allow-termination-protected, turns protection off, then deletes', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network', { terminationProtection: true });
    const step = await aws.run({
      stacks: 'mcfpipe-dev-network',
      'allow-termination-protected': 'true',
    });
    expect(step.error).toBeUndefined();
    expect(
      cfnMock.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input
        .EnableTerminationProtection,
    ).toBe(false);
    expect(aws.stacks[0]!.deleted).toBe(true);
  });

  it('retries DELETE_FAILED once and succeeds', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network', { failDeletes: 1 });
    const step = await aws.run({ stacks: 'mcfpipe-dev-network' });
    expect(step.error).toBeUndefined();
    expect(deleteCalls().map((c) => c.ClientRequestToken)).toEqual([
      'mcfpipe-cleanup-4242-1-1',
      'mcfpipe-cleanup-4242-1-2',
    ]);
    expect(aws.log).toContain(
      '[mcfpipe-dev-network] DELETE_FAILED: Queue (AWS::SQS::Queue https://sqs/mcfpipe-dev-network-Queue): Resource handler returned message: "Access Denied". Retrying once.',
    );
    expect(JSON.parse(step.outputs.deleted!)[0].reason).toMatch(/, on the retry\)$/);
  });

  it('a second DELETE_FAILED is reported with the blocking resource and its reason', async () => {
    const aws = new FakeAws();
    aws.addStack('mcfpipe-dev-network', {
      failDeletes: 2,
      blocker: {
        logicalId: 'PublicSubnet1',
        type: 'AWS::EC2::Subnet',
        reason:
          "The subnet 'subnet-0a1b' has dependencies and cannot be deleted. (Service: Ec2, Status Code: 400)",
      },
      resources: [
        { logicalId: 'PublicSubnet1', type: 'AWS::EC2::Subnet', physicalId: 'subnet-0a1b' },
      ],
    });
    const step = await aws.run({ stacks: 'mcfpipe-dev-network' });
    expect(step.error).toContain('Cleanup incomplete: 1 failure, 0 refused.');
    const failed = JSON.parse(step.outputs.failed!);
    expect(failed).toEqual([
      {
        kind: 'stack resource',
        name: 'mcfpipe-dev-network/PublicSubnet1',
        reason:
          "AWS::EC2::Subnet subnet-0a1b: The subnet 'subnet-0a1b' has dependencies and cannot be deleted. (Service: Ec2, Status Code: 400)",
      },
      {
        kind: 'stack',
        name: 'mcfpipe-dev-network',
        reason:
          "DELETE_FAILED twice; blocked by PublicSubnet1 (AWS::EC2::Subnet subnet-0a1b): The subnet 'subnet-0a1b' has dependencies and cannot be deleted. (Service: Ec2, Status Code: 400)",
      },
    ]);
    expect(step.summary).toContain('### ❌ Failed (2)');
    expect(deleteCalls()).toHaveLength(2);
  });

  it('a stack that fails blocks the stacks that must outlive it, reported as failed', async () => {
    const aws = new FakeAws();
    aws.layers();
    aws.stacks.find((s) => s.name === 'mcfpipe-dev-db-api')!.failDeletes = 2;
    const step = await aws.run({ 'stack-prefix': 'mcfpipe-dev' });
    const failed = JSON.parse(step.outputs.failed!);
    expect(failed.map((o: { name: string }) => o.name)).toEqual([
      'mcfpipe-dev-db-api/Queue',
      'mcfpipe-dev-db-api',
      'mcfpipe-dev-network',
    ]);
    expect(aws.stacks.find((s) => s.name === 'mcfpipe-dev-network')!.deleted).toBe(false);
  });

  it('waits out an operation in progress before deleting', async () => {
    const aws = new FakeAws();
    const s = aws.addStack('mcfpipe-dev-network', { status: 'UPDATE_IN_PROGRESS' });
    // The update completes on the second status poll.
    s.pending = ['wait', 'settle'];
    const step = await aws.run({ stacks: 'mcfpipe-dev-network' });
    expect(step.error).toBeUndefined();
    expect(aws.log).toContain(
      '[mcfpipe-dev-network] is UPDATE_IN_PROGRESS; waiting for that operation to finish before deleting.',
    );
  });

  it('a deletion that outlives timeout-minutes fails, saying a rerun picks it up', async () => {
    const aws = new FakeAws();
    const s = aws.addStack('mcfpipe-dev-network');
    // DescribeStacks never advances this deletion.
    s.pending = [];
    cfnMock.on(DeleteStackCommand).callsFake(async () => {
      s.status = 'DELETE_IN_PROGRESS';
      return {};
    });
    const step = await aws.run({ stacks: 'mcfpipe-dev-network', 'timeout-minutes': '2' });
    expect(JSON.parse(step.outputs.failed!)[0].reason).toBe(
      'Stack arn:aws:cloudformation:us-east-1:123456789012:stack/mcfpipe-dev-network/' +
        `${s.id.split('/').pop()} is still DELETE_IN_PROGRESS after 2m, the time allowed. Raise timeout-minutes, or run the cleanup again later (it picks up where this one stopped).`,
    );
  });
});
