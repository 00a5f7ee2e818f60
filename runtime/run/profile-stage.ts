/**
 * The profile stage: makes the database hold the user's profile before
 * anything is scraped.
 *
 * - With a `profile:` section in mcfpipe.config.yaml: loaded when it changed
 *   since the last load into this database, or when the database has no
 *   tracks. An unchanged file is not loaded again, so edits made in the
 *   tables (Google Sheets) stay.
 * - Without one: the example profile (settings/example.ts), only when the
 *   database has no tracks, and the run says so.
 * - Loading upserts the rows; what an earlier load of this database put
 *   there and the profile no longer has is retired: tracks deactivated,
 *   keywords and settings deleted. Rows the file never loaded are left alone.
 * - No active track afterwards is an error saying how to add one: a day is
 *   never marked scraped with nothing searched.
 */

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RowStore } from '../rows/store.js';
import { EXAMPLE_CONFIG } from '../settings/example.js';
import { readProfile, type UserProfile } from '../settings/profile.js';
import type { Stage, StageContext, StageResult } from './stage.js';
import { StageConfigError } from './stage.js';

interface Loaded {
  storeId: string;
  source: string;
  hash: string;
  ids: { track: string[]; keyword: string[]; config: string[] };
}

interface Profile {
  source: string;
  hash: string;
  users: UserProfile[];
}

function hashOf(section: unknown): string {
  return createHash('sha256').update(JSON.stringify(section)).digest('hex');
}

/** The profile of the configuration file, or the example's. */
function profileOf(ctx: StageContext): { profile: Profile; example: boolean } {
  const section = ctx.file?.doc.profile;
  if (ctx.file && section != null)
    return {
      profile: {
        source: ctx.file.path,
        hash: hashOf(section),
        users: readProfile(section, ctx.file.path),
      },
      example: false,
    };
  const example = (parse(EXAMPLE_CONFIG) as { profile: unknown }).profile;
  return {
    profile: {
      source: 'the example profile',
      hash: hashOf(example),
      users: readProfile(example, 'example'),
    },
    example: true,
  };
}

function readLoaded(path: string): Loaded | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Loaded;
  } catch {
    return undefined;
  }
}

async function load(
  rows: RowStore,
  profile: Profile,
  before: Loaded | undefined,
  storeId: string,
): Promise<Loaded> {
  const ids = {
    track: profile.users.flatMap((u) => u.tracks.map((t) => t.track_id)),
    keyword: profile.users.flatMap((u) => u.keywords.map((k) => k.keyword_id)),
    config: profile.users.flatMap((u) => u.config.map((c) => c.config_id)),
  };
  await rows.upsert(
    'track',
    profile.users.flatMap((u) => u.tracks),
  );
  await rows.upsert(
    'keyword',
    profile.users.flatMap((u) => u.keywords),
  );
  await rows.upsert(
    'config',
    profile.users.flatMap((u) => u.config),
  );
  if (before && before.storeId === storeId) {
    const gone = (kind: keyof Loaded['ids']) =>
      before.ids[kind].filter((id) => !ids[kind].includes(id));
    const retired = gone('track');
    if (retired.length)
      await rows.upsert(
        'track',
        retired.map((track_id) => ({ track_id, active: false })),
        { mode: 'merge' },
      );
    await rows.delete('keyword', gone('keyword'));
    await rows.delete('config', gone('config'));
  }
  return { storeId, source: profile.source, hash: profile.hash, ids };
}

function describe(users: UserProfile[]): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return users
    .map(
      (u) =>
        `user ${u.userId}: ${n(u.tracks.length, 'track')}, ${n(u.keywords.length, 'keyword')}, ${n(u.config.length, 'setting')}`,
    )
    .join('; ');
}

export const profileStage: Stage = {
  async run(ctx: StageContext): Promise<StageResult> {
    const statePath = join(ctx.data.dir('profile'), 'loaded.json');
    const before = readLoaded(statePath);
    const { profile, example } = profileOf(ctx);
    const tracks = await ctx.rows.all('track');
    const changed = !before || before.storeId !== ctx.storeId || before.hash !== profile.hash;
    let summary: string;
    if (tracks.length === 0 || (!example && changed)) {
      const loaded = await load(ctx.rows, profile, before, ctx.storeId);
      writeFileSync(statePath, `${JSON.stringify(loaded, null, 2)}\n`);
      summary = example
        ? `the database had no tracks: loaded the example profile (${describe(profile.users)})`
        : `loaded the profile of ${profile.source} (${describe(profile.users)})`;
      ctx.logger.info(
        example
          ? `${summary}. Run "mcfpipe init" to write it to mcfpipe.config.yaml and make it yours.`
          : summary,
      );
    } else {
      summary = example
        ? 'the database has tracks; no profile file (mcfpipe init writes one)'
        : `the profile of ${profile.source} is unchanged since it was loaded`;
    }
    const all = await ctx.rows.all('track');
    const active = all.filter((t) => t.active !== false);
    if (active.length === 0)
      throw new StageConfigError(
        `No active track in the database (${all.length} track${all.length === 1 ? '' : 's'}, none active): there is nothing to scrape. ` +
          (example
            ? 'Run "mcfpipe init" to write mcfpipe.config.yaml, add a track under profile.users[].tracks (or set active: true on one), and run again; '
            : `Add a track under profile.users[].tracks in ${profile.source} (or set active: true on one) and run again; `) +
          'or set active to true on a row of the track table (Google Sheets, or PATCH /track/{track_id} on the DB API: mcfpipe db serve).',
      );
    const users = new Set(active.map((t) => t.user_id));
    return {
      status: 'done',
      summary: `${summary}; ${active.length} active track${active.length === 1 ? '' : 's'} of ${users.size} user${users.size === 1 ? '' : 's'}`,
    };
  },
};
