/**
 * A deterministic, seedable generator of realistic MCF jobs (made up here,
 * not copied from anywhere).
 *
 * Job `k` is a pure function of (seed, k): jobs can be generated lazily, in
 * any order, on any machine, with the same result. Posting times grow with
 * `k` (`start + k * interval`), so "newest first" is "highest k first", and
 * new jobs are appended by generating the next `k`s.
 *
 * Three random streams per job keep the cheap part (facets: what searches and
 * filters look at) independent of the expensive one (the description), so the
 * corpus can index 50,000 jobs without building 50,000 descriptions.
 */
import { createHash } from 'node:crypto';
import { isoDate } from '../schema/timestamps.js';
import { MCF_STATUS, type McfCompany, type McfJob } from '../webscraper/mcf/types.js';
import { jobPageUrl, joinUrl, MCF_API_URL, MCF_WEB_URL } from '../webscraper/mcf/urls.js';
import { createRandom, mixSeed, type Random } from './random.js';
import {
  AGENCIES,
  BUILDINGS,
  CATEGORIES,
  COMPANY_WORDS,
  DISTRICTS,
  EMPLOYMENT_TYPES,
  FLEXIBLE_WORK_ARRANGEMENTS,
  GENERIC_SKILLS,
  ISLANDWIDE,
  OTHER_REQUIREMENTS,
  OVERSEAS,
  PROFILES,
  REQUIREMENTS,
  RESPONSIBILITIES,
  SCHEMES,
  SENIORITY,
  STREETS,
  WORKING_HOURS,
} from './vocabulary.js';

export interface GeneratorOptions {
  seed: number;
  /** Posting time of job 0, epoch ms (default 2026-01-05 09:00 Asia/Singapore). */
  startMs?: number;
  /** New jobs per day (default 1500: about MCF's weekday rate). */
  perDay?: number;
  /** Share of valid but unusual records: nulls, empty lists, broken HTML, odd whitespace (default 0.03). */
  oddRate?: number;
}

export interface Urls {
  api: string;
  web: string;
}

export const DEFAULT_URLS: Urls = { api: MCF_API_URL, web: MCF_WEB_URL };
export const DEFAULT_START_MS = Date.UTC(2026, 0, 5, 1, 0, 0);
const DAY_MS = 86_400_000;
const COMPANY_COUNT = 240;

/** What searches and filters look at: cheap to compute for every job. */
export interface JobFacets {
  k: number;
  uuid: string;
  jobPostId: string;
  title: string;
  categories: string[];
  employmentTypes: string[];
  positionLevel: string;
  skills: string[];
  salary: { min: number; max: number } | null;
  company: number;
  thirdParty: boolean;
  flexibleWorkArrangements: number[];
  postedAtMs: number;
  seniority: (typeof SENIORITY)[number];
  /** Which unusual-but-valid shape the job has, if any. */
  oddity: Oddity | undefined;
}

export const ODDITIES = [
  'null-optionals',
  'broken-html',
  'no-salary',
  'whitespace-title',
  'overseas',
  'empty-lists',
  'entities',
  'implausible',
] as const;
export type Oddity = (typeof ODDITIES)[number];

export function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function streams(seed: number, k: number) {
  return {
    facets: createRandom(mixSeed(seed, k, 1)),
    details: createRandom(mixSeed(seed, k, 2)),
    text: createRandom(mixSeed(seed, k, 3)),
    /** Shapes added later (districts-only addresses, hidden salaries, ...): their own stream, so the others stay as they were. */
    shapes: createRandom(mixSeed(seed, k, 4)),
  };
}

export class JobGenerator {
  readonly seed: number;
  readonly startMs: number;
  readonly intervalMs: number;
  private readonly oddRate: number;
  private readonly idBase: number;

  constructor(opts: GeneratorOptions) {
    this.seed = opts.seed >>> 0;
    this.startMs = opts.startMs ?? DEFAULT_START_MS;
    this.intervalMs = DAY_MS / Math.max(1, opts.perDay ?? 1500);
    this.oddRate = opts.oddRate ?? 0.03;
    this.idBase = mixSeed(this.seed, 7) % 4_000_000;
  }

