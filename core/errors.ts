/**
 * Turns errors into causes a person can act on.
 *
 * Actions throw {@link ActionError} for failures they understand (a stack that
 * rolled back, a task that exited non-zero) with the cause already worded; the
 * SDK's own errors are translated here: missing or expired credentials, access
 * denied (naming the operation to allow), throttling beyond retries, an
 * unreachable endpoint, an endpoint that is not AWS, a missing region.
 */
import type { ErrorContext, RawAnswer } from './aws.js';
import { REGION_HELP } from './aws.js';
import { formatDuration } from './values.js';

/** A failure whose message is already the cause and the fix, shown as is. */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  constructor(
    message: string,
    /** What the user can do about it, appended on its own line. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The longest part of a foreign body quoted in a message. */
const QUOTED_BYTES = 120;

/**
 * A body quoted in a message: whitespace runs made single spaces, cut to
 * {@link QUOTED_BYTES}, in JSON string quotes (so quotes, backslashes and
 * control characters are escaped and nothing in it can start a log line or
 * a workflow command).
 */
export function quoteBody(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > QUOTED_BYTES ? `${flat.slice(0, QUOTED_BYTES)}…` : flat;
  return JSON.stringify(cut);
}

/**
 * An answer that did not come from the AWS service (an HTML error page of a
 * proxy or a load balancer, a captive portal, an emulator's crash page, an
 * empty 502): the message names the endpoint, the status and the body's
 * first bytes, instead of the parser's complaint about them.
 */
export class NonAwsResponseError extends Error {
  override readonly name = 'NonAwsResponseError';
  readonly $metadata: { httpStatusCode: number; attempts?: number; totalRetryDelay?: number };
  constructor(
    readonly answer: RawAnswer,
    cause: unknown,
    readonly $service?: string,
    readonly $command?: string,
  ) {
    const body =
      answer.bodyBytes === 0
        ? 'an empty body'
        : `a non-AWS body (first bytes: ${quoteBody(answer.head)})`;
    super(`the endpoint ${answer.url} answered HTTP ${answer.status} with ${body}`, { cause });
    const meta = (cause as { $metadata?: { attempts?: number; totalRetryDelay?: number } })
      ?.$metadata;
    this.$metadata = {
      httpStatusCode: answer.status,
      ...(meta?.attempts !== undefined && { attempts: meta.attempts }),
      ...(meta?.totalRetryDelay !== undefined && { totalRetryDelay: meta.totalRetryDelay }),
    };
  }
}

const CREDENTIALS_HELP =
  'In a workflow, add aws-actions/configure-aws-credentials before this step ' +
  '(with role-to-assume for GitHub OIDC, and "permissions: id-token: write" on the job); ' +
  'locally, set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'IncompleteSignature',
]);
const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

interface SdkErrorShape extends ErrorContext {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: {
    httpStatusCode?: number;
    requestId?: string;
    attempts?: number;
    totalRetryDelay?: number;
  };
  cause?: unknown;
}

/** The AWS error code of an SDK error (`name`, or `Code` for some XML services). */
export function errorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as SdkErrorShape;
  return e.Code ?? e.name ?? e.code;
}

export function isThrottling(err: unknown): boolean {
  const code = errorCode(err);
  return (code !== undefined && THROTTLED.has(code)) || /rate exceeded/i.test(messageOf(err));
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'TimeoutError',
]);

/** Throttling, an HTTP 5xx, or a network error: worth trying again later. */
export function isTransient(err: unknown): boolean {
  if (isThrottling(err)) return true;
  const e = err as { $metadata?: { httpStatusCode?: number }; code?: string } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return [errorCode(err), e?.code].some((code) => code !== undefined && TRANSIENT_CODES.has(code));
}

export function isAccessDenied(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && ACCESS_DENIED.has(code);
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err)
    return String((err as SdkErrorShape).message);
  return String(err);
}

function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as SdkErrorShape).code;
    if (code && NETWORK.has(code)) return code;
    current = (current as SdkErrorShape).cause;
  }
  return undefined;
}

function operation(err: SdkErrorShape): string {
  if (err.$service && err.$command) return `${err.$service} ${err.$command}`;
  return err.$command ?? err.$service ?? 'AWS';
}

/** A one-paragraph explanation of any error, for `core.setFailed`. */
export function explainError(err: unknown): string {
  if (err instanceof ActionError) return err.hint ? `${err.message}\n${err.hint}` : err.message;
  if (!err || typeof err !== 'object') return String(err);
  const e = err as SdkErrorShape;
  const code = errorCode(err);
  const message = messageOf(err);
  const op = operation(e);

  if (err instanceof NonAwsResponseError) {
    return `${op}: ${message}${tries(e)}. Check that AWS_ENDPOINT_URL and any AWS_ENDPOINT_URL_* variables point at AWS or an AWS-compatible endpoint; a proxy, a captive portal or an emulator that is down answers like this.`;
  }
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return `No AWS credentials found. ${CREDENTIALS_HELP}`;
  }
  if (/region is missing/i.test(message)) {
    return `No AWS region configured. ${REGION_HELP}`;
  }
  if (code && EXPIRED.has(code)) {
    return `The AWS credentials have expired (${op}: ${message}). Re-run the job, or raise role-duration-seconds in configure-aws-credentials for long deploys.`;
  }
  if (code && BAD_CREDENTIALS.has(code)) {
    return `AWS rejected the credentials (${op}: ${code}: ${message}). Check that the role or keys belong to the intended account and are still valid. ${CREDENTIALS_HELP}`;
  }
  if (code && ACCESS_DENIED.has(code)) {
    const action =
      e.$service && e.$command
        ? ` Allow the action for ${e.$command} on the resource in the role's policy.`
        : '';
    return `Access denied: ${op} was refused: ${message}.${action}`;
  }
  if (isThrottling(err)) {
    return `AWS kept throttling ${op}${tries(e) || ' after every retry'} (${code}: ${message}). Another workflow or tool is probably calling the same API heavily; retry the job later.`;
  }
  const net = networkCode(err);
  if (net) {
    const endpoint = process.env.AWS_ENDPOINT_URL
      ? ` (AWS_ENDPOINT_URL is ${process.env.AWS_ENDPOINT_URL})`
      : '';
    return `Cannot reach the ${e.$service ?? 'AWS'} endpoint: ${net}${endpoint}${tries(e)}. Check the network, the region and any AWS_ENDPOINT_URL* variables.`;
  }
  if (e.$metadata || e.$command) {
    const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
    return `${op} failed${status}${tries(e)}: ${code && code !== 'Error' ? `${code}: ` : ''}${message}`;
  }
  return message;
}

/** ", after 3 attempts over 1.2s" when the client retried the call; else nothing. */
function tries(e: SdkErrorShape): string {
  const attempts = e.$metadata?.attempts;
  if (!attempts || attempts < 2) return '';
  return `, after ${attempts} attempts over ${formatDuration(e.$metadata?.totalRetryDelay ?? 0)}`;
}
