/**
 * The browser path's extractor on MCF's real page markup: first on pages
 * written by hand from what real pages show (test ids, the unspaced salary,
 * suggested cards), then on the replay's pages, which use the same markup.
 */
import { describe, expect, it } from 'vitest';
import { Corpus } from '../../mcf-replay/corpus.js';
import { renderJobPageStatic } from '../../mcf-replay/page.js';
import type { McfJob } from '../mcf/types.js';
import { normaliseJob } from '../normalise/job.js';
import {
  MAX_PAGE_CHARS,
  MAX_PAGE_DEPTH,
  pageDate,
  parseSalaryRange,
  readJobPage,
} from '../page/extract.js';
import { compare, fromJobPage, PAGE_ESSENTIALS } from './fidelity.js';

const UUID = '3b9e0c8f6a2d4e71b5c4d2a190e8f7a6';
const OTHER = 'a'.repeat(32);
const URL_ = `https://www.mycareersfuture.gov.sg/job/information-technology/data-engineer-acme-analytics-${UUID}`;

/** A job page as MCF renders it (structure written by hand from real pages, not from the replay). */
function realPage(
  opts: { jsonLd?: boolean; ownSalary?: boolean; cards?: 'links' | 'testids' | 'none' } = {},
) {
  const ld = {
    '@context': 'https://schema.org/',
    '@type': 'JobPosting',
    title: 'Data Engineer',
    description: '<p>Build <b>pipelines</b> &amp; run them.</p>',
    datePosted: '2026-03-27',
    validThrough: '2026-04-17',
    employmentType: ['FULL_TIME'],
    hiringOrganization: { '@type': 'Organization', name: 'ACME ANALYTICS PTE. LTD.' },
    jobLocation: {
      '@type': 'Place',
      address: { '@type': 'PostalAddress', addressCountry: 'SG' },
    },
    ...(opts.ownSalary === false
      ? {}
      : {
          baseSalary: {
            '@type': 'MonetaryAmount',
            currency: 'SGD',
            value: {
              '@type': 'QuantitativeValue',
              minValue: 3700,
              maxValue: 5400,
              unitText: 'MONTH',
            },
          },
        }),
    skills: ['Python', 'Apache Spark', 'SQL'],
  };
  const card = (n: number, salary: string) =>
    opts.cards === 'testids'
      ? `<div data-testid="job-card-${n}" role="button"><p data-testid="company-hire-info">OTHER CO ${n}</p><span data-testid="salary-range">${salary}</span><span data-testid="salary-type">Monthly</span></div>`
      : `<a href="/job/engineering/other-job-other-co-${OTHER.slice(0, 31)}${n}"><div><p data-testid="company-hire-info">OTHER CO ${n}</p><span data-testid="salary-range">${salary}</span><span data-testid="salary-type">Monthly</span></div></a>`;
  return `<!DOCTYPE html><html><head><title>Data Engineer</title><link rel="canonical" href="${URL_}">${
    opts.jsonLd === false ? '' : `<script type="application/ld+json">${JSON.stringify(ld)}</script>`
  }</head><body><div id="__next"><div class="sc-1"><div class="sc-2">
<p data-testid="company-hire-info" class="f6">ACME ANALYTICS PTE. LTD.</p>
<h1 data-testid="job-details-info-job-title" class="f3">Data Engineer</h1>
<a data-testid="job-details-info-location-map" href="#"><span data-testid="job-details-info-location-span">Islandwide</span></a>
<p data-testid="job-details-info-employment-type">Permanent, Full Time</p>
<p data-testid="job-details-info-seniority">Professional</p>
<p data-testid="job-details-info-min-experience">3 years exp</p>
<p data-testid="job-details-info-job-categories">Information Technology</p>
</div>${
    opts.ownSalary === false
      ? ''
      : '<div class="salary-card" data-testid="salary-info"><span data-testid="salary-range" class="b">$3,700<span class="mh1">to</span>$5,400</span><span data-testid="salary-type">Monthly</span></div>'
  }
<div><span data-testid="job-details-info-num-of-applications">42 applications</span><span data-testid="job-details-info-last-posted-date">Posted 27 Mar 2026</span><span data-testid="job-details-info-job-expiry-date">Closing on 17 Apr 2026</span></div>
<div>Job Post ID: <span data-testid="job-details-info-job-post-id">MCF-2026-0521403</span></div></div>
<div data-testid="job-description"><div data-testid="description-content"><p>Build <b>pipelines</b> &amp; run them.</p><p>See also <a href="/job/x/another-${OTHER}">a related job</a>.</p></div></div>
<div data-testid="skills-info"><h4>Skills Needed</h4><div data-testid="skills-needed"><div data-testid="multi-pill-button"><label><input type="checkbox"><span>Python</span></label><label><input type="checkbox"><span>Apache Spark</span></label><label><input type="checkbox"><span>SQL</span></label></div></div></div>
${opts.cards === 'none' ? '' : `<section><h2>Similar jobs</h2>${card(1, '$9,000<span>to</span>$12,000')}${card(2, '$2,000<span>to</span>$2,500')}</section>`}
</div></body></html>`;
}

