/**
 * A small corpus checked by hand: one user, one data-engineering track,
 * five keywords, and jobs chosen to rank in a known order: two real data
 * engineering postings, a keyword-stuffed one, a weak match, an unrelated
 * job, a repost, one under the salary floor, one with nothing to score and
 * an internship.
 */
import type {
  ConfigInput,
  JobInput,
  KeywordInput,
  TrackInput,
} from '../../schema/types.generated.js';

export const USER = 'me';
export const TRACK = 'me:de';

export const TRACKS: TrackInput[] = [
  {
    track_id: TRACK,
    user_id: USER,
    name: 'Data engineering',
    search_terms: ['data engineer'],
    active: true,
  },
];

const kw = (keyword: string, weight: number, extra: Partial<KeywordInput> = {}): KeywordInput => ({
  keyword_id: `${USER}:core:${keyword.toLowerCase()}`,
  user_id: USER,
  library: 'core',
  keyword,
  kind: 'nice',
  weight,
  ...extra,
});

export const KEYWORDS: KeywordInput[] = [
  kw('Spark', 3, { synonyms: ['PySpark'] }),
  kw('Python', 2),
  kw('Airflow', 2),
  kw('Kafka', 1),
  kw('Internship', 2, { kind: 'avoid' }),
];

export const CONFIG: ConfigInput[] = [
  {
    config_id: `${USER}:scoring.salary_floor`,
    user_id: USER,
    name: 'scoring.salary_floor',
    value: '5000',
  },
];

let seq = 0;
/** A job whose id is `hex` repeated (ids are MCF uuids: 32 hex digits). */
export function job(hex: string, fields: Partial<JobInput> & { title: string }): JobInput {
  seq++;
  const id = hex.repeat(32);
  const letter = hex;
  return {
    job_id: id,
    job_post_id: `MCF-2026-${String(1000000 + seq)
      .slice(1)
      .padStart(7, '0')}`,
    url: `https://www.mycareersfuture.gov.sg/job/it/${id}`,
    company_uen: `20260000${letter.toUpperCase()}`,
    company_name: `${letter.toUpperCase()} Pte. Ltd.`,
    salary_min: 6000,
    salary_max: 9000,
    salary_type: 'Monthly',
    posted_date: '2026-03-01',
    ...fields,
  };
}

const PROSE_A =
  'You will design and run the batch and streaming pipelines that feed our analytics platform. ' +
  'Day to day you build Spark jobs, schedule them with Airflow and keep the Kafka topics they read healthy. ' +
  'You work with analysts to model data, review code with your team, and own the quality of what you ship. ' +
  'We offer flexible hours, a learning budget and a friendly team in the central business district.';

export const JOBS = {
  /** The best: the keywords in skills and in a real description. */
  a: job('a', {
    title: 'Senior Data Engineer',
    skills: ['Spark', 'Python', 'Airflow'],
    description: PROSE_A,
    posted_date: '2026-02-20',
  }),
  /** A real posting matching fewer keywords. */
  e: job('e', {
    title: 'Data Engineer',
    skills: ['Spark', 'Python'],
    description:
      'Join a small platform team that moves data from our shops to the warehouse every night. ' +
      'You will maintain Airflow schedules, add new sources, and help the team adopt Kafka for events. ' +
      'You should enjoy tidy code, clear documentation and working closely with the people who use the data.',
  }),
  /** Stuffed: a description that is only keywords, repeated. */
  d: job('d', {
    title: 'Data Engineer',
    skills: [],
    description:
      'Spark Python Airflow Kafka PySpark Spark Python Airflow Kafka Spark Python Airflow Kafka ' +
      'Spark Python Airflow Kafka Spark Python Airflow Kafka Spark Python Airflow Kafka Spark Python',
  }),
  /** Weak: Python once, in the description. */
  b: job('b', {
    title: 'Data Analyst',
    skills: ['SQL', 'Excel'],
    description:
      'Prepare the monthly sales reports, answer questions from the business and improve our dashboards. ' +
      'Some Python is helpful but not required; most of the work is in SQL and spreadsheets.',
  }),
  /** Unrelated: no keyword at all. */
  c: job('c', {
    title: 'Accounts Executive',
    skills: ['Accounting', 'Xero'],
    description:
      'Handle the full set of accounts for two subsidiaries, month-end closing and the GST filings. ' +
      'You will liaise with auditors and the bank and support the finance manager with ad hoc requests.',
  }),
  /** A repost of a: same company, same title, one word of the description changed, posted later. */
  f: job('f', {
    title: 'Senior Data Engineer',
    skills: ['Spark', 'Python', 'Airflow'],
    description: PROSE_A.replace('friendly team', 'welcoming team'),
    company_uen: '20260000A',
    company_name: 'A Pte. Ltd.',
    posted_date: '2026-03-03',
  }),
  /** A good match paying too little for the salary floor (5000). */
  g: job('1', {
    title: 'Data Engineer',
    skills: ['Spark', 'Python', 'Kafka'],
    description: PROSE_A,
    salary_min: 3000,
    salary_max: 4000,
  }),
  /** Nothing to score: no skills and no description. */
  h: job('2', { title: 'Engineer', skills: [] }),
  /** An internship: the avoided keyword takes points away. */
  i: job('3', {
    title: 'Data Engineering Internship',
    skills: ['Python'],
    description:
      'A six-month internship in the data team: you will help clean data sets and write small Python scripts ' +
      'under the guidance of a senior engineer. Suitable for undergraduates.',
  }),
} satisfies Record<string, JobInput>;

export const ALL_JOBS: JobInput[] = Object.values(JOBS);
