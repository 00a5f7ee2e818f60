import { afterEach, describe, expect, it } from 'vitest';
import type { McfJob, McfJobsPage } from '../../webscraper/mcf/types.js';
import { Corpus } from '../corpus.js';
import { parseFaultSpec } from '../faults.js';
import { JobGenerator, md5Hex } from '../generate.js';
import { renderJobPageStatic } from '../page.js';
import { type ReplayServer, startReplayServer } from '../server.js';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(opts: Parameters<typeof startReplayServer>[0] = {}) {
  server = await startReplayServer({ corpus: { seed: 3, jobs: 250 }, ...opts });
  return server;
}

async function get(path: string, init?: RequestInit) {
  const res = await fetch(server!.url + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('generator', () => {
  it('is deterministic for a seed, different across seeds, and job k does not depend on other jobs', () => {
    const a = new JobGenerator({ seed: 42 });
    const b = new JobGenerator({ seed: 42 });
    expect(a.job(17)).toEqual(b.job(17));
    expect(
      new JobGenerator({ seed: 43 }).job(17).title === a.job(17).title &&
        new JobGenerator({ seed: 43 }).job(17).uuid === a.job(17).uuid,
    ).toBe(false);
    // Generating other jobs first changes nothing.
    b.job(3);
    b.job(900);
    expect(b.job(17)).toEqual(a.job(17));
  });

  it('makes uuids the md5 of the job post id, and posting dates newest at the highest k', () => {
    const g = new JobGenerator({ seed: 1, perDay: 10 });
    const jobs = [0, 5, 25].map((k) => g.job(k));
    for (const j of jobs) {
      expect(j.metadata.jobPostId).toMatch(/^MCF-\d{4}-\d{7}$/);
      expect(j.uuid).toBe(md5Hex(j.metadata.jobPostId));
    }
    expect(jobs[0]!.metadata.newPostingDate! < jobs[2]!.metadata.newPostingDate!).toBe(true);
    expect(new Set(Array.from({ length: 2000 }, (_, k) => g.jobPostId(k))).size).toBe(2000);
  });
});

describe('replay server: listings', () => {
  it('pages GET /v2/jobs newest first with MCF limit and page rules', async () => {
    await start();
    const first = await get('/v2/jobs?limit=100&page=0&sortBy=new_posting_date');
    expect(first.status).toBe(200);
    const body = first.json as McfJobsPage;
    expect(body.results).toHaveLength(100);
    expect(body.total).toBe(250);
    expect(body.countWithoutFilters).toBe(250);
    expect(body._links.next?.href).toContain('page=1');
    const dates = body.results.map((j) => j.metadata.newPostingDate!);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(body.results[0]!.description).toContain('<p>');

    const last = (await get('/v2/jobs?limit=100&page=2&sortBy=new_posting_date'))
      .json as McfJobsPage;
    expect(last.results).toHaveLength(50);
    expect(last._links.next).toBeUndefined();
    const beyond = await get('/v2/jobs?limit=100&page=3&sortBy=new_posting_date');
    expect(beyond.status).toBe(200);
    expect((beyond.json as McfJobsPage).results).toEqual([]);

    expect((await get('/v2/jobs')).json).toMatchObject({ total: 250 });
    expect(((await get('/v2/jobs')).json as McfJobsPage).results).toHaveLength(20);
    expect((await get('/v2/jobs?limit=101')).status).toBe(400);
    expect((await get('/v2/jobs?limit=0')).status).toBe(400);
    expect((await get('/v2/jobs?page=-1')).status).toBe(400);
    expect((await get('/v2/jobs?sortBy=newest')).status).toBe(400);
  });

  it('filters by search and display-name filters; unknown values are 400, unknown names ignored', async () => {
    await start();
    const all = (await get('/v2/jobs?search=engineer&limit=100')).json as McfJobsPage;
    expect(all.total).toBeGreaterThan(0);
    for (const j of all.results) {
      const text = [
        j.title,
        j.postedCompany?.name,
        j.hiringCompany?.name,
        ...(j.skills ?? []).map((s) => s.skill),
        ...(j.categories ?? []).map((c) => c.category),
      ]
        .join(' ')
        .toLowerCase();
      expect(text).toContain('engineer');
    }
    const it = (await get('/v2/jobs?search=engineer&limit=100&categories=Information%20Technology'))
      .json as McfJobsPage;
    expect(it.total).toBeLessThan(all.total);
    expect(it.countWithoutFilters).toBe(all.total);
    for (const j of it.results)
      expect(j.categories!.map((c) => c.category)).toContain('Information Technology');

    const paid = (await get('/v2/jobs?limit=100&salary=9000')).json as McfJobsPage;
    for (const j of paid.results) expect(j.salary!.maximum).toBeGreaterThanOrEqual(9000);

    expect((await get('/v2/jobs?employmentTypes=Full%20Tme')).status).toBe(400);
    expect((await get('/v2/jobs?categories=Nope')).json).toEqual({
      message: 'Invalid value "Nope" for categories',
    });
    const ignored = (await get('/v2/jobs?employmentTypez=Nope&limit=5')).json as McfJobsPage;
    expect(ignored.total).toBe(ignored.countWithoutFilters);
  });

  it('answers POST /v2/search with items without description and a searchRankingId', async () => {
    await start();
    const res = await get('/v2/search?limit=10&page=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        sessionId: 'x',
        search: 'manager',
        sortBy: ['new_posting_date'],
        postingCompany: ['Direct'],
      }),
    });
    expect(res.status).toBe(200);
    const body = res.json as McfJobsPage & { searchRankingId: string };
    expect(body.searchRankingId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.results.length).toBeGreaterThan(0);
    for (const j of body.results) {
      expect(j).not.toHaveProperty('description');
      expect(j.metadata.isPostedOnBehalf).toBe(false);
    }
    const bad = await get('/v2/search', { method: 'POST', body: '{"sortBy": ["newest"]}' });
    expect(bad.status).toBe(400);
    expect((await get('/v2/search', { method: 'POST', body: '{nope' })).status).toBe(400);
    expect((await get('/v2/search?limit=101', { method: 'POST', body: '{}' })).status).toBe(400);
  });
});