  /** The job post id of job `k`: unique for k below 6,000,000. */
  jobPostId(k: number): string {
    const year = new Date(this.postedAtMs(k)).getUTCFullYear();
    return `MCF-${year}-${String(this.idBase + k).padStart(7, '0')}`;
  }

  postedAtMs(k: number): number {
    return this.startMs + Math.floor(k * this.intervalMs);
  }

  facets(k: number): JobFacets {
    const r = streams(this.seed, k).facets;
    const category = r.pick(CATEGORIES);
    const profile = PROFILES[category];
    const seniority = r.chance(0.45) ? SENIORITY[0]! : r.pick(SENIORITY);
    const role = r.pick(profile.roles);
    const suffix = r.chance(0.08)
      ? r.pick([' (Contract)', ' - 1 Year', ' (Hybrid)', ' | Immediate'])
      : '';
    const categories = r.chance(0.25)
      ? [category, r.pick(CATEGORIES.filter((c) => c !== category))]
      : [category];
    const employmentTypes = r.chance(0.3)
      ? r.sample(EMPLOYMENT_TYPES, 2)
      : [r.chance(0.7) ? 'Permanent' : r.pick(EMPLOYMENT_TYPES)];
    const skills = [
      ...r.sample(profile.skills, r.int(3, Math.min(8, profile.skills.length))),
      ...r.sample(GENERIC_SKILLS, r.int(0, 3)),
    ];
    const oddity = r.chance(this.oddRate) ? r.pick(ODDITIES) : undefined;
    const floor = Math.round((profile.salary[0] * seniority.pay * (0.85 + r() * 0.5)) / 100) * 100;
    const min = Math.max(1000, Math.min(floor, profile.salary[1] * 2));
    const max = Math.round((min * (1.15 + r() * 0.6)) / 100) * 100;
    const jobPostId = this.jobPostId(k);
    return {
      k,
      uuid: md5Hex(jobPostId),
      jobPostId,
      title: `${seniority.prefix}${role}${suffix}`,
      categories,
      employmentTypes,
      positionLevel: seniority.level,
      skills,
      salary: oddity === 'no-salary' ? null : { min, max },
      company: r.int(0, COMPANY_COUNT - 1),
      thirdParty: r.chance(0.12),
      flexibleWorkArrangements: r.chance(0.35)
        ? r.sample([1, 2, 3, 4, 5, 6], r.int(1, 2)).sort((a, b) => a - b)
        : [],
      postedAtMs: this.postedAtMs(k),
      seniority,
      oddity,
    };
  }

  company(index: number): McfCompany {
    const r = createRandom(mixSeed(this.seed, index, 9));
    const name = `${r.pick(COMPANY_WORDS.first)} ${r.pick(COMPANY_WORDS.second)} Pte. Ltd.`;
    return {
      uen: `${2000 + r.int(0, 25)}${String(r.int(0, 99999)).padStart(5, '0')}${r.pick([...'ACDEGHKMNRWZ'])}`,
      name: index % 17 === 0 ? name.toUpperCase() : name,
      description: `<p>${name} is a Singapore company with ${r.int(1, 40) * 25} staff.</p>`,
      ssicCode: String(r.int(10000, 99999)),
      employeeCount: r.int(5, 5000),
      companyUrl: r.chance(0.6)
        ? `https://www.${name.split(' ')[0]!.toLowerCase()}.example.sg`
        : null,
    };
  }

  private agency(r: Random): McfCompany {
    const name = `${r.pick(AGENCIES)} Pte. Ltd.`;
    return {
      uen: `${2010 + r.int(0, 9)}${String(r.int(0, 99999)).padStart(5, '0')}E`,
      name,
      description: '<p>An employment agency.</p>',
      ssicCode: '78104',
      employeeCount: r.int(20, 300),
      companyUrl: null,
    };
  }

