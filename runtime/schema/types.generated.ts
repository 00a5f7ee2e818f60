// Generated from runtime/schema/db_schema.json by runtime/schema/generate-types.ts.
// Do not edit: change db_schema.json and run `npm run generate:types`.

/** db_schema.json version 1; timestamps are in Asia/Singapore. */
export const SCHEMA_VERSION = 1;

/** A job post from MyCareersFuture, independent of any user. Written by the webscraper. Key: job_id. (A row as the DB API returns it.) */
export interface JobRow {
  /** The MCF job uuid. Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** MCF's metadata.jobPostId. Format MCF_JOB_POST_ID: A MyCareersFuture job post id. */
  job_post_id: string;
  /** minLength 1, maxLength 500. */
  title: string;
  /** postedCompany.name. maxLength 500. */
  company_name?: string;
  /** postedCompany.uen. maxLength 20. */
  company_uen?: string;
  /** hiringCompany.name, when a third party posted the job. maxLength 500. */
  hiring_company_name?: string;
  /** Lower bound of the salary range, SGD. Integer. minimum 0. */
  salary_min?: number;
  /** Upper bound of the salary range, SGD. Integer. minimum 0. */
  salary_max?: number;
  /** The period the salary is quoted for, as MCF names it (for example Monthly) maxLength 50. */
  salary_type?: string;
  /** Labels, for example Full Time, Contract. maxItems 20. */
  employment_types?: string[];
  /** Labels, for example Senior Executive. maxItems 20. */
  position_levels?: string[];
  /** Labels, for example Information Technology. maxItems 20. */
  categories?: string[];
  /** maxItems 200. */
  skills?: string[];
  /** maxItems 10. */
  flexible_work_arrangements?: string[];
  /** Integer. minimum 0, maximum 60. */
  min_experience_years?: number;
  /** Integer. minimum 0, maximum 100000. */
  vacancies?: number;
  /** metadata.newPostingDate. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  posted_date?: string;
  /** metadata.originalPostingDate. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  original_posted_date?: string;
  /** metadata.expiryDate. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  expiry_date?: string;
  /** metadata.updatedAt in the schema's timezone: a change means the post was edited. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  mcf_updated_at?: string;
  /** status.jobStatus. */
  status?: "Open" | "Re-open" | "Closed";
  /** District or address summary. maxLength 500. */
  location?: string;
  /** maxLength 20. */
  ssoc_code?: string;
  /** The job's page on www.mycareersfuture.gov.sg. Format URL: An http or https URL. */
  url: string;
  /** Plain text of the job description; stored only when the description setting allows (MCF terms of use) maxLength 100000. */
  description?: string;
  /** otherRequirements as plain text; stored only when the description setting allows (MCF terms of use) maxLength 10000. */
  other_requirements?: string;
  /** workingHours, for example Mon - Fri, 9am - 6pm. maxLength 500. */
  working_hours?: string;
  /** address.overseasCountry: set for a job outside Singapore. maxLength 100. */
  overseas_country?: string;
  /** isHideSalary: the employer hides the salary on MCF. Never stored as a salary of 0: salary_min and salary_max are then left out unless MCF gave real (non-zero) values. */
  salary_hidden?: boolean;
  /** Government schemes the job is under, for example Career Conversion Programme (Place-and-Train) maxItems 20. */
  schemes?: string[];
  /** Implausible values in MCF's record, one per field, such as salary_max 250000: over 100000 a month. The value stays in its column when the schema allows it, else it is left out and kept here. maxItems 20. */
  quality_flags?: string[];
  /** Epoch seconds after which DynamoDB deletes the item (TTL); absent = kept. Integer. minimum 0. */
  purge_at?: number;
  /** Set by the DB API on the first write; never changed afterwards. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  created: string;
  /** Set by the DB API on every write. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_modified: string;
  /** Set by the DB API: 1 on the first write, +1 on every write. Sent as the ETag; a write with If-Match that differs is refused with 409. Integer. minimum 1. */
  version: number;
}

