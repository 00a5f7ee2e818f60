/**
 * One small SQLite interface over the two engines the report runs on:
 *
 * - `node:sqlite` (built into Node from 22.13; the GitHub Actions runtime and
 *   the container run Node 24), and
 * - `better-sqlite3` 12.x (an optional dependency) on Node 20, which has no
 *   built-in SQLite.
 *
 * Both are the real SQLite library writing a real file, synchronous, with
 * the same statement model, so the ETL and the report code are written once.
 * `MCFPIPE_SQLITE=node|better-sqlite3` forces one (tests of both engines).
 * See README.md ("Why these libraries") for the choice.
 */
import { createRequire } from 'node:module';

export type SqlValue = string | number | bigint | null | Uint8Array;
export type SqlRow = Record<string, SqlValue>;

export interface Statement {
  run(...params: SqlValue[]): void;
  all(...params: SqlValue[]): SqlRow[];
  get(...params: SqlValue[]): SqlRow | undefined;
}

export interface Database {
  /** `node:sqlite` or `better-sqlite3`, and SQLite's version. */
  readonly engine: string;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}

export const ENGINES = ['node', 'better-sqlite3'] as const;
export type EngineName = (typeof ENGINES)[number];

/** What both engines' statement and database objects look like, as far as we use them. */
interface RawStatement {
  run(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
  get(...params: SqlValue[]): unknown;
}
interface RawDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): RawStatement;
  close(): unknown;
}
type Opener = (path: string) => RawDatabase;

export class SqliteUnavailableError extends Error {
  override name = 'SqliteUnavailableError';
}

let cached: { name: EngineName; open: Opener } | undefined;

function nodeEngine(): Opener | undefined {
  const mod = process.getBuiltinModule('node:sqlite') as
    | { DatabaseSync: new (path: string) => RawDatabase }
    | undefined;
  return mod ? (path) => new mod.DatabaseSync(path) : undefined;
}

function betterSqliteEngine(): { open?: Opener; error?: string } {
  try {
    // Loaded by name at run time, so bundles (which run on Node 24) never carry it.
    const Better = createRequire(import.meta.url)('better-sqlite3') as new (
      path: string,
    ) => RawDatabase;
    return { open: (path) => new Better(path) };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  }
}

/** The engine to use: node:sqlite when Node has it, else better-sqlite3. */
function engine(env: NodeJS.ProcessEnv): { name: EngineName; open: Opener } {
  const forced = env.MCFPIPE_SQLITE?.trim();
  if (forced && !(ENGINES as readonly string[]).includes(forced)) {
    throw new SqliteUnavailableError(
      `MCFPIPE_SQLITE=${JSON.stringify(forced)} is not an engine; accepted: ${ENGINES.join(', ')} (or unset: node:sqlite when Node has it, else better-sqlite3)`,
    );
  }
  if (!forced && cached) return cached;
  let chosen: { name: EngineName; open: Opener } | undefined;
  if (forced !== 'better-sqlite3') {
    const open = nodeEngine();
    if (open) chosen = { name: 'node', open };
    else if (forced === 'node') {
      throw new SqliteUnavailableError(
        `MCFPIPE_SQLITE=node, but Node ${process.version} has no node:sqlite (it needs Node 22.13 or later)`,
      );
    }
  }
  if (!chosen) {
    const better = betterSqliteEngine();
    if (!better.open) {
      throw new SqliteUnavailableError(
        `No SQLite engine: Node ${process.version} has no node:sqlite (Node 22.13 or later has), and the optional dependency better-sqlite3 did not load (${better.error}). Use Node 22.13 or later, or run "npm install better-sqlite3" (it downloads a prebuilt binary, or compiles with python3, make and a C++ compiler).`,
      );
    }
    chosen = { name: 'better-sqlite3', open: better.open };
  }
  if (!forced) cached = chosen;
  return chosen;
}

/** Opens (creating if needed) the SQLite file at `path`. */
export function openDatabase(path: string, env: NodeJS.ProcessEnv = process.env): Database {
  const { name, open } = engine(env);
  const raw = open(path);
  const version = (raw.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const db: Database = {
    engine: `${name === 'node' ? 'node:sqlite' : 'better-sqlite3'} (SQLite ${version})`,
    exec: (sql) => {
      raw.exec(sql);
    },
    prepare(sql) {
      const s = raw.prepare(sql);
      return {
        run: (...p) => {
          s.run(...p);
        },
        all: (...p) => s.all(...p) as SqlRow[],
        get: (...p) => s.get(...p) as SqlRow | undefined,
      };
    },
    close: () => {
      raw.close();
    },
  };
  return db;
}
