/**
 * Job pages as the MCF website shows them, for the browser path, in MCF's
 * real markup: the job's facts in `job-details-info-*` elements (no element
 * wraps them all), the salary as `$3,700<span>to</span>$5,400`, skills as
 * pills inside `skills-needed`, the description in `description-content`, a
 * canonical link ending in the uuid, suggested-job cards that reuse the
 * `salary-range`, `salary-type` and `company-hire-info` ids, and a JobPosting
 * JSON-LD block with only the fields MCF's has (no identifier, experience,
 * openings, occupation, industry or URL; `skills` a list; `validThrough` a
 * date).
 *
 * The website is a client-side app: the HTML it sends holds no job details,
 * a script renders them (and the JSON-LD block) after load.
 * {@link renderJobPageShell} imitates that: the details travel as a JSON
 * string inside a script and appear in the DOM only once the script has run,
 * so a plain HTTP fetch plus cheerio finds nothing and a browser is needed.
 * {@link renderJobPageStatic} is the same page after rendering (what the
 * browser's DOM serialises to), used by tests, `mcfpipe parse` checks and the
 * HTML benchmark.
 */
import type { McfJob } from '../webscraper/mcf/types.js';
import { NOT_FOUND_TESTID, TESTID } from '../webscraper/page/testids.js';

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

function el(testid: string, text: string, tag = 'p'): string {
  return `<${tag} data-testid="${testid}">${escapeHtml(text)}</${tag}>`;
}

/** What the page shows as the job's location. */
export function shownLocation(job: McfJob): string {
  const a = job.address;
  if (!a) return '';
  if (a.isOverseas) return a.overseasCountry ?? 'Overseas';
  const street = [a.block, a.street].filter(Boolean).join(' ');
  const place = [a.building, street, a.postalCode].filter(Boolean).join(', ');
  return place || labels(a.districts, (d) => d.location);
}

/** The salary block as MCF renders it: "to" in its own span, so the text reads `$3,700to$5,400`. */
function salaryBlock(s: { minimum: number; maximum: number; type: string | undefined }): string {
  return `<div data-testid="salary-info"><span data-testid="${TESTID.salaryRange}">${money(s.minimum)}<span class="mh1">to</span>${money(s.maximum)}</span>${
    s.type ? el(TESTID.salaryType, s.type, 'span') : ''
  }</div>`;
}

function shownSalary(job: McfJob) {
  const s = job.salary;
  if (job.isHideSalary || s?.minimum == null || s.maximum == null) return undefined;
  return { minimum: s.minimum, maximum: s.maximum, type: s.type?.salaryType };
}

/** A suggested job's card: a link to its page, reusing the salary and company test ids. */
function suggestedCard(job: McfJob): string {
  const salary = shownSalary(job);
  return `<a class="card-link" href="${escapeHtml(job.metadata?.jobDetailsUrl ?? '#')}"><div class="job-card">${el(
    TESTID.company,
    job.postedCompany?.name ?? '',
  )}<p class="job-card-title">${escapeHtml(job.title ?? '')}</p>${salary ? salaryBlock(salary) : ''}</div></a>`;
}