function row(html: string, url = 'file:///saved/page.html') {
  const read = readJobPage(html, { url });
  if (!read.ok) throw new Error(`page refused: ${read.reason}`);
  const r = normaliseJob(read.job);
  if (!r.ok) throw new Error(`not ok: ${r.reason}`);
  return r.row;
}

describe('MCF job page markup', () => {
  const facts = {
    job_id: UUID,
    job_post_id: 'MCF-2026-0521403',
    title: 'Data Engineer',
    company_name: 'ACME ANALYTICS PTE. LTD.',
    salary_min: 3700,
    salary_max: 5400,
    salary_type: 'Monthly',
    location: 'Islandwide',
    skills: ['Python', 'Apache Spark', 'SQL'],
    employment_types: ['Permanent', 'Full Time'],
    position_levels: ['Professional'],
    categories: ['Information Technology'],
    min_experience_years: 3,
    posted_date: '2026-03-27',
    expiry_date: '2026-04-17',
    url: URL_,
    description: 'Build pipelines & run them.',
  };

  it('reads JSON-LD first (its skills list, a date-only validThrough) and the job post id from the page', () => {
    const r = row(realPage());
    expect(r).toMatchObject(facts);
    expect(r.salary_hidden).toBe(false);
  });

  it('reads a page without JSON-LD from its own elements: title, company, salary, location, skills and the rest', () => {
    const read = readJobPage(realPage({ jsonLd: false }), { url: 'file:///x.html' });
    expect(read).toMatchObject({ ok: true, from: 'elements' });
    const r = row(realPage({ jsonLd: false }));
    expect(r).toMatchObject({
      ...facts,
      description: 'Build pipelines & run them.\n\nSee also a related job.',
    });
  });

  it("never takes a suggested card's salary when the job's own salary block is missing", () => {
    for (const cards of ['links', 'testids'] as const) {
      const withLd = row(realPage({ ownSalary: false, cards }));
      expect(withLd, cards).not.toHaveProperty('salary_min');
      expect(withLd).not.toHaveProperty('salary_max');
      expect(withLd.salary_hidden).toBe(true);
      expect(withLd.company_name).toBe('ACME ANALYTICS PTE. LTD.');

      const bare = readJobPage(realPage({ ownSalary: false, cards, jsonLd: false }), {
        url: URL_,
      });
      expect(bare).toMatchObject({
        ok: false,
        uuid: UUID,
        reason: 'the page has no JSON-LD and lacks salary minimum and maximum',
      });
    }
    // With its own salary present, the cards change nothing.
    expect(row(realPage({ jsonLd: false, cards: 'testids' })).salary_min).toBe(3700);
  });

  it('quarantines a page without JSON-LD that lacks what a job needs, naming each missing part', () => {
    const html = realPage({ jsonLd: false, cards: 'none' })
      .replace(/<div data-testid="skills-info">.*?<\/div><\/div><\/div>/s, '')
      .replace(/<span data-testid="job-details-info-location-span">Islandwide<\/span>/, '');
    const read = readJobPage(html, { url: URL_ });
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.reason).toBe('the page has no JSON-LD and lacks location, skills');
      expect(read.problems).toEqual([
        'missing location (job-details-info-location-span)',
        'missing skills (skills-needed)',
      ]);
    }
  });

  it('finds no job on a page without one, and takes the uuid from the canonical link first', () => {
    const none = readJobPage('<html><body><h1>Not found</h1></body></html>', {
      url: 'https://x/job/a-b',
    });
    expect(none).toMatchObject({ ok: false, reason: 'the page holds no job' });
    const read = readJobPage(realPage(), { url: `https://x/job/a/b-${OTHER}`, uuid: OTHER });
    expect(read.ok && read.job.uuid).toBe(UUID);
  });

  it('parses salary ranges as pages show them', () => {
    expect(parseSalaryRange('$3,700to$5,400')).toEqual({ min: 3700, max: 5400 });
    expect(parseSalaryRange('$3,700 to $5,400')).toEqual({ min: 3700, max: 5400 });
    expect(parseSalaryRange('$5k - $6.5k')).toEqual({ min: 5000, max: 6500 });
    expect(parseSalaryRange('$12,000')).toEqual({ min: 12000, max: 12000 });
    expect(parseSalaryRange('$8,000to$6,000')).toEqual({ min: 6000, max: 8000 });
    expect(parseSalaryRange('Salary undisclosed')).toBeUndefined();
    expect(pageDate('Posted 27 Mar 2026')).toBe('2026-03-27');
    expect(pageDate('Closing on 1 December 2026')).toBe('2026-12-01');
    expect(pageDate('soon')).toBeUndefined();
  });
});

