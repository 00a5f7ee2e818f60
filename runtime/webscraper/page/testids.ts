/**
 * The `data-testid` attributes of a rendered MCF job page that the browser
 * path reads (besides the schema.org JobPosting JSON-LD block), as MCF's
 * real pages carry them. There is no element wrapping the job's details: the
 * facts sit in `job-details-info-*` elements, and suggested-job cards on the
 * same page reuse the salary and company ids (see own-block.ts).
 */
export const TESTID = {
  /** `<h1>` with the title. */
  title: 'job-details-info-job-title',
  /** The job post id, e.g. "MCF-2026-0521403" (sometimes after a label). */
  jobPostId: 'job-details-info-job-post-id',
  /** Text like "Islandwide", "D01 Marina" or a street address. */
  location: 'job-details-info-location-span',
  /** Comma-separated labels, e.g. "Permanent, Full Time". */
  employmentTypes: 'job-details-info-employment-type',
  /** The position level, e.g. "Professional". */
  positionLevels: 'job-details-info-seniority',
  /** Comma-separated labels. */
  categories: 'job-details-info-job-categories',
  /** Text like "3 years exp". */
  minExperience: 'job-details-info-min-experience',
  /** Text like "Posted 27 Mar 2026". */
  postedDate: 'job-details-info-last-posted-date',
  /** Text like "Closing on 17 Apr 2026". */
  expiryDate: 'job-details-info-job-expiry-date',
  /** Text like "12 applications". */
  applications: 'job-details-info-num-of-applications',
  /** The description's HTML. */
  description: 'description-content',
  /** The skills: one pill (a label) per skill. */
  skills: 'skills-needed',
  /** `$3,700<span>to</span>$5,400`: read as text, "$3,700to$5,400". Suggested cards use it too. */
  salaryRange: 'salary-range',
  /** Text like "Monthly". Suggested cards use it too. */
  salaryType: 'salary-type',
  /** The company's name. Suggested cards use it too. */
  company: 'company-hire-info',
} as const;

/** Ids only the job's own block carries (never a suggested card): they locate it. */
export const OWN_TESTIDS: readonly string[] = [
  TESTID.title,
  TESTID.jobPostId,
  TESTID.location,
  TESTID.employmentTypes,
  TESTID.positionLevels,
  TESTID.categories,
  TESTID.minExperience,
  TESTID.postedDate,
  TESTID.expiryDate,
  TESTID.applications,
  TESTID.description,
  TESTID.skills,
];

/** Shown by the replay (and assumed of MCF) for a job that is gone. */
export const NOT_FOUND_TESTID = 'not-found';

/** The browser waits for this before reading the page: the job's title, or the not-found notice. */
export const PAGE_READY_SELECTOR = `[data-testid="${TESTID.title}"], [data-testid="${NOT_FOUND_TESTID}"]`;
