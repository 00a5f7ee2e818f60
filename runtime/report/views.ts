/**
 * What the analytics file derives from the stored tables:
 *
 * - `user_job`: the denormalised table, one row per job found for a user
 *   (job_search, job_score and crm joined by job_s_id, with the job's facts,
 *   the track's name, the salary per month and the funnel stage). Rebuilt
 *   from the stored tables at every export.
 * - The views the report draws: jobs_by_stage, funnel_by_track,
 *   jobs_found_daily, salary_by_track, salary_stats_by_track,
 *   top_skills_by_track, time_to_response, time_to_response_by_track.
 *
 * Columns a part of the project has not added yet (any field may be missing)
 * read as NULL. The definitions are written out in README.md ("What the
 * views count").
 */
import type { Schema } from '../schema/schema.js';
import { type ExportedTable, hasColumn, type TableModel } from './model.js';

/** crm.response values that are an answer from the employer (`none` and `no_reply` are not). */
export const RESPONSES = ['acknowledged', 'interview', 'offer', 'rejected'] as const;
/** crm.status values that imply an answer even when `response` was not filled in. */
export const STATUS_IMPLYING_RESPONSE = { interviewing: 'interview', offer: 'offer' } as const;
/** crm.status values that imply an application. */
export const STATUS_IMPLYING_APPLIED = ['applied', 'interviewing', 'offer'] as const;
/** crm.apply_status values that mean the application was sent (withdrawn: sent, then withdrawn). */
export const APPLY_STATUS_APPLIED = ['applied', 'withdrawn'] as const;
/** The stage of a job found for the user with no CRM row yet. */
export const NOT_IN_CRM = 'not in CRM yet';
/** Salary periods converted to SGD per month, by their factor; other periods are left out. */
export const MONTHLY_FACTORS: Record<string, number> = {
  monthly: 1,
  month: 1,
  annually: 1 / 12,
  annual: 1 / 12,
  yearly: 1 / 12,
};
/** Width of a salary band in salary_by_track, SGD per month. */
export const SALARY_BAND = 1000;

const list = (values: readonly string[]) =>
  values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');

/** The CRM stages in the schema's order (crm.status's enum). */
export function crmStages(schema: Schema): string[] {
  return schema.tables.crm?.fields.status?.enum ?? [];
}

/** `alias.column`, or NULL when the schema has no such field. */
function columnOf(models: TableModel[]) {
  return (alias: string, table: ExportedTable, name: string) =>
    hasColumn(models, table, name) ? `${alias}.${name}` : 'NULL';
}

export function userJobTableSql(): string {
  return `CREATE TABLE user_job (
  job_s_id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  job_id TEXT,
  track_id TEXT,
  track_name TEXT,
  search_term TEXT,
  found_at TEXT,
  found_date TEXT,
  last_seen TEXT,
  title TEXT,
  company TEXT,
  url TEXT,
  posted_date TEXT,
  salary_type TEXT,
  salary_monthly_min INTEGER,
  salary_monthly_max INTEGER,
  salary_monthly_mid INTEGER,
  score REAL,
  scored_at TEXT,
  in_crm INTEGER NOT NULL,
  crm_status TEXT,
  apply_status TEXT,
  response TEXT,
  applied_date TEXT,
  response_kind TEXT,
  response_date TEXT,
  response_date_estimated INTEGER,
  funnel_stage INTEGER NOT NULL
) WITHOUT ROWID;`;
}

