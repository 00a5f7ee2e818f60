/**
 * The MCF replay server: speaks the MyCareersFuture API (shared/mcf-api.md)
 * over a generated corpus, on 127.0.0.1 and a port the OS picks, and serves
 * the website's job pages for the browser path. Used by the tests, the
 * benchmarks and the local pipeline.
 *
 *   GET  /v2/jobs?search=&limit=&page=&sortBy=&employmentTypes=&positionLevels=&categories=&salary=&uen=&skillIds=
 *   POST /v2/search?limit=&page=     body {sessionId, search, categories[], ..., sortBy[]}
 *   GET  /v2/jobs/{uuid}             404 {"message": "UUID is not found in the database."}
 *   GET  /job/<category>/<title-slug>-<uuid>   the job page (client-side rendered)
 *
 * Rules as on MCF: limit 1 to 100 (default 20; 101 is a 400), page from 0,
 * the end of the corpus is a 200 with empty results, unknown parameter names
 * are ignored, unknown filter values and sortBy values are 400s.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McfJob } from '../webscraper/mcf/types.js';
import { MCF_MAX_LIMIT, MCF_NOT_FOUND_MESSAGE } from '../webscraper/mcf/types.js';
import { uuidFromJobUrl } from '../webscraper/mcf/urls.js';
import { Corpus, type CorpusOptions, type JobQuery, type SortBy } from './corpus.js';
import { FaultPlan, type FaultRule, type Route } from './faults.js';
import { renderJobPageShell, renderNotFoundPage } from './page.js';
import { POSTING_COMPANY, SORT_BY } from './vocabulary.js';

export interface ReplayServerOptions {
  /** A corpus, or the options to generate one (default: 1000 jobs, seed 1). */
  corpus?: Corpus | CorpusOptions;
  /** Delay before every answer, ms (default 0). */
  latencyMs?: number;
  faults?: FaultRule[];
  /** Seed of probabilistic faults (default 1). */
  faultSeed?: number;
  /** How long the job page's script waits before rendering, ms (default 30). */
  renderDelayMs?: number;
  /** Keep a log of every request in `requests` (default true). */
  log?: boolean;
  /** Default 0: a port the OS picks. */
  port?: number;
}

export interface RequestRecord {
  method: string;
  route: Route;
  path: string;
  uuid?: string;
  /** Listing page, for the listing routes. */
  page?: number;
  search?: string;
  /** The HTTP status sent, or `timeout` / `reset` when none was. */
  status: number | 'timeout' | 'reset';
  fault?: string;
}

