/**
 * Database rows for tests and benchmarks: scored jobs of one user, with the
 * job, job_search and job_score rows the pipeline writes, plus tracks,
 * keywords and config rows. Deterministic for a seed.
 */
import { createHash } from 'node:crypto';
import { MemorySource } from '../../runtime/rows/memory-source.js';
import type { TableName } from '../../runtime/schema/types.generated.js';

/** The tables of a test: `tables.table('crm')` is the live map of crm rows by key. */
export type Tables = MemorySource;

const TITLES = [
  'Data Engineer',
  'Senior Data Engineer',
  'Analytics Engineer',
  'Platform Engineer',
  'ML Engineer',
  'Data Architect',
];
const COMPANIES = [
  'Acme Pte Ltd',
  'Lion City Analytics',
  'Merlion Data',
  'Straits Cloud',
  'Orchard Systems',
];

export function jobId(n: number): string {
  return createHash('md5').update(`job-${n}`).digest('hex');
}

export function seedTables(opts: { user?: string; jobs: number; crm?: number }): Tables {
  const user = opts.user ?? 'me';
  const tables = new MemorySource();
  const t = (name: TableName) => tables.table(name);
  const track = `${user}:data-engineering`;
  t('track').set(track, {
    track_id: track,
    user_id: user,
    name: 'Data engineering',
    search_terms: ['data engineer', 'analytics engineer'],
    active: true,
  });
  t('keyword').set(`${user}:core:spark`, {
    keyword_id: `${user}:core:spark`,
    user_id: user,
    library: 'core',
    keyword: 'spark',
    kind: 'nice',
    weight: 2,
  });
  t('config').set(`${user}:scrape.max_pages`, {
    config_id: `${user}:scrape.max_pages`,
    user_id: user,
    name: 'scrape.max_pages',
    value: '5',
  });
  for (let n = 0; n < opts.jobs; n++) {
    const id = jobId(n);
    const sid = `${user}:${id}`;
    t('job').set(id, {
      job_id: id,
      job_post_id: `MCF-2026-${String(n).padStart(7, '0')}`,
      title: `${TITLES[n % TITLES.length]} ${n}`,
      company_name: COMPANIES[n % COMPANIES.length],
      salary_min: 4000 + (n % 10) * 500,
      salary_max: 7000 + (n % 10) * 500,
      posted_date: `2026-11-${String(1 + (n % 28)).padStart(2, '0')}`,
      expiry_date: `2026-12-${String(1 + (n % 28)).padStart(2, '0')}`,
      url: `https://www.mycareersfuture.gov.sg/job/information-technology/job-${id}`,
    });
    t('job_score').set(sid, {
      job_s_id: sid,
      user_id: user,
      job_id: id,
      track_id: track,
      score: (n * 37) % 101,
      matched_keywords: n % 3 ? ['spark', 'sql'] : ['python'],
      scored_at: '2026-12-01 09:00',
    });
    if (n < (opts.crm ?? 0))
      t('crm').set(sid, {
        job_s_id: sid,
        user_id: user,
        job_id: id,
        status: 'screened',
        apply_status: 'not_applied',
        response: 'none',
      });
  }
  return tables;
}
