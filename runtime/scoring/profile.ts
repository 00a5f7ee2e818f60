/**
 * A user's scoring profile, from the rows of the track, keyword and config
 * tables: the keywords (each with its phrases, kind and signed weight), the
 * active tracks with the keywords that apply to each (the track's own and
 * the library-wide ones) and their hard filters. `hash` changes exactly
 * when something scoring reads changes, so a user's jobs are scored again
 * when their keywords, tracks or settings change.
 */
import { createHash } from 'node:crypto';
import type { ConfigRow, KeywordRow, TrackRow } from '../schema/types.generated.js';

export interface ScoringKeyword {
  id: string;
  /** The keyword as the user wrote it (shown in explanations). */
  text: string;
  /** The keyword and its synonyms. */
  phrases: string[];
  kind: 'must' | 'nice' | 'avoid';
  /** Signed: avoid keywords (and negative weights) take points away. */
  coef: number;
  trackId?: string;
}

export interface Filters {
  /** Monthly SGD: a job whose range tops out below it is filtered out. */
  salaryFloor?: number;
  /** The user's years of experience: a job asking for more is filtered out. */
  experienceYears?: number;
  /** A job offering none of these (when it says) is filtered out. */
  employmentTypes?: string[];
}

export interface ScoringTrack {
  id: string;
  name: string;
  /** Indices into ScoringProfile.keywords of the keywords that apply. */
  keywords: number[];
  filters: Filters;
}

export interface ScoringProfile {
  userId: string;
  keywords: ScoringKeyword[];
  tracks: ScoringTrack[];
  hash: string;
  /** Settings that could not be used (named, with what is accepted). */
  warnings: string[];
}

/** The config settings scoring reads. */
export const SETTINGS = {
  salaryFloor: 'scoring.salary_floor',
  experienceYears: 'scoring.experience_years',
  employmentTypes: 'scoring.employment_types',
} as const;

function byId<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

function wholeNumber(
  config: Map<string, string>,
  name: string,
  max: number,
  warnings: string[],
): number | undefined {
  const raw = config.get(name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  if (Number.isInteger(n) && n >= 0 && n <= max) return n;
  warnings.push(
    `setting ${name} = ${JSON.stringify(raw)} is ignored: a whole number from 0 to ${max} is accepted`,
  );
  return undefined;
}

function list(raw: string | undefined): string[] | undefined {
  const items = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

export function buildProfile(
  userId: string,
  tracks: TrackRow[],
  keywords: KeywordRow[],
  config: ConfigRow[],
): ScoringProfile {
  const warnings: string[] = [];
  const settings = new Map(
    config.filter((c) => c.user_id === userId).map((c) => [c.name, c.value]),
  );
  const userFilters: Filters = {};
  const floor = wholeNumber(settings, SETTINGS.salaryFloor, 1_000_000, warnings);
  const years = wholeNumber(settings, SETTINGS.experienceYears, 60, warnings);
  const types = list(settings.get(SETTINGS.employmentTypes));
  if (floor !== undefined) userFilters.salaryFloor = floor;
  if (years !== undefined) userFilters.experienceYears = years;
  if (types) userFilters.employmentTypes = types;

  const active = tracks
    .filter((t) => t.user_id === userId && t.active !== false)
    .sort(byId((t) => t.track_id));
  const activeIds = new Set(active.map((t) => t.track_id));
  const mine = keywords
    .filter((k) => k.user_id === userId && (!k.track_id || activeIds.has(k.track_id)))
    .sort(byId((k) => k.keyword_id));
  const scoringKeywords: ScoringKeyword[] = mine.map((k) => ({
    id: k.keyword_id,
    text: k.keyword,
    phrases: [k.keyword, ...(k.synonyms ?? [])],
    kind: k.kind,
    coef: k.kind === 'avoid' ? -Math.abs(k.weight) : k.weight,
    ...(k.track_id ? { trackId: k.track_id } : {}),
  }));
  const scoringTracks: ScoringTrack[] = active.map((t) => ({
    id: t.track_id,
    name: t.name,
    keywords: scoringKeywords.flatMap((k, i) =>
      !k.trackId || k.trackId === t.track_id ? [i] : [],
    ),
    filters: {
      ...userFilters,
      ...(t.min_salary !== undefined ? { salaryFloor: t.min_salary } : {}),
      ...(t.employment_types?.length ? { employmentTypes: t.employment_types } : {}),
    },
  }));
  const hash = createHash('sha256')
    .update(JSON.stringify({ keywords: scoringKeywords, tracks: scoringTracks }))
    .digest('hex');
  return { userId, keywords: scoringKeywords, tracks: scoringTracks, hash, warnings };
}