describe('replay server: details, pages and changes', () => {
  it('returns a job by uuid, 404 with MCF body otherwise, and reflects edits and closures', async () => {
    await start();
    const uuid = server!.corpus.uuids()[0]!;
    const job = (await get(`/v2/jobs/${uuid}`)).json as McfJob;
    expect(job.uuid).toBe(uuid);
    expect(job._links?.self.href).toBe(`${server!.url}/v2/jobs/${uuid}`);
    expect(job.metadata.jobDetailsUrl).toMatch(
      new RegExp(`^${server!.url}/job/[a-z0-9-]+/[a-z0-9-]+-${uuid}$`),
    );
    const missing = await get(`/v2/jobs/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: 'UUID is not found in the database.' });

    server!.corpus.edit(uuid, { title: 'Edited title' });
    const edited = (await get(`/v2/jobs/${uuid}`)).json as McfJob;
    expect(edited.title).toBe('Edited title');
    expect(Date.parse(edited.metadata.updatedAt!)).toBe(
      Date.parse(job.metadata.updatedAt!) + 3_600_000,
    );

    server!.corpus.close(uuid);
    expect(((await get(`/v2/jobs/${uuid}`)).json as McfJob).status).toEqual({
      id: 104,
      jobStatus: 'Closed',
    });
    const listed = (await get('/v2/jobs?limit=100&sortBy=new_posting_date')).json as McfJobsPage;
    expect(listed.total).toBe(249);
    expect(listed.results.map((j) => j.uuid)).not.toContain(uuid);

    const added = server!.corpus.addJobs(3);
    const top = (await get('/v2/jobs?limit=3&sortBy=new_posting_date')).json as McfJobsPage;
    expect(top.results.map((j) => j.uuid)).toEqual(added);
  });

  it('serves job pages that hold the details only in a script until rendered', async () => {
    await start({ renderDelayMs: 0 });
    const uuid = server!.corpus.uuids()[5]!;
    const job = server!.corpus.job(uuid, { api: server!.url, web: server!.url }) as McfJob;
    const page = await get(new URL(job.metadata.jobDetailsUrl!).pathname);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).not.toMatch(/<h1 data-testid=/);
    expect(page.text).toContain('__APP_STATE__');
    // What the page's script renders from, read back as a browser would.
    const stateText = /<script id="__APP_STATE__" type="application\/json">(.*?)<\/script>/s.exec(
      page.text,
    )?.[1];
    const state = JSON.parse(stateText!) as {
      title: string;
      html: string;
      jsonLd: Record<string, unknown>;
    };
    expect(state.title).toBe(`${job.title} | MyCareersFuture`);
    expect(state.html).toMatch(/<h1 data-testid="job-details-info-job-title">/);
    expect(state.html).toContain(job.title!.replace(/&/g, '&amp;'));
    expect(state.jsonLd).toMatchObject({ '@type': 'JobPosting', title: job.title });
    expect(state.jsonLd).not.toHaveProperty('identifier');
    // Three suggested jobs, as cards linking to their pages.
    const suggested = server!.corpus.suggestions(uuid, { api: server!.url, web: server!.url });
    expect(suggested).toHaveLength(3);
    expect(suggested.map((j) => j.uuid)).not.toContain(uuid);
    for (const other of suggested)
      expect(state.html).toContain(`href="${other.metadata.jobDetailsUrl}"`);
    expect(page.text).toContain(`<link rel="canonical" href="${job.metadata.jobDetailsUrl}">`);
    // renderDelayMs: 0 renders at once.
    expect(page.text).toMatch(/setTimeout\(function\(\)\{.*\},0\);\}\)\(\);<\/script>/s);
    const rendered = renderJobPageStatic(job, { suggested });
    expect(rendered).toMatch(/<script type="application\/ld\+json">/);
    expect(renderJobPageStatic(job, { jsonLd: false })).not.toContain('application/ld+json');
    // MCF's markup: no wrapper id, the facts in job-details-info-* ids, cards reusing the salary ids.
    expect(rendered).not.toContain('job-details-page');
    for (const id of ['job-title', 'job-post-id', 'location-span', 'last-posted-date'])
      expect(rendered).toContain(`data-testid="job-details-info-${id}"`);
    expect(rendered.match(/data-testid="company-hire-info"/g)).toHaveLength(4);
    expect(rendered).toMatch(/data-testid="salary-range">\$[\d,]+<span[^>]*>to<\/span>\$[\d,]+</);
    expect((await get(`/job/x/y-${'f'.repeat(32)}`)).status).toBe(404);
  });
});

describe('the replay looks like MCF', () => {
  const corpus = new Corpus({ seed: 8, jobs: 1500 });
  const jobs = corpus.uuids().map((u) => corpus.job(u) as McfJob);
  const some = (what: string, test: (j: McfJob) => boolean) =>
    expect(jobs.filter(test).length, what).toBeGreaterThan(0);

  it('has API records in the real shapes and values', () => {
    some('districts-only Islandwide (998)', (j) =>
      Boolean(
        j.address &&
          j.address.street === null &&
          j.address.districts?.some((d) => d.id === 998 && d.location === 'Islandwide'),
      ),
    );
    some('districts-only D01 Marina', (j) =>
      Boolean(j.address?.street === null && j.address.districts?.[0]?.location === 'D01 Marina'),
    );
    some('position level Professional', (j) =>
      Boolean(j.positionLevels?.some((p) => p.position === 'Professional')),
    );
    for (const label of ['Flexi-Hours', 'Telecommuting', 'Creative Scheduling'])
      some(label, (j) =>
        Boolean(j.flexibleWorkArrangements?.some((f) => f.flexibleWorkArrangement === label)),
      );
    some('nested schemes', (j) =>
      Boolean(
        j.schemes?.some(
          (s) => typeof s.scheme.scheme === 'string' && 'subScheme' in s && 'expiryDate' in s,
        ),
      ),
    );
    some('overseas with country and foreign address', (j) =>
      Boolean(j.address?.isOverseas && j.address.overseasCountry && j.address.foreignAddress1),
    );
    some('otherRequirements text', (j) => typeof j.otherRequirements === 'string');
    some('workingHours text', (j) => typeof j.workingHours === 'string');
    some('hidden salary', (j) => j.isHideSalary === true);
    expect(jobs.every((j) => typeof j.isHideSalary === 'boolean')).toBe(true);
    expect(jobs.flatMap((j) => j.skills ?? []).every((s) => s.confidence === null)).toBe(true);
    // jobDetailsUrl: /job/<category>/<title>-<company>-<uuid>
    for (const j of jobs.slice(0, 50)) {
      const slug = (j.postedCompany?.name ?? '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      expect(j.metadata.jobDetailsUrl).toMatch(
        new RegExp(`/job/[a-z0-9-]+/[a-z0-9-]+-${slug}-${j.uuid}$`),
      );
    }
  });

  it('gives its pages a JSON-LD block with only the fields MCF puts there', () => {
    for (const j of jobs.slice(0, 40)) {
      const html = renderJobPageStatic(j);
      const ld = JSON.parse(
        /<script type="application\/ld\+json">(.*?)<\/script>/
          .exec(html)![1]!
          .replace(/\\u003c/g, '<'),
      ) as Record<string, unknown>;
      for (const absent of [
        'identifier',
        'experienceRequirements',
        'totalJobOpenings',
        'occupationalCategory',
        'industry',
        'url',
      ])
        expect(ld).not.toHaveProperty(absent);
      expect(ld.skills).toEqual((j.skills ?? []).map((s) => s.skill));
      expect(ld.validThrough).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect('baseSalary' in ld).toBe(!j.isHideSalary && j.salary !== null);
    }
  });
});

describe('replay server: faults', () => {
  it('injects 429 with Retry-After, 5xx, malformed bodies, resets and 403 blocks by rule', async () => {
    await start({
      faults: [
        { kind: '429', routes: ['jobs'], first: 1, retryAfterS: 7 },
        { kind: '5xx', routes: ['jobs'], first: 1, status: 502 },
        { kind: 'malformed', routes: ['jobs'], first: 1 },
      ],
    });
    const r1 = await get('/v2/jobs?limit=5');
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('7');
    expect((await get('/v2/jobs?limit=5')).status).toBe(502);
    const r3 = await get('/v2/jobs?limit=5');
    expect(r3.status).toBe(200);
    expect(r3.json).toBeUndefined();
    expect((await get('/v2/jobs?limit=5')).status).toBe(200);
    expect(server!.requests.map((r) => r.fault)).toEqual(['429', '5xx', 'malformed', undefined]);

    server!.setFaults([{ kind: 'reset', routes: ['detail'], first: 1 }]);
    const uuid = server!.corpus.uuids()[0]!;
    await expect(fetch(`${server!.url}/v2/jobs/${uuid}`)).rejects.toThrow();
    expect((await get(`/v2/jobs/${uuid}`)).status).toBe(200);

    server!.setFaults([{ kind: '403', first: 1, blockMs: 60_000 }]);
    expect((await get('/v2/jobs')).status).toBe(403);
    expect((await get(`/v2/jobs/${uuid}`)).status).toBe(403);
    server!.setFaults([]);
    expect((await get('/v2/jobs')).status).toBe(200);
  });

  it('holds a timed-out request open until the client gives up, and adds latency', async () => {
    await start({ faults: [{ kind: 'timeout', routes: ['detail'], first: 1 }], latencyMs: 20 });
    const uuid = server!.corpus.uuids()[0]!;
    await expect(
      fetch(`${server!.url}/v2/jobs/${uuid}`, { signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    const t0 = performance.now();
    expect((await get(`/v2/jobs/${uuid}`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    expect(server!.requests[0]!.status).toBe('timeout');
  });

  it('parses fault specs and rejects unknown ones', () => {
    expect(parseFaultSpec('429:0.05@detail,jobs')).toEqual({
      kind: '429',
      probability: 0.05,
      routes: ['detail', 'jobs'],
    });
    expect(parseFaultSpec('403')).toEqual({ kind: '403', blockMs: 60_000 });
    expect(() => parseFaultSpec('418')).toThrow(/kind "418" is not known/);
    expect(() => parseFaultSpec('429@nowhere')).toThrow(/route "nowhere"/);
    expect(() => parseFaultSpec('429:2')).toThrow(/between 0 and 1/);
  });

  it('is the same corpus for the same seed', () => {
    const a = new Corpus({ seed: 9, jobs: 50 });
    const b = new Corpus({ seed: 9, jobs: 50 });
    expect(a.uuids()).toEqual(b.uuids());
    expect(a.job(a.uuids()[7]!)).toEqual(b.job(b.uuids()[7]!));
  });
});
