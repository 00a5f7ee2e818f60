/**
 * The one normaliser: an MCF job (from the API, or extracted from a rendered
 * page by the browser path) to a `job` row of db_schema.json.
 *
 * - Nulls and missing optional fields are normal and simply left out.
 * - A field that is there with the wrong type, a missing uuid / job post id /
 *   title, or a row the schema validator refuses quarantines the record
 *   (uuid + reasons); nothing of it is written. Lists longer than the
 *   schema's maxItems are cut to it, and the description to its maxLength.
 * - HTML descriptions (and other requirements) become clean text, stored
 *   only when the description setting allows (MCF's terms of use); MCF
 *   timestamps become ISO_TIMESTAMP in the schema's timezone, dates ISO_DATE.
 * - A hidden salary (isHideSalary) is a flag, never a salary of 0.
 * - Implausible values (quality.ts) are flagged in quality_flags, not stored
 *   silently; one beyond the schema's bounds is left out of its column.
 */
import { projectSchema, type Schema, type TableDef } from '../../schema/schema.js';
import type { JobInput } from '../../schema/types.generated.js';
import { checkValue } from '../../schema/validate.js';
import { MCF_STATUS } from '../mcf/types.js';
import { jobPageUrl, MCF_WEB_URL } from '../mcf/urls.js';
import { htmlToText } from './html-text.js';
import { qualityFlags } from './quality.js';
import { isObject, type Json, Reader } from './read.js';

/** What is stored of a job's description (MCF's terms restrict storing content). */
export type DescriptionPolicy = 'text' | 'none';
export const DESCRIPTION_POLICIES: readonly DescriptionPolicy[] = ['text', 'none'];

export interface NormaliseOptions {
  descriptions?: DescriptionPolicy;
  /** Base of job page URLs when a record has no jobDetailsUrl. */
  webUrl?: string;
  schema?: Schema;
}

export type NormaliseResult =
  | { ok: true; row: JobInput }
  | { ok: false; uuid: string | undefined; reason: string; problems: string[] };

const UUID = /^[0-9a-f]{32}$/;
const STATUS_LABELS = new Set<string>(Object.values(MCF_STATUS));

function clean(text: string | undefined): string | undefined {
  const t = text?.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
}

/** Text a person wrote (otherRequirements): HTML to text, plain text kept with its line breaks. */
function writtenText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const plain = /<[a-z!/][^>]*>/i.test(text)
    ? htmlToText(text)
    : text
        .split(/\r?\n/)
        .map((line) => line.replace(/\s+/g, ' ').trim())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
  return plain || undefined;
}

function cut(text: string | undefined, table: TableDef, field: string): string | undefined {
  const max = table.fields[field]?.maxLength;
  return text !== undefined && max !== undefined && text.length > max ? text.slice(0, max) : text;
}

/** `schemes[]`: `{scheme: {scheme}, subScheme: {subScheme}}` (or a flat `{scheme}`) as "Scheme (Sub)"; other shapes skipped. */
function schemes(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const text = (x: unknown) => (typeof x === 'string' ? clean(x) : undefined);
  const out: string[] = [];
  for (const item of v) {
    if (!isObject(item)) continue;
    const name = text(isObject(item.scheme) ? item.scheme.scheme : item.scheme);
    if (!name) continue;
    const sub = isObject(item.subScheme) ? text(item.subScheme.subScheme) : undefined;
    const label = sub ? `${name} (${sub})` : name;
    if (!out.includes(label)) out.push(label);
  }
  return out;
}

