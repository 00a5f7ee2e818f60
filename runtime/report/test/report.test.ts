/**
 * The report drawn from analytics files: what each chart shows, the empty
 * states and why they are empty, the new-jobs table, escaping of scraped
 * text, and the choice of user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAnalytics } from '../export.js';
import { renderReport } from '../render.js';
import { J, KNOWN_AS_OF, knownTables, sgt } from './known-data.js';
import { memoryRows } from './rows.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-report-render-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function analyticsFile(tables: Record<string, unknown[]>): Promise<string> {
  const file = join(dir, `a${++n}.sqlite`);
  await exportAnalytics({
    rows: memoryRows(tables),
    file,
    now: () => sgt('2026-11-21 09:00'),
  });
  return file;
}

const NOW = () => sgt('2026-11-21 09:30');

function chart(r: ReturnType<typeof renderReport>, id: string) {
  const c = r.charts.find((x) => x.id === id);
  if (!c) throw new Error(`no chart ${id}; charts: ${r.charts.map((x) => x.id).join(', ')}`);
  return c;
}

describe('the known data set', () => {
  let r: ReturnType<typeof renderReport>;
  beforeAll(async () => {
    r = renderReport(await analyticsFile(knownTables()), { user: 'ana', now: NOW });
  });

  it('heads the page with the user, the date of the data and the totals', () => {
    expect(r.data.dataAsOf).toBe(KNOWN_AS_OF);
    expect(r.html).toContain(
      `<title>Job search report, user ana: data as of ${KNOWN_AS_OF}</title>`,
    );
    expect(r.html).toContain(`data as of <time>${KNOWN_AS_OF}</time> (Asia/Singapore`);
    expect(r.html).toContain('report made 2026-11-21 09:30');
    expect(r.data.totals).toMatchObject({
      jobs: 7,
      inCrm: 6,
      applied: 4,
      responded: 3,
      scored: 5,
      withSalary: 4,
    });
    expect(r.data.totals.otherPeriods).toEqual([{ period: 'Hourly', jobs: 1 }]);
  });

  it('draws every chart: stages, funnel, jobs per day, salary, skills per track, time to response', () => {
    expect(r.charts.map((c) => [c.id, c.svg ? 'drawn' : c.empty])).toEqual([
      ['jobs-by-stage', 'drawn'],
      ['funnel-by-track', 'drawn'],
      ['jobs-found-daily', 'drawn'],
      ['salary-by-track', 'drawn'],
      ['top-skills-1', 'drawn'],
      ['top-skills-2', 'drawn'],
      ['time-to-response', 'drawn'],
    ]);
    expect(chart(r, 'top-skills-1').title).toBe('Top skills: Data engineering');
    expect(chart(r, 'salary-by-track').title).toBe('Salary by track (SGD per month)');
    expect(chart(r, 'salary-by-track').svg).toContain('SGD per month');
    expect(chart(r, 'salary-by-track').note).toBe(
      '4 of 7 jobs state a salary per month (annual salaries are divided by 12). 1 job states its salary as Hourly, not per month, and is left out.',
    );
    expect(chart(r, 'time-to-response').caption).toContain('Median: 7 days over 3 answers.');
    expect(chart(r, 'time-to-response').note).toBe(
      '1 of 3 answer dates are estimated from the day the CRM row last changed (no response_date was set).',
    );
    // Axis names say what is counted.
    expect(chart(r, 'jobs-by-stage').svg).toContain('CRM stage');
    expect(chart(r, 'jobs-found-daily').svg).toContain('jobs found');
  });

  it('lists the new jobs, scored first, with links to MyCareersFuture', () => {
    expect(r.data.newJobs.map((j) => [j.title, j.score])).toEqual([
      ['ML Tutor', 60],
      ['Data Analyst <intern>', null],
    ]);
    expect(r.html).toContain(
      `<a href="https://www.mycareersfuture.gov.sg/job/information-technology/job-${J.j6}" rel="noopener noreferrer">ML Tutor</a>`,
    );
    expect(r.html).toContain('Data Analyst &lt;intern&gt;');
  });

  it('limits the table to --top rows', async () => {
    const small = renderReport(await analyticsFile(knownTables()), {
      user: 'ana',
      topJobs: 1,
      now: NOW,
    });
    expect(small.data.newJobs).toHaveLength(1);
  });

  it('is one self-contained page: no script, nothing loaded from elsewhere', () => {
    expect(r.html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(r.html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
    );
  });
});

describe('choosing the user', () => {
  it('asks for one when the file holds several, and names them', async () => {
    const file = await analyticsFile(knownTables());
    expect(() => renderReport(file)).toThrow(
      'The analytics file holds jobs of 2 users (ana, ben); name one with --user',
    );
    expect(() => renderReport(file, { user: 'cat' })).toThrow(
      'User "cat" has no jobs in the analytics file; users with jobs: ana, ben',
    );
    expect(renderReport(file, { user: 'ben' }).data.totals.jobs).toBe(2);
  });
});

describe('empty states say why a chart is empty', () => {
  it('no data at all', async () => {
    const r = renderReport(await analyticsFile({}), { now: NOW });
    expect(r.charts.every((c) => !c.svg && c.empty)).toBe(true);
    expect(chart(r, 'jobs-by-stage').empty).toBe(
      'No jobs in the analytics file yet: the scraper has not stored any (run mcfpipe scrape, then mcfpipe report).',
    );
    expect(r.html).toContain('Job search report, no user yet: data as of no data yet');
    expect(r.html).toContain('No jobs found yet: run the scraper (mcfpipe scrape).');
  });

  it('jobs found, none in the CRM, no salaries, no skills, no applications', async () => {
    const t = knownTables();
    const tables = {
      track: t.track,
      job: t.job.map(({ salary_min, salary_max, skills, ...rest }) => rest),
      job_search: t.job_search,
    };
    const r = renderReport(await analyticsFile(tables), { user: 'ana', now: NOW });
    expect(chart(r, 'jobs-by-stage').svg).toBeDefined();
    expect(chart(r, 'jobs-by-stage').note).toBe(
      'None of the 7 jobs is in the CRM yet: run the CRM sync (mcfpipe sync) to work through them.',
    );
    expect(chart(r, 'salary-by-track').empty).toBe(
      'None of the 7 jobs found states a salary per month, so there is nothing to compare.',
    );
    expect(chart(r, 'top-skills').empty).toBe(
      'None of the 7 jobs found lists a skill (MyCareersFuture lists skills per job; the stored jobs carry none).',
    );
    expect(chart(r, 'time-to-response').empty).toBe(
      'No application is recorded yet: set apply_status or applied_date in the CRM when you apply.',
    );
    expect(r.html).toContain(
      'No job is scored yet (mcfpipe score), so they are listed newest first.',
    );
  });

  it('applications without answers', async () => {
    const t = knownTables();
    const crm = t.crm.map((row) => ({
      ...row,
      response: 'none',
      response_date: undefined,
      status: row.status === 'interviewing' || row.status === 'offer' ? 'applied' : row.status,
    }));
    const r = renderReport(await analyticsFile({ ...t, crm }), { user: 'ana', now: NOW });
    expect(chart(r, 'time-to-response').empty).toBe(
      '4 applications, and no answer recorded yet: set response (and response_date) in the CRM when an employer answers.',
    );
  });

  it('every job past "new"', async () => {
    const t = knownTables();
    const crm = t.crm.map((row) => ({
      ...row,
      status: row.status === 'new' ? 'screened' : row.status,
    }));
    const r = renderReport(
      await analyticsFile({ ...t, crm, job_search: t.job_search.filter((s) => s.job_id !== J.j4) }),
      {
        user: 'ana',
        now: NOW,
      },
    );
    expect(r.html).toContain(
      'No new jobs waiting: all 6 jobs found are past the &quot;new&quot; stage in the CRM.',
    );
  });
});

describe('scraped text is escaped', () => {
  it('titles, companies, skills, search terms and URLs never become markup', async () => {
    const t = knownTables();
    const evil = '<script>alert(1)</script>';
    // All valid by db_schema.json: free text, and a URL is http(s) without spaces.
    const job = t.job.map((j) =>
      j.job_id === J.j4
        ? {
            ...j,
            title: `Hacker ${evil}`,
            company_name: 'A & B "Ltd"',
            url: 'https://evil.example/"><script>alert(1)</script>',
            skills: ['<img src=x onerror=alert(1)>'],
          }
        : j,
    );
    const job_search = t.job_search.map((s) =>
      s.job_id === J.j4 ? { ...s, search_term: `</text><script>x</script>` } : s,
    );
    const r = renderReport(await analyticsFile({ ...t, job, job_search }), {
      user: 'ana',
      now: NOW,
    });
    expect(r.data.newJobs.map((j) => j.title)).toContain(`Hacker ${evil}`);
    expect(r.html).not.toMatch(/<script|<img/i);
    expect(r.html).toContain('Hacker &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.html).toContain('A &amp; B &quot;Ltd&quot;');
    expect(r.html).toContain('href="https://evil.example/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"');
    expect(chart(r, 'top-skills-1').svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
