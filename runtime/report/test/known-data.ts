/**
 * A small data set whose view rows are worked out by hand in etl.test.ts.
 * Each row is written at its own time (`at`), which the store records as
 * its last_modified.
 *
 * Users ana (tracks de, ml) and ben (track ops). Jobs j1..j8; j1 was found
 * by both users.
 *
 *   job  salary                     skills                          ana: track, term, first seen     score  crm
 *   j1   5000-7000 Monthly          Python, SQL, Spark              de  data engineer 11-02 09:15   88.5   applied 11-05, acknowledged 11-12
 *   j2   72000-96000 Annually       Python, SQL                     de  data engineer 11-02 18:40   92     interviewing, applied 11-04, interview 11-06
 *   j3   4000-4000 Monthly          SQL, Excel                      de  etl           11-03 08:00   40     screened
 *   j4   none                       Python                          de  etl           11-03 23:59   -      (no CRM row)
 *   j5   8000-12000 (no period)     Python, TensorFlow              ml  machine learning 11-02 10:00 75    offer, applied 11-03, offer (no date; row changed 11-20 10:00)
 *   j6   30-50 Hourly               " TensorFlow ", Python, Python  ml  machine learning 11-04 07:30 60    new
 *   j7   0-0 Monthly (hidden)       (none)                          ml  (no term)     11-04 12:00   -      closed, withdrawn, applied 11-05, no_reply
 *   j8   3000-5000 Monthly          Linux                           ben: ops sre 11-03 09:00        50     new
 *   j1                                                              ben: ops sre 11-04 09:00        -      applied 11-10, rejected 11-08 (before applying)
 */

export interface Write {
  table: 'track' | 'job' | 'job_search' | 'job_score' | 'crm';
  at: string;
  row: Record<string, unknown>;
}

export const J = {
  j1: '1'.repeat(32),
  j2: '2'.repeat(32),
  j3: '3'.repeat(32),
  j4: '4'.repeat(32),
  j5: '5'.repeat(32),
  j6: '6'.repeat(32),
  j7: '7'.repeat(32),
  j8: '8'.repeat(32),
  j9: '9'.repeat(32),
} as const;

const job = (
  id: string,
  n: number,
  title: string,
  extra: Record<string, unknown>,
): Record<string, unknown> => ({
  job_id: id,
  job_post_id: `MCF-2026-000000${n}`,
  title,
  company_name: `Company ${n} Pte. Ltd.`,
  url: `https://www.mycareersfuture.gov.sg/job/information-technology/job-${id}`,
  description: `A long description of job ${n}, which the analytics file leaves out.`,
  ...extra,
});

const search = (
  user: string,
  id: string,
  track: string,
  term: string | undefined,
  seen: string,
) => ({
  job_s_id: `${user}:${id}`,
  user_id: user,
  job_id: id,
  track_id: `${user}:${track}`,
  ...(term ? { search_term: term } : {}),
  first_seen: seen,
  last_seen: seen,
});

const score = (user: string, id: string, track: string, value: number) => ({
  job_s_id: `${user}:${id}`,
  user_id: user,
  job_id: id,
  track_id: `${user}:${track}`,
  score: value,
  scored_at: '2026-11-05 08:00',
});

const crm = (user: string, id: string, fields: Record<string, unknown>) => ({
  job_s_id: `${user}:${id}`,
  user_id: user,
  job_id: id,
  ...fields,
});

