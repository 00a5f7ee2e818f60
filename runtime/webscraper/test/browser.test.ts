/**
 * The browser path in headless Debian Chromium against the replay's
 * client-rendered job pages. Skipped (with a note) when Chromium is not
 * installed, except in CI (CI=true), where a missing browser fails.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tierAvailable } from '../../../core/testing/tiers.js';
import type { ReplayServer } from '../../mcf-replay/server.js';
import { launchChromium, type PageRenderer } from '../browser/chromium.js';
import type { McfJob } from '../mcf/types.js';
import { normaliseJob } from '../normalise/job.js';
import { extractJobFromPage } from '../page/extract.js';
import { compare, fromJobPage } from './fidelity.js';
import { detailFetches, expectedUuids, harness, startReplay, track } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = tierAvailable(
  'browser path (headless Chromium)',
  existsSync(CHROMIUM),
  `there is no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`,
);

let server: ReplayServer;
let browser: PageRenderer;
/** The shared browser, handed to scrapes without letting them close it. */
const shared = async (): Promise<PageRenderer> => ({
  render: (u, s) => browser.render(u, s),
  close: async () => {},
});

beforeAll(async () => {
  if (!available) return;
  server = await startReplay({ corpus: { seed: 51, jobs: 150 }, renderDelayMs: 20 });
  browser = await launchChromium({ executablePath: CHROMIUM });
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const FIELDS = [
  'job_id',
  'job_post_id',
  'title',
  'company_name',
  'salary_min',
  'salary_max',
  'employment_types',
  'categories',
  'skills',
  'posted_date',
  'expiry_date',
  'description',
] as const;

describe.skipIf(!available)('browser path (headless Chromium)', () => {
  it('renders a client-side job page; cheerio and the normaliser give every field the page shows', async () => {
    const uuid = server.corpus.uuids()[4]!;
    const job = server.corpus.job(uuid, { api: server.url, web: server.url }) as McfJob;
    const page = await browser.render(job.metadata.jobDetailsUrl!, AbortSignal.timeout(15_000));
    expect(page.status).toBe(200);
    // The served HTML has no details; the rendered DOM has them.
    const raw = await (await fetch(job.metadata.jobDetailsUrl!)).text();
    expect(extractJobFromPage(raw, { url: job.metadata.jobDetailsUrl! })).toBeUndefined();
    expect(page.text).toContain('data-testid="job-details-info-job-title"');
    expect(page.text).toContain('application/ld+json');
    const fromPage = normaliseJob(
      extractJobFromPage(page.text, {
        url: job.metadata.jobDetailsUrl!,
        updatedAt: job.metadata.updatedAt!,
      }),
    );
    if (!fromPage.ok) throw new Error(fromPage.reason);
    // Every field the page shows, as the page shows it (suggested cards rendered next to it).
    expect(page.text).toContain('Similar Jobs');
    expect(compare(fromJobPage(job, true), fromPage.row as never).wrong).toEqual([]);
  }, 20_000);

  it('reports a page without a job as 404', async () => {
    const res = await browser.render(
      `${server.url}/job/x/gone-${'e'.repeat(32)}`,
      AbortSignal.timeout(15_000),
    );
    expect(res.status).toBe(404);
  }, 20_000);

  it('scrapes through pages only (browser: always) and through the page when the API fails for a job (fallback)', async () => {
    server.requests.length = 0;
    const terms = ['graduate', 'data'];
    const expected = expectedUuids(server.corpus, terms);
    expect(expected.size).toBeGreaterThan(2);
    // A page render on a loaded machine takes seconds: the test harness's 2 s attempt timeout would fail jobs.
    const slowPages = { politeness: { timeoutMs: 15_000 } };
    const always = harness(server, [track('me', 't', terms)], slowPages);
    const a = await always.run({ browser: 'always', renderer: shared });
    expect(a.status).toBe('complete');
    expect(a.counters.browser_pages).toBe(expected.size);
    expect(detailFetches(server).size).toBe(0);
    expect(new Set(always.storage.jobs.keys())).toEqual(expected);
    for (const row of always.storage.jobs.values())
      expect(row.mcf_updated_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

    const broken = [...expected][0]!;
    server.setFaults([{ kind: 'malformed', routes: ['detail'], uuid: broken }]);
    const fallback = harness(server, [track('me', 't', terms)], slowPages);
    const f = await fallback.run({ browser: 'fallback', renderer: shared });
    server.setFaults([]);
    expect(f.status).toBe('complete');
    expect(f.counters.browser_pages).toBe(1);
    expect(f.counters.failed).toBe(0);
    const viaPage = fallback.storage.jobs.get(broken)!;
    const viaApiAlways = always.storage.jobs.get(broken)!;
    for (const field of FIELDS)
      expect([field, viaPage[field]]).toEqual([field, viaApiAlways[field]]);
  }, 90_000);
});
