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
 * 2. Against moto's S3 on 127.0.0.1 (real HTTP, XML, checksums and
 *    versions): a versioned bucket of a few thousand objects emptied in
 *    batches, against deleting the same versions one DeleteObject call at a
 *    time (8 in flight). Targets: no request per object (at most one per 100
 *    versions), and faster than one by one.
 *
 * Prints a verdict per target (bench/lib/verdict.mjs) and exits 1 when one
 * is missed or could not be measured, 2 on a bad --objects.
 *
 *   npx tsx bench/cleanup-resources/run.ts [--objects 3000] [--out bench/results/cleanup-resources.md]
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { emptyBucket } from '../../actions/lib/s3-empty.js';
import { FakeS3 } from '../../actions/lib/testing/fake-s3.js';
import { motoAvailable, startMoto } from '../../core/testing/moto.js';
import { runHeader, Verdicts } from '../lib/verdict.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '3000' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    `Usage: npx tsx bench/cleanup-resources/run.ts [--objects 3000] [--out bench/results/cleanup-resources.md]\n\nBucket emptying: calls per version on the in-memory S3, and batched vs one by one on moto.\nA verdict per target; exit 1 when one is missed or could not be measured, 2 on a bad --objects.`,
  );
  process.exit(0);
}
const OBJECTS = Number(values.objects);
if (!/^\d+$/.test(values.objects) || OBJECTS < 1) {
  console.error(
    `--objects must be a whole number of at least 1, not ${JSON.stringify(values.objects)}`,
  );
  process.exit(2);
}

/** Assumed S3 latencies for the modelled column (in-region, typical of AWS's own figures). */
const LIST_MS = 60;
const DELETE_BATCH_MS = 400;

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(0)} ms`;
const verdicts = new Verdicts();
const why = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

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

/**
 * Empties a bucket on moto. moto ends a listing whose VersionIdMarker names a
 * version deleted since (S3 goes on with the next one), and emptyBucket
 * deletes each page while listing the next, so on moto one call empties one
 * page of 1,000: it is called until a call finds nothing (against S3 the
 * first call empties the bucket and the second finds nothing).
 */
async function emptyOnMoto(s3: S3Client, bucket: string): Promise<number> {
  let calls = 0;
  for (;;) {
    calls++;
    const { deleted } = await emptyBucket(s3, bucket);
    if (deleted === 0) return calls;
  }
}

async function onMoto(count: number) {
  const moto = await startMoto();
  const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  let requests = 0;
  s3.middlewareStack.add(
    (next) => async (args) => {
      requests++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests' },
  );
  const fill = async (Bucket: string) => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const refs: Array<{ Key: string; VersionId: string }> = [];
    for (let i = 0; i < count; i += 50) {
      const keys = Array.from(
        { length: Math.min(50, count - i) },
        (_, j) => `raw/2024-05-01/job-${String(i + j).padStart(6, '0')}.json`,
      );
      const puts = await Promise.all(
        keys.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: `{"job":"${Key}"}` }))),
      );
      for (const [j, put] of puts.entries())
        refs.push({ Key: keys[j]!, VersionId: put.VersionId! });
    }
    return refs;
  };
  try {
    await fill('batched');
    requests = 0;
    let started = performance.now();
    const emptyCalls = await emptyOnMoto(s3, 'batched');
    const batched = { elapsed: performance.now() - started, requests, emptyCalls };

    const refs = await fill('one-by-one');
    requests = 0;
    started = performance.now();
    for (let i = 0; i < refs.length; i += 8) {
      await Promise.all(
        refs
          .slice(i, i + 8)
          .map((ref) => s3.send(new DeleteObjectCommand({ Bucket: 'one-by-one', ...ref }))),
      );
    }
    const single = { elapsed: performance.now() - started, requests };
    return { batched, single };
  } finally {
    s3.destroy();
    await moto.stop();
  }
}

const rows: string[] = [];
for (const versions of [10_000, 100_000]) {
  const expected = Math.ceil(versions / 1000);
  const target = `in-memory S3, ${fmt(versions)} versions: ${expected} ListObjectVersions + ${expected} DeleteObjects calls, none per object`;
  try {
    const plain = await mocked(versions, false);
    const modelled = await mocked(versions, true);
    const sequential = plain.calls.list * LIST_MS + plain.calls.deletes * DELETE_BATCH_MS;
    const met = verdicts.check(
      target,
      `${plain.calls.list} + ${plain.calls.deletes} (${plain.calls.total} calls in all)`,
      plain.calls.list === expected && plain.calls.deletes === expected,
    );
    rows.push(
      `| ${fmt(versions)} | ${plain.calls.list} | ${plain.calls.deletes} | ${plain.calls.total} | ${expected} + ${expected} | ${met} | ${ms(plain.elapsed)} | ${ms(modelled.elapsed)} | ${ms(sequential)} |`,
    );
  } catch (err) {
    verdicts.notMeasured(target, why(err));
    rows.push(
      `| ${fmt(versions)} | not measured: ${why(err).replaceAll('|', '\\|')} | | | ${expected} + ${expected} | **MISSED** | | | |`,
    );
  }
}

const maxRequests = Math.ceil(OBJECTS / 100);
const fewRequestsTarget = `moto, ${fmt(OBJECTS)} versions: no request per object, at most one per 100 versions (${fmt(maxRequests)})`;
const fasterTarget = `moto, ${fmt(OBJECTS)} versions: batched faster than one DeleteObject per version`;
let realSection: string;
try {
  if (!motoAvailable()) throw new Error('moto is not installed (`pip install "moto[server]"`)');
  const real = await onMoto(OBJECTS);
  verdicts.check(
    fewRequestsTarget,
    `${fmt(real.batched.requests)} requests`,
    real.batched.requests <= maxRequests,
  );
  verdicts.check(
    fasterTarget,
    `${(real.single.elapsed / real.batched.elapsed).toFixed(1)}x faster (${ms(real.batched.elapsed)} against ${ms(real.single.elapsed)})`,
    real.batched.elapsed < real.single.elapsed,
  );
  realSection = `| how | HTTP requests | time |
