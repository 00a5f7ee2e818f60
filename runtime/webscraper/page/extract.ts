/**
 * The browser path's extractor: reads a rendered MCF job page (HTML as the
 * browser serialised it, or a page a user saved) with cheerio and rebuilds
 * the job in MCF's API shape, so it goes through the same normaliser as API
 * records.
 *
 * Sources, in order:
 * 1. The schema.org JobPosting JSON-LD block: title, description, dates,
 *    salary, company, address and its `skills` list. MCF's block has no
 *    identifier, experience, openings, occupation, industry or URL.
 * 2. The job's own `data-testid` elements (testids.ts) for what JSON-LD
 *    lacks: the job post id, MCF's employment-type, position-level and
 *    category labels, experience, and everything when there is no JSON-LD.
 *    Only the job's own block is read, never a suggested job's card
 *    (own-block.ts).
 * 3. The uuid: the end of `<link rel="canonical">`, else the caller's. A
 *    page whose canonical links name different jobs is refused.
 *
 * Pages too large or nested too deeply to be a job page are refused before
 * any text is read (reading text recurses once per nesting level).
 *
 * A page without JSON-LD must still show the title, company, salary (min and
 * max), location and skills; otherwise it is refused, naming what is missing,
 * rather than stored with holes.
 */
import { type CheerioAPI, load } from 'cheerio';
import type { Document } from 'domhandler';
import { uuidFromJobUrl } from '../mcf/urls.js';
import { isObject, type Json } from '../normalise/read.js';
import { indexPage, type OwnBlock, ownBlock, type PageIndex } from './own-block.js';
import { TESTID } from './testids.js';

export interface PageHints {
  /** The page's URL (the uuid is read from it when the page has no canonical link and `uuid` is not given). */
  url: string;
  uuid?: string;
  /** metadata.updatedAt from the listing: pages do not show it. */
  updatedAt?: string;
}

export type PageRead =
  | { ok: true; job: Json; from: 'json-ld' | 'elements' }
  | { ok: false; uuid: string | undefined; reason: string; problems: string[] };

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

/**
 * A salary range as the page shows it: `$3,700to$5,400` (MCF renders "to" in
 * its own span, so the text has no spaces), `$3,700 to $5,400`, `$5k - $6k`,
 * or one amount (min = max). Undefined when there is no amount.
 */
