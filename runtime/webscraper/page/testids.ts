/**
 * The `data-testid` attributes of a rendered MCF job page that the browser
 * path reads (besides the schema.org JobPosting JSON-LD block). The replay
 * server renders its pages with the same attributes.
 */
export const TESTID = {
  /** The job details container; present once the client-side app has rendered. */
  page: 'job-details-page',
  title: 'job-details-page-job-title',
  /** "Posted by <company>" block; its `company-name` child holds the name. */
  company: 'company-hire-info',
  companyName: 'company-name',
  /** "Hiring for <company>" when a third party posted the job. */
  hiringCompany: 'hiring-company-name',
  /** Text "Job Post ID: MCF-2026-0123456". */
  jobPostId: 'job-details-info-job-post-id',
  address: 'job-details-info-location-map',
  /** Comma-separated labels. */
  employmentTypes: 'job-details-info-employment-type',
  positionLevels: 'job-details-info-seniority',
  categories: 'job-details-info-job-categories',
  /** Text like "3 years exp". */
  minExperience: 'job-details-info-min-experience',
  /** Text like "2 vacancies". */
  vacancies: 'job-details-info-num-of-vacancies',
  /** Text like "$5,000 to $8,000". */
  salaryRange: 'salary-range',
  /** Text like "Monthly". */
  salaryType: 'salary-type',
  /** Text like "Posted 02 Mar 2026". */
  postedDate: 'job-details-info-last-posted-date',
  /** Text like "Closing on 01 Apr 2026". */
  expiryDate: 'job-details-info-job-expiry-date',
  /** A list; each skill in an element with `skill-item`. */
  skills: 'job-details-skills',
  skillItem: 'skill-item',
  /** The description's HTML. */
  description: 'job-description',
  /** Text like "Open" or "Closed". */
  status: 'job-details-status',
} as const;
