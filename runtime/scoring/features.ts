/**
 * What scoring needs of a job, read once: for each keyword found, where and
 * how often (title, skills, description); each field's length in words; how
 * much of the description is keywords; the facts the hard filters look at;
 * and the signature near-duplicate reposts are found by. The job's text is
 * not kept, so a whole corpus of features fits in little memory.
 */
import type { JobRow } from '../schema/types.generated.js';
import { type DescriptionPrint, descriptionPrint } from './dedupe.js';
import type { PhraseMatcher } from './matcher.js';
import { words } from './text.js';

export const FIELDS = ['title', 'skills', 'description'] as const;
export type Field = (typeof FIELDS)[number];

/** Values per keyword found in `JobFeatures.hits`: keyword index, then occurrences in title, skills, description. */
export const HIT_STRIDE = 4;

export interface JobFeatures {
  jobId: string;
  /** The job row's version (scoring again when it changes). */
  version: number;
  /** Words in title, skills, description. */
  lengths: [number, number, number];
  /** Keywords found, flat and by keyword index: [keyword, title, skills, description, keyword, ...]. */
  hits: number[];
  /** Share of the description's words inside keyword matches (0 without a description). */
  density: number;
  skills: number;
  salary: { min?: number; max?: number; type?: string };
  experience?: number;
  employmentTypes: string[];
  /** Company, title words and description print: near-duplicates share the first two. */
  print: DescriptionPrint;
}

export function extractFeatures(job: JobRow, matcher: PhraseMatcher): JobFeatures {
  const descriptionWords = words(job.description ?? '');
  const fields = [
    matcher.match(job.title),
    matcher.match(job.skills ?? []),
    matcher.matchWords(descriptionWords),
  ];
  const byKeyword = new Map<number, [number, number, number]>();
  fields.forEach((f, i) => {
    for (const [k, n] of f.counts) {
      let counts = byKeyword.get(k);
      if (!counts) {
        counts = [0, 0, 0];
        byKeyword.set(k, counts);
      }
      counts[i] = n;
    }
  });
  const keys = [...byKeyword.keys()].sort((a, b) => a - b);
  // A plain array of small integers: one heap object, no ArrayBuffer to track per job.
  const hits: number[] = [];
  for (const k of keys) {
    const c = byKeyword.get(k)!;
    hits.push(k, c[0], c[1], c[2]);
  }
  const d = fields[2]!;
  return {
    jobId: job.job_id,
    version: job.version,
    lengths: [fields[0]!.length, fields[1]!.length, d.length],
    hits,
    density: d.length ? d.matchedWords / d.length : 0,
    skills: job.skills?.length ?? 0,
    salary: {
      ...(job.salary_min !== undefined ? { min: job.salary_min } : {}),
      ...(job.salary_max !== undefined ? { max: job.salary_max } : {}),
      ...(job.salary_type !== undefined ? { type: job.salary_type } : {}),
    },
    ...(job.min_experience_years !== undefined ? { experience: job.min_experience_years } : {}),
    employmentTypes: job.employment_types ?? [],
    print: descriptionPrint(job, descriptionWords),
  };
}