export const KNOWN_WRITES: Write[] = [
  {
    table: 'track',
    at: '2026-11-01 08:00',
    row: {
      track_id: 'ana:de',
      user_id: 'ana',
      name: 'Data engineering',
      search_terms: ['data engineer', 'etl'],
    },
  },
  {
    table: 'track',
    at: '2026-11-01 08:00',
    row: { track_id: 'ana:ml', user_id: 'ana', name: 'Machine learning', search_terms: ['ml'] },
  },
  {
    table: 'track',
    at: '2026-11-01 08:00',
    row: { track_id: 'ben:ops', user_id: 'ben', name: 'Ops', search_terms: ['sre'] },
  },
  {
    table: 'job',
    at: '2026-11-02 09:15',
    row: job(J.j1, 1, 'Data Engineer', {
      salary_min: 5000,
      salary_max: 7000,
      salary_type: 'Monthly',
      skills: ['Python', 'SQL', 'Spark'],
    }),
  },
  {
    table: 'job',
    at: '2026-11-02 18:40',
    row: job(J.j2, 2, 'Senior Data Engineer', {
      salary_min: 72000,
      salary_max: 96000,
      salary_type: 'Annually',
      skills: ['Python', 'SQL'],
    }),
  },
  {
    table: 'job',
    at: '2026-11-03 08:00',
    row: job(J.j3, 3, 'ETL Developer', {
      salary_min: 4000,
      salary_max: 4000,
      salary_type: 'Monthly',
      skills: ['SQL', 'Excel'],
    }),
  },
  {
    table: 'job',
    at: '2026-11-03 23:59',
    row: job(J.j4, 4, 'Data Analyst <intern>', { skills: ['Python'] }),
  },
  {
    table: 'job',
    at: '2026-11-02 10:00',
    row: job(J.j5, 5, 'ML Engineer', {
      salary_min: 8000,
      salary_max: 12000,
      skills: ['Python', 'TensorFlow'],
    }),
  },
  {
    table: 'job',
    at: '2026-11-04 07:30',
    row: job(J.j6, 6, 'ML Tutor', {
      salary_min: 30,
      salary_max: 50,
      salary_type: 'Hourly',
      skills: [' TensorFlow ', 'Python', 'Python'],
    }),
  },
  {
    table: 'job',
    at: '2026-11-04 12:00',
    row: job(J.j7, 7, 'Research Scientist', {
      salary_min: 0,
      salary_max: 0,
      salary_type: 'Monthly',
    }),
  },
  {
    table: 'job',
    at: '2026-11-03 09:00',
    row: job(J.j8, 8, 'SRE', {
      salary_min: 3000,
      salary_max: 5000,
      salary_type: 'Monthly',
      skills: ['Linux'],
    }),
  },
  {
    table: 'job_search',
    at: '2026-11-02 09:15',
    row: search('ana', J.j1, 'de', 'data engineer', '2026-11-02 09:15'),
  },
  {
    table: 'job_search',
    at: '2026-11-02 18:40',
    row: search('ana', J.j2, 'de', 'data engineer', '2026-11-02 18:40'),
  },
  {
    table: 'job_search',
    at: '2026-11-03 08:00',
    row: search('ana', J.j3, 'de', 'etl', '2026-11-03 08:00'),
  },
  {
    table: 'job_search',
    at: '2026-11-03 23:59',
    row: search('ana', J.j4, 'de', 'etl', '2026-11-03 23:59'),
  },
  {
    table: 'job_search',
    at: '2026-11-02 10:00',
    row: search('ana', J.j5, 'ml', 'machine learning', '2026-11-02 10:00'),
  },
  {
    table: 'job_search',
    at: '2026-11-04 07:30',
    row: search('ana', J.j6, 'ml', 'machine learning', '2026-11-04 07:30'),
  },
  {
    table: 'job_search',
    at: '2026-11-04 12:00',
    row: search('ana', J.j7, 'ml', undefined, '2026-11-04 12:00'),
  },
  {
    table: 'job_search',
    at: '2026-11-03 09:00',
    row: search('ben', J.j8, 'ops', 'sre', '2026-11-03 09:00'),
  },
  {
    table: 'job_search',
    at: '2026-11-04 09:00',
    row: search('ben', J.j1, 'ops', 'sre', '2026-11-04 09:00'),
  },
  { table: 'job_score', at: '2026-11-05 08:00', row: score('ana', J.j1, 'de', 88.5) },
  { table: 'job_score', at: '2026-11-05 08:00', row: score('ana', J.j2, 'de', 92) },
  { table: 'job_score', at: '2026-11-05 08:00', row: score('ana', J.j3, 'de', 40) },
  { table: 'job_score', at: '2026-11-05 08:00', row: score('ana', J.j5, 'ml', 75) },
  { table: 'job_score', at: '2026-11-05 08:00', row: score('ana', J.j6, 'ml', 60) },
  { table: 'job_score', at: '2026-11-05 08:00', row: score('ben', J.j8, 'ops', 50) },
  {
    table: 'crm',
    at: '2026-11-12 18:00',
    row: crm('ana', J.j1, {
      status: 'applied',
      apply_status: 'applied',
      applied_date: '2026-11-05',
      response: 'acknowledged',
      response_date: '2026-11-12',
      notes: 'Private notes the analytics file leaves out.',
    }),
  },
  {
    table: 'crm',
    at: '2026-11-06 12:00',
    row: crm('ana', J.j2, {
      status: 'interviewing',
      apply_status: 'applied',
      applied_date: '2026-11-04',
      response: 'interview',
      response_date: '2026-11-06',
    }),
  },
  {
    table: 'crm',
    at: '2026-11-05 09:00',
    row: crm('ana', J.j3, { status: 'screened', apply_status: 'not_applied', response: 'none' }),
  },
  {
    table: 'crm',
    at: '2026-11-20 10:00',
    row: crm('ana', J.j5, {
      status: 'offer',
      apply_status: 'applied',
      applied_date: '2026-11-03',
      response: 'offer',
    }),
  },
  { table: 'crm', at: '2026-11-05 09:00', row: crm('ana', J.j6, { status: 'new' }) },
  {
    table: 'crm',
    at: '2026-11-09 09:00',
    row: crm('ana', J.j7, {
      status: 'closed',
      apply_status: 'withdrawn',
      applied_date: '2026-11-05',
      response: 'no_reply',
    }),
  },
  { table: 'crm', at: '2026-11-05 09:00', row: crm('ben', J.j8, { status: 'new' }) },
  {
    table: 'crm',
    at: '2026-11-10 09:00',
    row: crm('ben', J.j1, {
      status: 'applied',
      apply_status: 'applied',
      applied_date: '2026-11-10',
      response: 'rejected',
      response_date: '2026-11-08',
    }),
  },
];

/** The newest `at` of {@link KNOWN_WRITES}: the data's date. */
export const KNOWN_AS_OF = '2026-11-20 10:00';

/** A Date for `YYYY-MM-DD HH:MM` in Asia/Singapore (UTC+8, no daylight saving). */
export function sgt(stamp: string): Date {
  return new Date(`${stamp.replace(' ', 'T')}:00+08:00`);
}

/** {@link KNOWN_WRITES} as stored rows (created and last_modified at their time), by table. */
export function knownTables(): Record<Write['table'], Array<Record<string, unknown>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const w of KNOWN_WRITES) {
    const list = out[w.table] ?? [];
    list.push({ ...w.row, created: w.at, last_modified: w.at, version: 1 });
    out[w.table] = list;
  }
  return out as Record<Write['table'], Array<Record<string, unknown>>>;
}