| --- | ---: | ---: |
| emptyBucket (ListObjectVersions pages + DeleteObjects batches of 1,000), called ${real.batched.emptyCalls} times | ${fmt(real.batched.requests)} | ${ms(real.batched.elapsed)} |
| one DeleteObject per version, 8 in flight | ${fmt(real.single.requests)} | ${ms(real.single.elapsed)} |

moto ends a listing whose VersionIdMarker names a version deleted since (S3
goes on with the next version in line), so here emptyBucket is called until
a call finds nothing: one call per 1,000 versions, plus the last, which
lists an empty bucket. Against S3 the first call empties the bucket. moto
does every request's work in Python, so its per-key work dominates both
rows; against S3 the per-request round trip (tens of milliseconds) makes
the difference larger.`;
} catch (err) {
  verdicts.notMeasured(fewRequestsTarget, why(err));
  verdicts.notMeasured(fasterTarget, why(err));
  realSection = `Not measured: ${why(err)}.`;
}

/** The --out path as a reader can reuse it: relative when it lies inside the repository. */
const outPath = (out: string) => {
  const rel = relative(ROOT, resolve(out));
  return rel.startsWith('..') ? resolve(out) : rel;
};
const command = `npx tsx bench/cleanup-resources/run.ts --objects ${OBJECTS}${values.out ? ` --out ${outPath(values.out)}` : ''}`;
const report = `# cleanup-resources: emptying buckets

Command: \`${command}\`

${runHeader()}

${verdicts.summary()}

${verdicts.table()}

## Versioned buckets, in-memory S3 (FakeS3 through aws-sdk-client-mock)

Three versions per key (pages end in the middle of a key's versions), 2 KiB
each. Target: list pages + ceil(n/1000) DeleteObjects calls, none per object.

| versions | ListObjectVersions | DeleteObjects | calls in all | target | verdict | time (code only) | time at assumed latency, pipelined | same latency, one call after another |
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

## ${fmt(OBJECTS)} versions on moto (S3 emulator on 127.0.0.1)

${realSection}

To reproduce, on a quiet machine at the commit above (moto: \`pip install "moto[server]"\`):

\`\`\`sh
${command}
\`\`\`
`;
process.stdout.write(report);
if (values.out) writeFileSync(resolve(values.out), report);
verdicts.exit();
