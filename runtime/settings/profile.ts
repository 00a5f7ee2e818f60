/**
 * The profile section of mcfpipe.config.yaml (users, their tracks, keyword
 * library and settings) as rows of the track, keyword and config tables,
 * each checked against db_schema.json with the place in the file named:
 * `profile.users[0].tracks[1].search_terms: must be a list of strings`.
 */
import { projectSchema } from '../schema/schema.js';
import type { ConfigInput, KeywordInput, TrackInput } from '../schema/types.generated.js';
import { validateItem } from '../schema/validate.js';
import { ConfigError } from './config-file.js';

export interface UserProfile {
  userId: string;
  tracks: TrackInput[];
  keywords: KeywordInput[];
  config: ConfigInput[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A keyword or library as an id part: `CI/CD` -> `ci-cd`, `C++` -> `cplusplus`, `C#` -> `csharp`. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/\+/g, 'plus')
    .replace(/#/g, 'sharp')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const USER_KEYS = ['id', 'settings', 'tracks', 'keywords'];
const TRACK_KEYS = [
  'id',
  'name',
  'search_terms',
  'employment_types',
  'position_levels',
  'categories',
  'min_salary',
  'max_pages',
  'active',
];
const KEYWORD_KEYS = ['library', 'keyword', 'synonyms', 'kind', 'weight', 'track'];

class Reader {
  constructor(private readonly file: string) {}

  fail(where: string, message: string): never {
    throw new ConfigError(`${this.file}: ${where}: ${message}`);
  }

  record(value: unknown, where: string, keys: string[]): Record<string, unknown> {
    if (!isRecord(value)) this.fail(where, 'must be a mapping');
    for (const k of Object.keys(value))
      if (!keys.includes(k)) this.fail(`${where}.${k}`, `unknown key; known: ${keys.join(', ')}`);
    return value;
  }

  list(value: unknown, where: string): unknown[] {
    if (value == null) return [];
    if (!Array.isArray(value)) this.fail(where, 'must be a list');
    return value;
  }

  /** Checks a row against its table; problems name the place in the file. */
  row<T>(
    table: string,
    row: Record<string, unknown>,
    where: string,
    rename: Record<string, string> = {},
  ): T {
    const schema = projectSchema();
    const v = validateItem(schema, schema.tables[table]!, row, 'full');
    const p = v.problems[0];
    if (p)
      this.fail(
        `${where}.${rename[p.field] ?? p.field}`,
        `${p.message} (got ${JSON.stringify(p.value)})`,
      );
    return v.item as T;
  }
}

/** The users of the profile section; ConfigError naming the place of the first problem. */
export function readProfile(section: unknown, file: string): UserProfile[] {
  const r: Reader = new Reader(file);
  if (section == null) return [];
  const top = r.record(section, 'profile', ['users']);
  const seen = new Set<string>();
  return r.list(top.users, 'profile.users').map((u, i) => {
    const at = `profile.users[${i}]`;
    const user = r.record(u, at, USER_KEYS);
    if (typeof user.id !== 'string') r.fail(`${at}.id`, 'is required: a user id such as "me"');
    const userId = user.id;
    if (seen.has(userId)) r.fail(`${at}.id`, `user "${userId}" is listed twice`);
    seen.add(userId);

    const trackIds = new Map<string, string>();
    const tracks = r.list(user.tracks, `${at}.tracks`).map((t, j) => {
      const where = `${at}.tracks[${j}]`;
      const { id, ...rest } = r.record(t, where, TRACK_KEYS);
      if (typeof id !== 'string' || !id)
        r.fail(`${where}.id`, 'is required: a short name such as "data-engineering"');
      const trackId = `${userId}:${id}`;
      if (trackIds.has(id)) r.fail(`${where}.id`, `track "${id}" is listed twice`);
      trackIds.set(id, trackId);
      return r.row<TrackInput>('track', { track_id: trackId, user_id: userId, ...rest }, where, {
        track_id: 'id',
      });
    });

    const keywordIds = new Set<string>();
    const keywords = r.list(user.keywords, `${at}.keywords`).map((k, j) => {
      const where = `${at}.keywords[${j}]`;
      const { track, library = 'core', keyword, ...rest } = r.record(k, where, KEYWORD_KEYS);
      if (typeof keyword !== 'string' || !keyword.trim()) r.fail(`${where}.keyword`, 'is required');
      if (typeof library !== 'string' || !slug(library))
        r.fail(`${where}.library`, 'must be a name');
      if (track !== undefined && (typeof track !== 'string' || !trackIds.has(track)))
        r.fail(
          `${where}.track`,
          `must be the id of one of this user's tracks (${[...trackIds.keys()].join(', ')})`,
        );
      const keywordId = `${userId}:${slug(library)}:${slug(keyword)}${track ? `:${slug(track as string)}` : ''}`;
      if (keywordIds.has(keywordId))
        r.fail(
          where,
          `the keyword "${keyword}" is listed twice in library "${library}"${track ? ` for track ${track}` : ''}`,
        );
      keywordIds.add(keywordId);
      return r.row<KeywordInput>(
        'keyword',
        {
          keyword_id: keywordId,
          user_id: userId,
          library,
          keyword: keyword.trim(),
          ...(track ? { track_id: trackIds.get(track as string) } : {}),
          ...rest,
        },
        where,
        { keyword_id: 'keyword' },
      );
    });

    const settings =
      user.settings == null
        ? {}
        : r.record(user.settings, `${at}.settings`, Object.keys(user.settings as object));
    const config = Object.entries(settings).map(([name, value]) => {
      const where = `${at}.settings.${name}`;
      if (value == null || typeof value === 'object') r.fail(where, 'must be a single value');
      return r.row<ConfigInput>(
        'config',
        { config_id: `${userId}:${name}`, user_id: userId, name, value: String(value) },
        where,
        { config_id: 'name' },
      );
    });
    return { userId, tracks, keywords, config };
  });
}
