/**
 * DB API benchmarks, against the local stack (node:http + the Lambda's
 * handler + dynalite on 127.0.0.1):
 *
 * 1. Upsert 10,000 job records through POST /job/batch (the client's 500-item
 *    requests) vs the same records through single PUTs, each on a fresh
 *    stack; one run. Target: batch at least 5x faster than single PUTs.
 * 2. GET latency of one item, 1,000 sequential requests after 50 warm-up
 *    requests: p50 and p99.
 * 3. The Lambda bundle: size (target under 1 MB) and cold import time (median
 *    of fresh `node` processes importing it).
 *
 * Prints a verdict per target (bench/lib/verdict.mjs) and exits 1 when one is missed.
 *
 *   npx tsx bench/db-api/run.ts [--records 10000] [--gets 1000] [--out bench/results/db-api.md]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle } from '../../runtime/db-api/bundle.mjs';
import { DbApiClient } from '../../runtime/db-api/client.js';
import { startLocalDbApi } from '../../runtime/db-api/local/server.js';
import type { JobInput } from '../../runtime/schema/types.generated.js';
import { runHeader, Verdicts } from '../lib/verdict.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    gets: { type: 'string', default: '1000' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    `Usage: npx tsx bench/db-api/run.ts [--records 10000] [--gets 1000] [--out bench/results/db-api.md]\n\nDB API: batch vs single writes, read latency and cold start, against the local DB API.`,
  );
  process.exit(0);
}
const RECORDS = Number(values.records);
const GETS = Number(values.gets);

const SKILLS = [
  'Python',
  'SQL',
  'Spark',
  'Airflow',
  'dbt',
  'AWS',
  'Kafka',
  'Terraform',
  'Docker',
  'Snowflake',
];
const PARAGRAPH =
  'You will design, build and operate batch and streaming data pipelines, model data for analytics, and work with product teams on data quality. ';

/** A realistic job record (about 2.5 KB: MCF descriptions are typically 2-4 KB). */
function job(i: number): JobInput {
  const jobId = createHash('md5').update(`job-${i}`).digest('hex');
  return {
    job_id: jobId,
    job_post_id: `MCF-2026-${String(i).padStart(7, '0')}`,
    title: `Data Engineer ${i}`,
    company_name: `Company ${i % 700} Pte. Ltd.`,
    company_uen: `2019${String(i % 100000).padStart(5, '0')}K`,
    salary_min: 5000 + (i % 40) * 100,
    salary_max: 8000 + (i % 40) * 150,
    salary_type: 'Monthly',
    employment_types: ['Full Time', 'Permanent'],
    position_levels: ['Senior Executive'],
    categories: ['Information Technology'],
    skills: SKILLS.slice(0, 3 + (i % 7)),
    min_experience_years: i % 8,
    vacancies: 1 + (i % 3),
    posted_date: '2026-11-20',
    expiry_date: '2026-12-20',
    status: 'Open',
    url: `https://www.mycareersfuture.gov.sg/job/information-technology/data-engineer-${jobId}`,
    description: PARAGRAPH.repeat(16),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

async function onFreshStack<T>(fn: (client: DbApiClient) => Promise<T>): Promise<T> {
  const api = await startLocalDbApi();
  try {
    return await fn(new DbApiClient({ url: api.url }));
  } finally {
    await api.stop();
  }
}

async function main(): Promise<void> {
  const records = Array.from({ length: RECORDS }, (_, i) => job(i));
  const bodyBytes = Buffer.byteLength(JSON.stringify(records[0]));
  process.stderr.write(`${RECORDS} job records of about ${bodyBytes} bytes each\n`);

  // Warm-up (JIT, sockets) on a throw-away stack, so neither measured path pays for it.
  await onFreshStack(async (client) => {
    const warm = Array.from({ length: 500 }, (_, i) => job(RECORDS + i));
    await client.batch('job', warm);
    for (const j of warm) await client.put('job', j.job_id, j);
  });

  const batch = await onFreshStack(async (client) => {
    const r = await timed(() => client.batch('job', records));
    if (r.result.written !== RECORDS) throw new Error(`batch wrote ${r.result.written}`);
    return r.ms;
  });
  process.stderr.write(`batch: ${fmt(batch)}\n`);

  const singles = await onFreshStack(async (client) => {
    const r = await timed(async () => {
      for (const j of records) await client.put('job', j.job_id, j);
    });
    return r.ms;
  });
  process.stderr.write(`single PUTs: ${fmt(singles)}\n`);

  const parallel = await onFreshStack(async (client) => {
    const r = await timed(async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < records.length) {
            const j = records[next++]!;
            await client.put('job', j.job_id, j);
          }
        }),
      );
    });
    return r.ms;
  });
  process.stderr.write(`single PUTs, 8 in flight: ${fmt(parallel)}\n`);

  const latencies = await onFreshStack(async (client) => {
    const j = records[0]!;
    await client.put('job', j.job_id, j);
    for (let i = 0; i < 50; i++) await client.get('job', j.job_id);
    const out: number[] = [];
    for (let i = 0; i < GETS; i++) out.push((await timed(() => client.get('job', j.job_id))).ms);
    return out.sort((a, b) => a - b);
  });
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  process.stderr.write(`GET p50 ${fmt(p50)}, p99 ${fmt(p99)}\n`);

  const { outfile, bytes } = await bundle('lambda');
  const imports: number[] = [];
  for (let i = 0; i < 7; i++) {
    const ms = Number(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import(${JSON.stringify(outfile)}); process.stdout.write(String(performance.now() - t));`,
        ],
        { encoding: 'utf8' },
      ),
    );
    imports.push(ms);
  }
  imports.sort((a, b) => a - b);
  const importMedian = percentile(imports, 50);
  process.stderr.write(
    `bundle ${(bytes / 1024).toFixed(0)} KiB, cold import median ${fmt(importMedian)}\n`,
  );

  const ratio = singles / batch;
  const verdicts = new Verdicts();
  const batchVerdict = verdicts.check(
    'batch upsert at least 5x faster than one-at-a-time PUTs',
    `${ratio.toFixed(1)}x`,
    ratio >= 5,
  );
  const sizeVerdict = verdicts.check(
    'Lambda bundle under 1 MB',
    `${(bytes / 1024).toFixed(0)} KiB`,
    bytes < 1024 * 1024,
  );
  const report = `# DB API benchmarks

Command: \`npx tsx bench/db-api/run.ts --records ${RECORDS} --gets ${GETS}${values.out ? ` --out ${values.out}` : ''}\`

${runHeader()}

${verdicts.summary()}

${verdicts.table()}

Local stack: node:http + the
Lambda's handler + dynalite (in memory) on 127.0.0.1, all in one Node process; client
\`runtime/db-api/client.ts\`. One run, after a warm-up of 500 records through both paths on a throw-away stack.

## Upsert of ${RECORDS.toLocaleString('en')} job records (about ${(bodyBytes / 1024).toFixed(1)} KB each), each on a fresh stack

| how | time | items/s |
| --- | ---: | ---: |
| \`POST /job/batch\` (${Math.ceil(RECORDS / 500)} requests of 500; BatchGetItem + BatchWriteItem in 25s) | ${fmt(batch)} | ${Math.round(RECORDS / (batch / 1000))} |
| single \`PUT /job/{id}\`, one at a time | ${fmt(singles)} | ${Math.round(RECORDS / (singles / 1000))} |
| single \`PUT /job/{id}\`, 8 in flight | ${fmt(parallel)} | ${Math.round(RECORDS / (parallel / 1000))} |

Batch vs one-at-a-time PUTs: **${ratio.toFixed(1)}x** faster (target at least 5x: ${batchVerdict}).
Batch vs 8 PUTs in flight: ${(parallel / batch).toFixed(1)}x. (Client, server and dynalite share one Node process and
its CPU here, so requests in flight add little locally; in AWS each PUT is one API Gateway + Lambda + UpdateItem
round trip, which batching saves 500 times over per request.)

## GET latency, one item, ${GETS.toLocaleString('en')} sequential requests after 50 warm-up

| p50 | p99 | max |
| ---: | ---: | ---: |
| ${fmt(p50)} | ${fmt(p99)} | ${fmt(latencies.at(-1)!)} |

## Lambda bundle

| file | size | cold import (median of 7 fresh processes) |
| --- | ---: | ---: |
| \`${relative(ROOT, outfile)}\` | ${(bytes / 1024).toFixed(0)} KiB (${bytes.toLocaleString('en')} bytes; target under 1 MB: ${sizeVerdict}) | ${fmt(importMedian)} |

The bundle includes the AWS SDK's DynamoDB client (not taken from the Lambda runtime). Cold import is the
module load only; Lambda's own init (runtime start) comes on top.
`;
  if (values.out) {
    writeFileSync(resolve(ROOT, values.out), report);
    process.stderr.write(`wrote ${values.out}\n`);
  } else process.stdout.write(report);
  verdicts.exit();
}

await main();
