/**
 * Test oracles: the job row a source should give, written from the source
 * record by the mapping the webscraper README documents, field by field, not
 * by calling the normaliser. Used to measure fidelity: of the fields a
 * record (or page) holds, how many the row carries correctly.
 */
import { shownLocation } from '../../mcf-replay/page.js';
import type { McfJob } from '../mcf/types.js';
import { htmlToText } from '../normalise/html-text.js';

type Expected = Record<string, unknown>;

const clean = (s: string | null | undefined) => {
  const t = s?.replace(/\s+/g, ' ').trim();
  return t || undefined;
};
const labels = <T>(list: T[] | null | undefined, pick: (t: T) => string) => {
  const out = [
    ...new Set(
      (list ?? [])
        .map(pick)
        .map((s) => clean(s))
        .filter(Boolean),
    ),
  ];
  return out.length ? (out as string[]) : undefined;
};
/** `2026-03-01T16:45:10.000Z` -> `2026-03-02 00:45` (Singapore, UTC+8, no daylight saving). */
const sgTimestamp = (iso: string | null | undefined) => {
  if (!iso) return undefined;
  const d = new Date(Date.parse(iso) + 8 * 3_600_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
};

/** The row fields an API record gives (undefined: the record does not hold the field). */
export function fromApiRecord(j: McfJob): Expected {
  const a = j.address;
  const hidden = j.isHideSalary === true;
  const amount = (n: number | null | undefined) =>
    n === null || n === undefined || (hidden && n === 0) ? undefined : n;
  const district = labels(a?.districts, (d) => d.location)?.join('; ');
  const street = [a?.block, a?.street].filter(Boolean).join(' ');
  const place = [a?.building, street, a?.postalCode ? `Singapore ${a.postalCode}` : undefined]
    .map((s) => clean(s))
    .filter(Boolean)
    .join(', ');
  const location = !a
    ? undefined
    : a.isOverseas
      ? [a.foreignAddress1, a.foreignAddress2, a.overseasCountry].filter(Boolean).join(', ') ||
        'Overseas'
      : place
        ? `${place}${district ? ` (${district})` : ''}`
        : district;
  const company = clean(j.postedCompany?.name);
  const hiring = clean(j.hiringCompany?.name);
  const schemes = labels(j.schemes, (s) =>
    s.subScheme ? `${s.scheme.scheme} (${s.subScheme.subScheme})` : s.scheme.scheme,
  );
  return {
    job_id: j.uuid,
    job_post_id: j.metadata?.jobPostId,
    title: clean(j.title),
    company_name: company,
    company_uen: clean(j.postedCompany?.uen),
    hiring_company_name: hiring && hiring !== company ? hiring : undefined,
    salary_min: amount(j.salary?.minimum),
    salary_max: amount(j.salary?.maximum),
    salary_type: clean(j.salary?.type?.salaryType),
    salary_hidden: j.isHideSalary ?? undefined,
    employment_types: labels(j.employmentTypes, (e) => e.employmentType),
    position_levels: labels(j.positionLevels, (p) => p.position),
    categories: labels(j.categories, (c) => c.category),
    skills: labels(j.skills, (s) => s.skill),
    flexible_work_arrangements: labels(
      j.flexibleWorkArrangements,
      (f) => f.flexibleWorkArrangement,
    ),
    schemes,
    min_experience_years: j.minimumYearsExperience ?? undefined,
    vacancies: j.numberOfVacancies ?? undefined,
    ssoc_code: clean(j.ssocCode),
    posted_date: j.metadata?.newPostingDate ?? undefined,
    original_posted_date: j.metadata?.originalPostingDate ?? undefined,
    expiry_date: j.metadata?.expiryDate ?? undefined,
    mcf_updated_at: sgTimestamp(j.metadata?.updatedAt),
    status: j.status?.jobStatus ?? undefined,
    location,
    overseas_country: clean(a?.overseasCountry),
    working_hours: clean(j.workingHours),
    other_requirements:
      j.otherRequirements
        ?.split('\n')
        .map((l) => l.replace(/\s+/g, ' ').trim())
        .join('\n') || undefined,
    url: j.metadata?.jobDetailsUrl ?? undefined,
    description: j.description ? htmlToText(j.description) || undefined : undefined,
  };
}

/** The row fields a rendered page of the job gives: what the page shows. */
export function fromJobPage(j: McfJob, jsonLd: boolean): Expected {
  const a = j.address;
  const salary = !j.isHideSalary && j.salary?.minimum != null ? j.salary : undefined;
  const street = a && !a.isOverseas && [a.block, a.street, a.building].filter(Boolean).join(' ');
  const location = !a
    ? undefined
    : jsonLd && (street || a.postalCode)
      ? `${street}${a.postalCode ? `, Singapore ${a.postalCode}` : ''}`
      : shownLocation(j) || undefined;
  return {
    job_id: j.uuid,
    job_post_id: j.metadata.jobPostId,
    title: clean(j.title),
    company_name: clean(j.postedCompany?.name),
    salary_min: salary?.minimum ?? undefined,
    salary_max: salary?.maximum ?? undefined,
    salary_type: salary?.type?.salaryType,
    location,
    skills: labels(j.skills, (s) => s.skill),
    employment_types: labels(j.employmentTypes, (e) => e.employmentType),
    position_levels: labels(j.positionLevels, (p) => p.position),
    categories: labels(j.categories, (c) => c.category),
    min_experience_years: j.minimumYearsExperience ?? undefined,
    posted_date: j.metadata.newPostingDate ?? undefined,
    expiry_date: j.metadata.expiryDate ?? undefined,
    url: j.metadata.jobDetailsUrl ?? undefined,
    description: j.description ? htmlToText(j.description) || undefined : undefined,
  };
}

/** A page without JSON-LD must show these five; a page lacking one is refused. */
export const PAGE_ESSENTIALS = ['title', 'company_name', 'salary_min', 'location', 'skills'];

/** Fields of `expected` that hold a value, and those of them the row got wrong. */
export function compare(
  expected: Expected,
  row: Record<string, unknown>,
): { present: number; wrong: Array<{ field: string; expected: unknown; got: unknown }> } {
  let present = 0;
  const wrong: Array<{ field: string; expected: unknown; got: unknown }> = [];
  for (const [field, value] of Object.entries(expected)) {
    if (value === undefined) continue;
    present++;
    if (JSON.stringify(row[field]) !== JSON.stringify(value))
      wrong.push({ field, expected: value, got: row[field] });
  }
  return { present, wrong };
}
