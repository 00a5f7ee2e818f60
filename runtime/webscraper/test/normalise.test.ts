import { describe, expect, it } from 'vitest';
import { JobGenerator, ODDITIES } from '../../mcf-replay/generate.js';
import { projectSchema } from '../../schema/schema.js';
import { validateItem } from '../../schema/validate.js';
import type { McfJob } from '../mcf/types.js';
import { htmlToText } from '../normalise/html-text.js';
import { normaliseJob } from '../normalise/job.js';
import { readListingItem } from '../normalise/listing.js';
import { parseTimestamp } from '../normalise/read.js';

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
    ['an out-of-range value', { ...job(), numberOfVacancies: -2 }, /vacancies: must be at least 0/],
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

describe('normaliseJob on the shapes of real MCF records', () => {
  /** An address without a street: what districts-only and overseas records have. */
  const none = {
    block: null,
    street: null,
    building: null,
    postalCode: null,
    lat: null,
    lng: null,
  };

  it('takes a districts-only address as the location ("Islandwide", "D01 Marina")', () => {
    const j = job();
    j.address = {
      ...none,
      isOverseas: false,
      districts: [{ id: 998, location: 'Islandwide', region: null }],
    };
    expect(ok(j).location).toBe('Islandwide');
    j.address.districts = [{ id: 1, location: 'D01 Marina', region: 'Central' }];
    expect(ok(j).location).toBe('D01 Marina');
    j.address = {
      ...none,
      building: 'One Raffles Quay',
      street: 'Raffles Quay',
      block: '1',
      postalCode: '048583',
      isOverseas: false,
      districts: [{ id: 1, location: 'D01 Marina', region: 'Central' }],
    };
    expect(ok(j).location).toBe('One Raffles Quay, 1 Raffles Quay, Singapore 048583 (D01 Marina)');
  });

  it("keeps an overseas job's country and foreign address", () => {
    const j = job();
    j.address = {
      ...none,
      isOverseas: true,
      overseasCountry: 'Malaysia',
      foreignAddress1: 'Menara Binjai, 2 Jalan Binjai',
      foreignAddress2: '50450 Kuala Lumpur',
      districts: [],
    };
    const row = ok(j);
    expect(row.overseas_country).toBe('Malaysia');
    expect(row.location).toBe('Menara Binjai, 2 Jalan Binjai, 50450 Kuala Lumpur, Malaysia');
  });

  it('keeps other requirements (line breaks kept, HTML made text, left out with descriptions none) and working hours', () => {
    const j = job();
    j.otherRequirements = 'Must travel to Malaysia.\n  Valid   driving licence preferred.';
    j.workingHours = ' Mon - Fri,  9am - 6pm ';
    expect(ok(j)).toMatchObject({
      other_requirements: 'Must travel to Malaysia.\nValid driving licence preferred.',
      working_hours: 'Mon - Fri, 9am - 6pm',
    });
    j.otherRequirements = '<p>Singaporeans &amp; PRs only</p><ul><li>Shift work</li></ul>';
    expect(ok(j).other_requirements).toBe('Singaporeans & PRs only\n\n- Shift work');
    expect(ok(j, { descriptions: 'none' })).not.toHaveProperty('other_requirements');
  });

  it("reads nested schemes, null skill confidence, Professional and MCF's arrangement labels", () => {
    const j = job();
    j.schemes = [
      {
        scheme: { id: 1, scheme: 'Career Conversion Programme' },
        subScheme: { id: 11, subScheme: 'Place-and-Train' },
        startDate: '2026-01-01',
        expiryDate: '2026-12-31',
      },
      { scheme: { id: 2, scheme: 'P-Max' }, subScheme: null, startDate: null, expiryDate: null },
    ];
    j.skills = [{ uuid: 'x', skill: 'Python', isKeySkill: true, confidence: null }];
    j.positionLevels = [{ id: 6, position: 'Professional' }];
    j.flexibleWorkArrangements = [
      { id: 1, flexibleWorkArrangement: 'Flexi-Hours' },
      { id: 2, flexibleWorkArrangement: 'Telecommuting' },
      { id: 3, flexibleWorkArrangement: 'Creative Scheduling' },
    ];
    expect(ok(j)).toMatchObject({
      schemes: ['Career Conversion Programme (Place-and-Train)', 'P-Max'],
      skills: ['Python'],
      position_levels: ['Professional'],
      flexible_work_arrangements: ['Flexi-Hours', 'Telecommuting', 'Creative Scheduling'],
    });
  });

  it('stores a hidden salary as a flag, never as 0', () => {
    const j = job();
    j.isHideSalary = true;
    j.salary = { minimum: 0, maximum: 0, type: { id: 4, salaryType: 'Monthly' } };
    const hidden = ok(j);
    expect(hidden.salary_hidden).toBe(true);
    expect(hidden).not.toHaveProperty('salary_min');
    expect(hidden).not.toHaveProperty('salary_max');
    j.salary = { minimum: 4000, maximum: 6000, type: { id: 4, salaryType: 'Monthly' } };
    expect(ok(j)).toMatchObject({ salary_hidden: true, salary_min: 4000, salary_max: 6000 });
    j.isHideSalary = false;
    expect(ok(j).salary_hidden).toBe(false);
  });

  it('flags implausible values instead of storing them silently', () => {
    const j = job();
    j.salary = { minimum: 120_000, maximum: 250_000, type: { id: 4, salaryType: 'Monthly' } };
    j.numberOfVacancies = 150;
    j.minimumYearsExperience = 45;
    const row = ok(j);
    expect(row.quality_flags).toEqual([
      'salary_min 120000: over 100000 a month',
      'salary_max 250000: over 100000 a month',
      'vacancies 150: over 99',
      'min_experience_years 45: over 40 years',
    ]);
    expect(row).toMatchObject({ salary_max: 250_000, vacancies: 150, min_experience_years: 45 });
    // An annual salary is compared by the month; a value the schema refuses is left out, kept in the flag.
    j.salary = { minimum: 90_000, maximum: 1_500_000, type: { id: 1, salaryType: 'Annually' } };
    j.numberOfVacancies = 2;
    j.minimumYearsExperience = 75;
    const annual = ok(j);
    expect(annual.quality_flags).toEqual([
      'salary_max 1500000: over 100000 a month',
      'min_experience_years 75: over 40 years; left out (must be at most 60)',
    ]);
    expect(annual).not.toHaveProperty('min_experience_years');
    expect(ok(job()).quality_flags).toBeUndefined();
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
