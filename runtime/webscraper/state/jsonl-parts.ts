/**
 * Append-only JSONL in parts: records are buffered and written as whole
 * objects (`<prefix>/part-<run>-<seq>.jsonl[.gz]`) when a part is full and at
 * the end, so memory stays bounded however long the run, and the same code
 * writes to a folder or to S3 (which cannot append).
 */
import { gzipSync } from 'node:zlib';
import type { BlobStore } from './blob-store.js';

export interface JsonlPartsOptions {
  /** Folder (key prefix) of the parts. */
  prefix: string;
  /** Distinguishes the parts of concurrent or successive runs. */
  runId: string;
  gzip?: boolean;
  /** Records per part at most (default 1000). */
  maxRecords?: number;
  /** Uncompressed bytes per part at most (default 8 MiB). */
  maxBytes?: number;
  /**
   * Told when a part written in the background (a full part, from `add`)
   * cannot be stored; `flush()` then rejects with the first such error too.
   */
  onError?: (err: unknown) => void;
}

export class JsonlParts {
  private lines: string[] = [];
  private bytes = 0;
  private seq = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** Records written so far (flushed or buffered). */
  records = 0;
  /** Keys of the parts written. */
  readonly parts: string[] = [];

  constructor(
    private readonly store: BlobStore,
    private readonly opts: JsonlPartsOptions,
  ) {}

  add(record: unknown): void {
    const line = JSON.stringify(record);
    this.lines.push(line);
    this.bytes += line.length + 1;
    this.records++;
    if (
      this.lines.length >= (this.opts.maxRecords ?? 1000) ||
      this.bytes >= (this.opts.maxBytes ?? 8 * 1024 * 1024)
    ) {
      // In the background: a failure is kept (and reported), never an unhandled rejection.
      this.writing = this.writing.then(() => this.flushNow()).catch((err) => this.failed(err));
    }
  }

  /** Records waiting in memory for the next part. */
  get buffered(): number {
    return this.lines.length;
  }

  /** Writes what is buffered; resolves when every part so far is stored, rejects if one could not be. */
  flush(): Promise<void> {
    const done = this.writing.then(() => this.flushNow());
    this.writing = done.catch((err) => this.failed(err));
    return done.then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
  }

  private failed(err: unknown): void {
    if (this.failure === undefined) {
      this.failure = err;
      this.opts.onError?.(err);
    }
  }

  private async flushNow(): Promise<void> {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join('\n')}\n`;
    this.lines = [];
    this.bytes = 0;
    const seq = String(++this.seq).padStart(5, '0');
    const key = `${this.opts.prefix}/part-${this.opts.runId}-${seq}.jsonl${this.opts.gzip ? '.gz' : ''}`;
    await this.store.put(
      key,
      this.opts.gzip ? gzipSync(text) : text,
      this.opts.gzip ? 'application/gzip' : 'application/x-ndjson',
    );
    this.parts.push(key);
  }
}
