/**
 * MyCareersFuture API shapes, as far as they are known (shared/mcf-api.md).
 * Every field may be null or missing in a given record, so consumers read
 * them through the normaliser's checks, never trusting these types blindly:
 * they describe what a well-formed answer looks like (the replay server
 * produces exactly this).
 */

export interface McfLink {
  href: string;
}

export interface McfCompany {
  uen: string | null;
  name: string | null;
  description: string | null;
  ssicCode: string | null;
  employeeCount: number | null;
  companyUrl: string | null;
}

export interface McfJob {
  uuid: string;
  title: string;
  /** HTML. Absent from POST /v2/search items. */
  description?: string | null;
  /** Text (sometimes with HTML). */
  otherRequirements: string | null;
  minimumYearsExperience: number | null;
  numberOfVacancies: number | null;
  ssocCode: string | null;
  /** Plain text. */
  workingHours: string | null;
  shiftPattern: string | null;
  /** The employer hides the salary on the website. */
  isHideSalary?: boolean | null;
  salary: {
    minimum: number | null;
    maximum: number | null;
    type: { id: number; salaryType: string } | null;
  } | null;
  metadata: {
    jobPostId: string;
    jobDetailsUrl: string | null;
    /** YYYY-MM-DD */
    newPostingDate: string | null;
    originalPostingDate: string | null;
    expiryDate: string | null;
    /** ISO 8601 with a zone, e.g. 2026-03-02T01:15:42.000Z */
    createdAt: string | null;
    updatedAt: string | null;
    deletedAt: string | null;
    repostCount: number | null;
    editCount: number | null;
    totalNumberOfView: number | null;
    totalNumberJobApplication: number | null;
    isPostedOnBehalf: boolean | null;
  };
  postedCompany: McfCompany | null;
  hiringCompany: McfCompany | null;
  status: { id: number; jobStatus: string } | null;
  address: {
    block: string | null;
    street: string | null;
    building: string | null;
    postalCode: string | null;
    lat: number | null;
    lng: number | null;
    isOverseas: boolean | null;
    /** Overseas jobs: the country and up to two address lines. */
    overseasCountry?: string | null;
    foreignAddress1?: string | null;
    foreignAddress2?: string | null;
    /** Often the only location, e.g. `{id: 998, location: "Islandwide"}` or "D01 Marina". */
    districts: Array<{ id: number; location: string; region: string | null }> | null;
  } | null;
  skills: Array<{
    uuid: string;
    skill: string;
    isKeySkill: boolean;
    confidence: number | null;
  }> | null;
  categories: Array<{ id: number; category: string }> | null;
  employmentTypes: Array<{ id: number; employmentType: string }> | null;
  positionLevels: Array<{ id: number; position: string }> | null;
  flexibleWorkArrangements: Array<{ id: number; flexibleWorkArrangement: string }> | null;
  schemes: Array<{
    scheme: { id: number; scheme: string };
    subScheme: { id: number; subScheme: string } | null;
    startDate: string | null;
    expiryDate: string | null;
  }> | null;
  _links: { self: McfLink } | null;
}

/** `GET /v2/jobs` answer. */
export interface McfJobsPage {
  results: McfJob[];
  total: number;
  countWithoutFilters: number;
  _links: { self: McfLink; first?: McfLink; next?: McfLink; last?: McfLink };
}

/** `POST /v2/search` answer: items without `description`. */
export interface McfSearchPage extends McfJobsPage {
  searchRankingId: string;
}

/** Body of `POST /v2/search` (limit and page go in the query string). */
export interface McfSearchBody {
  sessionId?: string;
  search?: string;
  categories?: string[];
  employmentTypes?: string[];
  positionLevels?: string[];
  postingCompany?: Array<'Direct' | 'Third Party'>;
  salary?: number;
  flexibleWorkArrangements?: number[];
  sortBy?: Array<'new_posting_date' | 'min_monthly_salary'>;
}

/** The 404 body of `GET /v2/jobs/{uuid}` for an unknown uuid. */
export const MCF_NOT_FOUND_MESSAGE = 'UUID is not found in the database.';

/** Largest `limit` MCF accepts (101 is a 400). */
export const MCF_MAX_LIMIT = 100;

/** status.id values. */
export const MCF_STATUS = { 102: 'Open', 103: 'Re-open', 104: 'Closed' } as const;
