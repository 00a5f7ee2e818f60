/**
 * Job pages as the MCF website shows them, for the browser path.
 *
 * The website is a client-side app: the HTML it sends holds no job details,
 * a script renders them (and the schema.org JobPosting JSON-LD block) after
 * load. {@link renderJobPageShell} imitates that: the details travel as a
 * JSON string inside a script and appear in the DOM only once the script has
 * run, so a plain HTTP fetch plus cheerio finds nothing and a browser is
 * needed. {@link renderJobPageStatic} is the same page after rendering (what
 * the browser's DOM serialises to), used by tests and the HTML benchmark.
 */
import type { McfJob } from '../webscraper/mcf/types.js';
import { TESTID } from '../webscraper/page/testids.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** `2026-03-02` -> `02 Mar 2026`. */
function pageDate(date: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return m ? `${m[3]} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : '';
}

function money(n: number): string {
  return `$${n.toLocaleString('en-US')}`;
}

function labels<T>(list: T[] | null | undefined, pick: (t: T) => string | undefined): string {
  return (list ?? []).map(pick).filter(Boolean).join(', ');
}

function el(testid: string, text: string, tag = 'div'): string {
  return `<${tag} data-testid="${testid}">${escapeHtml(text)}</${tag}>`;
}

function addressText(job: McfJob): string {
  const a = job.address;
  if (!a) return '';
  if (a.isOverseas) return 'Overseas';
  return [a.block, a.street, a.building, a.postalCode ? `${a.postalCode}` : null]
    .filter(Boolean)
    .join(' ');
}

/** The job details markup the app renders (data-testid elements). */
export function renderJobBody(job: McfJob): string {
  const salary = job.salary;
  const parts = [
    `<section data-testid="${TESTID.page}" class="job-details">`,
    el(TESTID.title, job.title ?? '', 'h1'),
    `<div data-testid="${TESTID.company}">Posted by ${el(TESTID.companyName, job.postedCompany?.name ?? '', 'span')}</div>`,
    job.hiringCompany?.name
      ? `<div>Hiring for ${el(TESTID.hiringCompany, job.hiringCompany.name, 'span')}</div>`
      : '',
    el(TESTID.status, job.status?.jobStatus ?? '', 'span'),
    el(TESTID.jobPostId, `Job Post ID: ${job.metadata?.jobPostId ?? ''}`, 'p'),
    el(TESTID.address, addressText(job), 'p'),
    el(
      TESTID.employmentTypes,
      labels(job.employmentTypes, (t) => t.employmentType),
      'p',
    ),
    el(
      TESTID.positionLevels,
      labels(job.positionLevels, (t) => t.position),
      'p',
    ),
    job.minimumYearsExperience != null
      ? el(TESTID.minExperience, `${job.minimumYearsExperience} years exp`, 'p')
      : '',
    el(
      TESTID.categories,
      labels(job.categories, (t) => t.category),
      'p',
    ),
    job.numberOfVacancies != null
      ? el(TESTID.vacancies, `${job.numberOfVacancies} vacancies`, 'p')
      : '',
    salary?.minimum != null && salary.maximum != null
      ? `<div class="salary">${el(TESTID.salaryRange, `${money(salary.minimum)} to ${money(salary.maximum)}`, 'span')}${el(
          TESTID.salaryType,
          salary.type?.salaryType ?? '',
          'span',
        )}</div>`
      : '<div class="salary">Salary undisclosed</div>',
    el(TESTID.postedDate, `Posted ${pageDate(job.metadata?.newPostingDate)}`, 'p'),
    el(TESTID.expiryDate, `Closing on ${pageDate(job.metadata?.expiryDate)}`, 'p'),
    `<ul data-testid="${TESTID.skills}">${(job.skills ?? [])
      .map((s) => `<li data-testid="${TESTID.skillItem}">${escapeHtml(s.skill)}</li>`)
      .join('')}</ul>`,
    `<div data-testid="${TESTID.description}" class="description">${job.description ?? ''}</div>`,
    '</section>',
  ];
  return parts.join('');
}

const EMPLOYMENT_TYPE_LD: Record<string, string> = {
  Permanent: 'FULL_TIME',
  'Full Time': 'FULL_TIME',
  'Part Time': 'PART_TIME',
  Contract: 'CONTRACTOR',
  Temporary: 'TEMPORARY',
  Freelance: 'CONTRACTOR',
  'Internship/Attachment': 'INTERN',
  'Flexi work': 'OTHER',
};

/** The schema.org JobPosting block of a job page. */
export function jobPostingJsonLd(job: McfJob): Record<string, unknown> {
  const a = job.address;
  const s = job.salary;
  return {
    '@context': 'https://schema.org',
    '@type': 'JobPosting',
    title: job.title,
    description: job.description ?? '',
    identifier: {
      '@type': 'PropertyValue',
      name: job.postedCompany?.name,
      value: job.metadata?.jobPostId,
    },
    datePosted: job.metadata?.newPostingDate,
    validThrough: job.metadata?.expiryDate
      ? `${job.metadata.expiryDate}T23:59:59+08:00`
      : undefined,
    employmentType: [
      ...new Set(
        (job.employmentTypes ?? []).map((t) => EMPLOYMENT_TYPE_LD[t.employmentType] ?? 'OTHER'),
      ),
    ],
    hiringOrganization: {
      '@type': 'Organization',
      name: (job.hiringCompany ?? job.postedCompany)?.name,
      ...(job.postedCompany?.companyUrl ? { sameAs: job.postedCompany.companyUrl } : {}),
    },
    jobLocation: {
      '@type': 'Place',
      address: {
        '@type': 'PostalAddress',
        streetAddress:
          a && !a.isOverseas
            ? [a.block, a.street, a.building].filter(Boolean).join(' ')
            : undefined,
        postalCode: a?.postalCode ?? undefined,
        addressLocality: a?.districts?.[0]?.location,
        addressRegion: a?.districts?.[0]?.region,
        addressCountry: a?.isOverseas ? undefined : 'SG',
      },
    },
    ...(s?.minimum != null && s.maximum != null
      ? {
          baseSalary: {
            '@type': 'MonetaryAmount',
            currency: 'SGD',
            value: {
              '@type': 'QuantitativeValue',
              minValue: s.minimum,
              maxValue: s.maximum,
              unitText:
                s.type?.salaryType === 'Monthly'
                  ? 'MONTH'
                  : (s.type?.salaryType ?? '').toUpperCase(),
            },
          },
        }
      : {}),
    occupationalCategory: job.ssocCode ?? undefined,
    industry: job.categories?.[0]?.category,
    skills: (job.skills ?? []).map((x) => x.skill).join(', '),
    ...(job.minimumYearsExperience != null
      ? {
          experienceRequirements: {
            '@type': 'OccupationalExperienceRequirements',
            monthsOfExperience: job.minimumYearsExperience * 12,
          },
        }
      : {}),
    totalJobOpenings: job.numberOfVacancies ?? undefined,
    url: job.metadata?.jobDetailsUrl ?? undefined,
  };
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function head(title: string, extra = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(
    title,
  )}</title>${extra}</head>`;
}