/** Refills user_job from the stored tables. */
export function refillUserJobSql(models: TableModel[]): string {
  const col = columnOf(models);
  const factor = `CASE lower(trim(coalesce(${col('j', 'job', 'salary_type')}, 'monthly')))
      ${Object.entries(MONTHLY_FACTORS)
        .map(([k, v]) => `WHEN '${k}' THEN ${v}`)
        .join(' ')}
      ELSE NULL END`;
  const salaryMin = `nullif(${col('j', 'job', 'salary_min')}, 0)`;
  const salaryMax = `nullif(${col('j', 'job', 'salary_max')}, 0)`;
  const responseKind = `CASE
      WHEN b.response IN (${list(RESPONSES)}) THEN b.response
      ${Object.entries(STATUS_IMPLYING_RESPONSE)
        .map(([status, kind]) => `WHEN b.status = '${status}' THEN '${kind}'`)
        .join('\n      ')}
      ELSE NULL END`;
  const applied = `(b.apply_status IN (${list(APPLY_STATUS_APPLIED)}) OR b.applied_date IS NOT NULL
      OR b.status IN (${list(STATUS_IMPLYING_APPLIED)}))`;
  const screened = `((b.status IS NOT NULL AND b.status <> 'new') OR b.apply_status = 'preparing')`;
  return `DELETE FROM user_job;
INSERT INTO user_job
WITH keys(job_s_id) AS (
  SELECT job_s_id FROM job_search UNION SELECT job_s_id FROM job_score UNION SELECT job_s_id FROM crm
),
base AS (
  SELECT k.job_s_id,
    coalesce(s.user_id, c.user_id, sc.user_id, substr(k.job_s_id, 1, instr(k.job_s_id, ':') - 1)) AS user_id,
    coalesce(s.job_id, c.job_id, sc.job_id, substr(k.job_s_id, instr(k.job_s_id, ':') + 1)) AS job_id,
    coalesce(s.track_id, ${col('c', 'crm', 'track_id')}, sc.track_id) AS track_id,
    ${col('s', 'job_search', 'search_term')} AS search_term,
    ${col('s', 'job_search', 'first_seen')} AS found_at,
    ${col('s', 'job_search', 'last_seen')} AS last_seen,
    ${col('sc', 'job_score', 'score')} AS score,
    ${col('sc', 'job_score', 'scored_at')} AS scored_at,
    c.job_s_id IS NOT NULL AS in_crm,
    ${col('c', 'crm', 'status')} AS status,
    ${col('c', 'crm', 'apply_status')} AS apply_status,
    ${col('c', 'crm', 'response')} AS response,
    ${col('c', 'crm', 'applied_date')} AS applied_date,
    ${col('c', 'crm', 'response_date')} AS response_date,
    c.last_modified AS crm_last_modified
  FROM keys k
  LEFT JOIN job_search s ON s.job_s_id = k.job_s_id
  LEFT JOIN job_score sc ON sc.job_s_id = k.job_s_id
  LEFT JOIN crm c ON c.job_s_id = k.job_s_id
)
SELECT b.job_s_id, b.user_id, b.job_id, b.track_id,
  coalesce(t.name, b.track_id) AS track_name,
  b.search_term, b.found_at, substr(b.found_at, 1, 10) AS found_date, b.last_seen,
  j.title,
  coalesce(${col('j', 'job', 'hiring_company_name')}, ${col('j', 'job', 'company_name')}) AS company,
  j.url, ${col('j', 'job', 'posted_date')} AS posted_date, ${col('j', 'job', 'salary_type')} AS salary_type,
  round(${salaryMin} * ${factor}) AS salary_monthly_min,
  round(${salaryMax} * ${factor}) AS salary_monthly_max,
  round(CASE WHEN ${salaryMin} IS NOT NULL AND ${salaryMax} IS NOT NULL
    THEN (${salaryMin} + ${salaryMax}) / 2.0 ELSE coalesce(${salaryMin}, ${salaryMax}) END * ${factor}) AS salary_monthly_mid,
  b.score, b.scored_at, b.in_crm,
  CASE WHEN b.in_crm THEN coalesce(b.status, 'new') END AS crm_status,
  b.apply_status, b.response, b.applied_date,
  ${responseKind} AS response_kind,
  CASE WHEN (${responseKind}) IS NOT NULL
    THEN coalesce(b.response_date, substr(b.crm_last_modified, 1, 10)) END AS response_date,
  CASE WHEN (${responseKind}) IS NOT NULL
    THEN b.response_date IS NULL AND b.crm_last_modified IS NOT NULL END AS response_date_estimated,
  CASE
    WHEN (${responseKind}) IS NOT NULL THEN 3
    WHEN ${applied} THEN 2
    WHEN ${screened} THEN 1
    ELSE 0 END AS funnel_stage
FROM base b
LEFT JOIN job j ON j.job_id = b.job_id
LEFT JOIN track t ON t.track_id = b.track_id;`;
}