/** The job details markup the app renders, followed by the suggested jobs. */
export function renderJobBody(job: McfJob, suggested: McfJob[] = []): string {
  const salary = shownSalary(job);
  const meta = job.metadata;
  const parts = [
    '<main id="job-details"><section class="job-header">',
    el(TESTID.company, job.postedCompany?.name ?? ''),
    el(TESTID.title, job.title ?? '', 'h1'),
    `<div class="location">${el(TESTID.location, shownLocation(job), 'span')}</div>`,
    el(
      TESTID.employmentTypes,
      labels(job.employmentTypes, (t) => t.employmentType),
    ),
    el(
      TESTID.positionLevels,
      labels(job.positionLevels, (t) => t.position),
    ),
    job.minimumYearsExperience != null
      ? el(TESTID.minExperience, `${job.minimumYearsExperience} years exp`)
      : '',
    el(
      TESTID.categories,
      labels(job.categories, (t) => t.category),
    ),
    salary ? salaryBlock(salary) : '',
    '<div class="job-stats">',
    el(TESTID.applications, `${meta?.totalNumberJobApplication ?? 0} applications`, 'span'),
    el(TESTID.postedDate, `Posted ${pageDate(meta?.newPostingDate)}`, 'span'),
    el(TESTID.expiryDate, `Closing on ${pageDate(meta?.expiryDate)}`, 'span'),
    '</div>',
    `<p class="job-post-id">Job Post ID: ${el(TESTID.jobPostId, meta?.jobPostId ?? '', 'span')}</p>`,
    '</section>',
    `<section><div data-testid="job-description"><h3>Roles &amp; Responsibilities</h3><div data-testid="${TESTID.description}">${job.description ?? ''}</div></div></section>`,
    `<section data-testid="skills-info"><h3>Skills Needed</h3><div data-testid="${TESTID.skills}"><div data-testid="multi-pill-button">${(
      job.skills ?? []
    )
      .map(
        (s) =>
          `<label class="pill"><input type="checkbox" disabled><span>${escapeHtml(s.skill)}</span></label>`,
      )
      .join('')}</div></div></section>`,
    `<section data-testid="company-info-about"><h3>About the company</h3>${job.postedCompany?.description ?? ''}</section>`,
    '</main>',
    suggested.length
      ? `<section class="more-jobs"><h2>Similar Jobs</h2>${suggested.map(suggestedCard).join('')}</section>`
      : '',
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

/** The schema.org JobPosting block of a job page: only the fields MCF's block has. */
export function jobPostingJsonLd(job: McfJob): Record<string, unknown> {
  const a = job.address;
  const s = shownSalary(job);
  return {
    '@context': 'https://schema.org',
    '@type': 'JobPosting',
    title: job.title,
    description: job.description ?? '',
    datePosted: job.metadata?.newPostingDate,
    validThrough: job.metadata?.expiryDate ?? undefined,
    employmentType: [
      ...new Set(
        (job.employmentTypes ?? []).map((t) => EMPLOYMENT_TYPE_LD[t.employmentType] ?? 'OTHER'),
      ),
    ],
    hiringOrganization: { '@type': 'Organization', name: job.postedCompany?.name },
    jobLocation: {
      '@type': 'Place',
      address: {
        '@type': 'PostalAddress',
        streetAddress:
          a && !a.isOverseas
            ? [a.block, a.street, a.building].filter(Boolean).join(' ') || undefined
            : undefined,
        postalCode: a?.postalCode ?? undefined,
        addressLocality: a?.isOverseas ? undefined : a?.districts?.[0]?.location,
        addressCountry: a?.isOverseas ? (a.overseasCountry ?? undefined) : 'SG',
      },
    },
    ...(s
      ? {
          baseSalary: {
            '@type': 'MonetaryAmount',
            currency: 'SGD',
            value: {
              '@type': 'QuantitativeValue',
              minValue: s.minimum,
              maxValue: s.maximum,
              unitText: s.type === 'Monthly' ? 'MONTH' : (s.type ?? '').toUpperCase(),
            },
          },
        }
      : {}),
    skills: (job.skills ?? []).map((x) => x.skill),
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

function canonical(job: McfJob): string {
  const url = job.metadata?.jobDetailsUrl;
  return url ? `<link rel="canonical" href="${escapeHtml(url)}">` : '';
}

export interface PageOptions {
  /** Suggested jobs shown under the job (cards). */
  suggested?: McfJob[];
  /** Include the JSON-LD block (default true; MCF's pages have one, the extractor must cope without). */
  jsonLd?: boolean;
}

/** What the server sends: an app shell whose script renders the job after `renderDelayMs`. */
export function renderJobPageShell(
  job: McfJob,
  opts: PageOptions & { renderDelayMs?: number } = {},
): string {
  const state = {
    title: `${job.title ?? 'Job'} | MyCareersFuture`,
    html: renderJobBody(job, opts.suggested),
    jsonLd: opts.jsonLd === false ? null : jobPostingJsonLd(job),
  };
  const delay = Math.max(0, Math.floor(opts.renderDelayMs ?? 30));
  return `${head('MyCareersFuture Singapore', canonical(job))}<body><div id="root"><div class="app-loading">Loading…</div></div><script id="__APP_STATE__" type="application/json">${scriptJson(
    state,
  )}</script><script>(function(){var s=JSON.parse(document.getElementById('__APP_STATE__').textContent);setTimeout(function(){if(s.jsonLd){var l=document.createElement('script');l.type='application/ld+json';l.textContent=JSON.stringify(s.jsonLd);document.head.appendChild(l);}document.title=s.title;document.getElementById('root').innerHTML=s.html;},${delay});})();</script></body></html>`;
}

/** The page after the app has rendered: what a browser's DOM serialises to. */
export function renderJobPageStatic(job: McfJob, opts: PageOptions = {}): string {
  const ld =
    opts.jsonLd === false
      ? ''
      : `<script type="application/ld+json">${scriptJson(jobPostingJsonLd(job))}</script>`;
  return `${head(`${job.title ?? 'Job'} | MyCareersFuture`, canonical(job) + ld)}<body><div id="root">${renderJobBody(job, opts.suggested)}</div></body></html>`;
}

export function renderNotFoundPage(): string {
  return `${head('Page not found | MyCareersFuture')}<body><div id="root"><h1 data-testid="${NOT_FOUND_TESTID}">This job is no longer available</h1></div></body></html>`;
}
