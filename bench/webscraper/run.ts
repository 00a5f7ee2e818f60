/**
 * Webscraper benchmarks, written to a Markdown report:
 *
 *   npx tsx bench/webscraper/run.ts --out bench/results/webscraper.md
 *
 * 1. Throughput against the replay server (50 ms latency per answer, 5,000
 *    jobs, one search that finds them all): unthrottled (no rate limit,
 *    16 in flight) vs a sequential baseline (1 in flight), in jobs per minute.
 * 2. A polite run at a configured rate: achieved requests per second vs the
 *    configured rate.
 * 3. Normaliser throughput: API JSON jobs per second, and rendered HTML pages
 *    per second through cheerio (one core).
 * 4. Peak RSS of the bundled `mcfpipe scrape` process over 50,000 jobs, with
 *    the replay server and the DB API (on dynalite) in processes of their own.
 *
 * Prints a verdict per target (bench/lib/verdict.mjs) and exits 1 when one
 * is missed; a section left out with --skip has no verdict.
 *
 * Options: --jobs 5000 --latency 50 --concurrency 16 --polite-rate 20 --polite-jobs 1000
 *          --rss-jobs 50000 --skip baseline,polite,normaliser,rss
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../core/testing/ports.js';
import { DbApiClient } from '../../runtime/db-api/client.js';
import { JobGenerator } from '../../runtime/mcf-replay/generate.js';
import { renderJobPageStatic } from '../../runtime/mcf-replay/page.js';
import { startReplayServer } from '../../runtime/mcf-replay/server.js';
import { CATEGORIES } from '../../runtime/mcf-replay/vocabulary.js';
import { memoryLogger } from '../../runtime/webscraper/log.js';
import { normaliseJob } from '../../runtime/webscraper/normalise/job.js';
import { extractJobFromPage } from '../../runtime/webscraper/page/extract.js';
import { type ScrapeSummary, scrape } from '../../runtime/webscraper/scraper.js';
import { MemoryBlobStore } from '../../runtime/webscraper/state/blob-store.js';
import { MemoryStorage } from '../../runtime/webscraper/storage/memory.js';
import { runHeader, Verdicts } from '../lib/verdict.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
/** The container's NODE_OPTIONS, read from its Dockerfile so the measurement runs what ships. */
const CONTAINER_NODE_OPTIONS =
  /NODE_OPTIONS=(\S+)/.exec(readFileSync(join(ROOT, 'runtime/Dockerfile'), 'utf8'))?.[1] ?? '';
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    jobs: { type: 'string', default: '5000' },
    latency: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
    'polite-rate': { type: 'string', default: '20' },
    'polite-jobs': { type: 'string', default: '1000' },
    'rss-jobs': { type: 'string', default: '50000' },
    skip: { type: 'string', default: '' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    `Usage: npx tsx bench/webscraper/run.ts [--jobs 5000] [--latency 50] [--concurrency 16] [--polite-rate 20] [--polite-jobs 1000] [--rss-jobs 50000] [--skip ...] [--out bench/results/webscraper.md]\n\nWebscraper: throughput, politeness and parse speed against the MCF replay server.`,
  );
  process.exit(0);
}
const JOBS = Number(values.jobs);
const LATENCY = Number(values.latency);
const CONCURRENCY = Number(values.concurrency);
const POLITE_RATE = Number(values['polite-rate']);
const POLITE_JOBS = Number(values['polite-jobs']);
const RSS_JOBS = Number(values['rss-jobs']);
const skip = new Set(values.skip.split(',').filter(Boolean));
const lines: string[] = [];
const verdicts = new Verdicts();
const say = (s = '') => {
  lines.push(s);
  console.log(s);
};
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** One scrape of every job (search "pte" matches every generated company), on a fresh replay. */
async function scrapeAll(
  jobs: number,
  politeness: { ratePerSec: number; concurrency: number },
): Promise<{ summary: ScrapeSummary; seconds: number }> {
  const server = await startReplayServer({
    corpus: { seed: 7, jobs },
    latencyMs: LATENCY,
    log: false,
  });
  try {
    const storage = new MemoryStorage([
      {
        track_id: 'bench:all',
        user_id: 'bench',
        name: 'all',
        search_terms: ['pte'],
        active: true,
        max_pages: 100,
      },
    ]);
    const t0 = performance.now();
    const summary = await scrape({
      storage,
      state: new MemoryBlobStore(),
      apiUrl: server.url,
      browser: 'off',
      progressIntervalMs: 0,
      logger: memoryLogger(),
      politeness: { ...politeness, timeoutMs: 30_000 },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (summary.status !== 'complete' || storage.jobs.size !== jobs) {
      throw new Error(
        `benchmark scrape incomplete: ${summary.status}, ${storage.jobs.size} of ${jobs} stored`,
      );
    }
    return { summary, seconds };
  } finally {
    await server.stop();
  }
}

async function throughput(): Promise<void> {
  say(`## Throughput against the replay (${fmt(JOBS)} jobs, ${LATENCY} ms latency per answer)`);
  say();
  say(
    `One search that finds every job: ${fmt(Math.ceil(JOBS / 100))} listing pages of 100, then one detail request per job; memory storage (the subject is the HTTP side).`,
  );
  say();
  say('| run | requests | time | jobs/min | requests/s |');
  say('| --- | ---: | ---: | ---: | ---: |');
  const fast = await scrapeAll(JOBS, { ratePerSec: 0, concurrency: CONCURRENCY });
  const fastRate = (JOBS / fast.seconds) * 60;
  say(
    `| unthrottled (no rate limit, ${CONCURRENCY} in flight) | ${fmt(fast.summary.http.requests)} | ${fmt(fast.seconds, 1)} s | ${fmt(fastRate)} | ${fmt(fast.summary.http.requests / fast.seconds, 1)} |`,
  );
  if (!skip.has('baseline')) {
    const seq = await scrapeAll(JOBS, { ratePerSec: 0, concurrency: 1 });
    const seqRate = (JOBS / seq.seconds) * 60;
    say(
      `| sequential baseline (1 in flight) | ${fmt(seq.summary.http.requests)} | ${fmt(seq.seconds, 1)} s | ${fmt(seqRate)} | ${fmt(seq.summary.http.requests / seq.seconds, 1)} |`,
    );
    say();
    const x = fastRate / seqRate;
    say(
      `Unthrottled vs sequential: **${fmt(x, 1)}x** (target at least 10x: ${verdicts.check('unthrottled at least 10x the sequential baseline', `${fmt(x, 1)}x`, x >= 10)}).`,
    );
  }
  say();
}

async function polite(): Promise<void> {
  say(
    `## Polite rate (${fmt(POLITE_JOBS)} jobs, configured ${POLITE_RATE} requests/s, 2 in flight, ${LATENCY} ms latency)`,
  );
  say();
  const run = await scrapeAll(POLITE_JOBS, { ratePerSec: POLITE_RATE, concurrency: 2 });
  const achieved = run.summary.http.requests / run.seconds;
  const share = achieved / POLITE_RATE;
  say('| requests | time | achieved requests/s | of the configured rate |');
  say('| ---: | ---: | ---: | ---: |');
  say(
    `| ${fmt(run.summary.http.requests)} | ${fmt(run.seconds, 1)} s | ${fmt(achieved, 2)} | ${fmt(share * 100, 1)} % |`,
  );
  say();
  say(
    `Target at least 90 % of the configured rate: ${verdicts.check('polite run at least 90 % of the configured rate', `${fmt(share * 100, 1)} %`, share >= 0.9)} (and never above it: the limiter spaces requests evenly, no bursts).`,
  );
  say();
}

function timeLoop(fn: () => void, minMs: number): { ops: number; ms: number } {
  let ops = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    ops++;
  }
  return { ops, ms: performance.now() - t0 };
}

function normaliser(): void {
  const gen = new JobGenerator({ seed: 3, oddRate: 0.03 });
  const jobs = Array.from({ length: 2000 }, (_, k) => gen.job(k));
  const jsonBytes = jobs.reduce((n, j) => n + JSON.stringify(j).length, 0) / jobs.length;
  // Warm up, then time whole passes over the set.
  for (const j of jobs) normaliseJob(j);
  let i = 0;
  const json = timeLoop(() => {
    const r = normaliseJob(jobs[i++ % jobs.length]);
    if (!r.ok) throw new Error(r.reason);
  }, 3000);
  // Pages as MCF renders them: the job and three suggested-job cards.
  const pages = jobs.slice(0, 500).map((j, k) => ({
    html: renderJobPageStatic(j, { suggested: jobs.slice(k + 1, k + 4) }),
    url: j.metadata.jobDetailsUrl!,
    updatedAt: j.metadata.updatedAt!,
  }));
  const htmlBytes = pages.reduce((n, p) => n + p.html.length, 0) / pages.length;
  for (const p of pages.slice(0, 50)) normaliseJob(extractJobFromPage(p.html, p));
  let k = 0;
  const html = timeLoop(() => {
    const p = pages[k++ % pages.length]!;
    const r = normaliseJob(extractJobFromPage(p.html, p));
    if (!r.ok) throw new Error(r.reason);
  }, 3000);
  const jsonRate = (json.ops / json.ms) * 1000;
  const htmlRate = (html.ops / html.ms) * 1000;
  say('## Normaliser (one core)');
  say();
  say('| input | average size | per second | target |');
  say('| --- | ---: | ---: | --- |');
  say(
    `| API job JSON (parsed) -> job row, descriptions to text | ${fmt(jsonBytes / 1024, 1)} KB | ${fmt(jsonRate)} jobs | at least 20,000: ${verdicts.check('API job JSON normalised: at least 20,000 a second', `${fmt(jsonRate)} jobs/s`, jsonRate >= 20_000)} |`,
  );
  say(
    `| rendered HTML page -> cheerio (JSON-LD + data-testid) -> job row | ${fmt(htmlBytes / 1024, 1)} KB | ${fmt(htmlRate)} pages | at least 1,000 per core: ${verdicts.check('HTML pages extracted: at least 1,000 a second per core', `${fmt(htmlRate)} pages/s`, htmlRate >= 1000)} |`,
  );
  say();
}

function startProcess(args: string[], ready: RegExp): Promise<ChildProcess> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (ready.test(out)) res(child);
    });
    child.on('exit', (code) => rej(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

/** Peak resident set (VmHWM) of a process, kB, polled until it exits. */
function peakRss(
  child: ChildProcess,
): Promise<{ code: number | null; peakKb: number; stdout: string }> {
  let peak = 0;
  let stdout = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // exited
    }
  }, 20);
  return new Promise((res) =>
    child.on('exit', (code) => {
      clearInterval(poll);
      res({ code, peakKb: peak, stdout });
    }),
  );
}