function location(r: Reader, a: Json | undefined): string | undefined {
  if (!a) return undefined;
  if (r.boolean(a.isOverseas, 'address.isOverseas')) {
    const abroad = [
      r.string(a.foreignAddress1, 'address.foreignAddress1'),
      r.string(a.foreignAddress2, 'address.foreignAddress2'),
      r.string(a.overseasCountry, 'address.overseasCountry'),
    ]
      .map((s) => clean(s))
      .filter(Boolean)
      .join(', ');
    return (abroad || 'Overseas').slice(0, 500);
  }
  const street = [r.code(a.block, 'address.block'), r.string(a.street, 'address.street')]
    .filter(Boolean)
    .join(' ');
  const postal = r.code(a.postalCode, 'address.postalCode');
  const place = [
    r.string(a.building, 'address.building'),
    street,
    postal ? `Singapore ${postal}` : undefined,
  ]
    .map((s) => clean(s))
    .filter(Boolean)
    .join(', ');
  const districts = r.labels(a.districts, 'location', 'address.districts') ?? [];
  // Districts alone ("Islandwide", "D01 Marina") are the location; after an address, they qualify it.
  const text = place
    ? [place, districts.length ? `(${districts.join('; ')})` : ''].filter(Boolean).join(' ')
    : districts.join('; ');
  return text ? text.slice(0, 500) : undefined;
}

function status(r: Reader, s: Json | undefined): JobInput['status'] {
  if (!s) return undefined;
  const label = clean(r.string(s.jobStatus, 'status.jobStatus'));
  if (label && STATUS_LABELS.has(label)) return label as JobInput['status'];
  const id = r.integer(s.id, 'status.id');
  const byId = id !== undefined ? MCF_STATUS[id as keyof typeof MCF_STATUS] : undefined;
  if (byId) return byId;
  if (label || id !== undefined)
    r.problems.push(`status: unknown status ${JSON.stringify(label ?? id)}`);
  return undefined;
}

function capList(table: TableDef, field: string, list: string[] | undefined): string[] | undefined {
  if (!list?.length) return undefined;
  const max = table.fields[field]?.maxItems;
  return max !== undefined && list.length > max ? list.slice(0, max) : list;
}

