/**
 * What the report shows, read from the analytics file's views for one user.
 * Plain data, so the charts and the page are functions of it.
 */
import type { Database, SqlRow } from './sqlite.js';

export interface StageCount {
  stage: string;
  jobs: number;
}

export interface FunnelRow {
  track: string;
  found: number;
  screened: number;
  applied: number;
  responded: number;
}

export interface DailyRow {
  day: string;
  searchTerm: string;
  jobs: number;
}

export interface SalaryStats {
  track: string;
  jobs: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
}

export interface SkillRow {
  track: string;
  skill: string;
  jobs: number;
}

export interface ResponseRow {
  track: string;
  days: number;
  kind: string;
  estimated: boolean;
}

export interface NewJob {
  title: string;
  company: string | null;
  track: string;
  score: number | null;
  salaryMin: number | null;
  salaryMax: number | null;
  url: string | null;
  found: string | null;
}

export interface ReportData {
  user: string | undefined;
  timezone: string;
  dataAsOf: string | null;
  exportedAt: string | null;
  totals: {
    jobs: number;
    inCrm: number;
    applied: number;
    responded: number;
    scored: number;
    withSalary: number;
    withSkills: number;
    /** Jobs whose salary is quoted for a period not converted to a month, by period. */
    otherPeriods: Array<{ period: string; jobs: number }>;
  };
  stages: StageCount[];
  funnel: FunnelRow[];
  daily: DailyRow[];
  salary: SalaryStats[];
  skills: SkillRow[];
  responses: ResponseRow[];
  newJobs: NewJob[];
}

/** The user asked for is not in the file, or several are and none was named. */
export class UserChoiceError extends Error {
  override name = 'UserChoiceError';
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const optNum = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;

/** The users with jobs in the file. */
export function usersIn(db: Database): string[] {
  return db
    .prepare('SELECT DISTINCT user_id FROM user_job ORDER BY user_id')
    .all()
    .map((r) => String(r.user_id));
}

/** The user to report on: the one named, or the only one in the file. */
export function chooseUser(db: Database, wanted?: string): string | undefined {
  const users = usersIn(db);
  if (wanted !== undefined) {
    if (users.length > 0 && !users.includes(wanted)) {
      throw new UserChoiceError(
        `User ${JSON.stringify(wanted)} has no jobs in the analytics file; users with jobs: ${users.join(', ')}`,
      );
    }
    return wanted;
  }
  if (users.length > 1) {
    throw new UserChoiceError(
      `The analytics file holds jobs of ${users.length} users (${users.join(', ')}); name one with --user`,
    );
  }
  return users[0];
}

function meta(db: Database, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key);
  return row ? str(row.value) : null;
}

function all(db: Database, sql: string, user: string | undefined): SqlRow[] {
  return user === undefined ? [] : db.prepare(sql).all(user);
}

/** Everything the report shows for `user` (`topJobs` rows in the new-jobs table). */
export function readReportData(
  db: Database,
  user: string | undefined,
  opts: { topJobs?: number } = {},
): ReportData {
  const totals = all(
    db,
    `SELECT count(*) AS jobs, sum(in_crm) AS in_crm, sum(funnel_stage >= 2) AS applied,
       sum(funnel_stage >= 3) AS responded, count(score) AS scored, count(salary_monthly_mid) AS with_salary,
       sum(EXISTS (SELECT 1 FROM job_skill s WHERE s.job_id = u.job_id)) AS with_skills
     FROM user_job u WHERE user_id = ?`,
    user,
  )[0];
  const otherPeriods = all(
    db,
    `SELECT salary_type AS period, count(*) AS jobs FROM user_job
     WHERE user_id = ? AND salary_monthly_mid IS NULL AND salary_type IS NOT NULL
       AND (SELECT coalesce(nullif(j.salary_min, 0), nullif(j.salary_max, 0)) FROM job j WHERE j.job_id = user_job.job_id) IS NOT NULL
     GROUP BY salary_type ORDER BY jobs DESC`,
    user,
  ).map((r) => ({ period: String(r.period), jobs: num(r.jobs) }));
  return {
    user,
    timezone: meta(db, 'timezone') ?? 'Asia/Singapore',
    dataAsOf: meta(db, 'data_as_of'),
    exportedAt: meta(db, 'exported_at'),
    totals: {
      jobs: num(totals?.jobs),
      inCrm: num(totals?.in_crm),
      applied: num(totals?.applied),
      responded: num(totals?.responded),
      scored: num(totals?.scored),
      withSalary: num(totals?.with_salary),
      withSkills: num(totals?.with_skills),
      otherPeriods,
    },
    stages: all(
      db,
      'SELECT stage, jobs FROM jobs_by_stage WHERE user_id = ? ORDER BY stage_order, stage',
      user,
    ).map((r) => ({ stage: String(r.stage), jobs: num(r.jobs) })),
    funnel: all(
      db,
      `SELECT coalesce(track_name, '(no track)') AS track, found, screened, applied, responded
       FROM funnel_by_track WHERE user_id = ? ORDER BY found DESC, track`,
      user,
    ).map((r) => ({
      track: String(r.track),
      found: num(r.found),
      screened: num(r.screened),
      applied: num(r.applied),
      responded: num(r.responded),
    })),
    daily: all(
      db,
      `SELECT day, search_term, sum(jobs) AS jobs FROM jobs_found_daily WHERE user_id = ?
       GROUP BY day, search_term ORDER BY day, search_term`,
      user,
    ).map((r) => ({ day: String(r.day), searchTerm: String(r.search_term), jobs: num(r.jobs) })),
    salary: all(
      db,
      `SELECT coalesce(track_name, '(no track)') AS track, jobs, min, p25, median, p75, max
       FROM salary_stats_by_track WHERE user_id = ? ORDER BY median DESC, track`,
      user,
    ).map((r) => ({
      track: String(r.track),
      jobs: num(r.jobs),
      min: num(r.min),
      p25: num(r.p25),
      median: num(r.median),
      p75: num(r.p75),
      max: num(r.max),
    })),
    skills: all(
      db,
      `SELECT coalesce(track_name, '(no track)') AS track, skill, jobs FROM top_skills_by_track
       WHERE user_id = ? AND rank <= 10 ORDER BY track, rank`,
      user,
    ).map((r) => ({ track: String(r.track), skill: String(r.skill), jobs: num(r.jobs) })),
    responses: all(
      db,
      `SELECT coalesce(track_name, '(no track)') AS track, days, response_kind, response_date_estimated
       FROM time_to_response WHERE user_id = ? ORDER BY days`,
      user,
    ).map((r) => ({
      track: String(r.track),
      days: num(r.days),
      kind: String(r.response_kind),
      estimated: num(r.response_date_estimated) === 1,
    })),
    newJobs: all(
      db,
      `SELECT title, company, coalesce(track_name, '(no track)') AS track, score,
         salary_monthly_min, salary_monthly_max, url, found_date
       FROM user_job WHERE user_id = ? AND (in_crm = 0 OR crm_status = 'new')
       ORDER BY score IS NULL, score DESC, found_at DESC, job_s_id LIMIT ${Math.max(0, Math.trunc(opts.topJobs ?? 20))}`,
      user,
    ).map((r) => ({
      title: str(r.title) ?? '(job not stored)',
      company: str(r.company),
      track: String(r.track),
      score: optNum(r.score),
      salaryMin: optNum(r.salary_monthly_min),
      salaryMax: optNum(r.salary_monthly_max),
      url: str(r.url),
      found: str(r.found_date),
    })),
  };
}
