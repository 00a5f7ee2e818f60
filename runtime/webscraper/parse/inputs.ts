/**
 * What `mcfpipe parse` reads: files of saved MCF records and pages, as the
 * records they hold.
 *
 * A file may be gzip (the scraper's archive parts are) and holds one of:
 * - an HTML job page (a page saved from the browser, or the scraper's render);
 * - one JSON document: a job, a list of jobs, a listing page (`{results}`), or
 *   an archive record (`{kind, url, body}`);
 * - JSON Lines of any of those.
 *
 * Archive records: `detail` holds a job, `page` a rendered page's HTML,
 * `listing` a listing page whose `results` are jobs (without the
 * description when the listing came from POST /v2/search).
 */
import { readFile, stat } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { isObject } from '../normalise/read.js';

/** One record found in an input: a job object, a listing's job, or a page's HTML. */
export type InputRecord =
  | { kind: 'job' | 'listing-item'; where: string; value: unknown }
  | { kind: 'page'; where: string; html: string; url?: string }
  | { kind: 'unreadable'; where: string; reason: string };

/** Largest file read, bytes (uncompressed): a saved page is under 1 MB, an archive part 4 MiB. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

function looksLikeHtml(text: string): boolean {
  return /^\s*</.test(text);
}

/** The records of one JSON value found at `where`. */
export function recordsOf(value: unknown, where: string): InputRecord[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => recordsOf(v, `${where}[${i}]`));
  if (!isObject(value)) return [{ kind: 'job', where, value }];
  if (typeof value.kind === 'string' && 'body' in value) {
    const url = typeof value.url === 'string' ? value.url : undefined;
    switch (value.kind) {
      case 'detail':
        return [{ kind: 'job', where, value: value.body }];
      case 'page':
        return typeof value.body === 'string'
          ? [{ kind: 'page', where, html: value.body, ...(url ? { url } : {}) }]
          : [{ kind: 'unreadable', where, reason: 'an archived page whose body is not HTML text' }];
      case 'listing':
        return listingItems(value.body, where);
    }
  }
  if (Array.isArray(value.results) && !('uuid' in value)) return listingItems(value, where);
  return [{ kind: 'job', where, value }];
}

function listingItems(body: unknown, where: string): InputRecord[] {
  if (!isObject(body) || !Array.isArray(body.results))
    return [{ kind: 'unreadable', where, reason: 'a listing without a results list' }];
  return body.results.map((value, i) => ({
    kind: 'listing-item' as const,
    where: `${where} results[${i}]`,
    value,
  }));
}

/** The records of a file's text. */
export function recordsOfText(text: string, name: string): InputRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  if (looksLikeHtml(body)) return [{ kind: 'page', where: name, html: body }];
  if (body.trim() === '') return [{ kind: 'unreadable', where: name, reason: 'the file is empty' }];
  try {
    return recordsOf(JSON.parse(body), name);
  } catch {
    // Not one JSON document: JSON Lines.
  }
  const out: InputRecord[] = [];
  const lines = body.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${name}:${i + 1}`;
    try {
      out.push(...recordsOf(JSON.parse(line), where));
    } catch (err) {
      out.push({
        kind: 'unreadable',
        where,
        reason: `neither JSON, JSON Lines nor HTML (${(err as Error).message.slice(0, 120)})`,
      });
    }
  });
  return out;
}

const tooLarge = (where: string): InputRecord => ({
  kind: 'unreadable',
  where,
  reason: `larger than ${MAX_INPUT_BYTES} bytes (unpacked); split it`,
});

/**
 * A gzip file's contents. A truncated file (a part cut off mid-write: a
 * killed run, a partial download) gives what it holds up to the cut, and
 * `truncated`; the caller keeps the complete lines.
 */
function gunzip(bytes: Buffer): { text: Buffer; truncated: boolean } {
  try {
    return { text: gunzipSync(bytes, { maxOutputLength: MAX_INPUT_BYTES }), truncated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw err;
    const text = gunzipSync(bytes, {
      maxOutputLength: MAX_INPUT_BYTES,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    return { text, truncated: true };
  }
}

/** Reads a file (gunzipped when it is gzip) into its records; a file that cannot be read is one unreadable record. */
export async function readInputFile(path: string): Promise<InputRecord[]> {
  let bytes: Buffer;
  let truncated = false;
  try {
    if ((await stat(path)).size > MAX_INPUT_BYTES) return [tooLarge(path)];
    bytes = await readFile(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) ({ text: bytes, truncated } = gunzip(bytes));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') return [tooLarge(path)];
    const what = e.code?.startsWith('Z_') ? 'not a readable gzip file' : 'cannot read the file';
    return [
      {
        kind: 'unreadable',
        where: path,
        reason: `${what} (${e.code ?? e.message.slice(0, 120)})`,
      },
    ];
  }
  if (!truncated) return recordsOfText(bytes.toString('utf8'), path);
  // Keep the complete lines; the one cut off is lost, and said so.
  const text = bytes.toString('utf8');
  const cut = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, cut).split('\n').length - 1;
  return [
    ...(cut > 0 ? recordsOfText(text.slice(0, cut), path) : []),
    {
      kind: 'unreadable',
      where: `${path}:${lines + 1}`,
      reason: `the gzip file is cut off (truncated) after ${lines} complete lines; the rest of it is lost`,
    },
  ];
}