async function rss(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mcfpipe-rss-'));
  const children: ChildProcess[] = [];
  try {
    await new Promise<void>((res, rej) =>
      execFile(
        process.execPath,
        ['runtime/webscraper/bundle.mjs', '--outdir', dir],
        { cwd: ROOT },
        (err) => (err ? rej(err) : res()),
      ),
    );
    const [replayPort, apiPort] = [await freePort(), await freePort()];
    children.push(
      await startProcess(
        [
          '--import',
          'tsx',
          'runtime/mcf-replay/main.ts',
          '--jobs',
          String(RSS_JOBS),
          '--port',
          String(replayPort),
          '--seed',
          '5',
        ],
        /MCF replay/,
      ),
    );
    children.push(
      await startProcess(
        ['--import', 'tsx', 'runtime/db-api/local/main.ts', '--port', String(apiPort)],
        /127\.0\.0\.1/,
      ),
    );
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // One track per category (each under the 100-page cap of a search): together they find every job.
    const api = new DbApiClient({ url: apiUrl });
    for (const category of CATEGORIES) {
      const id = `rss:${category.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
      await api.put('track', id, {
        track_id: id,
        user_id: 'rss',
        name: category,
        search_terms: ['pte'],
        categories: [category],
        max_pages: 100,
      });
    }
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [
        join(dir, 'mcfpipe.mjs'),
        'scrape',
        '--mcf-api-url',
        `http://127.0.0.1:${replayPort}`,
        '--rate',
        '0',
        '--concurrency',
        '16',
        '--max-pages',
        '100',
        '--browser',
        'off',
        '--progress-interval',
        '5s',
        '--state',
        join(dir, 'state'),
        '--archive',
        join(dir, 'archive'),
        '--log-format',
        'json',
      ],
      {
        cwd: dir,
        // NODE_OPTIONS as the container sets it (runtime/Dockerfile, target webscraper).
        env: { PATH: process.env.PATH, DB_API_URL: apiUrl, NODE_OPTIONS: CONTAINER_NODE_OPTIONS },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const result = await peakRss(child);
    const seconds = (performance.now() - t0) / 1000;
    const line = result.stdout.split('\n').find((l) => l.startsWith('{"mcfpipe_scrape_summary"'));
    const summary = line ? JSON.parse(line).mcfpipe_scrape_summary : undefined;
    const mb = result.peakKb / 1024;
    const progressRss = [...result.stdout.matchAll(/"rss_mb":(\d+)/g)].map((m) => Number(m[1]));
    const heap = [...result.stdout.matchAll(/"heap_mb":(\d+)/g)].map((m) => Number(m[1]));
    if (process.env.BENCH_DEBUG)
      console.error(
        result.stdout
          .split('\n')
          .filter((l) => l.includes('progress'))
          .join('\n'),
      );
    say(`## Peak memory over ${fmt(RSS_JOBS)} jobs`);
    say();
    say(
      `The bundled \`mcfpipe scrape\` (what the container runs) in its own process; the replay server and the DB API (local server on dynalite) in two other processes, so only the scraper is measured. 16 in flight, no rate limit, raw archive on (gzip JSONL parts), checkpoints to a local folder, \`NODE_OPTIONS=${CONTAINER_NODE_OPTIONS}\` as in the container. Peak RSS is the kernel's VmHWM of the process, polled every 20 ms.`,
    );
    say();
    say(
      '| jobs stored | job_search rows | listing pages | time | peak RSS | RSS in progress lines (every 5 s) | heap used | target |',
    );
    say('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    say(
      `| ${fmt(summary?.counters.stored ?? 0)} | ${fmt(summary?.counters.job_search_written ?? 0)} | ${fmt(summary?.counters.pages ?? 0)} | ${fmt(seconds, 1)} s | ${fmt(mb, 1)} MB | ${Math.min(...progressRss)} to ${Math.max(...progressRss)} MB | ${Math.min(...heap)} to ${Math.max(...heap)} MB | at most 300 MB: ${verdicts.check(`peak RSS over ${fmt(RSS_JOBS)} jobs at most 300 MB`, `${fmt(mb, 1)} MB`, mb <= 300)} |`,
    );
    say();
    const complete = result.code === 0 && summary?.counters.stored === RSS_JOBS;
    verdicts.check(
      `the ${fmt(RSS_JOBS)}-job scrape completes`,
      `exit code ${result.code}, stored ${fmt(summary?.counters.stored ?? 0)}`,
      complete,
    );
    if (!complete)
      say(`Exit code ${result.code}; stored ${summary?.counters.stored} of ${RSS_JOBS}.`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

say('# Webscraper benchmarks');
say();
say(`Command: \`npx tsx bench/webscraper/run.ts ${process.argv.slice(2).join(' ')}\``);
say();
const headerAt = lines.length;
say('Replay server on 127.0.0.1 in the same process as the scraper for sections 1 and 2.');
say();
if (!skip.has('throughput')) await throughput();
if (!skip.has('polite')) await polite();
if (!skip.has('normaliser')) normaliser();
if (!skip.has('rss')) await rss();
// The header and the verdicts go on top, written when the run is over (the load at its end).
const top = [runHeader(), '', verdicts.summary(), '', verdicts.table(), ''];
console.log(top.join('\n'));
lines.splice(headerAt, 0, ...top);
if (values.out) writeFileSync(values.out, `${lines.join('\n')}\n`);
verdicts.exit();