export function parseSalaryRange(
  text: string | undefined,
): { min: number; max: number } | undefined {
  const amounts = [...(text ?? '').matchAll(/(\d[\d,]*(?:\.\d+)?)\s*([kK](?![a-z]))?/g)]
    .map((m) => Number(m[1]!.replace(/,/g, '')) * (m[2] ? 1000 : 1))
    .filter((n) => Number.isFinite(n));
  if (amounts.length === 0) return undefined;
  const [a, b = a] = amounts as [number, number?];
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

function clean(text: string | undefined): string | undefined {
  const t = text?.replace(/\s+/g, ' ').trim();
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

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function obj(v: unknown): Json | undefined {
  return isObject(v) ? v : Array.isArray(v) && isObject(v[0]) ? v[0] : undefined;
}

/** The JobPosting object among the page's JSON-LD blocks (a block may hold a list or an @graph). */
function jobPosting($: CheerioAPI, index: PageIndex): Json | undefined {
  for (const el of index.jsonLd) {
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
    const found = candidates.find(
      (c) =>
        isObject(c) &&
        (c['@type'] === 'JobPosting' ||
          (Array.isArray(c['@type']) && c['@type'].includes('JobPosting'))),
    );
    if (isObject(found)) return found;
  }
  return undefined;
}

/** JSON-LD `skills`: a list of strings (MCF), or one comma-separated string. */
function ldSkills(v: unknown): string[] | undefined {
  if (Array.isArray(v)) {
    const out = v.map((s) => (typeof s === 'string' ? clean(s) : undefined)).filter(Boolean);
    return out.length ? (out as string[]) : undefined;
  }
  return typeof v === 'string' && v.trim() ? list(v) : undefined;
}

/** The skill pills of the job's own skills block: their labels, else their innermost texts. */
function pageSkills($: CheerioAPI, block: OwnBlock): string[] {
  const el = block.byTestId(TESTID.skills);
  if (!el) return [];
  const box = $(el);
  let pills = box.find('label').toArray();
  if (pills.length === 0) pills = box.find('button').toArray();
  if (pills.length === 0)
    pills = box
      .find('*')
      .toArray()
      .filter((el) => $(el).children().length === 0 && !/^h[1-6]$/.test(el.tagName));
  const out: string[] = [];
  for (const el of pills) {
    const t = clean($(el).text());
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Longest page read, characters: a rendered MCF job page is a few hundred thousand. */
export const MAX_PAGE_CHARS = 16 * 1024 * 1024;
/** Deepest element nesting read: a rendered MCF job page nests a few dozen levels (reading text recurses per level). */
export const MAX_PAGE_DEPTH = 1000;

function refuse(uuid: string | undefined, reason: string, problems: string[]): PageRead {
  return { ok: false, uuid, reason, problems };
}

/** The page's canonical links that name a job (http(s) URLs ending in a uuid). */
function canonicalJobLinks(hrefs: string[]): Array<{ url: string; uuid: string }> {
  return hrefs.flatMap((url) => {
    const uuid = /^https?:\/\//.test(url) ? uuidFromJobUrl(url) : undefined;
    return uuid ? [{ url, uuid }] : [];
  });
}

/** Reads the job on a rendered page, in MCF's API shape, or says why it cannot. */
export function readJobPage(html: string, hints: PageHints): PageRead {
  // htmlparser2 (through cheerio's `xml` option, in HTML mode) parses about 4x faster than parse5, and
  // a rendered page is the browser's own serialisation: well-formed, no error recovery needed.
  if (html.length > MAX_PAGE_CHARS)
    return refuse(
      hints.uuid ?? uuidFromJobUrl(hints.url),
      'the page is too large to be a job page',
      [
        `${html.length} characters; a rendered MCF job page has under 1 million, the limit is ${MAX_PAGE_CHARS}`,
      ],
    );
  const $ = load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const index = indexPage($.root().get(0) as Document);
  const links = canonicalJobLinks(index.canonicals);
  const canonical = links[0]?.url;
  const uuid = links[0]?.uuid ?? hints.uuid ?? uuidFromJobUrl(hints.url);
  if (index.depth > MAX_PAGE_DEPTH)
    return refuse(uuid, 'the page nests elements too deeply to be a job page', [
      `${index.depth} levels; a rendered MCF job page has under 100, the limit is ${MAX_PAGE_DEPTH}`,
    ]);
  if (new Set(links.map((l) => l.uuid)).size > 1)
    return refuse(uuid, 'the page has canonical links to different jobs', [
      ...new Set(links.map((l) => l.uuid)),
    ]);
  const ld = jobPosting($, index);
  const block = ownBlock(index, uuid);
  if (!ld && !block.found) {
    return {
      ok: false,
      uuid,
      reason: 'the page holds no job',
      problems: ['no JobPosting JSON-LD and none of the job details elements (job-details-info-*)'],
    };
  }
  const own = (id: string) => {
    const el = block.byTestId(id);
    return el ? $(el) : undefined;
  };
  const text = (id: string) => clean(own(id)?.text());

  const identifier = obj(ld?.identifier);
  const jobPostId =
    str(identifier?.value) ?? /MCF-\d{4}-\d{7}/.exec(text(TESTID.jobPostId) ?? '')?.[0];

  const ldSalary = obj(obj(ld?.baseSalary)?.value);
  const ldMin = num(ldSalary?.minValue) ?? num(ldSalary?.value);
  const ldMax = num(ldSalary?.maxValue) ?? num(ldSalary?.value);
  const shown = parseSalaryRange(text(TESTID.salaryRange));
  const minimum = ldMin ?? shown?.min;
  const maximum = ldMax ?? shown?.max;
  const unit = str(ldSalary?.unitText)?.toUpperCase();
  const salaryType =
    text(TESTID.salaryType) ??
    (unit === 'MONTH' ? 'Monthly' : unit === 'YEAR' ? 'Annually' : str(ldSalary?.unitText));

  const ldAddress = obj(obj(ld?.jobLocation)?.address);
  const street = str(ldAddress?.streetAddress);
  const postalCode = str(ldAddress?.postalCode);
  const shownLocation = text(TESTID.location);
  const locality =
    shownLocation ?? str(ldAddress?.addressLocality) ?? str(ldAddress?.addressRegion);
  const address =
    street || postalCode
      ? { street, postalCode, isOverseas: false, districts: [] }
      : locality
        ? { isOverseas: locality === 'Overseas', districts: [{ location: locality }] }
        : null;

  const company =
    clean(str(obj(ld?.hiringOrganization)?.name)) ??
    text(TESTID.company)?.replace(/^(posted by|hiring for)\s+/i, '');
  const months = num(obj(ld?.experienceRequirements)?.monthsOfExperience);
  const description = str(ld?.description) ?? own(TESTID.description)?.html() ?? undefined;
  const validThrough = str(ld?.validThrough);
  const skills = ldSkills(ld?.skills) ?? pageSkills($, block);
  const hasSalary = minimum !== undefined || maximum !== undefined;

  if (!ld) {
    const missing = [
      text(TESTID.title) ? undefined : `title (${TESTID.title})`,
      company ? undefined : `company (${TESTID.company})`,
      minimum !== undefined && maximum !== undefined
        ? undefined
        : `salary minimum and maximum (${TESTID.salaryRange} in the job's own block)`,
      address ? undefined : `location (${TESTID.location})`,
      skills.length ? undefined : `skills (${TESTID.skills})`,
    ].filter((m): m is string => m !== undefined);
    if (missing.length)
      return {
        ok: false,
        uuid,
        reason: `the page has no JSON-LD and lacks ${missing.map((m) => m.split(' (')[0]).join(', ')}`,
        problems: missing.map((m) => `missing ${m}`),
      };
  }

  const job: Json = {
    uuid,
    title: str(ld?.title) ?? text(TESTID.title),
    description,
    minimumYearsExperience:
      months !== undefined ? Math.round(months / 12) : firstNumber(text(TESTID.minExperience)),
    numberOfVacancies: num(ld?.totalJobOpenings),
    ssocCode: str(ld?.occupationalCategory),
    salary: hasSalary ? { minimum, maximum, type: salaryType ? { salaryType } : null } : null,
    // A rendered page without a salary is a job whose employer hides it.
    isHideSalary: !hasSalary,
    metadata: {
      jobPostId,
      jobDetailsUrl: canonical ?? hints.url,
      newPostingDate: str(ld?.datePosted) ?? pageDate(text(TESTID.postedDate)),
      expiryDate: validThrough ? validThrough.slice(0, 10) : pageDate(text(TESTID.expiryDate)),
      updatedAt: hints.updatedAt ?? null,
    },
    postedCompany: company ? { name: company } : null,
    address,
    skills: skills.map((skill) => ({ skill })),
    categories: list(text(TESTID.categories)).map((category) => ({ category })),
    employmentTypes: list(text(TESTID.employmentTypes)).map((employmentType) => ({
      employmentType,
    })),
    positionLevels: list(text(TESTID.positionLevels)).map((position) => ({ position })),
  };
  return { ok: true, job, from: ld ? 'json-ld' : 'elements' };
}

/** The job on a rendered page, in MCF's API shape; `undefined` when the page cannot give one. */
export function extractJobFromPage(html: string, hints: PageHints): Json | undefined {
  const read = readJobPage(html, hints);
  return read.ok ? read.job : undefined;
}
