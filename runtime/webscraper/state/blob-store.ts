/**
 * Where the scraper keeps files it owns: checkpoints, hand-offs between
 * shards, the raw payload archive and the quarantine. A local folder, or an
 * S3 prefix when running in AWS (`s3://bucket/prefix`); each write replaces
 * a whole object, atomically (rename locally, PutObject on S3).
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createClient } from '../../../core/aws.js';
import { errorCode } from '../../../core/errors.js';
import { parseS3Url } from '../../../core/s3-url.js';

export interface BlobStore {
  /** For logs: a folder path or an s3:// URL. */
  readonly description: string;
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, body: Buffer | string, contentType?: string): Promise<void>;
  /** Keys under a prefix (`a/b/` lists everything below a/b). */
  list(prefix: string): Promise<string[]>;
}

export class MemoryBlobStore implements BlobStore {
  readonly description = 'memory';
  readonly objects = new Map<string, Buffer>();
  async get(key: string) {
    return this.objects.get(key);
  }
  async put(key: string, body: Buffer | string) {
    this.objects.set(key, Buffer.from(body));
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

export class LocalBlobStore implements BlobStore {
  readonly description: string;
  constructor(readonly root: string) {
    this.description = root;
  }

  private path(key: string): string {
    const p = join(this.root, ...key.split('/'));
    if (relative(this.root, p).startsWith('..'))
      throw new Error(`Key ${JSON.stringify(key)} leaves ${this.root}`);
    return p;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (!e.name.endsWith('.tmp')) out.push(relative(this.root, p).split(sep).join('/'));
      }
    };
    const slash = prefix.lastIndexOf('/');
    await walk(slash >= 0 ? this.path(prefix.slice(0, slash)) : this.root);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }
}

export class S3BlobStore implements BlobStore {
  readonly description: string;
  private readonly prefix: string;

  constructor(
    readonly bucket: string,
    prefix: string,
    private readonly s3: S3Client,
  ) {
    this.prefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    this.description = `s3://${bucket}/${this.prefix}`;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const res = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (errorCode(err) === 'NoSuchKey' || errorCode(err) === 'NotFound') return undefined;
      throw err;
    }
  }

  async put(
    key: string,
    body: Buffer | string,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key.slice(this.prefix.length));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }
}

/** A store from a location: `s3://bucket/prefix` or a local folder. `input` names the setting in errors. */
export function openBlobStore(
  input: string,
  location: string,
  opts: { s3?: S3Client } = {},
): BlobStore {
  if (location.startsWith('s3://')) {
    const withKey = /^s3:\/\/[^/]+$/.test(location.replace(/\/$/, ''))
      ? `${location.replace(/\/$/, '')}/_`
      : location;
    const { bucket, key } = parseS3Url(input, withKey);
    const prefix = key === '_' ? '' : key.replace(/\/+$/, '');
    return new S3BlobStore(bucket, prefix, opts.s3 ?? createClient(S3Client, 'S3'));
  }
  return new LocalBlobStore(location);
}