/** What the server sends: an app shell whose script renders the job after `renderDelayMs`. */
export function renderJobPageShell(job: McfJob, opts: { renderDelayMs?: number } = {}): string {
  const state = {
    title: `${job.title ?? 'Job'} | MyCareersFuture`,
    html: renderJobBody(job),
    jsonLd: jobPostingJsonLd(job),
  };
  const delay = Math.max(0, Math.floor(opts.renderDelayMs ?? 30));
  return `${head('MyCareersFuture Singapore')}<body><div id="root"><div class="app-loading">Loading…</div></div><script id="__APP_STATE__" type="application/json">${scriptJson(
    state,
  )}</script><script>(function(){var s=JSON.parse(document.getElementById('__APP_STATE__').textContent);setTimeout(function(){var l=document.createElement('script');l.type='application/ld+json';l.textContent=JSON.stringify(s.jsonLd);document.head.appendChild(l);document.title=s.title;document.getElementById('root').innerHTML=s.html;},${delay});})();</script></body></html>`;
}

/** The page after the app has rendered: what a browser's DOM serialises to. */
export function renderJobPageStatic(job: McfJob): string {
  const ld = `<script type="application/ld+json">${scriptJson(jobPostingJsonLd(job))}</script>`;
  return `${head(`${job.title ?? 'Job'} | MyCareersFuture`, ld)}<body><div id="root">${renderJobBody(job)}</div></body></html>`;
}

export function renderNotFoundPage(): string {
  return `${head('Page not found | MyCareersFuture')}<body><div id="root"><h1 data-testid="not-found">This job is no longer available</h1></div></body></html>`;
}