export interface ReplayServer {
  /** Base URL of the API and of the website (one server serves both). */
  readonly url: string;
  readonly corpus: Corpus;
  /** Every request so far (when `log` is on). */
  readonly requests: RequestRecord[];
  /** Requests per route so far (always counted). */
  readonly counts: Record<Route, number>;
  setFaults(rules: FaultRule[]): void;
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

class BadRequest extends Error {}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function intParam(
  name: string,
  raw: string | null | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === null || raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new BadRequest(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max)
    throw new BadRequest(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function checkValues(
  name: string,
  values: string[] | undefined,
  known: Set<string>,
): string[] | undefined {
  if (!values?.length) return undefined;
  for (const v of values)
    if (!known.has(v)) throw new BadRequest(`Invalid value ${JSON.stringify(v)} for ${name}`);
  return values;
}

function listParam(params: URLSearchParams, name: string): string[] | undefined {
  const values = params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length ? values : undefined;
}

function sortParam(raw: string | null | undefined): SortBy {
  if (raw === null || raw === undefined || raw === '') return 'relevance';
  if (!(SORT_BY as readonly string[]).includes(raw))
    throw new BadRequest(`Invalid sortBy ${JSON.stringify(raw)}`);
  return raw as SortBy;
}

const LABEL_FILTERS = ['categories', 'employmentTypes', 'positionLevels'] as const;

/** The display-name filters, checked against the known values (an unknown one is a 400). */
function labelFilters(
  get: (name: string) => string[] | undefined,
): Pick<JobQuery, (typeof LABEL_FILTERS)[number]> {
  const q: Pick<JobQuery, (typeof LABEL_FILTERS)[number]> = {};
  for (const name of LABEL_FILTERS) {
    const values = checkValues(name, get(name), Corpus.known[name]);
    if (values) q[name] = values;
  }
  return q;
}

function queryFromParams(params: URLSearchParams): JobQuery {
  const q: JobQuery = { sortBy: sortParam(params.get('sortBy')) };
  const search = params.get('search');
  if (search) q.search = search;
  Object.assign(
    q,
    labelFilters((name) => listParam(params, name)),
  );
  if (params.get('salary')) q.salary = intParam('salary', params.get('salary'), 0, 0, 10_000_000);
  const uen = params.get('uen');
  if (uen) q.uen = uen;
  const skillIds = listParam(params, 'skillIds');
  if (skillIds) q.skillIds = skillIds;
  return q;
}

function stringList(body: Record<string, unknown>, name: string): string[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new BadRequest(`${name} must be a list of strings`);
  return v.length ? (v as string[]) : undefined;
}

function queryFromBody(body: unknown): JobQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest('The body must be a JSON object');
  const b = body as Record<string, unknown>;
  const q: JobQuery = {};
  if (b.search !== undefined && b.search !== null) {
    if (typeof b.search !== 'string') throw new BadRequest('search must be a string');
    if (b.search) q.search = b.search;
  }
  Object.assign(
    q,
    labelFilters((name) => stringList(b, name)),
  );
  const postingCompany = checkValues(
    'postingCompany',
    stringList(b, 'postingCompany'),
    new Set(POSTING_COMPANY),
  );
  if (postingCompany) q.postingCompany = postingCompany as JobQuery['postingCompany'];
  if (b.salary !== undefined && b.salary !== null) {
    if (typeof b.salary !== 'number' || !Number.isInteger(b.salary) || b.salary < 0)
      throw new BadRequest('salary must be a whole number');
    q.salary = b.salary;
  }
  const fwa = b.flexibleWorkArrangements;
  if (fwa !== undefined && fwa !== null) {
    if (
      !Array.isArray(fwa) ||
      fwa.some((x) => !Corpus.known.flexibleWorkArrangements.has(x as number))
    ) {
      throw new BadRequest('flexibleWorkArrangements must be a list of ids 1 to 6');
    }
    if (fwa.length) q.flexibleWorkArrangements = fwa as number[];
  }
  const sortBy = b.sortBy;
  if (sortBy !== undefined && sortBy !== null) {
    if (
      !Array.isArray(sortBy) ||
      sortBy.some((s) => !(SORT_BY as readonly unknown[]).includes(s))
    ) {
      throw new BadRequest(`sortBy must be a list of ${SORT_BY.join(', ')}`);
    }
    if (sortBy.length) q.sortBy = sortBy[0] as SortBy;
  }
  q.sortBy ??= 'relevance';
  return q;
}

export async function startReplayServer(opts: ReplayServerOptions = {}): Promise<ReplayServer> {
  const corpus =
    opts.corpus instanceof Corpus ? opts.corpus : new Corpus({ seed: 1, ...opts.corpus });
  const faults = new FaultPlan(opts.faults ?? [], opts.faultSeed ?? 1);
  let latencyMs = opts.latencyMs ?? 0;
  const keepLog = opts.log ?? true;
  const requests: RequestRecord[] = [];
  const counts: Record<Route, number> = { jobs: 0, search: 0, detail: 0, page: 0, other: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let base = '';

  const later = (ms: number, fn: () => void) => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const urls = () => ({ api: base, web: base });

  function classify(method: string, path: string): { route: Route; uuid?: string } {
    if (path === '/v2/jobs' && method === 'GET') return { route: 'jobs' };
    if (path === '/v2/search' && method === 'POST') return { route: 'search' };
    const detail = /^\/v2\/jobs\/([^/]+)$/.exec(path);
    if (detail && method === 'GET')
      return { route: 'detail', uuid: decodeURIComponent(detail[1]!) };
    if (path.startsWith('/job/') && method === 'GET') {
      const uuid = uuidFromJobUrl(path);
      return uuid ? { route: 'page', uuid } : { route: 'page' };
    }
    return { route: 'other' };
  }

  function listingPage(
    q: JobQuery,
    url: URL,
    limit: number,
    page: number,
    withDescription: boolean,
  ) {
    const result = corpus.query(q);
    const slice = result.entries.slice(page * limit, (page + 1) * limit);
    const results = slice.map((e) => {
      const job = corpus.render(e, urls()) as McfJob;
      if (!withDescription && job && typeof job === 'object' && !Array.isArray(job))
        delete job.description;
      return job;
    });
    const link = (p: number) => {
      const u = new URL(url.href);
      u.searchParams.set('page', String(p));
      u.searchParams.set('limit', String(limit));
      return { href: u.href };
    };
    const lastPage = Math.max(0, Math.ceil(result.total / limit) - 1);
    return {
      results,
      total: result.total,
      countWithoutFilters: result.countWithoutFilters,
      _links: {
        self: link(page),
        first: link(0),
        last: link(lastPage),
        ...(page < lastPage ? { next: link(page + 1) } : {}),
      },
    };
  }

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: Route,
    uuid: string | undefined,
  ): Promise<void> {
    switch (route) {
      case 'jobs': {
        const limit = intParam('limit', url.searchParams.get('limit'), 20, 1, MCF_MAX_LIMIT);
        const page = intParam('page', url.searchParams.get('page'), 0, 0, 1_000_000);
        return sendJson(
          res,
          200,
          listingPage(queryFromParams(url.searchParams), url, limit, page, true),
        );
      }
      case 'search': {
        const limit = intParam('limit', url.searchParams.get('limit'), 20, 1, MCF_MAX_LIMIT);
        const page = intParam('page', url.searchParams.get('page'), 0, 0, 1_000_000);
        const text = await readBody(req);
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          throw new BadRequest('The body is not valid JSON');
        }
        const out = listingPage(queryFromBody(body), url, limit, page, false);
        const searchRankingId = createHash('md5').update(`${text}|${page}`).digest('hex');
        return sendJson(res, 200, { searchRankingId, ...out });
      }
      case 'detail': {
        const job = uuid ? corpus.job(uuid, urls()) : undefined;
        if (job === undefined) return sendJson(res, 404, { message: MCF_NOT_FOUND_MESSAGE });
        return sendJson(res, 200, job);
      }
      case 'page': {
        const job = uuid ? corpus.job(uuid, urls()) : undefined;
        const html =
          job && typeof job === 'object' && !Array.isArray(job)
            ? renderJobPageShell(job as McfJob, {
                renderDelayMs: opts.renderDelayMs ?? 30,
                suggested: corpus.suggestions(uuid!, urls()),
              })
            : undefined;
        res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html ?? renderNotFoundPage());
        return;
      }
      default:
        return sendJson(res, 404, { message: 'Not Found' });
    }
  }

