/**
 * How a request to MCF can end besides success, each a class the scraper
 * acts on: retry (429, 5xx, timeouts, resets, malformed bodies), pause (403
 * blocks), give up on the record, or stop the run (the circuit breaker).
 */

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
    message?: string,
  ) {
    super(
      message ?? `MCF answered ${status} for ${url}: ${body.slice(0, 200).replace(/\s+/g, ' ')}`,
    );
  }
}

/** A 2xx whose body is not what the endpoint returns (cut off, not JSON, wrong shape). */
export class MalformedBodyError extends Error {
  override name = 'MalformedBodyError';
  constructor(
    readonly url: string,
    readonly detail: string,
  ) {
    super(`MCF sent a malformed body for ${url}: ${detail}`);
  }
}

/** No answer: timeout, reset, refused connection. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(
    readonly url: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`No answer from MCF for ${url}: ${code}`, options);
  }
}

/** Errors kept on failing: the run stops cleanly, keeping what it has. */
export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError';
}

/** The run was asked to stop (SIGTERM, SIGINT). */
export class StopRequestedError extends Error {
  override name = 'StopRequestedError';
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The code of a failed fetch (`ECONNRESET`, `TIMEOUT`, ...), or undefined when it is no network failure. */
export function networkErrorCode(err: unknown): string | undefined {
  if (err instanceof DOMException && err.name === 'TimeoutError') return 'TIMEOUT';
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (e.name === 'TimeoutError') return 'TIMEOUT';
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    current = e.cause;
  }
  if (err instanceof TypeError && /fetch failed|terminated|other side closed/i.test(err.message))
    return 'CONNECTION_LOST';
  return undefined;
}
