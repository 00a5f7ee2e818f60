/**
 * Where the analytics file and the report go: a local folder (the data
 * folder of `mcfpipe run`), or an S3 prefix (in AWS: the environment's config
 * bucket, `s3://mcfpipe-config-<env>-<account>-<region>/mcfpipe/<env>/report`).
 *
 * The work happens in a local folder either way; for S3 that is a temporary
 * folder: the last analytics file is downloaded first (so the export stays
 * incremental), and the new files are uploaded at the end.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient } from '../../core/aws.js';
import { parseS3Url } from '../../core/s3-url.js';
import { type BlobStore, openBlobStore } from '../webscraper/state/blob-store.js';

export const SQLITE_NAME = 'analytics.sqlite';
export const HTML_NAME = 'report.html';

export const CONTENT_TYPES: Record<string, string> = {
  [SQLITE_NAME]: 'application/vnd.sqlite3',
  [HTML_NAME]: 'text/html; charset=utf-8',
};

export interface Output {
  /** The location as given: a folder path or an s3:// URL. */
  readonly description: string;
  /** The local folder the files are written in. */
  readonly dir: string;
  /** Brings the last analytics file into `dir`, if there is one (S3). */
  fetch(): Promise<void>;
  /** Sends the named files of `dir` to their location (S3); local files are already there. */
  publish(names: string[]): Promise<void>;
  /** Where a file ends up: a file:// URL or an s3:// URL. */
  urlOf(name: string): string;
  /** Removes the temporary folder, if any. */
  dispose(): void;
}

class LocalOutput implements Output {
  readonly dir: string;
  constructor(readonly description: string) {
    this.dir = resolve(description);
    mkdirSync(this.dir, { recursive: true });
  }
  async fetch() {}
  async publish() {}
  urlOf(name: string) {
    return pathToFileURL(join(this.dir, name)).href;
  }
  dispose() {}
}

class S3Output implements Output {
  readonly dir = mkdtempSync(join(tmpdir(), 'mcfpipe-report-'));
  constructor(
    readonly description: string,
    private readonly store: BlobStore,
  ) {}
  async fetch() {
    const body = await this.store.get(SQLITE_NAME);
    if (body) writeFileSync(join(this.dir, SQLITE_NAME), body);
  }
  async publish(names: string[]) {
    for (const name of names) {
      await this.store.put(
        name,
        readFileSync(join(this.dir, name)),
        CONTENT_TYPES[name] ?? 'application/octet-stream',
      );
    }
  }
  urlOf(name: string) {
    return `${this.store.description}${name}`;
  }
  dispose() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The output at `location` (`input` names the setting in errors); S3 clients honour `env`. */
export function openOutput(
  input: string,
  location: string,
  opts: { s3?: S3Client; env?: NodeJS.ProcessEnv } = {},
): Output {
  if (location.startsWith('s3://')) {
    // The location is checked before a client is made (which needs a region).
    parseS3Url(input, `${location.replace(/\/+$/, '')}/_`);
    const s3 = opts.s3 ?? createClient(S3Client, 'S3', opts.env ? { env: opts.env } : {});
    const store = openBlobStore(input, location, { s3 });
    return new S3Output(store.description, store);
  }
  return new LocalOutput(location);
}
