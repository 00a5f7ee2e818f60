/**
 * Emptying versioned buckets (actions/lib/s3-empty.ts, used by
 * cleanup-resources), measured two ways:
 *
 * 1. Against the in-memory S3 (FakeS3 through aws-sdk-client-mock): the
 *    calls made for buckets of 10,000 and 100,000 versions (target: list
 *    pages + ceil(n/1000) DeleteObjects, no call per object), the wall time
 *    of the code itself, and the time with an assumed S3 latency per call
 *    (stated below), which shows what pipelining the listing with the
 *    deletes saves.
 * 2. Against s3rver, a real S3-compatible server on 127.0.0.1 (real HTTP,
 *    XML and checksums; no versioning, so its ListObjects path): a bucket of
 *    a few thousand objects emptied in batches, against deleting the same
 *    objects one DeleteObject call at a time (8 in flight).
 *
 *   npx tsx bench/cleanup-resources/run.ts [--objects 3000] [--out bench/results/cleanup-resources.md]
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { emptyBucket } from '../../actions/lib/s3-empty.js';
import { FakeS3 } from '../../actions/lib/testing/fake-s3.js';
import { startS3rver } from '../../actions/lib/testing/s3rver.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: { objects: { type: 'string', default: '3000' }, out: { type: 'string' } },
});
const OBJECTS = Number(values.objects);

/** Assumed S3 latencies for the modelled column (in-region, typical of AWS's own figures). */
const LIST_MS = 60;
const DELETE_BATCH_MS = 400;

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function mocked(versions: number, latency: boolean) {
  const s3 = new S3Client({ region: 'us-east-1' });
  const mock = mockClient(s3);
  const fake = new FakeS3();
  fake.install(mock);
  fake.addBucket('bench', { versioning: 'Enabled' });
  // Three versions per key, so pages end in the middle of a key's versions.
  fake.fill('bench', versions, 3, 2048);
  if (latency) {
    fake.latencyMs.ListObjectVersions = LIST_MS;
    fake.latencyMs.DeleteObjects = DELETE_BATCH_MS;
  }
  const started = performance.now();
  const result = await emptyBucket(s3, 'bench');
  const elapsed = performance.now() - started;
  const calls = {
    list: mock.commandCalls(ListObjectVersionsCommand).length,
    deletes: mock.commandCalls(DeleteObjectsCommand).length,
    total: mock.calls().length,
  };
  mock.restore();
  if (result.deleted !== versions || fake.buckets.get('bench')!.versions.length !== 0) {
    throw new Error('the bucket was not emptied');
  }
  return { elapsed, calls };
}

async function onS3rver(count: number) {
  const server = await startS3rver();
  const s3 = server.client();
  let requests = 0;
  s3.middlewareStack.add(
    (next) => async (args) => {
      requests++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests' },
  );
  const fill = async (bucket: string) => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const keys = Array.from(
      { length: count },
      (_, i) => `raw/2024-05-01/job-${String(i).padStart(6, '0')}.json`,
    );
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((Key) =>
            s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `{"job":"${Key}"}` })),
          ),
      );
    }
    return keys;
  };
  try {
    await fill('batched');
    requests = 0;
    let started = performance.now();
    await emptyBucket(s3, 'batched');
    const batched = { elapsed: performance.now() - started, requests };

    const keys = await fill('one-by-one');
    requests = 0;
    started = performance.now();
    for (let i = 0; i < keys.length; i += 8) {
      await Promise.all(
        keys
          .slice(i, i + 8)
          .map((Key) => s3.send(new DeleteObjectCommand({ Bucket: 'one-by-one', Key }))),
      );
    }
    const single = { elapsed: performance.now() - started, requests };
    return { batched, single };
  } finally {
    s3.destroy();
    await server.stop();
  }
}

const rows: string[] = [];
for (const versions of [10_000, 100_000]) {
  const plain = await mocked(versions, false);
  const modelled = await mocked(versions, true);
  const sequential = plain.calls.list * LIST_MS + plain.calls.deletes * DELETE_BATCH_MS;
  const expected = Math.ceil(versions / 1000);
  rows.push(
    `| ${fmt(versions)} | ${plain.calls.list} | ${plain.calls.deletes} | ${plain.calls.total} | ${expected} + ${expected} | ${plain.calls.list === expected && plain.calls.deletes === expected ? 'yes' : 'NO'} | ${ms(plain.elapsed)} | ${ms(modelled.elapsed)} | ${ms(sequential)} |`,
  );
}
const real = await onS3rver(OBJECTS);

const report = `# cleanup-resources: emptying buckets

Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}.

## Versioned buckets, in-memory S3 (FakeS3 through aws-sdk-client-mock)

Three versions per key (pages end in the middle of a key's versions), 2 KiB
each. Target: list pages + ceil(n/1000) DeleteObjects calls, none per object.

| versions | ListObjectVersions | DeleteObjects | calls in all | target | met | time (code only) | time at assumed latency, pipelined | same latency, one call after another |
| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |
${rows.join('\n')}

Assumed latency for the last two columns: ${LIST_MS} ms per ListObjectVersions
page and ${DELETE_BATCH_MS} ms per DeleteObjects call of 1,000 keys (up to 4
in flight). Listing is sequential (each page needs the previous page's
markers), so the pipelined time is about the listing time plus one batch;
deleting object by object instead would take 10,000 DeleteObject calls for
the first bucket. The "code only" time is mostly the in-memory S3's own work
(it sorts the whole bucket to answer each list page), which also adds to the
pipelined column for 100,000 versions.

## ${fmt(OBJECTS)} objects on s3rver (real S3-compatible server on 127.0.0.1)

| how | HTTP requests | time |
| --- | ---: | ---: |
| emptyBucket (ListObjects pages + DeleteObjects batches of 1,000) | ${fmt(real.batched.requests)} | ${ms(real.batched.elapsed)} |
| one DeleteObject per object, 8 in flight | ${fmt(real.single.requests)} | ${ms(real.single.elapsed)} |

Batched is **${(real.single.elapsed / real.batched.elapsed).toFixed(1)}x** faster here, with ${(real.single.requests / real.batched.requests).toFixed(0)}x fewer requests
(the one-by-one count includes the SDK's retries of failed calls). s3rver stores
each object as files on disk, so its per-key work dominates both; against S3 the
per-request round trip (tens of milliseconds) makes the difference larger.

Command:

\`\`\`sh
npx tsx bench/cleanup-resources/run.ts --objects ${OBJECTS}${values.out ? ` --out ${relative(ROOT, resolve(values.out))}` : ''}
\`\`\`
`;
console.log(report);
if (values.out) writeFileSync(resolve(values.out), report);
