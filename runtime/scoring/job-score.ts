/**
 * A job_score row from the job's score for each of the user's tracks: the
 * row is the best track's (the highest score; ties to the first track id),
 * and lists every track's result. No track scored: the first filtered
 * track's row (score 0, the failed filters in notes), else insufficient data
 * (no score at all, notes say what is missing).
 */
import type { JobScoreInput } from '../schema/types.generated.js';
import { formatPart } from './explain.js';
import type { TrackScore } from './model.js';

export interface RowContext {
  userId: string;
  jobId: string;
  jobVersion: number;
  signature: string;
  scoredAt: string;
  scoringVersion: string;
}

function best(scores: TrackScore[]): TrackScore {
  const scored = scores.filter((s) => s.status === 'scored');
  if (scored.length) return scored.reduce((a, b) => ((b.score ?? 0) > (a.score ?? 0) ? b : a));
  return scores.find((s) => s.status === 'filtered') ?? scores[0]!;
}

function shown(s: TrackScore): string {
  return s.status === 'scored' ? (s.score! / 100).toFixed(2) : s.status;
}

export function jobScoreRow(scores: TrackScore[], ctx: RowContext): JobScoreInput {
  const b = best(scores);
  return {
    job_s_id: `${ctx.userId}:${ctx.jobId}`,
    user_id: ctx.userId,
    job_id: ctx.jobId,
    track_id: b.trackId,
    status: b.status,
    ...(b.score !== undefined ? { score: b.score / 100 } : {}),
    score_parts: b.parts.map(formatPart),
    matched_keywords: b.matched.slice(0, 500),
    track_scores: scores.slice(0, 100).map((s) => `${s.trackId} ${shown(s)}`),
    notes: b.notes.slice(0, 50).map((n) => n.slice(0, 1000)),
    job_version: ctx.jobVersion,
    signature: ctx.signature,
    scored_at: ctx.scoredAt,
    scoring_version: ctx.scoringVersion,
  };
}

/** A repost's row: the original's score and explanation, linked to it. */
export function duplicateRow(original: JobScoreInput, ctx: RowContext): JobScoreInput {
  const {
    job_s_id: _,
    job_id: originalId,
    duplicate_of,
    created: __,
    last_modified: ___,
    version: ____,
    ...score
  } = original as JobScoreInput & { created?: string; last_modified?: string; version?: number };
  return {
    ...score,
    job_s_id: `${ctx.userId}:${ctx.jobId}`,
    job_id: ctx.jobId,
    duplicate_of: duplicate_of ?? originalId,
    job_version: ctx.jobVersion,
    signature: ctx.signature,
    scored_at: ctx.scoredAt,
    scoring_version: ctx.scoringVersion,
  };
}
