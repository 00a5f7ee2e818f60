/**
 * The database side of the sync: the rows each tab shows, and the writing
 * back of the user's edits. {@link DbApiStore} goes through the DB API (the
 * same client as every other part of the pipeline); {@link MemoryStore} holds
 * tables in memory (tests, benchmarks).
 */
import { type DbApiClient, DbApiValidationError } from '../runtime/db-api/client.js';
import { projectSchema } from '../runtime/schema/schema.js';
import type { CrmRow, JobRow, JobScoreRow, TableName } from '../runtime/schema/types.generated.js';
import type { Problem } from './grid.js';
import { JOBS, TABS, type TabName, type TabSpec } from './layout.js';
import { type DbRows, dbTexts, type Import } from './merge.js';

export interface SyncStore {
  readonly description: string;
  /** Each tab's rows as the database has them, for one user. */
  load(user: string): Promise<Map<TabName, DbRows>>;
  /** Writes the imports (idempotent upserts); bad ones are reported, the rest written. */
  apply(user: string, imports: Import[]): Promise<{ written: number; problems: Problem[] }>;
}

/** The rows a store holds, by table (what load() reads and apply() writes). */
export interface TableRows {
  list(table: TableName, user: string): Promise<Array<Record<string, unknown>>>;
  get(table: TableName, ids: string[]): Promise<Map<string, Record<string, unknown>>>;
  upsert(table: TableName, items: Array<Record<string, unknown>>): Promise<void>;
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

export class ViewStore implements SyncStore {
  constructor(
    private readonly rows: TableRows,
    readonly description: string,
  ) {}

  async load(user: string): Promise<Map<TabName, DbRows>> {
    const out = new Map<TabName, DbRows>();
    const [scores, crm] = await Promise.all([
      this.rows.list('job_score', user) as unknown as Promise<JobScoreRow[]>,
      this.rows.list('crm', user) as unknown as Promise<CrmRow[]>,
    ]);
    const jobs = await this.rows.get('job', [...new Set(scores.map((s) => s.job_id))]);
    const crmBy = new Map(crm.map((c) => [c.job_s_id, c]));
    const jobRows: DbRows = new Map();
    for (const s of scores)
      jobRows.set(
        s.job_s_id,
        dbTexts(JOBS, jobView(s, jobs.get(s.job_id) as JobRow | undefined, crmBy.get(s.job_s_id))),
      );
    out.set('jobs', jobRows);
    for (const tab of TABS) {
      if (tab.name === 'jobs') continue;
      const items = await this.rows.list(tab.table, user);
      out.set(tab.name, keyed(tab, items));
    }
    return out;
  }

  async apply(user: string, imports: Import[]): Promise<{ written: number; problems: Problem[] }> {
    const problems: Problem[] = [];
    let written = 0;
    const views = imports.length ? await this.load(user) : new Map<TabName, DbRows>();
    for (const tab of TABS) {
      const mine = imports.filter((i) => i.tab === tab.name);
      if (!mine.length) continue;
      let items = mine.map((i) => importItem(user, i, views.get(tab.name)?.get(i.key)));
      let pending = mine;
      for (let attempt = 0; attempt < 2 && items.length; attempt++) {
        try {
          await this.rows.upsert(tab.table, items);
          written += items.length;
          break;
        } catch (err) {
          if (!(err instanceof DbApiValidationError) || attempt > 0) throw err;
          // One invalid item refuses the whole request: report those, write the others.
          const bad = new Set<number>();
          for (const d of err.details) {
            const m = /^items\[(\d+)\]\.?(.*)$/.exec(d.field);
            if (!m) continue;
            const i = Number(m[1]);
            bad.add(i);
            const imp = pending[i]!;
            problems.push({
              tab: tab.name,
              row: imp.row,
              column: m[2] || undefined,
              key: imp.key,
              message: `the database refused the row: ${d.message}`,
            } as Problem);
          }
          if (!bad.size) throw err;
          pending = pending.filter((_, i) => !bad.has(i));
          items = items.filter((_, i) => !bad.has(i));
        }
      }
    }
    return { written, problems };
  }
}

function keyed(tab: TabSpec, items: Array<Record<string, unknown>>): DbRows {
  const rows: DbRows = new Map();
  const keyField = tab.name === 'config' ? 'name' : projectSchema().tables[tab.table]!.key;
  for (const item of items) rows.set(String(item[keyField]), dbTexts(tab, item));
  return rows;
}

/** Tables through the DB API. */
export function dbApiRows(client: DbApiClient, concurrency = 16): TableRows {
  return {
    async list(table, user) {
      const out: Array<Record<string, unknown>> = [];
      for await (const row of client.listAll(table, { where: { user_id: user }, limit: 1000 }))
        out.push(row as unknown as Record<string, unknown>);
      return out;
    },
    async get(table, ids) {
      const out = new Map<string, Record<string, unknown>>();
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const row = await client.find(table, id);
          if (row) out.set(id, row as unknown as Record<string, unknown>);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
      return out;
    },
    async upsert(table, items) {
      await client.batch(table, items as never, { mode: 'merge' });
    },
  };
}

/** Tables in memory: `tables.get('crm')` maps key -> item. */
export function memoryRows(
  tables: Map<TableName, Map<string, Record<string, unknown>>>,
): TableRows {
  const of = (t: TableName) => {
    if (!tables.has(t)) tables.set(t, new Map());
    return tables.get(t)!;
  };
  return {
    async list(table, user) {
      return [...of(table).values()].filter((r) => r.user_id === user).map((r) => ({ ...r }));
    },
    async get(table, ids) {
      const out = new Map<string, Record<string, unknown>>();
      for (const id of ids) {
        const r = of(table).get(id);
        if (r) out.set(id, { ...r });
      }
      return out;
    },
    async upsert(table, items) {
      const key = projectSchema().tables[table]!.key;
      for (const item of items) {
        const id = String(item[key]);
        const merged: Record<string, unknown> = { ...(of(table).get(id) ?? {}) };
        for (const [k, v] of Object.entries(item)) {
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        of(table).set(id, merged);
      }
    },
  };
}