describe('the replay pages (same markup)', () => {
  const corpus = new Corpus({ seed: 21, jobs: 200, oddRate: 0.1 });
  const urls = { api: 'https://api.example', web: 'https://www.example' };
  const jobs = corpus.uuids().map((u) => corpus.job(u, urls) as McfJob);

  it('gives every field a page shows, with JSON-LD and without, next to suggested cards', () => {
    let checked = 0;
    let refused = 0;
    for (const j of jobs) {
      const suggested = corpus.suggestions(j.uuid, urls);
      for (const jsonLd of [true, false]) {
        const expected = fromJobPage(j, jsonLd);
        const html = renderJobPageStatic(j, { suggested, jsonLd });
        const read = readJobPage(html, { url: 'file:///saved.html' });
        if (!jsonLd && PAGE_ESSENTIALS.some((f) => expected[f] === undefined)) {
          // Without JSON-LD, a page lacking one of the five is refused, never half-read.
          expect(read.ok, j.uuid).toBe(false);
          refused++;
          continue;
        }
        if (!read.ok) throw new Error(`${j.uuid}: ${read.reason}`);
        const result = normaliseJob(read.job);
        if (!result.ok) throw new Error(`${j.uuid}: ${result.reason}`);
        const { present, wrong } = compare(
          expected,
          result.row as unknown as Record<string, unknown>,
        );
        expect({ uuid: j.uuid, jsonLd, wrong }).toEqual({ uuid: j.uuid, jsonLd, wrong: [] });
        checked += present;
      }
    }
    expect(checked).toBeGreaterThan(5000);
    expect(refused).toBeGreaterThan(0);
    expect(jobs.some((j) => j.isHideSalary)).toBe(true);
  });
});