/** A job item as a client writes it (PUT, batch): managed fields are set by the DB API. */
export interface JobInput {
  /** The MCF job uuid. Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** MCF's metadata.jobPostId. Format MCF_JOB_POST_ID: A MyCareersFuture job post id. */
  job_post_id: string;
  /** minLength 1, maxLength 500. */
  title: string;
  /** postedCompany.name. maxLength 500. */
  company_name?: string;
  /** postedCompany.uen. maxLength 20. */
  company_uen?: string;
  /** hiringCompany.name, when a third party posted the job. maxLength 500. */
  hiring_company_name?: string;
  /** Lower bound of the salary range, SGD. Integer. minimum 0. */
  salary_min?: number;
  /** Upper bound of the salary range, SGD. Integer. minimum 0. */
  salary_max?: number;
  /** The period the salary is quoted for, as MCF names it (for example Monthly) maxLength 50. */
  salary_type?: string;
  /** Labels, for example Full Time, Contract. maxItems 20. */
  employment_types?: string[];
  /** Labels, for example Senior Executive. maxItems 20. */
  position_levels?: string[];
  /** Labels, for example Information Technology. maxItems 20. */
  categories?: string[];
  /** maxItems 200. */
  skills?: string[];
  /** maxItems 10. */
  flexible_work_arrangements?: string[];
  /** Integer. minimum 0, maximum 60. */
  min_experience_years?: number;
  /** Integer. minimum 0, maximum 100000. */
  vacancies?: number;
  /** metadata.newPostingDate. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  posted_date?: string;
  /** metadata.originalPostingDate. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  original_posted_date?: string;
  /** metadata.expiryDate. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  expiry_date?: string;
  /** metadata.updatedAt in the schema's timezone: a change means the post was edited. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  mcf_updated_at?: string;
  /** status.jobStatus. */
  status?: "Open" | "Re-open" | "Closed";
  /** District or address summary. maxLength 500. */
  location?: string;
  /** maxLength 20. */
  ssoc_code?: string;
  /** The job's page on www.mycareersfuture.gov.sg. Format URL: An http or https URL. */
  url: string;
  /** Plain text of the job description; stored only when the description setting allows (MCF terms of use) maxLength 100000. */
  description?: string;
  /** otherRequirements as plain text; stored only when the description setting allows (MCF terms of use) maxLength 10000. */
  other_requirements?: string;
  /** workingHours, for example Mon - Fri, 9am - 6pm. maxLength 500. */
  working_hours?: string;
  /** address.overseasCountry: set for a job outside Singapore. maxLength 100. */
  overseas_country?: string;
  /** isHideSalary: the employer hides the salary on MCF. Never stored as a salary of 0: salary_min and salary_max are then left out unless MCF gave real (non-zero) values. */
  salary_hidden?: boolean;
  /** Government schemes the job is under, for example Career Conversion Programme (Place-and-Train) maxItems 20. */
  schemes?: string[];
  /** Implausible values in MCF's record, one per field, such as salary_max 250000: over 100000 a month. The value stays in its column when the schema allows it, else it is left out and kept here. maxItems 20. */
  quality_flags?: string[];
  /** Epoch seconds after which DynamoDB deletes the item (TTL); absent = kept. Integer. minimum 0. */
  purge_at?: number;
}

/** A job found for a user by one of the user's tracks. Written by the webscraper. Key: job_s_id. (A row as the DB API returns it.) */
export interface JobSearchRow {
  /** <user_id>:<job_id>. Format JOB_S_ID: A user's job: <user_id>:<job_id>. */
  job_s_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** The track whose search found the job first. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id: string;
  /** The search term that found the job. maxLength 200. */
  search_term?: string;
  /** Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  first_seen: string;
  /** Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_seen: string;
  /** Set by the DB API on the first write; never changed afterwards. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  created: string;
  /** Set by the DB API on every write. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_modified: string;
  /** Set by the DB API: 1 on the first write, +1 on every write. Sent as the ETag; a write with If-Match that differs is refused with 409. Integer. minimum 1. */
  version: number;
}

