/**
 * The database side of the sync: the rows each tab shows, and the writing
 * back of the user's edits, through the runtime's row store (runtime/rows:
 * the DB API, DynamoDB or memory, every row read checked against the schema).
 */
import { describeBadRow } from '../runtime/rows/check.js';
import type { RowStore } from '../runtime/rows/store.js';
import { projectSchema } from '../runtime/schema/schema.js';
import type { CrmRow, JobRow, JobScoreRow, TableName } from '../runtime/schema/types.generated.js';
import type { Problem } from './grid.js';
import { JOBS, TABS, type TabName, type TabSpec } from './layout.js';
import { type DbRows, dbTexts, type Import } from './merge.js';

export interface SyncStore {
  readonly description: string;
  /** Each tab's rows as the database has them, for one user. */
  load(user: string): Promise<Map<TabName, DbRows>>;
  /** Rows of the database the last load left out (they break the schema), as problems. */
  loadProblems?(): Problem[];
  /** Writes the imports (idempotent keyed upserts); `view` is what load() returned for the merge. */
  apply(
    user: string,
    imports: Import[],
    view: Map<TabName, DbRows>,
  ): Promise<{ written: number; problems: Problem[] }>;
}

const CRM_DEFAULTS = { status: 'new', apply_status: 'not_applied', response: 'none' };

/** The jobs tab's row of a scored job. */
export function jobView(
  score: JobScoreRow,
  job: JobRow | undefined,
  crm: CrmRow | undefined,
): Record<string, unknown> {
  return {
    job_s_id: score.job_s_id,
    title: job?.title,
    company: job?.company_name,
    salary_min: job?.salary_min,
    salary_max: job?.salary_max,
    posted: job?.posted_date,
    expires: job?.expiry_date,
    score: score.score,
    matched: score.matched_keywords,
    link: job?.url,
    ...CRM_DEFAULTS,
    ...(crm ?? {}),
    track_id: crm?.track_id ?? score.track_id,
  };
}

function tableOf(tab: TabName): TableName {
  return TABS.find((t) => t.name === tab)!.table;
}

/** The database item an import writes (merge mode: only the changed fields, plus what a new row needs). */
export function importItem(
  user: string,
  imp: Import,
  view: Record<string, string> | undefined,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(imp.changes)) changes[k] = v === undefined ? null : v;
  if (imp.tab === 'jobs') {
    const jobId = imp.key.slice(imp.key.indexOf(':') + 1);
    return {
      job_s_id: imp.key,
      user_id: user,
      job_id: jobId,
      status: view?.status || CRM_DEFAULTS.status,
      ...changes,
    };
  }
  const table = projectSchema().tables[tableOf(imp.tab as TabName)]!;
  const item: Record<string, unknown> =
    imp.tab === 'config'
      ? { config_id: `${user}:${imp.key}`, user_id: user, name: imp.key, ...changes }
      : { [table.key]: imp.key, user_id: user, ...changes };
  if (imp.isNew)
    for (const [name, def] of Object.entries(table.fields))
      if (item[name] === undefined && def.default !== undefined && !def.managed)
        item[name] = def.default;
  return item;
}

/** The job fields the jobs tab shows (read as a projection: a long description is not read). */
const JOB_FIELDS = [
  'title',
  'company_name',
  'salary_min',
  'salary_max',
  'posted_date',
  'expiry_date',
  'url',
] as const;

export class ViewStore implements SyncStore {
  readonly description: string;
  /** Rows the store refused on reading (bad rows in the database), as problems. */
  private readonly refused: Problem[] = [];

  constructor(private readonly rows: RowStore) {
    this.description = rows.description;
    rows.onBadRow((bad) =>
      this.refused.push({
        tab: `database ${bad.table}`,
        key: bad.id,
        message: `${describeBadRow(bad)}; the row is left out of the Sheet`,
      }),
    );
  }

  async load(user: string): Promise<Map<TabName, DbRows>> {
    this.refused.length = 0;
    const where = { user_id: user };
    const out = new Map<TabName, DbRows>();
    const [scores, crm] = await Promise.all([
      this.rows.all('job_score', where),
      this.rows.all('crm', where),
    ]);
    const jobs = await this.rows.getMany(
      'job',
      [...new Set(scores.map((s) => s.job_id))],
      JOB_FIELDS,
    );
    const crmBy = new Map(crm.map((c) => [c.job_s_id, c]));
    const jobRows: DbRows = new Map();
    for (const s of scores)
      jobRows.set(s.job_s_id, dbTexts(JOBS, jobView(s, jobs.get(s.job_id), crmBy.get(s.job_s_id))));
    out.set('jobs', jobRows);
    for (const tab of TABS) {
      if (tab.name === 'jobs') continue;
      const items = (await this.rows.all(tab.table, where)) as unknown as Array<
        Record<string, unknown>
      >;
      out.set(tab.name, keyed(tab, items));
    }
    return out;
  }

  /** Problems met by the last load (rows of the database that break the schema). */
  loadProblems(): Problem[] {
    return [...this.refused];
  }

  async apply(
    user: string,
    imports: Import[],
    views: Map<TabName, DbRows>,
  ): Promise<{ written: number; problems: Problem[] }> {
    let written = 0;
    for (const tab of TABS) {
      const mine = imports.filter((i) => i.tab === tab.name);
      if (!mine.length) continue;
      const items = mine.map((i) => importItem(user, i, views.get(tab.name)?.get(i.key)));
      await this.rows.upsert(tab.table, items as never, { mode: 'merge' });
      written += items.length;
    }
    return { written, problems: [] };
  }
}

function keyed(tab: TabSpec, items: Array<Record<string, unknown>>): DbRows {
  const rows: DbRows = new Map();
  const keyField = tab.name === 'config' ? 'name' : projectSchema().tables[tab.table]!.key;
  for (const item of items) rows.set(String(item[keyField]), dbTexts(tab, item));
  return rows;
}