/** Maps an MCF job object to a `job` row, or says why it cannot. */
export function normaliseJob(raw: unknown, opts: NormaliseOptions = {}): NormaliseResult {
  const schema = opts.schema ?? projectSchema();
  const table = schema.tables.job!;
  if (!isObject(raw)) {
    return {
      ok: false,
      uuid: undefined,
      reason: 'not a job object',
      problems: [`expected an object, got ${Array.isArray(raw) ? 'a list' : typeof raw}`],
    };
  }
  const r = new Reader();
  const uuid = r.string(raw.uuid, 'uuid')?.trim().toLowerCase();
  const meta = r.object(raw.metadata, 'metadata');
  const jobPostId = clean(r.string(meta?.jobPostId, 'metadata.jobPostId'));
  const title = clean(r.string(raw.title, 'title'));
  const missing = [
    !uuid || !UUID.test(uuid) ? 'uuid (32 hex digits)' : undefined,
    jobPostId ? undefined : 'metadata.jobPostId',
    title ? undefined : 'title',
  ].filter(Boolean);

  const salary = r.object(raw.salary, 'salary');
  const salaryType = r.object(salary?.type, 'salary.type');
  const salaryHidden = r.boolean(
    raw.isHideSalary ?? salary?.isHideSalary ?? meta?.isHideSalary,
    'isHideSalary',
  );
  // A hidden salary comes as 0 (or as the real figures): 0 is no salary.
  const shownAmount = (n: number | undefined) => (salaryHidden && n === 0 ? undefined : n);
  let salaryMin = shownAmount(r.integer(salary?.minimum, 'salary.minimum'));
  let salaryMax = shownAmount(r.integer(salary?.maximum, 'salary.maximum'));
  if (salaryMin !== undefined && salaryMax !== undefined && salaryMin > salaryMax)
    [salaryMin, salaryMax] = [salaryMax, salaryMin];
  const posted = r.object(raw.postedCompany, 'postedCompany');
  const hiring = r.object(raw.hiringCompany, 'hiringCompany');
  const companyName = clean(r.string(posted?.name, 'postedCompany.name'));
  const hiringName = clean(r.string(hiring?.name, 'hiringCompany.name'));
  const categories = r.labels(raw.categories, 'category', 'categories');
  const detailsUrl = clean(r.string(meta?.jobDetailsUrl, 'metadata.jobDetailsUrl'));
  const descriptionHtml = r.string(raw.description, 'description');
  const address = r.object(raw.address, 'address');

  const row: Record<string, unknown> = {
    job_id: uuid,
    job_post_id: jobPostId,
    title,
    company_name: companyName,
    company_uen: clean(r.code(posted?.uen, 'postedCompany.uen')),
    hiring_company_name: hiringName && hiringName !== companyName ? hiringName : undefined,
    salary_min: salaryMin,
    salary_max: salaryMax,
    salary_type: clean(r.string(salaryType?.salaryType, 'salary.type.salaryType')),
    employment_types: capList(
      table,
      'employment_types',
      r.labels(raw.employmentTypes, 'employmentType', 'employmentTypes'),
    ),
    position_levels: capList(
      table,
      'position_levels',
      r.labels(raw.positionLevels, 'position', 'positionLevels'),
    ),
    categories: capList(table, 'categories', categories),
    skills: capList(table, 'skills', r.labels(raw.skills, 'skill', 'skills')),
    flexible_work_arrangements: capList(
      table,
      'flexible_work_arrangements',
      r.labels(raw.flexibleWorkArrangements, 'flexibleWorkArrangement', 'flexibleWorkArrangements'),
    ),
    min_experience_years: r.integer(raw.minimumYearsExperience, 'minimumYearsExperience'),
    vacancies: r.integer(raw.numberOfVacancies, 'numberOfVacancies'),
    posted_date: r.date(meta?.newPostingDate, 'metadata.newPostingDate'),
    original_posted_date: r.date(meta?.originalPostingDate, 'metadata.originalPostingDate'),
    expiry_date: r.date(meta?.expiryDate, 'metadata.expiryDate'),
    mcf_updated_at: r.timestamp(meta?.updatedAt, 'metadata.updatedAt'),
    status: status(r, r.object(raw.status, 'status')),
    location: location(r, address),
    overseas_country: clean(r.string(address?.overseasCountry, 'address.overseasCountry')),
    working_hours: cut(clean(r.string(raw.workingHours, 'workingHours')), table, 'working_hours'),
    salary_hidden: salaryHidden,
    schemes: capList(table, 'schemes', schemes(raw.schemes)),
    ssoc_code: clean(r.code(raw.ssocCode, 'ssocCode')),
    url:
      detailsUrl ??
      (uuid
        ? jobPageUrl(opts.webUrl ?? MCF_WEB_URL, {
            uuid,
            title: title ?? null,
            category: categories?.[0] ?? null,
          })
        : undefined),
  };
  const otherRequirements = r.string(raw.otherRequirements, 'otherRequirements');
  if ((opts.descriptions ?? 'text') === 'text') {
    if (descriptionHtml !== undefined)
      row.description = cut(htmlToText(descriptionHtml) || undefined, table, 'description');
    row.other_requirements = cut(writtenText(otherRequirements), table, 'other_requirements');
  }
  const flags = qualityFlags(row, schema, table);
  if (flags.length) row.quality_flags = capList(table, 'quality_flags', flags);
  if (missing.length) r.problems.unshift(`missing ${missing.join(', ')}`);
  if (r.problems.length) {
    return {
      ok: false,
      uuid: uuid || undefined,
      reason: summarise(r.problems),
      problems: r.problems,
    };
  }
  // The schema's rules for every field set (required ones are checked above; no other field can appear).
  const problems: string[] = [];
  for (const k of Object.keys(row)) {
    if (row[k] === undefined) {
      delete row[k];
      continue;
    }
    const problem = fieldProblem(schema, table, k, row[k]);
    if (problem) problems.push(problem);
  }
  if (problems.length) return { ok: false, uuid, reason: summarise(problems), problems };
  return { ok: true, row: row as unknown as JobInput };
}

/**
 * The schema's verdict on one field value ('' when it is valid). Checked
 * every time: a memo of verdicts keyed by value was slower than the check
 * (most values are unique, and building and hashing a key per value cost
 * more than a regular expression): 43,000 jobs a second without it, 35,000 with.
 */
function fieldProblem(schema: Schema, table: TableDef, field: string, value: unknown): string {
  const p = checkValue(field, table.fields[field]!, value, schema);
  return p ? `${p.field}: ${p.message} (got ${JSON.stringify(p.value)})` : '';
}

function summarise(problems: string[]): string {
  return problems.length === 1 ? problems[0]! : `${problems[0]} (and ${problems.length - 1} more)`;
}
