/**
 * The local data folder of `mcfpipe run` and `mcfpipe db serve`: the
 * database (dynalite's files), the scraper's checkpoints, the scoring state,
 * and each stage's outputs, kept between runs. Opening it checks that it can
 * be written and takes a lock, so two runs never open one database (dynalite
 * would crash the second); a lock left by a process that no longer exists
 * is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The data folder cannot be used: the message names it, the cause and the fix. */
export class DataFolderError extends Error {
  override readonly name = 'DataFolderError';
}

export interface DataFolder {
  /** Absolute path. */
  root: string;
  /** dynalite's files. */
  db: string;
  /** A stage's own folder (created): `<root>/<name>`. */
  dir(name: string): string;
  /** Lets go of the lock. */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file of that name is in the way';
  return (err as Error).message;
}

/** Creates (when missing), checks and locks the data folder. */
export function openDataFolder(path: string, purpose: string): DataFolder {
  const root = resolve(path);
  const fix =
    'choose another with --data (or run.data in mcfpipe.config.yaml), or fix its permissions';
  try {
    mkdirSync(root, { recursive: true });
    const probe = join(root, `.write-test-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
  } catch (err) {
    throw new DataFolderError(
      `The data folder ${root} is not writable (${describe(err)}): ${fix}.`,
    );
  }
  const lock = join(root, '.lock');
  const take = () =>
    writeFileSync(lock, JSON.stringify({ pid: process.pid, purpose }), { flag: 'wx' });
  try {
    take();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new DataFolderError(`Cannot lock the data folder ${root} (${describe(err)}): ${fix}.`);
    let holder: { pid?: number; purpose?: string } = {};
    try {
      holder = JSON.parse(readFileSync(lock, 'utf8'));
    } catch {
      // an unreadable lock counts as stale
    }
    if (holder.pid && holder.pid !== process.pid && alive(holder.pid))
      throw new DataFolderError(
        `The data folder ${root} is in use by ${holder.purpose ?? 'another mcfpipe command'} (process ${holder.pid}): ` +
          'wait for it to finish or stop it (Ctrl-C), or use another folder with --data.',
      );
    rmSync(lock, { force: true });
    take();
  }
  const db = join(root, 'db');
  mkdirSync(db, { recursive: true });
  let released = false;
  return {
    root,
    db,
    dir(name: string) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    release() {
      if (released) return;
      released = true;
      rmSync(lock, { force: true });
    },
  };
}
