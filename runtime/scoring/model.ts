/**
 * How a job scores for one track: BM25F over the user's corpus, hard
 * filters, and honesty about missing data (docs: runtime/scoring/README.md).
 *
 * For each keyword of the track found in the job:
 *
 *   tf~  = sum over title, skills, description of
 *            w_f * count_f / (1 - b_f + b_f * length_f / avgLength_f)
 *   raw  = weight * idf * tf~ / (k1 + tf~)          (saturates: repeating a word adds less and less)
 *   idf  = ln(1 + (N - df + 0.5) / (df + 0.5))     (over the user's N jobs; df: jobs with the keyword)
 *
 * The job's raw total R (avoid keywords count negatively) becomes a score
 * from 0 to 100 that never reaches 100 and never ties at the top:
 *
 *   score = 100 * R / (R + H),   H = 0.25 * sum(weight * idf) over the track's positive keywords
 *
 * so a job gathering a quarter of everything the track's keywords could
 * give (each at full saturation) scores 50. Each keyword's part is its
 * share of the score (raw / R * score). A total of 0 or less scores 0, the
 * avoided keywords' parts cancelling the matches' exactly. A description
 * that is mostly keywords (more than 30% of its words) counts less, by
 * (0.3 / share)^3: a keyword list never outranks a real posting.
 */
import { type Part, roundParts } from './explain.js';
import { HIT_STRIDE, type JobFeatures } from './features.js';
import type { ScoringProfile, ScoringTrack } from './profile.js';

export const ALGORITHM = 'bm25f-1';
export const WEIGHTS: readonly [number, number, number] = [3, 2, 1];
export const B: readonly [number, number, number] = [0.3, 0.75, 0.75];
export const K1 = 1.2;
/** A job gathering this share of what the track's positive keywords could give scores 50. */
export const HALF_SHARE = 0.25;
/** Above this share of keywords in the description, its matches count less. */
export const STUFFING_DENSITY = 0.3;
/** Fewer description words than this, and no skills: not enough to score. */
export const MIN_WORDS = 20;
const FIELD_NAMES = ['title', 'skills', 'description'] as const;

export interface CorpusStats {
  /** Jobs in the user's corpus. */
  n: number;
  /** Average words in title, skills, description. */
  avgLength: [number, number, number];
  /** Jobs with the keyword, by keyword index. */
  df: number[];
}

export type Status = 'scored' | 'filtered' | 'insufficient_data';

export interface TrackScore {
  trackId: string;
  status: Status;
  /** Hundredths of a point, 0 to 10000; absent for insufficient data. */
  score?: number;
  /** Sum to `score` exactly. */
  parts: Part[];
  /** Keywords found (positive and avoided). */
  matched: string[];
  /** Filters applied, data missing, adjustments made. */
  notes: string[];
}

export function idf(stats: CorpusStats, keyword: number): number {
  const df = stats.df[keyword] ?? 0;
  return Math.log(1 + (stats.n - df + 0.5) / (df + 0.5));
}

/** Why a job does not pass the track's hard filters (empty: it passes); data it lacks goes to `notes`. */
function filterFailures(f: JobFeatures, pt: PreparedTrack, notes: string[]): string[] {
  const out: string[] = [];
  const { salaryFloor, experienceYears, employmentTypes } = pt.track.filters;
  if (salaryFloor !== undefined) {
    const top = f.salary.max ?? f.salary.min;
    if (top === undefined) notes.push('no salary given: the salary floor was not applied');
    else if (f.salary.type && !/month/i.test(f.salary.type))
      notes.push(`salary quoted per ${f.salary.type}: the monthly floor was not applied`);
    else if (top < salaryFloor)
      out.push(`salary up to ${top} is below the floor of ${salaryFloor}`);
  }
  if (experienceYears !== undefined) {
    if (f.experience === undefined) notes.push('no experience requirement given');
    else if (f.experience > experienceYears)
      out.push(`asks for ${f.experience} years of experience (more than ${experienceYears})`);
  }
  if (employmentTypes?.length) {
    if (f.employmentTypes.length === 0) notes.push('no employment type given');
    else if (!f.employmentTypes.some((t) => pt.employmentTypes.has(t.toLowerCase())))
      out.push(
        `employment type ${f.employmentTypes.join(', ')} is not one of ${employmentTypes.join(', ')}`,
      );
  }
  return out;
}

/** A track made ready for scoring many jobs against one set of statistics. */
export interface PreparedTrack {
  track: ScoringTrack;
  /** By keyword index: 1 when the keyword applies to the track. */
  member: Uint8Array;
  /** Keyword indices of the track's must-have keywords. */
  must: number[];
  /** The raw total that scores 50 (0: no positive keyword, nothing to score with). */
  half: number;
  /** The employment types filter, lower case. */
  employmentTypes: Set<string>;
}

export interface Prepared {
  profile: ScoringProfile;
  stats: CorpusStats;
  /** By keyword index. */
  idf: Float64Array;
  tracks: PreparedTrack[];
}

