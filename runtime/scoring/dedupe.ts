/**
 * Near-duplicate reposts: the same company posting the same job again (a
 * new uuid, a near-identical title and description). Such jobs are linked
 * to the original (the oldest) and take its score, so one job is scored
 * once and never crowds the top of a list several times.
 *
 * A job's print: its company (UEN, else name), its title's words, and a
 * 64-bit SimHash of its description's words. Two jobs are near-duplicates
 * when the company is the same, the titles share at least 80% of their
 * words (Jaccard), and the SimHashes differ in at most 8 of 64 bits (or
 * neither has a description). Measured on the test corpus: one word changed
 * in a 70-word description moves 7 bits, an unrelated description 17; the
 * longer the description, the fewer bits a small edit moves. The print is stored with the score
 * (job_score.signature), so a later run compares new jobs with old ones
 * without reading them again.
 */
import type { JobRow } from '../schema/types.generated.js';
import { words } from './text.js';

export interface DescriptionPrint {
  /** When the job was first posted (ISO date, '' unknown): of several near-duplicates the oldest is the original. */
  posted: string;
  company: string;
  /** The title's distinct words, sorted, joined by spaces (one string: a corpus of prints stays small). */
  title: string;
  /** SimHash of the description's words as two 32-bit halves; undefined without a description. */
  simhash?: [number, number];
}

export const TITLE_SIMILARITY = 0.8;
export const MAX_SIMHASH_DISTANCE = 8;

/** 64-bit SimHash of a list of words (each word one feature, counted as often as it occurs). */
export function simhash(list: readonly string[]): [number, number] {
  const v = new Int32Array(64);
  for (const w of list) {
    // FNV-1a for the low half; the high half mixes it further (one pass over the characters).
    let lo = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) lo = Math.imul(lo ^ w.charCodeAt(i), 0x01000193);
    let hi = Math.imul(lo ^ (lo >>> 16), 0x85ebca6b);
    hi = Math.imul(hi ^ (hi >>> 13), 0xc2b2ae35);
    hi ^= hi >>> 16;
    for (let j = 0; j < 32; j++) {
      v[j]! += (((lo >>> j) & 1) << 1) - 1;
      v[32 + j]! += (((hi >>> j) & 1) << 1) - 1;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < 32; j++) {
    if (v[j]! > 0) lo |= 1 << j;
    if (v[32 + j]! > 0) hi |= 1 << j;
  }
  return [lo >>> 0, hi >>> 0];
}

function popcount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function companyKey(job: Pick<JobRow, 'company_uen' | 'company_name'>): string {
  const uen = job.company_uen?.trim().toUpperCase();
  return uen ? `uen:${uen}` : words(job.company_name ?? '').join(' ');
}

/** The print of a job; `descriptionWords`: the description already split into words, when at hand. */
export function descriptionPrint(
  job: Pick<
    JobRow,
    | 'company_uen'
    | 'company_name'
    | 'title'
    | 'description'
    | 'original_posted_date'
    | 'posted_date'
  >,
  descriptionWords?: readonly string[],
): DescriptionPrint {
  const d = descriptionWords ?? words(job.description ?? '');
  return {
    posted: job.original_posted_date ?? job.posted_date ?? '',
    company: companyKey(job),
    title: [...new Set(words(job.title))].sort().join(' '),
    ...(d.length ? { simhash: simhash(d) } : {}),
  };
}

/** Words two sorted, distinct word lists share (a merge: no allocation). */
function shared(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      n++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return n;
}

export function nearDuplicate(a: DescriptionPrint, b: DescriptionPrint): boolean {
  if (!a.company || a.company !== b.company) return false;
  if ((a.simhash === undefined) !== (b.simhash === undefined)) return false;
  // The cheap test first: most jobs of a company differ in their description.
  if (
    a.simhash &&
    b.simhash &&
    popcount(a.simhash[0] ^ b.simhash[0]) + popcount(a.simhash[1] ^ b.simhash[1]) >
      MAX_SIMHASH_DISTANCE
  )
    return false;
  const ta = a.title ? a.title.split(' ') : [];
  const tb = b.title ? b.title.split(' ') : [];
  const common = shared(ta, tb);
  const union = ta.length + tb.length - common;
  return union > 0 && common / union >= TITLE_SIMILARITY;
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/** The print as stored in job_score.signature: `<simhash hex or ->|<posted>|<company>|<title words>`. */
export function formatPrint(p: DescriptionPrint): string {
  const sig = p.simhash ? `${hex(p.simhash[1])}${hex(p.simhash[0])}` : '-';
  return `${sig}|${p.posted}|${p.company}|${p.title}`.slice(0, 700);
}

export function parsePrint(s: string): DescriptionPrint | undefined {
  const m = /^([0-9a-f]{16}|-)\|([0-9-]*)\|([^|]*)\|(.*)$/.exec(s);
  if (!m) return undefined;
  return {
    posted: m[2]!,
    company: m[3]!,
    title: m[4]!,
    ...(m[1] !== '-'
      ? {
          simhash: [
            Number.parseInt(m[1]!.slice(8), 16),
            Number.parseInt(m[1]!.slice(0, 8), 16),
          ] as [number, number],
        }
      : {}),
  };
}

interface Entry {
  print: DescriptionPrint;
  jobId: string;
}

/** One company's originals: their SimHash halves side by side, so a lookup is a tight loop. */
class CompanyOriginals {
  readonly lo: number[] = [];
  readonly hi: number[] = [];
  readonly withText: Entry[] = [];
  readonly withoutText: Entry[] = [];
}

/**
 * The originals seen so far, by company. `find` returns the original a job
 * reposts, if any: of the near-duplicates, the oldest, then the lowest job
 * id (the same whatever order the originals were added in).
 */
export class OriginalIndex {
  private readonly byCompany = new Map<string, CompanyOriginals>();

  add(print: DescriptionPrint, jobId: string): void {
    if (!print.company) return;
    let c = this.byCompany.get(print.company);
    if (!c) {
      c = new CompanyOriginals();
      this.byCompany.set(print.company, c);
    }
    if (print.simhash) {
      c.lo.push(print.simhash[0]);
      c.hi.push(print.simhash[1]);
      c.withText.push({ print, jobId });
    } else c.withoutText.push({ print, jobId });
  }

  find(print: DescriptionPrint): Entry | undefined {
    const c = print.company ? this.byCompany.get(print.company) : undefined;
    if (!c) return undefined;
    let best: Entry | undefined;
    const consider = (e: Entry) => {
      if (!nearDuplicate(print, e.print)) return;
      if (
        !best ||
        e.print.posted < best.print.posted ||
        (e.print.posted === best.print.posted && e.jobId < best.jobId)
      )
        best = e;
    };
    if (print.simhash) {
      const [lo, hi] = print.simhash;
      for (let i = 0; i < c.lo.length; i++)
        if (popcount(lo ^ c.lo[i]!) + popcount(hi ^ c.hi[i]!) <= MAX_SIMHASH_DISTANCE)
          consider(c.withText[i]!);
    } else for (const e of c.withoutText) consider(e);
    return best;
  }
}