  /** Sends what the fault asks for; returns the status recorded. */
  function injure(
    res: ServerResponse,
    fault: FaultRule,
    good: () => Promise<string>,
  ): Promise<RequestRecord['status']> | RequestRecord['status'] {
    switch (fault.kind) {
      case '429':
        sendJson(
          res,
          429,
          { message: 'Too Many Requests' },
          { 'retry-after': String(fault.retryAfterS ?? 1) },
        );
        return 429;
      case '5xx': {
        const status = fault.status ?? 503;
        res.writeHead(status, {
          'content-type': 'text/html',
          ...(status === 503 && fault.retryAfterS !== undefined
            ? { 'retry-after': String(fault.retryAfterS) }
            : {}),
        });
        res.end(`<html><body><h1>${status} Server Error</h1></body></html>`);
        return status;
      }
      case '403':
        res.writeHead(403, { 'content-type': 'text/html' });
        res.end('<html><body><h1>403 Forbidden</h1><p>Request blocked.</p></body></html>');
        return 403;
      case 'timeout':
        return 'timeout';
      case 'reset':
        res.socket?.destroy();
        return 'reset';
      case 'malformed':
        return good().then((text) => {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
          return 200;
        });
      default:
        return 500;
    }
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base || 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const { route, uuid } = classify(method, url.pathname);
    counts[route]++;
    const record: RequestRecord = { method, route, path: url.pathname + url.search, status: 200 };
    if (uuid) record.uuid = uuid;
    if (route === 'jobs' || route === 'search') {
      record.page = Number(url.searchParams.get('page') ?? 0);
      record.search = url.searchParams.get('search') ?? '';
    }
    if (keepLog) requests.push(record);
    const now = Date.now();
    const blocked = faults.blocked(now);
    const decision = blocked
      ? { delayMs: 0, fault: { kind: '403' } as FaultRule }
      : faults.decide(route, uuid, now);
    if (decision.fault) record.fault = decision.fault.kind;

    later(latencyMs + decision.delayMs, () => {
      if (res.destroyed) return;
      const run = async () => {
        if (decision.fault) {
          const good = async () => {
            const capture = new CaptureResponse();
            await answer(req, capture as unknown as ServerResponse, url, route, uuid);
            return capture.body;
          };
          record.status = await injure(res, decision.fault, good);
          return;
        }
        await answer(req, res, url, route, uuid);
        record.status = res.statusCode;
      };
      run().catch((err: unknown) => {
        const status = err instanceof BadRequest ? 400 : 500;
        record.status = status;
        if (!res.headersSent)
          sendJson(res, status, { message: err instanceof Error ? err.message : String(err) });
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    corpus,
    requests,
    counts,
    setFaults: (rules) => faults.set(rules),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Collects what {@link sendJson} writes, so a malformed answer can be cut from the real one. */
class CaptureResponse {
  body = '';
  statusCode = 200;
  headersSent = false;
  writeHead(status: number): this {
    this.statusCode = status;
    return this;
  }
  end(text?: string): void {
    this.body = text ?? '';
  }
}