  /** The whole job, as `GET /v2/jobs/{uuid}` returns it. */
  job(k: number, urls: Urls = DEFAULT_URLS, facets: JobFacets = this.facets(k)): McfJob {
    const f = facets;
    const { details: r, text, shapes } = streams(this.seed, k);
    const odd = f.oddity;
    const posted = f.postedAtMs;
    const repost = r.chance(0.15);
    const originalMs = repost ? posted - r.int(5, 40) * DAY_MS : posted;
    const createdMs = originalMs - r.int(5, 120) * 60_000;
    const updatedMs = repost ? posted : createdMs + r.int(0, 180) * 60_000;
    const company = this.company(f.company);
    const postedCompany = f.thirdParty ? this.agency(r) : company;
    const district = r.pick(DISTRICTS);
    const overseas = odd === 'overseas';
    const nullable = odd === 'null-optionals';
    const emptyLists = odd === 'empty-lists';
    const expiryDays = r.pick([14, 21, 30, 30, 30]);
    const otherRequirements = r.chance(0.2) ? shapes.pick(OTHER_REQUIREMENTS) : null;
    const workingHours = r.pick([WORKING_HOURS[0]!, WORKING_HOURS[1]!, null]);
    const shift = r.chance(0.1) ? 'Rotating shifts' : null;
    const vacancies = r.chance(0.8) ? 1 : r.int(2, 10);
    const implausible = odd === 'implausible';
    const hideSalary = f.salary !== null && shapes.chance(0.06);
    const districtsOnly = !overseas && shapes.chance(0.2);
    const abroad = shapes.pick(OVERSEAS);
    return {
      uuid: f.uuid,
      title: odd === 'whitespace-title' ? `  ${f.title.replace(' ', '   ')}\n` : f.title,
      description: this.description(text, f),
      otherRequirements: nullable ? null : otherRequirements,
      minimumYearsExperience: nullable ? null : implausible ? 45 : f.seniority.years,
      numberOfVacancies: implausible ? 150 : vacancies,
      ssocCode: nullable ? null : PROFILES[f.categories[0] as keyof typeof PROFILES].ssoc,
      workingHours: nullable
        ? null
        : (workingHours ?? (shapes.chance(0.3) ? WORKING_HOURS[2]! : null)),
      shiftPattern: shift,
      salary: f.salary
        ? {
            minimum: f.salary.min,
            maximum: implausible ? 250_000 : f.salary.max,
            type: { id: 4, salaryType: 'Monthly' },
          }
        : null,
      isHideSalary: hideSalary,
      metadata: {
        jobPostId: f.jobPostId,
        jobDetailsUrl: jobPageUrl(urls.web, {
          uuid: f.uuid,
          title: f.title,
          category: f.categories[0] ?? null,
          company: postedCompany.name,
        }),
        newPostingDate: isoDate(new Date(posted)),
        originalPostingDate: isoDate(new Date(originalMs)),
        expiryDate: isoDate(new Date(posted + expiryDays * DAY_MS)),
        createdAt: new Date(createdMs).toISOString(),
        updatedAt: new Date(updatedMs).toISOString(),
        deletedAt: null,
        repostCount: repost ? r.int(1, 2) : 0,
        editCount: r.int(0, 3),
        totalNumberOfView: r.int(0, 900),
        totalNumberJobApplication: r.int(0, 120),
        isPostedOnBehalf: f.thirdParty,
      },
      postedCompany,
      hiringCompany: f.thirdParty ? company : null,
      status: repost
        ? { id: 103, jobStatus: MCF_STATUS[103] }
        : { id: 102, jobStatus: MCF_STATUS[102] },
      address: nullable
        ? null
        : this.address(r, shapes, { overseas, districtsOnly, district, abroad }),
      skills: nullable
        ? null
        : emptyLists
          ? []
          : f.skills.map((skill, i) => ({
              uuid: md5Hex(`skill:${skill}`),
              skill,
              isKeySkill: i < 3,
              confidence: null,
            })),
      categories: f.categories.map((category) => ({
        id: CATEGORIES.indexOf(category as (typeof CATEGORIES)[number]) + 1,
        category,
      })),
      employmentTypes: f.employmentTypes.map((employmentType) => ({
        id: EMPLOYMENT_TYPES.indexOf(employmentType as (typeof EMPLOYMENT_TYPES)[number]) + 1,
        employmentType,
      })),
      positionLevels: [{ id: SENIORITY.indexOf(f.seniority) + 1, position: f.positionLevel }],
      flexibleWorkArrangements: emptyLists
        ? []
        : f.flexibleWorkArrangements.map((id) => ({
            id,
            flexibleWorkArrangement: FLEXIBLE_WORK_ARRANGEMENTS[id - 1]!,
          })),
      schemes: r.chance(0.1) ? [this.scheme(shapes, posted)] : [],
      _links: { self: { href: joinUrl(urls.api, `/v2/jobs/${f.uuid}`) } },
    };
  }