/** The views, as CREATE VIEW statements. */
export function viewsSql(schema: Schema): string {
  const stages = [NOT_IN_CRM, ...crmStages(schema)];
  const stageRows = stages.map((s, i) => `('${s.replaceAll("'", "''")}', ${i})`).join(', ');
  const nearestRank = (p: number) => `max(1, (n * ${p} + 99) / 100)`;
  return `
CREATE VIEW jobs_by_stage AS
WITH stages(stage, stage_order) AS (VALUES ${stageRows}),
counted AS (
  SELECT user_id, CASE WHEN in_crm THEN crm_status ELSE '${NOT_IN_CRM}' END AS stage, count(*) AS jobs
  FROM user_job GROUP BY 1, 2
),
users AS (SELECT DISTINCT user_id FROM user_job)
SELECT u.user_id, s.stage, s.stage_order, coalesce(c.jobs, 0) AS jobs
FROM users u CROSS JOIN stages s
LEFT JOIN counted c ON c.user_id = u.user_id AND c.stage = s.stage
UNION ALL
SELECT user_id, stage, ${stages.length} AS stage_order, jobs FROM counted
WHERE stage NOT IN (SELECT stage FROM stages);

CREATE VIEW funnel_by_track AS
SELECT user_id, track_id, max(track_name) AS track_name,
  count(*) AS found,
  sum(funnel_stage >= 1) AS screened,
  sum(funnel_stage >= 2) AS applied,
  sum(funnel_stage >= 3) AS responded
FROM user_job GROUP BY user_id, track_id;

CREATE VIEW jobs_found_daily AS
SELECT user_id, found_date AS day, track_id, max(track_name) AS track_name,
  coalesce(search_term, '(not recorded)') AS search_term, count(*) AS jobs
FROM user_job WHERE found_date IS NOT NULL
GROUP BY user_id, found_date, track_id, coalesce(search_term, '(not recorded)');

CREATE VIEW salary_by_track AS
SELECT user_id, track_id, max(track_name) AS track_name,
  (salary_monthly_mid / ${SALARY_BAND}) * ${SALARY_BAND} AS band_from,
  (salary_monthly_mid / ${SALARY_BAND}) * ${SALARY_BAND} + ${SALARY_BAND} AS band_to,
  count(*) AS jobs
FROM user_job WHERE salary_monthly_mid IS NOT NULL
GROUP BY user_id, track_id, band_from;

CREATE VIEW salary_stats_by_track AS
WITH ranked AS (
  SELECT user_id, track_id, track_name, salary_monthly_mid AS v,
    row_number() OVER (PARTITION BY user_id, track_id ORDER BY salary_monthly_mid) AS rn,
    count(*) OVER (PARTITION BY user_id, track_id) AS n
  FROM user_job WHERE salary_monthly_mid IS NOT NULL
)
SELECT user_id, track_id, max(track_name) AS track_name, n AS jobs,
  min(v) AS min,
  max(CASE WHEN rn = ${nearestRank(25)} THEN v END) AS p25,
  max(CASE WHEN rn = ${nearestRank(50)} THEN v END) AS median,
  max(CASE WHEN rn = ${nearestRank(75)} THEN v END) AS p75,
  max(v) AS max
FROM ranked GROUP BY user_id, track_id;

CREATE VIEW top_skills_by_track AS
WITH counted AS (
  SELECT u.user_id, u.track_id, max(u.track_name) AS track_name, s.skill, count(*) AS jobs
  FROM user_job u JOIN job_skill s ON s.job_id = u.job_id
  GROUP BY u.user_id, u.track_id, s.skill
)
SELECT user_id, track_id, track_name, skill, jobs,
  row_number() OVER (PARTITION BY user_id, track_id ORDER BY jobs DESC, skill) AS rank
FROM counted;

CREATE VIEW time_to_response AS
SELECT user_id, job_s_id, track_id, track_name, title, company, applied_date,
  response_kind, response_date, response_date_estimated,
  CAST(julianday(response_date) - julianday(applied_date) AS INTEGER) AS days
FROM user_job
WHERE response_kind IS NOT NULL AND applied_date IS NOT NULL AND response_date IS NOT NULL
  AND julianday(response_date) >= julianday(applied_date);

CREATE VIEW time_to_response_by_track AS
WITH ranked AS (
  SELECT *, row_number() OVER (PARTITION BY user_id, track_id ORDER BY days) AS rn,
    count(*) OVER (PARTITION BY user_id, track_id) AS n
  FROM time_to_response
)
SELECT user_id, track_id, max(track_name) AS track_name, n AS responses,
  max(CASE WHEN rn = ${nearestRank(50)} THEN days END) AS median_days,
  round(avg(days), 1) AS mean_days,
  sum(response_date_estimated) AS estimated_dates
FROM ranked GROUP BY user_id, track_id;
`;
}
