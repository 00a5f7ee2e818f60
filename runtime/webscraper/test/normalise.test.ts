import { describe, expect, it } from 'vitest';
import { JobGenerator, ODDITIES } from '../../mcf-replay/generate.js';
import { renderJobPageStatic } from '../../mcf-replay/page.js';
import { projectSchema } from '../../schema/schema.js';
import { validateItem } from '../../schema/validate.js';
import type { McfJob } from '../mcf/types.js';
import { htmlToText } from '../normalise/html-text.js';
import { normaliseJob } from '../normalise/job.js';
import { readListingItem } from '../normalise/listing.js';
import { parseTimestamp } from '../normalise/read.js';
import { extractJobFromPage, pageDate } from '../page/extract.js';

const gen = new JobGenerator({ seed: 99, oddRate: 0 });
const job = (k = 1): McfJob => structuredClone(gen.job(k));

function ok(raw: unknown, opts = {}) {
  const r = normaliseJob(raw, opts);
  if (!r.ok) throw new Error(`not ok: ${r.reason}`);
  return r.row;
}

describe('normaliseJob', () => {
  it('maps an MCF job to a valid job row', () => {
    const j = job(3);
    j.metadata.updatedAt = '2026-03-01T16:45:10.000Z';
    j.metadata.newPostingDate = '2026-03-02';
    const row = ok(j);
    expect(row).toMatchObject({
      job_id: j.uuid,
      job_post_id: j.metadata.jobPostId,
      title: j.title,
      company_name: j.postedCompany!.name,
      salary_min: j.salary!.minimum,
      salary_max: j.salary!.maximum,
      salary_type: 'Monthly',
      posted_date: '2026-03-02',
      mcf_updated_at: '2026-03-02 00:45', // UTC 16:45 is 00:45 the next day in Singapore
      url: j.metadata.jobDetailsUrl,
      employment_types: j.employmentTypes!.map((e) => e.employmentType),
      categories: j.categories!.map((c) => c.category),
    });
    expect(row.description).not.toMatch(/<|&amp;/);
    const schema = projectSchema();
    expect(validateItem(schema, schema.tables.job!, row, 'full').problems).toEqual([]);
  });

  it('turns every generated oddity into a valid row', () => {
    const g = new JobGenerator({ seed: 5, oddRate: 1 });
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) {
      seen.add(g.facets(k).oddity!);
      const row = ok(g.job(k));
      expect(row.title).toBe(row.title.trim());
      expect(row.title).not.toMatch(/\s{2}/);
    }
    expect(seen).toEqual(new Set(ODDITIES));
  });

  it('leaves out nulls and missing optional fields', () => {
    const j = job() as unknown as Record<string, unknown>;
    for (const k of [
      'salary',
      'address',
      'skills',
      'hiringCompany',
      'postedCompany',
      'description',
      'status',
      'ssocCode',
    ])
      j[k] = null;
    delete j.categories;
    const row = ok(j);
    for (const k of [
      'salary_min',
      'location',
      'skills',
      'company_name',
      'description',
      'status',
      'ssoc_code',
      'categories',
    ]) {
      expect(row).not.toHaveProperty(k);
    }
  });

  it('handles odd values: swapped salary, numeric codes, repeated labels, overseas, unzoned timestamps, status by id', () => {
    const j = job() as unknown as Record<string, unknown> & {
      postedCompany: Record<string, unknown>;
      metadata: Record<string, unknown>;
    };
    j.salary = { minimum: 9000.4, maximum: 5000, type: { salaryType: 'Monthly' } };
    j.ssocCode = 25121;
    j.postedCompany.uen = 201912345;
    j.employmentTypes = [
      { employmentType: ' Full  Time ' },
      { employmentType: 'Full Time' },
      { employmentType: '' },
    ];
    j.address = { isOverseas: true };
    j.metadata.updatedAt = '2026-03-02 08:15:00';
    j.metadata.expiryDate = '2026-04-01T15:59:59.000Z';
    j.status = { id: 103, jobStatus: null };
    j.skills = Array.from({ length: 250 }, (_, i) => ({ skill: `Skill ${i}` }));
    const row = ok(j);
    expect([row.salary_min, row.salary_max]).toEqual([5000, 9000]);
    expect(row.ssoc_code).toBe('25121');
    expect(row.company_uen).toBe('201912345');
    expect(row.employment_types).toEqual(['Full Time']);
    expect(row.location).toBe('Overseas');
    expect(row.mcf_updated_at).toBe('2026-03-02 08:15');
    expect(row.expiry_date).toBe('2026-04-01');
    expect(row.status).toBe('Re-open');
    expect(row.skills).toHaveLength(200); // cut to the schema's maxItems
  });

  it('builds the page URL when the record has none, and stores no description when told not to', () => {
    const j = job();
    j.metadata.jobDetailsUrl = null;
    const row = ok(j, { webUrl: 'http://127.0.0.1:9/', descriptions: 'none' });
    expect(row.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:9/job/[a-z0-9-]+/[a-z0-9-]+-${j.uuid}$`),
    );
    expect(row).not.toHaveProperty('description');
  });

  it.each([
    ['not an object', ['a'], /expected an object, got a list/],
    ['a missing title', { ...job(), title: null }, /missing title/],
    [
      'a missing job post id',
      { ...job(), metadata: { ...job().metadata, jobPostId: null } },
      /missing metadata\.jobPostId/,
    ],
    ['a bad uuid', { ...job(), uuid: 'XYZ' }, /missing uuid/],
    [
      'a wrong type',
      { ...job(), numberOfVacancies: 'two' },
      /numberOfVacancies: expected a number, got string "two"/,
    ],
    [
      'a list where an object belongs',
      { ...job(), salary: [1, 2] },
      /salary: expected an object, got a list/,
    ],
    [
      'labels that are not objects',
      { ...job(), categories: ['IT'] },
      /categories\[0\]: expected \{category\}/,
    ],
    [
      'an impossible date',
      { ...job(), metadata: { ...job().metadata, newPostingDate: '2026-02-30' } },
      /posted_date: must be ISO_DATE/,
    ],
    [
      'an unreadable timestamp',
      { ...job(), metadata: { ...job().metadata, updatedAt: 'yesterday' } },
      /metadata\.updatedAt: expected an ISO 8601 timestamp/,
    ],
    [
      'an unknown status',
      { ...job(), status: { id: 999, jobStatus: 'Paused' } },
      /unknown status "Paused"/,
    ],
    [
      'an out-of-range value',
      { ...job(), minimumYearsExperience: 75 },
      /min_experience_years: must be at most 60/,
    ],
    [
      'a description that is not text',
      { ...job(), description: { html: '<p>' } },
      /description: expected a string/,
    ],
  ])('quarantines a record with %s', (_, raw, reason) => {
    const r = normaliseJob(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.join('\n')).toMatch(reason);
      expect(r.reason).toBeTruthy();
    }
  });

  it('names the uuid of a quarantined record when it has one', () => {
    const j = { ...job(), title: '' };
    const r = normaliseJob(j);
    expect(r).toMatchObject({ ok: false, uuid: j.uuid });
  });
});

describe('htmlToText', () => {
  it('keeps structure as lines and decodes entities', () => {
    expect(
      htmlToText(
        '<p><b>Role</b></p><ul><li>Build &amp; run</li><li>Own&nbsp;it</li></ul><p>a<br>b</p>',
      ),
    ).toBe('Role\n\n- Build & run\n- Own it\n\na\nb');
  });

  it('survives broken HTML, scripts, comments and stray brackets', () => {
    const text = htmlToText(
      '<div><p>Join<p>Great <b>team<li>item<!-- x --><script>alert("<p>")</script> 5 < 6 &copy &#x1F680;<br',
    );
    expect(text).toBe('Join\n\nGreat team\n- item 5 < 6 © 🚀');
    expect(htmlToText('')).toBe('');
    expect(htmlToText('plain text')).toBe('plain text');
    expect(htmlToText('<table><tr><td>a</td><td>b</td></tr></table>')).toBe('a b');
  });
});

describe('listing items and timestamps', () => {
  it('reads uuid, updatedAt and URL from a listing item, and refuses one without a uuid', () => {
    const j = job();
    expect(readListingItem(j)).toEqual({
      ok: true,
      stamp: {
        uuid: j.uuid,
        updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
        jobDetailsUrl: j.metadata.jobDetailsUrl,
      },
    });
    expect(readListingItem({ title: 'x' })).toMatchObject({
      ok: false,
      reason: 'listing item has no valid uuid',
    });
    expect(readListingItem(null)).toMatchObject({ ok: false });
  });

  it('parses zoned and unzoned timestamps (unzoned is Singapore time)', () => {
    expect(parseTimestamp('2026-03-02T01:00:00Z')).toBe(Date.UTC(2026, 2, 2, 1));
    expect(parseTimestamp('2026-03-02T09:00:00+08:00')).toBe(Date.UTC(2026, 2, 2, 1));
    expect(parseTimestamp('2026-03-02 09:00')).toBe(Date.UTC(2026, 2, 2, 1));
    expect(parseTimestamp('02/03/2026')).toBeUndefined();
  });
});

describe('extractJobFromPage (cheerio on a rendered page)', () => {
  it('rebuilds the job from JSON-LD and data-testid elements; the normaliser gives the API row for the fields a page shows', () => {
    for (const k of [1, 2, 3, 4, 5]) {
      const j = job(k);
      const html = renderJobPageStatic(j);
      const extracted = extractJobFromPage(html, {
        url: j.metadata.jobDetailsUrl!,
        updatedAt: j.metadata.updatedAt!,
      });
      const fromPage = ok(extracted);
      const fromApi = ok(j);
      for (const field of [
        'job_id',
        'job_post_id',
        'title',
        'company_name',
        'hiring_company_name',
        'salary_min',
        'salary_max',
        'salary_type',
        'employment_types',
        'position_levels',
        'categories',
        'skills',
        'min_experience_years',
        'vacancies',
        'posted_date',
        'expiry_date',
        'mcf_updated_at',
        'status',
        'url',
        'description',
        'ssoc_code',
      ] as const) {
        expect([field, fromPage[field]]).toEqual([field, fromApi[field]]);
      }
    }
  });

  it('falls back to data-testid text when the JSON-LD block is missing', () => {
    const j = job(7);
    const html = renderJobPageStatic(j).replace(
      /<script type="application\/ld\+json">.*?<\/script>/,
      '',
    );
    const row = ok(extractJobFromPage(html, { url: j.metadata.jobDetailsUrl! }));
    expect(row).toMatchObject({
      job_id: j.uuid,
      job_post_id: j.metadata.jobPostId,
      title: j.title,
      salary_min: j.salary!.minimum,
      posted_date: j.metadata.newPostingDate,
      expiry_date: j.metadata.expiryDate,
    });
  });

  it('finds no job on a page without one, and reads page dates', () => {
    expect(
      extractJobFromPage('<html><body><h1>Not found</h1></body></html>', {
        url: 'https://x/job/a-b',
      }),
    ).toBeUndefined();
    expect(pageDate('Posted 02 Mar 2026')).toBe('2026-03-02');
    expect(pageDate('Closing on 1 December 2026')).toBe('2026-12-01');
    expect(pageDate('soon')).toBeUndefined();
  });
});