/** A job_search item as a client writes it (PUT, batch): managed fields are set by the DB API. */
export interface JobSearchInput {
  /** <user_id>:<job_id>. Format JOB_S_ID: A user's job: <user_id>:<job_id>. */
  job_s_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** The track whose search found the job first. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id: string;
  /** The search term that found the job. maxLength 200. */
  search_term?: string;
  /** Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  first_seen: string;
  /** Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_seen: string;
}

/** How well a user's job matches the user's tracks and keywords, with the explanation. Written by scoring (runtime/scoring/README.md). Key: job_s_id. (A row as the DB API returns it.) */
export interface JobScoreRow {
  /** Format JOB_S_ID: A user's job: <user_id>:<job_id>. */
  job_s_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** The track the score is for: the best-scoring of the user's active tracks. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id: string;
  /** scored; filtered (a hard filter failed: score 0, notes say which); insufficient_data (the job or the profile has too little to score: no score) Default "scored". */
  status: "scored" | "filtered" | "insufficient_data";
  /** 0 to 100, in hundredths; absent when status is insufficient_data. minimum 0, maximum 100. */
  score?: number;
  /** Each matched keyword's contribution, where it matched and how often: "+12.34 Spark (title 1, skills 1)"; the parts add up exactly to score. maxItems 500. */
  score_parts?: string[];
  /** maxItems 500. */
  matched_keywords?: string[];
  /** The score for every active track: "<track_id> <score|filtered|insufficient_data>". maxItems 100. */
  track_scores?: string[];
  /** Filters that failed, data the job lacks, adjustments (keyword stuffing, the cap at 100) maxItems 50. */
  notes?: string[];
  /** The job this one reposts (same company, near-identical title and description): the score is the original's. Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  duplicate_of?: string;
  /** The job row's version that was scored: a new version is scored again. Integer. minimum 1. */
  job_version?: number;
  /** The job's print for finding reposts: description SimHash, company, title words. maxLength 700. */
  signature?: string;
  /** Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  scored_at: string;
  /** <algorithm>/<profile hash>/<corpus statistics hash>: scores with another are computed again. maxLength 50. */
  scoring_version?: string;
  /** Set by the DB API on the first write; never changed afterwards. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  created: string;
  /** Set by the DB API on every write. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_modified: string;
  /** Set by the DB API: 1 on the first write, +1 on every write. Sent as the ETag; a write with If-Match that differs is refused with 409. Integer. minimum 1. */
  version: number;
}

/** A job_score item as a client writes it (PUT, batch): managed fields are set by the DB API. */
export interface JobScoreInput {
  /** Format JOB_S_ID: A user's job: <user_id>:<job_id>. */
  job_s_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** The track the score is for: the best-scoring of the user's active tracks. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id: string;
  /** scored; filtered (a hard filter failed: score 0, notes say which); insufficient_data (the job or the profile has too little to score: no score) Default "scored". */
  status?: "scored" | "filtered" | "insufficient_data";
  /** 0 to 100, in hundredths; absent when status is insufficient_data. minimum 0, maximum 100. */
  score?: number;
  /** Each matched keyword's contribution, where it matched and how often: "+12.34 Spark (title 1, skills 1)"; the parts add up exactly to score. maxItems 500. */
  score_parts?: string[];
  /** maxItems 500. */
  matched_keywords?: string[];
  /** The score for every active track: "<track_id> <score|filtered|insufficient_data>". maxItems 100. */
  track_scores?: string[];
  /** Filters that failed, data the job lacks, adjustments (keyword stuffing, the cap at 100) maxItems 50. */
  notes?: string[];
  /** The job this one reposts (same company, near-identical title and description): the score is the original's. Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  duplicate_of?: string;
  /** The job row's version that was scored: a new version is scored again. Integer. minimum 1. */
  job_version?: number;
  /** The job's print for finding reposts: description SimHash, company, title words. maxLength 700. */
  signature?: string;
  /** Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  scored_at: string;
  /** <algorithm>/<profile hash>/<corpus statistics hash>: scores with another are computed again. maxLength 50. */
  scoring_version?: string;
}

/** The user's pipeline for a job: the CRM rows edited in Google Sheets. Key: job_s_id. (A row as the DB API returns it.) */
export interface CrmRow {
  /** Format JOB_S_ID: A user's job: <user_id>:<job_id>. */
  job_s_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id?: string;
  /** Default "new". */
  status: "new" | "screened" | "shortlisted" | "applied" | "interviewing" | "offer" | "closed";
  /** Default "not_applied". */
  apply_status: "not_applied" | "preparing" | "applied" | "withdrawn";
  /** Default "none". */
  response: "none" | "acknowledged" | "interview" | "offer" | "rejected" | "no_reply";
  /** Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  applied_date?: string;
  /** The day the employer answered (the response field); the report's time to response counts from applied_date. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  response_date?: string;
  /** maxLength 10000. */
  notes?: string;
  /** Set by the DB API on the first write; never changed afterwards. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  created: string;
  /** Set by the DB API on every write. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_modified: string;
  /** Set by the DB API: 1 on the first write, +1 on every write. Sent as the ETag; a write with If-Match that differs is refused with 409. Integer. minimum 1. */
  version: number;
}

/** A crm item as a client writes it (PUT, batch): managed fields are set by the DB API. */
export interface CrmInput {
  /** Format JOB_S_ID: A user's job: <user_id>:<job_id>. */
  job_s_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Format MCF_UUID: A MyCareersFuture job uuid: 32 lowercase hex digits (md5 of the job post id). */
  job_id: string;
  /** Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id?: string;
  /** Default "new". */
  status?: "new" | "screened" | "shortlisted" | "applied" | "interviewing" | "offer" | "closed";
  /** Default "not_applied". */
  apply_status?: "not_applied" | "preparing" | "applied" | "withdrawn";
  /** Default "none". */
  response?: "none" | "acknowledged" | "interview" | "offer" | "rejected" | "no_reply";
  /** Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  applied_date?: string;
  /** The day the employer answered (the response field); the report's time to response counts from applied_date. Format ISO_DATE: A calendar date: YYYY-MM-DD. */
  response_date?: string;
  /** maxLength 10000. */
  notes?: string;
}

/** The user's settings (a dimension table edited in Google Sheets). Key: config_id. (A row as the DB API returns it.) */
export interface ConfigRow {
  /** <user_id>:<name>. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  config_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Setting name, for example scrape.max_pages. Pattern ^[a-z][a-z0-9_.]{0,99}$. */
  name: string;
  /** maxLength 10000. */
  value: string;
  /** maxLength 1000. */
  description?: string;
  /** Set by the DB API on the first write; never changed afterwards. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  created: string;
  /** Set by the DB API on every write. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_modified: string;
  /** Set by the DB API: 1 on the first write, +1 on every write. Sent as the ETag; a write with If-Match that differs is refused with 409. Integer. minimum 1. */
  version: number;
}

/** A config item as a client writes it (PUT, batch): managed fields are set by the DB API. */
export interface ConfigInput {
  /** <user_id>:<name>. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  config_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** Setting name, for example scrape.max_pages. Pattern ^[a-z][a-z0-9_.]{0,99}$. */
  name: string;
  /** maxLength 10000. */
  value: string;
  /** maxLength 1000. */
  description?: string;
}

/** A job-search track: what to search for on MCF and how (a dimension table edited in Google Sheets). Key: track_id. (A row as the DB API returns it.) */
export interface TrackRow {
  /** <user_id>:<slug>. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** minLength 1, maxLength 200. */
  name: string;
  /** minItems 1, maxItems 50. */
  search_terms: string[];
  /** MCF filter, display names. maxItems 20. */
  employment_types?: string[];
  /** MCF filter, display names. maxItems 20. */
  position_levels?: string[];
  /** MCF filter, display names. maxItems 20. */
  categories?: string[];
  /** MCF filter: minimum monthly salary, SGD. Integer. minimum 0. */
  min_salary?: number;
  /** Listing pages (of 100) to read per search term at most. Integer. minimum 1, maximum 100. */
  max_pages?: number;
  /** Default true. */
  active: boolean;
  /** Set by the DB API on the first write; never changed afterwards. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  created: string;
  /** Set by the DB API on every write. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_modified: string;
  /** Set by the DB API: 1 on the first write, +1 on every write. Sent as the ETag; a write with If-Match that differs is refused with 409. Integer. minimum 1. */
  version: number;
}

/** A track item as a client writes it (PUT, batch): managed fields are set by the DB API. */
export interface TrackInput {
  /** <user_id>:<slug>. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** minLength 1, maxLength 200. */
  name: string;
  /** minItems 1, maxItems 50. */
  search_terms: string[];
  /** MCF filter, display names. maxItems 20. */
  employment_types?: string[];
  /** MCF filter, display names. maxItems 20. */
  position_levels?: string[];
  /** MCF filter, display names. maxItems 20. */
  categories?: string[];
  /** MCF filter: minimum monthly salary, SGD. Integer. minimum 0. */
  min_salary?: number;
  /** Listing pages (of 100) to read per search term at most. Integer. minimum 1, maximum 100. */
  max_pages?: number;
  /** Default true. */
  active?: boolean;
}

/** A keyword of a user's keyword library, used by scoring (a dimension table edited in Google Sheets). Key: keyword_id. (A row as the DB API returns it.) */
export interface KeywordRow {
  /** <user_id>:<library>:<keyword slug>. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  keyword_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** The library (a group of keywords), for example core-skills. minLength 1, maxLength 100. */
  library: string;
  /** Limits the keyword to one track; absent = every track. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id?: string;
  /** minLength 1, maxLength 200. */
  keyword: string;
  /** maxItems 50. */
  synonyms?: string[];
  /** Default "nice". */
  kind: "must" | "nice" | "avoid";
  /** minimum -100, maximum 100. Default 1. */
  weight: number;
  /** Set by the DB API on the first write; never changed afterwards. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  created: string;
  /** Set by the DB API on every write. Format ISO_TIMESTAMP: Local time in the schema's timezone, to the minute: YYYY-MM-DD HH:MM. */
  last_modified: string;
  /** Set by the DB API: 1 on the first write, +1 on every write. Sent as the ETag; a write with If-Match that differs is refused with 409. Integer. minimum 1. */
  version: number;
}

/** A keyword item as a client writes it (PUT, batch): managed fields are set by the DB API. */
export interface KeywordInput {
  /** <user_id>:<library>:<keyword slug>. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  keyword_id: string;
  /** Format USER_ID: A user id: lowercase letters, digits, _ and -, up to 64 characters. */
  user_id: string;
  /** The library (a group of keywords), for example core-skills. minLength 1, maxLength 100. */
  library: string;
  /** Limits the keyword to one track; absent = every track. Format SLUG_ID: An id chosen by the user: letters, digits, _ . : and -, up to 128 characters. */
  track_id?: string;
  /** minLength 1, maxLength 200. */
  keyword: string;
  /** maxItems 50. */
  synonyms?: string[];
  /** Default "nice". */
  kind?: "must" | "nice" | "avoid";
  /** minimum -100, maximum 100. Default 1. */
  weight?: number;
}

/** Every table: its row, its input and its key field. */
export interface Tables {
  job: { row: JobRow; input: JobInput; key: "job_id" };
  job_search: { row: JobSearchRow; input: JobSearchInput; key: "job_s_id" };
  job_score: { row: JobScoreRow; input: JobScoreInput; key: "job_s_id" };
  crm: { row: CrmRow; input: CrmInput; key: "job_s_id" };
  config: { row: ConfigRow; input: ConfigInput; key: "config_id" };
  track: { row: TrackRow; input: TrackInput; key: "track_id" };
  keyword: { row: KeywordRow; input: KeywordInput; key: "keyword_id" };
}

export type TableName = keyof Tables;

export const TABLE_NAMES = ["job", "job_search", "job_score", "crm", "config", "track", "keyword"] as const satisfies readonly TableName[];

/** A stored item of table T, as a read returns it. */
export type Row<T extends TableName> = Tables[T]['row'];

/** An item of table T as a client writes it with PUT or a batch. */
export type Input<T extends TableName> = Tables[T]['input'];

/** A partial update of table T: the fields to change; null removes an optional field. */
export type Patch<T extends TableName> = { [K in keyof Input<T>]?: Input<T>[K] | null };
