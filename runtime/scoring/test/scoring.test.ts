/**
 * Scoring on the hand-checked corpus (corpus.ts): ranks, an explanation
 * whose parts add up exactly to the score, keyword stuffing, reposts,
 * filters and missing data; then determinism and incrementality.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../rows/memory-source.js';
import { RowStore } from '../../rows/store.js';
import type {
  ConfigInput,
  JobInput,
  JobScoreRow,
  KeywordInput,
  TrackInput,
} from '../../schema/types.generated.js';
import { memoryLogger } from '../../webscraper/log.js';
import { MemoryBlobStore } from '../../webscraper/state/blob-store.js';
import { parsePart, roundParts } from '../explain.js';
import { PhraseMatcher } from '../matcher.js';
import { scoreJobs } from '../scorer.js';
import { ALL_JOBS, CONFIG, JOBS, job, KEYWORDS, TRACK, TRACKS, USER } from './corpus.js';

const NOW = new Date('2026-03-04T02:00:00Z');

function world(
  jobs: JobInput[] = ALL_JOBS,
  profile: { tracks?: TrackInput[]; keywords?: KeywordInput[]; config?: ConfigInput[] } = {},
) {
  const source = new MemorySource();
  const rows = new RowStore(source);
  source.put('track', profile.tracks ?? TRACKS);
  source.put('keyword', profile.keywords ?? KEYWORDS);
  source.put('config', profile.config ?? CONFIG);
  source.put(
    'job',
    jobs.map((j) => ({ ...j, version: 1 })),
  );
  source.put(
    'job_search',
    jobs.map((j) => ({
      job_s_id: `${USER}:${j.job_id}`,
      user_id: USER,
      job_id: j.job_id,
      track_id: TRACKS[0]!.track_id,
      first_seen: '2026-03-03 10:00',
      last_seen: '2026-03-03 10:00',
    })),
  );
  const state = new MemoryBlobStore();
  const run = (extra: Partial<Parameters<typeof scoreJobs>[0]> = {}) =>
    scoreJobs({ rows, state, logger: memoryLogger(), now: () => NOW, storeId: 'test', ...extra });
  const scores = () => source.table('job_score') as unknown as Map<string, JobScoreRow>;
  const score = (letter: keyof typeof JOBS) => scores().get(`${USER}:${JOBS[letter].job_id}`)!;
  return { source, rows, state, run, scores, score };
}

describe('scoring a hand-checked corpus', () => {
  it('ranks the real matches first, the stuffed posting below them, the weak and unrelated last', async () => {
    const w = world();
    const summary = await w.run();
    expect(summary.status).toBe('complete');
    const s = (l: keyof typeof JOBS) => w.score(l).score!;
    // Scored, best first: a (keywords in skills and prose), e (fewer in skills), then the stuffed d,
    // then b (Python once) and c (nothing); g is filtered out, h has too little to score.
    const scored = (Object.keys(JOBS) as Array<keyof typeof JOBS>)
      .filter((l) => w.score(l).status === 'scored' && l !== 'f' && l !== 'i')
      .sort((x, y) => s(y) - s(x));
    expect(scored).toEqual(['a', 'e', 'd', 'b', 'c']);
    expect(s('d')).toBeLessThan(s('e') - 20);
    expect(s('c')).toBe(0);
    expect(w.score('d').notes!.join(' ')).toMatch(/keyword stuffing: \d+% of the description/);
  });

  it('matches the BM25F formula worked by hand for the weak match', async () => {
    const w = world();
    await w.run();
    // Job b: "python" once in its description, nowhere else. By hand over the 9 jobs:
    // Python occurs in a, e, d, b, f, g, i (df 7); idf = ln(1 + (9 - 7 + 0.5) / (7 + 0.5)).
    const idf = (df: number) => Math.log(1 + (9 - df + 0.5) / (df + 0.5));
    // Description lengths in words (a, e, d, b, c, f, g, h, i): the average is their sum / 9.
    const words = (t?: string) => (t ? t.toLowerCase().match(/[\p{L}\p{N}]+[+#]*/gu)!.length : 0);
    const avgDesc = ALL_JOBS.reduce((n, j) => n + words(j.description), 0) / 9;
    const norm = 1 - 0.75 + (0.75 * words(JOBS.b.description)) / avgDesc;
    const tf = 1 / norm;
    const raw = 2 * idf(7) * (tf / (1.2 + tf));
    // The half-way point: a quarter of sum(weight * idf) over the positive keywords. Spark (with
    // PySpark) is in a, e, d, f, g (df 5); Airflow in a, e, d, f, g (5); Kafka in a, e, d, f, g (5).
    const half = 0.25 * (3 * idf(5) + 2 * idf(7) + 2 * idf(5) + 1 * idf(5));
    const score = Math.round((10_000 * raw) / (raw + half)) / 100;
    expect(score).toBeCloseTo(22.15, 2);
    expect(w.score('b').score).toBe(score);
    expect(w.score('b').score_parts).toEqual([`+${score.toFixed(2)} Python (description 1)`]);
  });

  it('explains every score with parts that add up exactly to it', async () => {
    const w = world();
    await w.run();
    let checked = 0;
    for (const row of w.scores().values()) {
      if (row.status !== 'scored') continue;
      const parts = row.score_parts!.map((p) => parsePart(p)!);
      expect(parts.every((p) => p !== undefined)).toBe(true);
      expect(parts.reduce((n, p) => n + p.hundredths, 0)).toBe(Math.round(row.score! * 100));
      expect(row.matched_keywords!.sort()).toEqual(parts.map((p) => p.keyword).sort());
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
    expect(w.score('a').score_parts!.join('; ')).toMatch(/Spark \(skills 1, description 1\)/);
  });

  it('links a repost to its original and gives it the original’s score', async () => {
    const w = world();
    const summary = await w.run();
    const f = w.score('f');
    const a = w.score('a');
    expect(f.duplicate_of).toBe(JOBS.a.job_id);
    expect(a.duplicate_of).toBeUndefined();
    expect({ score: f.score, parts: f.score_parts }).toEqual({
      score: a.score,
      parts: a.score_parts,
    });
    expect(summary.users[0]).toMatchObject({ duplicates: 1 });
  });

  it('filters a job below the salary floor, scores an internship down, and says when there is too little to score', async () => {
    const w = world();
    await w.run();
    expect(w.score('g')).toMatchObject({ status: 'filtered', score: 0 });
    expect(w.score('g').notes).toContain('salary up to 4000 is below the floor of 5000');
    expect(w.score('h').status).toBe('insufficient_data');
    expect(w.score('h').score).toBeUndefined();
    expect(w.score('h').notes![0]).toMatch(/no skills and no description/);
    // The avoided keyword (in the title, weight 2) outweighs Python: 0, its part cancelling Python's.
    const intern = w.score('i');
    expect(intern.score).toBe(0);
    expect(intern.score_parts).toEqual([
      expect.stringMatching(/^\+\d+\.\d\d Python \(skills 1, description 1\)$/),
      expect.stringMatching(/^-\d+\.\d\d Internship \(title 1, description 1\)$/),
    ]);
    expect(intern.notes).toContain('avoided keywords outweigh the matches: the score is 0');
  });

  it('is deterministic to the last digit, and a stopped run resumed ends with the same rows', async () => {
    const one = world();
    await one.run();
    const two = world();
    const stop = new AbortController();
    const first = await two.run({
      batchSize: 2,
      signal: stop.signal,
      onProgress: (done) => {
        if (done >= 2) stop.abort(new Error('Ctrl-C'));
      },
    });
    expect(first.status).toBe('stopped');
    expect(two.scores().size).toBeLessThan(ALL_JOBS.length);
    await two.run();
    expect(two.scores()).toEqual(one.scores());
  });

  it('scores again only what changed: nothing on a rerun, one edited job, everything when keywords change', async () => {
    const w = world();
    await w.run();
    const versions = () => new Map([...w.scores()].map(([id, r]) => [id, r.version]));
    const before = versions();
    const rerun = await w.run();
    expect(rerun.users[0]).toMatchObject({ mode: 'incremental', scored: 0, duplicates: 0 });
    expect(versions()).toEqual(before);

    await w.source.upsert('job', [{ ...JOBS.b, title: 'Data Analyst (Python)' }]);
    const edited = await w.run();
    expect(edited.users[0]).toMatchObject({ mode: 'incremental', scored: 1 });
    const changed = [...versions()].filter(([id, v]) => before.get(id) !== v).map(([id]) => id);
    expect(changed).toEqual([`${USER}:${JOBS.b.job_id}`]);

    await w.source.upsert('keyword', [{ ...KEYWORDS[3]!, weight: 3 }]);
    const all = await w.run();
    expect(all.users[0]).toMatchObject({
      mode: 'full',
      why: 'tracks, keywords or settings changed',
    });
    expect(all.users[0]!.scored + all.users[0]!.duplicates).toBe(ALL_JOBS.length);
  });

  it('says insufficient data for a track with nothing to score with, and scores each job for its best track', async () => {
    const ops: TrackInput = {
      track_id: `${USER}:ops`,
      user_id: USER,
      name: 'Operations',
      search_terms: ['operations'],
      active: true,
    };
    const avoidOnly: TrackInput = { ...ops, track_id: `${USER}:avoid`, name: 'Avoid only' };
    const w = world(ALL_JOBS, {
      tracks: [...TRACKS, ops, avoidOnly],
      keywords: [
        ...KEYWORDS.map((k) => ({ ...k, track_id: TRACK })),
        {
          keyword_id: `${USER}:ops:xero`,
          user_id: USER,
          library: 'ops',
          keyword: 'Xero',
          kind: 'nice',
          weight: 2,
          track_id: ops.track_id,
        },
        {
          keyword_id: `${USER}:avoid:sales`,
          user_id: USER,
          library: 'avoid',
          keyword: 'Sales',
          kind: 'avoid',
          weight: 1,
          track_id: avoidOnly.track_id,
        },
      ],
    });
    await w.run();
    // The accounts job matches only the operations track; the data jobs only data engineering.
    expect(w.score('c')).toMatchObject({ track_id: ops.track_id, status: 'scored' });
    expect(w.score('c').score).toBeGreaterThan(0);
    expect(w.score('a').track_id).toBe(TRACK);
    expect(w.score('a').track_scores).toEqual([
      expect.stringMatching(/^me:avoid insufficient_data$/),
      expect.stringMatching(/^me:de \d+\.\d\d$/),
      'me:ops 0.00',
    ]);
    const alone = world(ALL_JOBS, { tracks: [avoidOnly], keywords: [] });
    await alone.run();
    expect(alone.score('a')).toMatchObject({
      status: 'insufficient_data',
      track_id: avoidOnly.track_id,
    });
    expect(alone.score('a').score).toBeUndefined();
    expect(alone.score('a').notes![0]).toMatch(/no keyword with a positive weight/);
  });

  it('applies the experience and employment type filters, and notes what a job does not say', async () => {
    const senior = job('4', {
      title: 'Principal Data Engineer',
      skills: ['Spark', 'Python'],
      description: JOBS.e.description!,
      min_experience_years: 12,
      employment_types: ['Permanent'],
    });
    const contract = job('5', {
      title: 'Data Engineer (contract)',
      skills: ['Spark', 'Airflow'],
      description: JOBS.e.description!,
      min_experience_years: 3,
      employment_types: ['Temporary'],
    });
    const vague = job('6', {
      title: 'Data Engineer',
      skills: ['Spark', 'Kafka'],
      description: JOBS.e.description!,
    });
    delete vague.salary_min;
    delete vague.salary_max;
    const w = world([...ALL_JOBS, senior, contract, vague], {
      config: [
        ...CONFIG,
        { config_id: `${USER}:exp`, user_id: USER, name: 'scoring.experience_years', value: '8' },
        {
          config_id: `${USER}:types`,
          user_id: USER,
          name: 'scoring.employment_types',
          value: 'Permanent, Full Time',
        },
      ],
    });
    await w.run();
    const row = (j: JobInput) => w.scores().get(`${USER}:${j.job_id}`)!;
    expect(row(senior)).toMatchObject({ status: 'filtered', score: 0 });
    expect(row(senior).notes).toContain('asks for 12 years of experience (more than 8)');
    expect(row(contract).notes).toContain(
      'employment type Temporary is not one of Permanent, Full Time',
    );
    expect(row(vague).status).toBe('scored');
    expect(row(vague).notes).toEqual(
      expect.arrayContaining([
        'no salary given: the salary floor was not applied',
        'no experience requirement given',
        'no employment type given',
      ]),
    );
  });

  it('matches phrases longest first, synonyms as their keyword, and C++ and C# as themselves', () => {
    const m = new PhraseMatcher([
      ['machine learning'],
      ['machine learning engineer'],
      ['C++', 'cpp'],
      ['C#'],
      ['C'],
    ]);
    const r = m.match('Machine Learning Engineer: machine-learning, CPP and C++ (not C#), C.');
    expect(Object.fromEntries(r.counts)).toEqual({ 0: 1, 1: 1, 2: 2, 3: 1, 4: 1 });
    expect(r.matchedWords).toBe(3 + 2 + 2 + 1 + 1);
  });

  it('rounds explanation parts so they add up to the rounded total, negative parts included', () => {
    for (const exact of [
      [3333.4, 3333.3, 3333.3],
      [1200.6, -400.2, 10.5],
      [0.5, 0.5, 0.5, 0.5],
    ]) {
      const r = roundParts(exact);
      expect(r.parts.reduce((a, b) => a + b, 0)).toBe(r.total);
      expect(r.total).toBe(Math.round(exact.reduce((a, b) => a + b, 0)));
      for (const [i, p] of r.parts.entries()) expect(Math.abs(p - exact[i]!)).toBeLessThan(1);
    }
  });
});
