/**
 * The browser path's extractor: reads a rendered MCF job page (HTML as the
 * browser serialised it) with cheerio and rebuilds the job in MCF's API shape,
 * so it goes through the same normaliser as API records.
 *
 * The schema.org JobPosting JSON-LD block is the primary source (title,
 * description, dates, salary, company, address, identifier); the
 * `data-testid` elements fill in what JSON-LD has no field for (MCF's
 * employment-type and position-level labels, categories, skills, the job post
 * id) and stand in for JSON-LD fields that are missing.
 */
import { type CheerioAPI, load } from 'cheerio';
import { uuidFromJobUrl } from '../mcf/urls.js';
import { isObject, type Json } from '../normalise/read.js';
import { TESTID } from './testids.js';

export interface PageHints {
  /** The page's URL (the uuid is read from it when `uuid` is not given). */
  url: string;
  uuid?: string;
  /** metadata.updatedAt from the listing: pages do not show it. */
  updatedAt?: string;
}

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/** `02 Mar 2026` (anywhere in the text) -> `2026-03-02`. */
export function pageDate(text: string | undefined): string | undefined {
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(text ?? '');
  const month = m ? MONTHS[m[2]!.toLowerCase()] : undefined;
  return m && month ? `${m[3]}-${month}-${m[1]!.padStart(2, '0')}` : undefined;
}

function byTestId($: CheerioAPI, id: string) {
  return $(`[data-testid="${id}"]`).first();
}

function textOf($: CheerioAPI, id: string): string | undefined {
  const el = byTestId($, id);
  if (el.length === 0) return undefined;
  const t = el.text().replace(/\s+/g, ' ').trim();
  return t || undefined;
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function firstNumber(text: string | undefined): number | undefined {
  const m = /\d[\d,]*/.exec(text ?? '');
  return m ? Number(m[0].replace(/,/g, '')) : undefined;
}

/** The JobPosting object among the page's JSON-LD blocks (a block may hold a list or an @graph). */
function jobPosting($: CheerioAPI): Json | undefined {
  for (const el of $('script[type="application/ld+json"]').toArray()) {
    let doc: unknown;
    try {
      doc = JSON.parse($(el).text());
    } catch {
      continue;
    }
    const candidates = Array.isArray(doc)
      ? doc
      : isObject(doc) && Array.isArray(doc['@graph'])
        ? doc['@graph']
        : [doc];
    const found = candidates.find((c) => isObject(c) && c['@type'] === 'JobPosting');
    if (isObject(found)) return found;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** The job on a rendered page, in MCF's API shape; `undefined` when the page holds no job. */
export function extractJobFromPage(html: string, hints: PageHints): Json | undefined {
  // htmlparser2 (through cheerio's `xml` option, in HTML mode) parses about 4x faster than parse5, and
  // a rendered page is the browser's own serialisation: well-formed, no error recovery needed.
  const $ = load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const ld = jobPosting($);
  if (!ld && byTestId($, TESTID.page).length === 0) return undefined;
  const ldObj = (k: string) => (ld && isObject(ld[k]) ? (ld[k] as Json) : undefined);
  const uuid = hints.uuid ?? uuidFromJobUrl(hints.url);

  const identifier = ldObj('identifier');
  const jobPostId =
    str(identifier?.value) ?? /MCF-\d{4}-\d{7}/.exec(textOf($, TESTID.jobPostId) ?? '')?.[0];

  const salaryValue = isObject(ldObj('baseSalary')?.value)
    ? (ldObj('baseSalary')!.value as Json)
    : undefined;
  const rangeText = textOf($, TESTID.salaryRange);
  const [rangeMin, rangeMax] = (rangeText ?? '').split(/\s+to\s+/).map(firstNumber);
  const salaryType =
    textOf($, TESTID.salaryType) ??
    (salaryValue?.unitText === 'MONTH' ? 'Monthly' : str(salaryValue?.unitText));
  const minimum = num(salaryValue?.minValue) ?? rangeMin;
  const maximum = num(salaryValue?.maxValue) ?? rangeMax;

  const address = isObject(ldObj('jobLocation')?.address)
    ? (ldObj('jobLocation')!.address as Json)
    : undefined;
  const locality = str(address?.addressLocality);
  const addressText = textOf($, TESTID.address);
  const overseas = addressText === 'Overseas';

  const companyName =
    textOf($, TESTID.companyName) ??
    str(identifier?.name) ??
    str(ldObj('hiringOrganization')?.name);
  const hiringName = textOf($, TESTID.hiringCompany);
  const months = num(
    isObject(ld?.experienceRequirements)
      ? (ld.experienceRequirements as Json).monthsOfExperience
      : undefined,
  );
  const description = str(ld?.description) ?? byTestId($, TESTID.description).html() ?? undefined;
  const validThrough = str(ld?.validThrough);
  const statusText = textOf($, TESTID.status);

  return {
    uuid,
    title: str(ld?.title) ?? textOf($, TESTID.title),
    description,
    minimumYearsExperience:
      months !== undefined ? Math.round(months / 12) : firstNumber(textOf($, TESTID.minExperience)),
    numberOfVacancies: num(ld?.totalJobOpenings) ?? firstNumber(textOf($, TESTID.vacancies)),
    ssocCode: str(ld?.occupationalCategory),
    salary:
      minimum !== undefined || maximum !== undefined
        ? { minimum, maximum, type: salaryType ? { salaryType } : null }
        : null,
    metadata: {
      jobPostId,
      jobDetailsUrl: str(ld?.url) ?? hints.url,
      newPostingDate: str(ld?.datePosted) ?? pageDate(textOf($, TESTID.postedDate)),
      expiryDate: validThrough ? validThrough.slice(0, 10) : pageDate(textOf($, TESTID.expiryDate)),
      updatedAt: hints.updatedAt ?? null,
    },
    postedCompany: companyName ? { name: companyName } : null,
    hiringCompany: hiringName ? { name: hiringName } : null,
    status: statusText ? { jobStatus: statusText } : null,
    address: overseas
      ? { isOverseas: true }
      : address || addressText
        ? {
            street: str(address?.streetAddress) ?? addressText,
            postalCode: str(address?.postalCode),
            isOverseas: false,
            districts: locality ? [{ location: locality }] : [],
          }
        : null,
    skills: byTestId($, TESTID.skills)
      .find(`[data-testid="${TESTID.skillItem}"]`)
      .toArray()
      .map((el) => ({ skill: $(el).text() })),
    categories: list(textOf($, TESTID.categories)).map((category) => ({ category })),
    employmentTypes: list(textOf($, TESTID.employmentTypes)).map((employmentType) => ({
      employmentType,
    })),
    positionLevels: list(textOf($, TESTID.positionLevels)).map((position) => ({ position })),
  };
}