  /** A street address with its district; only a district ("Islandwide", "D01 Marina"); or abroad. */
  private address(
    r: Random,
    shapes: Random,
    o: {
      overseas: boolean;
      districtsOnly: boolean;
      district: (typeof DISTRICTS)[number];
      abroad: (typeof OVERSEAS)[number];
    },
  ): NonNullable<McfJob['address']> {
    // The street draws come first and always, so the details stream stays as it was.
    const street = {
      block: String(r.int(1, 999)),
      street: r.pick(STREETS),
      building: r.pick(BUILDINGS),
      postalCode: String(r.int(18900, 829999)).padStart(6, '0'),
      lat: 1.28 + r() * 0.15,
      lng: 103.7 + r() * 0.25,
    };
    const none = {
      block: null,
      street: null,
      building: null,
      postalCode: null,
      lat: null,
      lng: null,
    };
    if (o.overseas)
      return {
        ...none,
        isOverseas: true,
        overseasCountry: o.abroad.country,
        foreignAddress1: o.abroad.line1,
        foreignAddress2: o.abroad.line2,
        districts: [],
      };
    if (o.districtsOnly)
      return {
        ...none,
        isOverseas: false,
        districts: [shapes.chance(0.6) ? ISLANDWIDE : o.district],
      };
    return { ...street, isOverseas: false, districts: [o.district] };
  }

  /** A scheme as MCF nests it. */
  private scheme(r: Random, postedMs: number): NonNullable<McfJob['schemes']>[number] {
    const s = r.pick(SCHEMES);
    const sub = s.subSchemes.length && r.chance(0.5) ? r.pick(s.subSchemes) : undefined;
    return {
      scheme: { id: s.id, scheme: s.scheme },
      subScheme: sub ? { id: s.id * 10 + s.subSchemes.indexOf(sub) + 1, subScheme: sub } : null,
      startDate: isoDate(new Date(postedMs - 90 * DAY_MS)),
      expiryDate: isoDate(new Date(postedMs + 365 * DAY_MS)),
    };
  }

  private description(r: Random, f: JobFacets): string {
    const about = `<p><strong>About the role</strong></p><p>We are looking for a ${f.title} to join our ${
      f.categories[0]
    } team in Singapore. You will work with ${f.skills.slice(0, 3).join(', ')} on projects that matter to our clients &amp; partners.</p>`;
    const resp = r.sample(RESPONSIBILITIES, r.int(4, 7));
    const reqs = r
      .sample(REQUIREMENTS, r.int(3, 6))
      .map((s) =>
        s
          .replace('{years}', String(Math.max(1, f.seniority.years)))
          .replace('{skill}', f.skills[0] ?? 'Excel'),
      );
    const list = (items: string[]) => `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
    let html = `${about}<p><strong>Responsibilities</strong></p>${list(resp)}<p><strong>Requirements</strong></p>${list(reqs)}<p>Interested applicants, please click <em>Apply Now</em>.<br>We regret that only shortlisted candidates will be notified.</p>`;
    if (f.oddity === 'broken-html') {
      html = `<div><p>Join us!<p>Great <b>team<li>unclosed item<br/>${html.slice(0, html.length - 200)}`;
    } else if (f.oddity === 'entities') {
      html +=
        '<p>Salary&nbsp;up to S$8k &#8211; &quot;flexible&quot; &lsquo;hybrid&rsquo; work &#x1F680; &copy; 2026</p>';
    }
    return html;
  }
}