/** Everything that depends on the profile and the statistics only, computed once. */
export function prepare(profile: ScoringProfile, stats: CorpusStats): Prepared {
  const idfs = new Float64Array(profile.keywords.length);
  for (let k = 0; k < idfs.length; k++) idfs[k] = idf(stats, k);
  const tracks = profile.tracks.map((track) => {
    const member = new Uint8Array(profile.keywords.length);
    let positive = 0;
    for (const k of track.keywords) {
      member[k] = 1;
      const coef = profile.keywords[k]!.coef;
      if (coef > 0) positive += coef * idfs[k]!;
    }
    return {
      track,
      member,
      must: track.keywords.filter((k) => profile.keywords[k]!.kind === 'must'),
      half: positive * HALF_SHARE,
      employmentTypes: new Set((track.filters.employmentTypes ?? []).map((t) => t.toLowerCase())),
    };
  });
  return { profile, stats, idf: idfs, tracks };
}

/**
 * What a job's matches give, whatever the track: per keyword found (by its
 * position in f.hits), the saturated frequency tf~ / (k1 + tf~) and where it
 * matched; computed once per job and shared by its tracks.
 */
export interface JobTerms {
  /** By hit position / HIT_STRIDE. */
  saturation: number[];
  where: string[];
  /** The keyword stuffing note, when the description's matches count less. */
  stuffing?: string;
}

export function jobTerms(f: JobFeatures, prepared: Prepared): JobTerms {
  const { stats } = prepared;
  let damp = 1;
  let stuffing: string | undefined;
  if (f.density > STUFFING_DENSITY) {
    damp = (STUFFING_DENSITY / f.density) ** 3;
    stuffing = `keyword stuffing: ${Math.round(f.density * 100)}% of the description is keywords, so its matches count x${damp.toFixed(2)}`;
  }
  const saturation: number[] = [];
  const where: string[] = [];
  for (let h = 0; h < f.hits.length; h += HIT_STRIDE) {
    let tf = 0;
    let w = '';
    for (let i = 0; i < 3; i++) {
      const count = f.hits[h + 1 + i]!;
      if (!count) continue;
      const avg = stats.avgLength[i] || 1;
      const norm = 1 - B[i]! + (B[i]! * f.lengths[i]!) / avg;
      tf += ((WEIGHTS[i]! * count) / norm) * (i === 2 ? damp : 1);
      w += `${w ? ', ' : ''}${FIELD_NAMES[i]} ${count}`;
    }
    saturation.push(tf / (K1 + tf));
    where.push(w);
  }
  return { saturation, where, ...(stuffing ? { stuffing } : {}) };
}

export function scoreTrack(
  f: JobFeatures,
  pt: PreparedTrack,
  prepared: Prepared,
  terms: JobTerms = jobTerms(f, prepared),
): TrackScore {
  const { profile } = prepared;
  const track = pt.track;
  const notes: string[] = [];
  const base = { trackId: track.id, parts: [] as Part[] };
  if (pt.half === 0)
    return {
      ...base,
      status: 'insufficient_data',
      matched: [],
      notes: [
        `track ${track.id} has no keyword with a positive weight to score with: add keywords for it (or for every track) to the keyword library`,
      ],
    };
  if (f.skills === 0 && f.lengths[2] < MIN_WORDS)
    return {
      ...base,
      status: 'insufficient_data',
      matched: [],
      notes: [
        f.lengths[2] === 0
          ? 'the posting has no skills and no description (is scrape.descriptions none?)'
          : `the posting has no skills and a description of ${f.lengths[2]} words`,
      ],
    };

  // The track's keywords among those found: their positions in f.hits.
  const hits: number[] = [];
  for (let i = 0; i < f.hits.length; i += HIT_STRIDE) if (pt.member[f.hits[i]!] === 1) hits.push(i);
  const matched = hits.map((h) => profile.keywords[f.hits[h]!]!.text);
  const failures = filterFailures(f, pt, notes);
  for (const k of pt.must)
    if (!hits.some((h) => f.hits[h] === k))
      failures.push(`must-have keyword ${profile.keywords[k]!.text} not found`);
  if (failures.length)
    return { ...base, status: 'filtered', score: 0, matched, notes: [...failures, ...notes] };

  if (terms.stuffing) notes.push(terms.stuffing);
  const raws: number[] = [];
  const wheres: string[] = [];
  for (const h of hits) {
    const keyword = f.hits[h]!;
    raws.push(
      profile.keywords[keyword]!.coef * prepared.idf[keyword]! * terms.saturation[h / HIT_STRIDE]!,
    );
    wheres.push(terms.where[h / HIT_STRIDE]!);
  }
  // Parts in hundredths of a point: each keyword's share of the score.
  let gained = 0;
  let lost = 0;
  for (const r of raws)
    if (r > 0) gained += r;
    else lost -= r;
  const total = gained - lost;
  let exact: number[];
  if (total > 0) {
    const score = (10_000 * total) / (total + pt.half);
    exact = raws.map((r) => (r * score) / total);
  } else {
    // The avoided keywords take away every point the matches would give: they cancel them exactly.
    const g = gained > 0 ? 10_000 / (gained + pt.half) : 0;
    exact = raws.map((r) => (r > 0 ? r * g : lost > 0 ? (r * gained * g) / lost : 0));
    if (lost > 0) notes.push('avoided keywords outweigh the matches: the score is 0');
  }
  const rounded = roundParts(exact);
  return {
    ...base,
    status: 'scored',
    score: Math.max(0, rounded.total),
    // Largest contribution first (avoided keywords last); ties in keyword order.
    parts: hits
      .map((h, i) => ({
        hundredths: rounded.parts[i]!,
        keyword: profile.keywords[f.hits[h]!]!.text,
        where: wheres[i]!,
      }))
      .sort((a, b) => b.hundredths - a.hundredths),
    matched,
    notes,
  };
}
