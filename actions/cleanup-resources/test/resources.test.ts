import { DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { OTHER_ACCOUNT, OWNER } from '../../lib/testing/fake-s3.js';
import { ecrMock, FakeAws, mutatingCalls, OWNED, s3Mock } from './fake-aws.js';

function world(): FakeAws {
  const aws = new FakeAws();
  aws.s3.addBucket('mcfpipe-dev-raw', { versioning: 'Enabled', tags: OWNED });
  aws.s3.fill('mcfpipe-dev-raw', 10_000, 3, 1024);
  aws.s3.put('mcfpipe-dev-raw', 'gone.json', '', { deleteMarker: true, size: 0 });
  aws.s3.addBucket('mcfpipe-dev-reports', { versioning: 'Enabled', tags: OWNED });
  aws.s3.addBucket('someone-elses-data', { tags: [{ Key: 'team', Value: 'finance' }] });
  aws.repositories.set('mcfpipe-dev/webscraper', { tags: OWNED, images: [50_000_000, 48_000_000] });
  aws.repositories.set('untagged-repo', { tags: [], images: [1] });
  aws.logGroups.set('/aws/lambda/mcfpipe-dev-api', 2048);
  aws.logGroups.set('/ecs/mcfpipe-dev-tester', 4096);
  aws.logGroups.set('/aws/lambda/other-fn', 1);
  return aws;
}

describe('buckets, repositories and log groups', () => {
  it('empties a 10,000-version bucket in 11 list pages and 11 DeleteObjects calls, then deletes it', async () => {
    const aws = world();
    const step = await aws.run({ buckets: 'mcfpipe-dev-raw' });
    expect(step.error).toBeUndefined();
    expect(aws.s3.buckets.has('mcfpipe-dev-raw')).toBe(false);
    // 10,001 entries (versions + one delete marker): ceil(10,001 / 1,000) = 11 of each.
    expect(s3Mock.commandCalls(ListObjectVersionsCommand)).toHaveLength(11);
    expect(s3Mock.commandCalls(DeleteObjectsCommand)).toHaveLength(11);
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(DeleteBucketCommand)).toHaveLength(1);
    // What the other tests' "no mutating call" checks would see.
    expect(new Set(mutatingCalls())).toEqual(new Set(['DeleteObjects', 'DeleteBucket']));
    // S3 checks the owner on every call, not only while planning: a bucket that changed
    // hands since would answer 403 instead of losing its objects.
    const ownerOf = (c: { args: [{ input: object }] }) =>
      (c.args[0].input as { ExpectedBucketOwner?: string }).ExpectedBucketOwner;
    const owners = [
      ...s3Mock.commandCalls(ListObjectVersionsCommand).map(ownerOf),
      ...s3Mock.commandCalls(DeleteObjectsCommand).map(ownerOf),
      ...s3Mock.commandCalls(DeleteBucketCommand).map(ownerOf),
    ];
    expect(owners).toHaveLength(23);
    expect(new Set(owners)).toEqual(new Set([OWNER]));
    expect(JSON.parse(step.outputs.deleted!)).toEqual([
      {
        kind: 'bucket',
        name: 'mcfpipe-dev-raw',
        reason: 'emptied (10,000 object versions, 1 delete marker, 9.8 MiB) and deleted',
      },
    ]);
    expect(aws.log).toContain(
      'Bucket mcfpipe-dev-raw: 10,000 versions and delete markers deleted so far.',
    );
  });

  it('deletes by prefix within the scope, refuses untagged ones, and reports each', async () => {
    const aws = world();
    aws.s3.addBucket('mcfpipe-dev-eu', { region: 'eu-west-1', tags: OWNED });
    const step = await aws.run({
      env: 'dev',
      buckets: 'mcfpipe-dev-*, someone-elses-data',
      'ecr-repositories': 'mcfpipe-dev/*\nuntagged-repo',
      'log-groups': '/aws/lambda/mcfpipe-dev-*, /ecs/mcfpipe-dev-tester',
    });
    expect(step.error).toMatch(/^Cleanup incomplete: 0 failures, 2 refused \(5 deleted\)\./);
    expect(aws.s3.buckets.has('someone-elses-data')).toBe(true);
    expect(aws.repositories.has('untagged-repo')).toBe(true);
    // A bucket of another region is not reached by a pattern.
    expect([...aws.s3.buckets.keys()]).toEqual(['someone-elses-data', 'mcfpipe-dev-eu']);
    expect([...aws.repositories.keys()]).toEqual(['untagged-repo']);
    expect([...aws.logGroups.keys()]).toEqual(['/aws/lambda/other-fn']);
    expect(ecrMock.commandCalls(DeleteRepositoryCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'mcfpipe-dev/webscraper',
      force: true,
    });
    expect(JSON.parse(step.outputs.refused!)).toEqual([
      {
        kind: 'bucket',
        name: 'someone-elses-data',
        reason: 'not tagged mcfpipe:managed-by=mcfpipe; set force: true to delete it anyway',
      },
      {
        kind: 'repository',
        name: 'untagged-repo',
        reason: 'not tagged mcfpipe:managed-by=mcfpipe; set force: true to delete it anyway',
      },
    ]);
    expect(step.summary).toContain('### ⛔ Refused (2)');
    expect(step.summary).toContain('| log group | /ecs/mcfpipe-dev-tester | deleted |');
  });

  it('force deletes untagged ones and says so; a bucket of another env is refused without it', async () => {
    const aws = world();
    aws.s3.addBucket('mcfpipe-prod-raw', {
      tags: [
        { Key: 'mcfpipe:managed-by', Value: 'mcfpipe' },
        { Key: 'mcfpipe:env', Value: 'prod' },
      ],
    });
    let step = await aws.run({ env: 'dev', buckets: 'mcfpipe-prod-raw' });
    expect(JSON.parse(step.outputs.refused!)[0].reason).toBe(
      'tagged mcfpipe:env=prod, not dev; set force: true to delete it anyway',
    );
    step = await aws.run({
      buckets: 'someone-elses-data',
      'ecr-repositories': 'untagged-repo',
      force: 'true',
    });
    expect(step.error).toBeUndefined();
    expect(
      JSON.parse(step.outputs.deleted!)
        .map((o: { reason: string }) => o.reason)
        .sort(),
    ).toEqual([
      'deleted with its images (not tagged mcfpipe:managed-by=mcfpipe; deleted because force: true)',
      'emptied (0 object versions, 0 delete markers, 0 bytes) and deleted (not tagged mcfpipe:managed-by=mcfpipe; deleted because force: true)',
    ]);
  });

  it('things already gone are a success', async () => {
    const aws = world();
    const step = await aws.run({
      buckets: 'mcfpipe-dev-old',
      'ecr-repositories': 'mcfpipe-dev/old',
      'log-groups': '/ecs/mcfpipe-dev-old',
    });
    expect(step.error).toBeUndefined();
    expect(JSON.parse(step.outputs.deleted!)).toEqual([
      { kind: 'bucket', name: 'mcfpipe-dev-old', reason: 'already gone' },
      { kind: 'repository', name: 'mcfpipe-dev/old', reason: 'already gone' },
      { kind: 'log group', name: '/ecs/mcfpipe-dev-old', reason: 'already gone' },
    ]);
  });

  it('a bucket of another account fails the step before anything is deleted', async () => {
    const aws = world();
    aws.s3.addBucket('mcfpipe-dev-shared', { owner: OTHER_ACCOUNT });
    aws.addStack('mcfpipe-dev-tester');
    const step = await aws.run({
      stacks: 'mcfpipe-dev-tester',
      buckets: 'mcfpipe-dev-raw, mcfpipe-dev-shared',
      'log-groups': '/ecs/mcfpipe-dev-tester',
    });
    expect(step.error).toBe(
      'Input "buckets": bucket mcfpipe-dev-shared does not belong to account 123456789012 (or this role may not read its tags). Nothing was deleted.\nRemove it from the buckets input; if it is yours, allow s3:GetBucketTagging on it for this role.',
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it('wildcards that match nothing are warnings, and the step succeeds having changed nothing', async () => {
    const aws = world();
    const step = await aws.run({
      buckets: 'mcfpipe-dev-none-*',
      'ecr-repositories': 'mcfpipe-dev/none-*',
      'log-groups': '/ecs/mcfpipe-dev-none-*',
    });
    expect(step.error).toBeUndefined();
    expect(aws.warnings).toEqual([
      'buckets pattern mcfpipe-dev-none-* matched nothing.',
      'ecr-repositories pattern mcfpipe-dev/none-* matched nothing.',
      'log-groups pattern /ecs/mcfpipe-dev-none-* matched nothing.',
      'Nothing matched: there was nothing to delete.',
    ]);
    expect(step.summary).toContain('Nothing matched.');
    expect(mutatingCalls()).toEqual([]);
  });

  it('a bucket that received objects while being emptied is emptied again, then deleted', async () => {
    const aws = world();
    aws.s3.failNext(
      'DeleteBucket',
      Object.assign(new Error('not empty'), { name: 'BucketNotEmpty' }),
    );
    const step = await aws.run({ buckets: 'mcfpipe-dev-reports' });
    expect(step.error).toBeUndefined();
    expect(aws.log).toContain(
      'Bucket mcfpipe-dev-reports received new objects while it was emptied; emptying it again.',
    );
    expect(s3Mock.commandCalls(DeleteBucketCommand)).toHaveLength(2);
  });

  it('a bucket that cannot be emptied is reported as failed with the keys and the reason', async () => {
    const aws = world();
    aws.s3.put('mcfpipe-dev-reports', 'legal/hold.pdf', 'x');
    aws.s3.buckets.get('mcfpipe-dev-reports')!.undeletable = new Map([
      ['legal/hold.pdf', 'AccessDenied'],
    ]);
    const step = await aws.run({ buckets: 'mcfpipe-dev-reports' });
    expect(step.error).toMatch(/^Cleanup incomplete: 1 failure, 0 refused\./);
    expect(JSON.parse(step.outputs.failed!)[0].reason).toMatch(
      /^Bucket mcfpipe-dev-reports could not be emptied: 1 object version\(s\) were not deleted \(0 were\): legal\/hold\.pdf .*Object Lock/,
    );
  });

  it('buckets inside a stack are emptied before the stack is deleted; Retain buckets are not', async () => {
    const aws = new FakeAws();
    aws.s3.addBucket('mcfpipe-dev-archive-abc', { versioning: 'Enabled' });
    aws.s3.fill('mcfpipe-dev-archive-abc', 1_500);
    aws.s3.addBucket('mcfpipe-dev-data-def', { versioning: 'Enabled' });
    aws.s3.fill('mcfpipe-dev-data-def', 5);
    aws.addStack('mcfpipe-dev-webscraper', {
      resources: [
        { logicalId: 'Archive', type: 'AWS::S3::Bucket', physicalId: 'mcfpipe-dev-archive-abc' },
        {
          logicalId: 'Data',
          type: 'AWS::S3::Bucket',
          physicalId: 'mcfpipe-dev-data-def',
          retain: true,
        },
      ],
    });
    const step = await aws.run({ stacks: 'mcfpipe-dev-webscraper' });
    expect(step.error).toBeUndefined();
    expect(aws.s3.buckets.get('mcfpipe-dev-archive-abc')!.versions).toEqual([]);
    expect(aws.s3.buckets.get('mcfpipe-dev-data-def')!.versions).toHaveLength(5);
    expect(aws.log).toContain(
      '[mcfpipe-dev-webscraper] emptied bucket mcfpipe-dev-archive-abc: 1,500 object versions, 0 delete markers, 146.5 KiB.',
    );
    expect(JSON.parse(step.outputs.kept!)[0].name).toBe('mcfpipe-dev-data-def');
  });

  it('a bucket whose DeletionPolicy is not a plain word (an unresolved Fn::If) is not emptied', async () => {
    const aws = new FakeAws();
    aws.s3.addBucket('mcfpipe-dev-data-ghi', { versioning: 'Enabled' });
    aws.s3.fill('mcfpipe-dev-data-ghi', 5);
    aws.addStack('mcfpipe-dev-webscraper', {
      resources: [
        { logicalId: 'Data', type: 'AWS::S3::Bucket', physicalId: 'mcfpipe-dev-data-ghi' },
      ],
      template: JSON.stringify({
        Conditions: { IsProd: { 'Fn::Equals': ['dev', 'prod'] } },
        Resources: {
          Data: {
            Type: 'AWS::S3::Bucket',
            DeletionPolicy: { 'Fn::If': ['IsProd', 'Retain', 'Delete'] },
          },
        },
      }),
    });
    const step = await aws.run({ stacks: 'mcfpipe-dev-webscraper', 'dry-run': 'true' });
    expect(step.error).toBeUndefined();
    expect(JSON.parse(step.outputs.kept!)).toEqual([
      expect.objectContaining({ kind: 'stack resource', name: 'mcfpipe-dev-data-ghi' }),
    ]);
    await aws.run({ stacks: 'mcfpipe-dev-webscraper' });
    expect(aws.s3.buckets.get('mcfpipe-dev-data-ghi')!.versions).toHaveLength(5);
  });
});

describe('dry run', () => {
  it('lists exactly what would be deleted with counts and sizes, and changes nothing', async () => {
    const aws = world();
    aws.layers();
    const before = JSON.stringify(
      [...aws.s3.buckets.entries()].map(([n, b]) => [n, b.versions.length]),
    );
    const step = await aws.run({
      'stack-prefix': 'mcfpipe-dev',
      buckets: 'mcfpipe-dev-raw',
      'ecr-repositories': 'mcfpipe-dev/webscraper',
      'log-groups': '/aws/lambda/mcfpipe-dev-*',
      'dry-run': 'true',
    });
    expect(step.error).toBeUndefined();
    expect(mutatingCalls()).toEqual([]);
    expect(
      JSON.stringify([...aws.s3.buckets.entries()].map(([n, b]) => [n, b.versions.length])),
    ).toBe(before);
    expect(JSON.parse(step.outputs.deleted!)).toEqual([]);
    const would = JSON.parse(step.outputs['would-delete']!);
    expect(would).toEqual(
      expect.arrayContaining([
        {
          kind: 'stack',
          name: 'mcfpipe-dev-db-api',
          reason:
            'CREATE_COMPLETE, 2 resources; 1 kept (DeletionPolicy Retain); after mcfpipe-dev-tester, mcfpipe-dev-webscraper',
        },
        {
          kind: 'stack',
          name: 'mcfpipe-dev-network',
          reason:
            'CREATE_COMPLETE, 1 resource; after mcfpipe-dev-db-api, mcfpipe-dev-tester, mcfpipe-dev-webscraper',
        },
        {
          kind: 'bucket',
          name: 'mcfpipe-dev-raw',
          reason: '10,000 object versions, 1 delete marker, 9.8 MiB',
        },
        { kind: 'repository', name: 'mcfpipe-dev/webscraper', reason: '2 images, 93.5 MiB' },
        { kind: 'log group', name: '/aws/lambda/mcfpipe-dev-api', reason: '2 KiB stored' },
      ]),
    );
    expect(would).toHaveLength(7);
    expect(JSON.parse(step.outputs.kept!)).toHaveLength(1);
    expect(step.summary).toContain('## cleanup-resources: dry run (nothing changed)');
    expect(aws.log.at(-1)).toBe('Dry run: 7 resources would be deleted; nothing was changed.');
  });

  it('a dry run shows refusals and fails, as the real run would', async () => {
    const aws = world();
    const step = await aws.run({ buckets: 'someone-elses-data', 'dry-run': 'true' });
    expect(step.error).toMatch(
      /^Cleanup dry run found that the cleanup would be incomplete: 0 failures, 1 refused\./,
    );
  });
});
