/**
 * The DB API on one machine: the Lambda's handler behind node:http on
 * 127.0.0.1, against DynamoDB from dynalite (embedded, on 127.0.0.1, tables
 * created from db_schema.json at start). Used by the local pipeline, the
 * tests of every part that talks to the API, and the benchmarks.
 *
 *   const api = await startLocalDbApi();
 *   const client = new DbApiClient({ url: api.url });
 *   ...
 *   await api.stop();
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { projectSchema, type Schema } from '../../schema/schema.js';
import { MAX_BODY_BYTES } from '../contract.js';
import {
  type ApiHandler,
  type ApiRequest,
  createHandler,
  type RequestLog,
} from '../http/handler.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { TableStore } from '../store/table-store.js';
import { ensureTables } from '../store/tables.js';

export interface Listening {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** Starts dynalite (in memory, or in `dataDir` to keep data across runs) on 127.0.0.1. */
export async function startDynalite(
  opts: { port?: number; dataDir?: string } = {},
): Promise<Listening> {
  // Loaded when used: the container's bundle leaves the embedded DynamoDB (a native LevelDB) out.
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.dataDir ? { path: opts.dataDir } : {}),
  });
  const port = await listen(server, opts.port ?? 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, port, stop: () => close(server) };
}

/** Past this, an oversized upload is cut off instead of drained. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads a body of at most `limit` bytes. A larger one is read to its end and
 * discarded (so the client, still sending, gets the 413 rather than a reset
 * connection), up to {@link DRAIN_LIMIT}.
 */
function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ body: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DRAIN_LIMIT) {
        req.destroy();
        resolve({ body: '', tooLarge: true });
      }
    });
    req.on('end', () => {
      resolve(
        size > limit
          ? { body: '', tooLarge: true }
          : { body: Buffer.concat(chunks).toString('utf8'), tooLarge: false },
      );
    });
    req.on('error', reject);
  });
}

/** Serves an API handler with node:http on `host` (default 127.0.0.1) and `port` (default: one the OS picks). */
export async function serveHandler(
  handler: ApiHandler,
  opts: { port?: number; host?: string } = {},
): Promise<Listening> {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const hasBody =
        req.headers['content-length'] !== undefined ||
        req.headers['transfer-encoding'] !== undefined;
      const { body, tooLarge } = hasBody
        ? await readBody(req, MAX_BODY_BYTES)
        : { body: undefined, tooLarge: false };
      const headers: ApiRequest['headers'] = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const answer = await handler({
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: url.searchParams,
        headers,
        ...(body !== undefined && body !== '' ? { body } : {}),
        ...(tooLarge ? { bodyTooLarge: true } : {}),
        requestId: randomUUID(),
      });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch (err) {
      // The handler answers every error itself; this is a transport failure.
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'internal_error', message: 'internal error', request_id: '' },
        }),
      );
      process.stderr.write(`db-api local server: ${(err as Error).stack ?? String(err)}\n`);
    }
  });
  server.keepAliveTimeout = 5000;
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port ?? 0, host);
  return { url: `http://${host}:${port}`, port, stop: () => close(server) };
}

export interface LocalDbApiOptions {
  /** Port of the API (default: one the OS picks). */
  port?: number;
  /** Physical table prefix (default `mcfpipe-local-`). */
  tablePrefix?: string;
  /** Use this DynamoDB (e.g. another dynalite) instead of starting one; its tables are created when missing. */
  dynamoEndpoint?: string;
  /** Keep dynalite's data in this directory (default: in memory). */
  dataDir?: string;
  /** Request log lines (default: none, so tests stay quiet; pass `console` style to see them). */
  log?: (line: RequestLog) => void;
  schema?: Schema;
  /** Clock of the store, for created / last_modified. */
  now?: () => Date;
}

export interface LocalDbApi {
  /** The API's base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The DynamoDB endpoint behind it. */
  dynamoEndpoint: string;
  tablePrefix: string;
  /** The table store the API uses (for direct access in tests). */
  store: TableStore;
  dynamo: DynamoDBClient;
  stop(): Promise<void>;
}

/** Starts dynalite (unless `dynamoEndpoint` is given), creates the tables and serves the API. */
export async function startLocalDbApi(opts: LocalDbApiOptions = {}): Promise<LocalDbApi> {
  const schema = opts.schema ?? projectSchema();
  const tablePrefix = opts.tablePrefix ?? 'mcfpipe-local-';
  const db = opts.dynamoEndpoint
    ? undefined
    : await startDynalite(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const dynamoEndpoint = opts.dynamoEndpoint ?? db!.url;
  const dynamo = createDynamoClient({ localEndpoint: dynamoEndpoint, maxAttempts: 3 });
  try {
    await ensureTables(dynamo, schema, tablePrefix);
    const store = new TableStore({
      dynamo,
      tablePrefix,
      schema,
      ...(opts.now ? { now: opts.now } : {}),
    });
    const api = await serveHandler(
      createHandler({ store, log: opts.log ?? (() => {}) }),
      opts.port !== undefined ? { port: opts.port } : {},
    );
    return {
      url: api.url,
      dynamoEndpoint,
      tablePrefix,
      store,
      dynamo,
      async stop() {
        await api.stop();
        dynamo.destroy();
        await db?.stop();
      },
    };
  } catch (err) {
    dynamo.destroy();
    await db?.stop();
    throw err;
  }
}