describe('replay pages: the two cases real pages break extractors on', () => {
  const corpus = new Corpus({ seed: 21, jobs: 200, oddRate: 0.1 });
  const urls = { api: 'https://api.example', web: 'https://www.example' };
  const jobs = corpus.uuids().map((u) => corpus.job(u, urls) as McfJob);
  const shownSalary = (j: McfJob) => !j.isHideSalary && j.salary?.minimum != null;

  it('a page without JSON-LD gives title, company, salary, location and skills from its elements', () => {
    const j = jobs.find(
      (j) => shownSalary(j) && (j.skills ?? []).length > 0 && j.address && !j.address.isOverseas,
    )!;
    const html = renderJobPageStatic(j, {
      suggested: corpus.suggestions(j.uuid, urls),
      jsonLd: false,
    });
    expect(html).not.toContain('application/ld+json');
    const read = readJobPage(html, { url: 'file:///saved.html' });
    expect(read).toMatchObject({ ok: true, from: 'elements' });
    const r = normaliseJob(read.ok ? read.job : null);
    expect(r.ok && r.row).toMatchObject({
      job_id: j.uuid,
      title: j.title,
      company_name: j.postedCompany?.name,
      salary_min: j.salary!.minimum,
      salary_max: j.salary!.maximum,
      skills: j.skills!.map((s) => s.skill),
    });
  });

  it("a page with suggested cards and no own salary block never gives a card's salary", () => {
    const j = jobs.find(
      (j) => j.isHideSalary && corpus.suggestions(j.uuid, urls).some(shownSalary),
    )!;
    expect(j).toBeDefined();
    const suggested = corpus.suggestions(j.uuid, urls);
    for (const jsonLd of [true, false]) {
      const html = renderJobPageStatic(j, { suggested, jsonLd });
      // The only salary ranges on the page are the cards'.
      const ranges = html.split('data-testid="salary-range"').length - 1;
      expect(ranges).toBe(suggested.filter(shownSalary).length);
      expect(html.indexOf('data-testid="salary-range"')).toBeGreaterThan(
        html.indexOf('Similar Jobs'),
      );
      const read = readJobPage(html, { url: 'file:///saved.html' });
      if (!jsonLd) {
        expect(read).toMatchObject({
          ok: false,
          uuid: j.uuid,
          reason: expect.stringMatching(
            /^the page has no JSON-LD and lacks .*salary minimum and maximum/,
          ),
        });
        continue;
      }
      const r = normaliseJob(read.ok ? read.job : null);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.row).not.toHaveProperty('salary_min');
      expect(r.row).not.toHaveProperty('salary_max');
      expect(r.row.salary_hidden).toBe(true);
      expect(r.row.company_name).toBe(j.postedCompany?.name);
    }
  });
});

describe('hostile and broken pages', () => {
  const other = 'b'.repeat(32);
  const canonicalTo = (uuid: string, rel = 'canonical') =>
    `<link rel="${rel}" href="https://www.mycareersfuture.gov.sg/job/it/other-${uuid}">`;

  it('refuses a page whose canonical links name different jobs, and reads one whose links agree', () => {
    const two = realPage().replace('</head>', `${canonicalTo(other)}</head>`);
    expect(readJobPage(two, { url: URL_ })).toEqual({
      ok: false,
      uuid: UUID,
      reason: 'the page has canonical links to different jobs',
      problems: [UUID, other],
    });
    const same = realPage().replace('</head>', `<link rel="canonical" href="${URL_}"></head>`);
    expect(row(same).job_id).toBe(UUID);
    // rel is a token list, case-insensitive; a canonical link that names no job is not a job's.
    const token = realPage()
      .replace(/<link rel="canonical"[^>]*>/, canonicalTo(other, 'Canonical alternate'))
      .replace(
        '</head>',
        '<link rel="canonical" href="https://www.mycareersfuture.gov.sg/"></head>',
      );
    expect(row(token).job_id).toBe(other);
  });

  it('reads malformed HTML without throwing: unclosed tags, broken JSON-LD, stray markup', () => {
    const broken = realPage()
      .replace(
        /<script type="application\/ld\+json">.*?<\/script>/s,
        '<script type="application/ld+json">{"@type":"JobPosting","title":</script>',
      )
      .replace('</h1>', '')
      .replace(/<\/div><\/body><\/html>$/, '<div><p><b>');
    const read = readJobPage(broken, { url: URL_ });
    // The unparsable JSON-LD is skipped; the elements still give the job.
    expect(read.ok && read.from).toBe('elements');
    expect(read.ok && (read.job.salary as { minimum: number }).minimum).toBe(3700);
    expect(readJobPage('<<<>>>&&&', { url: 'file:///x' })).toMatchObject({
      ok: false,
      reason: 'the page holds no job',
    });
    expect(readJobPage('', { url: 'file:///x' })).toMatchObject({ ok: false });
  });

  it('refuses pages too deep or too large to be a job page instead of crashing or stalling', () => {
    const deep = realPage().replace('<body>', `<body>${'<div>'.repeat(MAX_PAGE_DEPTH + 10)}`);
    const t = Date.now();
    const read = readJobPage(deep, { url: URL_ });
    expect(read).toMatchObject({
      ok: false,
      uuid: UUID,
      reason: 'the page nests elements too deeply to be a job page',
    });
    expect(Date.now() - t).toBeLessThan(5_000);
    const huge = realPage().replace('<body>', `<body>${' '.repeat(MAX_PAGE_CHARS)}`);
    expect(readJobPage(huge, { url: URL_ })).toMatchObject({
      ok: false,
      reason: 'the page is too large to be a job page',
    });
  });
});
