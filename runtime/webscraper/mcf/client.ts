/**
 * The MCF API client: listing pages of a search and job details, through the
 * polite HTTP layer (rate limit, retries, circuit breaker).
 *
 * Listing endpoint: `GET /v2/jobs` by default, `POST /v2/search` on request
 * (see the README's "Listing endpoint" for why).
 */
import { HttpError, MalformedBodyError } from '../http/errors.js';
import { type PoliteHttp, parseJsonBody } from '../http/polite.js';
import { isObject } from '../normalise/read.js';
import { MCF_MAX_LIMIT } from './types.js';
import { joinUrl } from './urls.js';

export type ListingEndpoint = 'jobs' | 'search';
export const LISTING_ENDPOINTS: readonly ListingEndpoint[] = ['jobs', 'search'];

/** One search: a term and MCF's filters (display names). */
export interface SearchSpec {
  term: string;
  employmentTypes?: string[];
  positionLevels?: string[];
  categories?: string[];
  /** Minimum monthly salary, SGD. */
  minSalary?: number;
}

export interface ListingPage {
  /** Raw items, to be read with readListingItem. */
  items: unknown[];
  total: number;
  countWithoutFilters: number;
  /** The parsed body (for the raw archive). */
  body: unknown;
  url: string;
}

export type DetailResult =
  | { found: false; url: string }
  | { found: true; job: unknown; url: string };

export interface McfClientOptions {
  apiUrl: string;
  listing?: ListingEndpoint;
  /** Items per listing page (default and maximum 100). */
  pageSize?: number;
  /** Session id sent with POST /v2/search (default: random per run). */
  sessionId?: string;
}

function listingBody(url: string, text: string): Omit<ListingPage, 'url'> {
  const body = parseJsonBody(url, text);
  if (!isObject(body) || !Array.isArray(body.results)) {
    throw new MalformedBodyError(url, 'expected {"results": [...], "total": n}');
  }
  const total = typeof body.total === 'number' ? body.total : body.results.length;
  const countWithoutFilters =
    typeof body.countWithoutFilters === 'number' ? body.countWithoutFilters : total;
  return { items: body.results, total, countWithoutFilters, body };
}

export class McfClient {
  readonly pageSize: number;
  private readonly listing: ListingEndpoint;
  private readonly sessionId: string;

  constructor(
    private readonly http: PoliteHttp,
    private readonly opts: McfClientOptions,
  ) {
    this.pageSize = Math.min(MCF_MAX_LIMIT, Math.max(1, opts.pageSize ?? MCF_MAX_LIMIT));
    this.listing = opts.listing ?? 'jobs';
    this.sessionId = opts.sessionId ?? crypto.randomUUID();
  }

  /** Page `page` (from 0) of a search, newest postings first. */
  async listPage(search: SearchSpec, page: number): Promise<ListingPage> {
    const params = new URLSearchParams({ limit: String(this.pageSize), page: String(page) });
    let url: string;
    let body: unknown;
    if (this.listing === 'jobs') {
      params.set('search', search.term);
      params.set('sortBy', 'new_posting_date');
      if (search.employmentTypes?.length)
        params.set('employmentTypes', search.employmentTypes.join(','));
      if (search.positionLevels?.length)
        params.set('positionLevels', search.positionLevels.join(','));
      if (search.categories?.length) params.set('categories', search.categories.join(','));
      if (search.minSalary !== undefined) params.set('salary', String(search.minSalary));
      url = `${joinUrl(this.opts.apiUrl, '/v2/jobs')}?${params}`;
    } else {
      url = `${joinUrl(this.opts.apiUrl, '/v2/search')}?${params}`;
      body = {
        sessionId: this.sessionId,
        search: search.term,
        categories: search.categories ?? [],
        employmentTypes: search.employmentTypes ?? [],
        positionLevels: search.positionLevels ?? [],
        ...(search.minSalary !== undefined ? { salary: search.minSalary } : {}),
        sortBy: ['new_posting_date'],
      };
    }
    const res = await this.http.fetchJson({
      what: 'listing',
      url,
      parse: (text) => listingBody(url, text),
      ...(body !== undefined ? { method: 'POST' as const, body } : {}),
    });
    if (!('value' in res)) throw new HttpError(url, res.status, '');
    return { ...res.value, url };
  }

  /** The full job; `found: false` when MCF does not know the uuid (404). */
  async getJob(uuid: string): Promise<DetailResult> {
    const url = joinUrl(this.opts.apiUrl, `/v2/jobs/${encodeURIComponent(uuid)}`);
    const res = await this.http.fetchJson({
      what: 'detail',
      url,
      allow404: true,
      // Any JSON is a record: a wrong shape is the normaliser's to quarantine, not a reason to retry.
      parse: (text) => parseJsonBody(url, text),
    });
    return 'value' in res ? { found: true, job: res.value, url } : { found: false, url };
  }
}
