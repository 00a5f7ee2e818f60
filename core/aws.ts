/**
 * AWS client construction shared by every action and by the runtime.
 *
 * - Region: the `region` input when given, else AWS_REGION, else
 *   AWS_DEFAULT_REGION (the SDK ignores the latter on its own).
 * - Credentials: the SDK's default chain (environment, web identity / OIDC as
 *   set up by aws-actions/configure-aws-credentials, shared files, IMDS).
 * - Endpoints: AWS_ENDPOINT_URL_<SERVICE_ID> (for example AWS_ENDPOINT_URL_S3,
 *   AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), then AWS_ENDPOINT_URL, so the toolkit
 *   can be pointed at any AWS-compatible endpoint. S3 uses path-style
 *   addressing whenever the endpoint is overridden.
 * - Retries: the client is the one owner of retries of its calls, on the
 *   policy in core/aws-retry.ts (throttling 6 attempts, 5xx and network
 *   errors 3, no retry after 45 s; each attempt connects within 5 s and is
 *   answered within 30 s).
 * - User agent: `mcfpipe/<version>`.
 * - Every error carries the service and operation that raised it
 *   (`$service`, `$command`), so {@link explainError} can name them; an
 *   answer that is not the service's (an HTML error page of a proxy, an
 *   empty 502) becomes a {@link NonAwsResponseError} naming the endpoint,
 *   the status and the first bytes, instead of the parser's complaint.
 */

import {
  AWS_RETRY_POLICY,
  type AwsRetryPolicy,
  AwsRetryStrategy,
  maxAttempts,
} from './aws-retry.js';
import type { Clock } from './clock.js';
import { NonAwsResponseError } from './errors.js';
import { VERSION } from './version.js';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** How the SDK names each service in endpoint variables (its serviceId). */
export type ServiceId =
  | 'CloudFormation'
  | 'S3'
  | 'ECS'
  | 'CloudWatch Logs'
  | 'ECR'
  | 'STS'
  | 'DynamoDB'
  | 'EC2'
  | 'IAM'
  | 'Lambda'
  | 'API Gateway';

export const REGION_HELP =
  'Set the action\'s "region" input, or configure credentials first with ' +
  'aws-actions/configure-aws-credentials (it sets AWS_REGION), or export AWS_REGION when running locally.';

/** us-east-1, us-gov-west-1, us-isob-east-1, cn-north-1, and the 4-letter prefixes of newer partitions (eusc-de-east-1). */
const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** The region to use, or a ConfigurationError that says how to set one. */
export function resolveRegion(input?: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates: Array<[string, string | undefined]> = [
    ['input "region"', input],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
  ];
  for (const [source, value] of candidates) {
    const v = value?.trim();
    if (!v) continue;
    if (!REGION_PATTERN.test(v)) {
      throw new ConfigurationError(
        `Region ${JSON.stringify(v)} from ${source} is not a valid AWS region. Accepted: a region code such as us-east-1 or ap-southeast-1.`,
      );
    }
    return v;
  }
  throw new ConfigurationError(`No AWS region configured. ${REGION_HELP}`);
}

/** The endpoint override for a service from the environment, if any. */
export function endpointFor(
  serviceId: ServiceId,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  const suffix = serviceId.toUpperCase().split(' ').join('_');
  return env[`AWS_ENDPOINT_URL_${suffix}`]?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
}

export interface ClientOptions {
  /** Region input of the action; falls back to the environment. */
  region?: string;
  /** How calls are retried (default {@link AWS_RETRY_POLICY}). */
  retryPolicy?: AwsRetryPolicy;
  /** The clock retries wait on (tests pass a virtual one). */
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

export interface CommonClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  retryStrategy: AwsRetryStrategy;
  maxAttempts: number;
  requestHandler: {
    connectionTimeout: number;
    requestTimeout: number;
    throwOnRequestTimeout: true;
  };
  customUserAgent: [string, string][];
}

/** The configuration every client is built with. */
export function clientConfig(serviceId: ServiceId, opts: ClientOptions = {}): CommonClientConfig {
  const env = opts.env ?? process.env;
  const policy = opts.retryPolicy ?? AWS_RETRY_POLICY;
  const config: CommonClientConfig = {
    region: resolveRegion(opts.region, env),
    retryStrategy: new AwsRetryStrategy(policy, opts.clock),
    maxAttempts: maxAttempts(policy),
    requestHandler: {
      connectionTimeout: policy.connectTimeoutMs,
      requestTimeout: policy.attemptTimeoutMs,
      throwOnRequestTimeout: true,
    },
    customUserAgent: [['mcfpipe', VERSION]],
  };
  const endpoint = endpointFor(serviceId, env);
  if (endpoint) {
    config.endpoint = endpoint;
    if (serviceId === 'S3') config.forcePathStyle = true;
  }
  return config;
}

/** Fields added to every error thrown by a client made with {@link createClient}. */
export interface ErrorContext {
  $service?: string;
  $command?: string;
}

type Middleware = (
  next: (args: { request?: unknown }) => Promise<{ response?: unknown }>,
  context: MiddlewareContext,
) => (args: { request?: unknown }) => Promise<{ response?: unknown }>;

interface MiddlewareContext {
  commandName?: string;
  clientName?: string;
  /** What {@link recordRawAnswer} saw of the last attempt's answer, when it was not a success. */
  mcfpipeAnswer?: RawAnswer;
}

/** The minimal surface of an SDK v3 client that {@link createClient} needs. */
interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: Middleware,
      options: {
        step: 'initialize' | 'deserialize';
        name: string;
        priority?: 'high' | 'low';
      },
    ): void;
  };
}

/** An answer as it came over the wire: where from, its status and the start of its body. */
export interface RawAnswer {
  url: string;
  method: string;
  status: number;
  contentType: string;
  /** The body's first bytes as text (at most 512). */
  head: string;
  bodyBytes: number;
}

interface WireRequest {
  method?: string;
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
}

interface WireResponse {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

async function bytesOf(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
  return new Uint8Array();
}

function urlOf(request: WireRequest | undefined): string {
  if (!request?.hostname) return '(unknown endpoint)';
  const port = request.port ? `:${request.port}` : '';
  return `${request.protocol ?? 'https:'}//${request.hostname}${port}${request.path ?? '/'}`;
}

/**
 * Keeps what an attempt's answer was when it was not a plain success (an
 * error status, or a 2xx labelled HTML by a service that never sends HTML):
 * the body is read here, handed on as bytes, and its start kept for the error.
 */
function recordRawAnswer(serviceId: ServiceId): Middleware {
  return (next, context) => async (args) => {
    const result = await next(args);
    const response = result.response as WireResponse | undefined;
    const status = response?.statusCode ?? 0;
    const contentType =
      Object.entries(response?.headers ?? {}).find(
        ([k]) => k.toLowerCase() === 'content-type',
      )?.[1] ?? '';
    // S3 serves objects of any type (an HTML object is fine); other services never send HTML.
    if (response && (status >= 300 || (serviceId !== 'S3' && /html/i.test(contentType)))) {
      const bytes = await bytesOf(response.body);
      response.body = bytes;
      const request = args.request as WireRequest | undefined;
      context.mcfpipeAnswer = {
        url: urlOf(request),
        method: request?.method ?? '',
        status,
        contentType,
        head: Buffer.from(bytes.subarray(0, 512)).toString('utf8'),
        bodyBytes: bytes.byteLength,
      };
    } else {
      delete context.mcfpipeAnswer;
    }
    return result;
  };
}

/** Error codes the SDK makes up when a body names no error. */
const MADE_UP_CODES = new Set(['Unknown', 'UnknownError']);

/** A body that is an HTML page (AWS APIs never answer with one; an emulator may still label its answers text/html). */
function isHtmlPage(answer: RawAnswer): boolean {
  return /^\s*(<!doctype html|<html[\s>])/i.test(answer.head);
}

/**
 * Whether a failed call's answer was not the service's own: an HTML page, a
 * body the SDK could not read as the service's format, or (but for HEAD, whose
 * answers have no body) one that names no AWS error. The Content-Type header
 * is not evidence: emulators label JSON and empty answers text/html.
 */
export function isNonAwsAnswer(err: unknown, answer: RawAnswer | undefined): boolean {
  if (!answer || !err || typeof err !== 'object') return false;
  if (isHtmlPage(answer)) return true;
  const e = err as { $fault?: unknown; name?: string };
  if (answer.bodyBytes > 0 && e.$fault === undefined) return true;
  return answer.method !== 'HEAD' && answer.status >= 300 && MADE_UP_CODES.has(e.name ?? '');
}

/**
 * Builds an SDK client with {@link clientConfig} and annotates its errors with
 * the service and operation names.
 *
 * @example const cfn = createClient(CloudFormationClient, 'CloudFormation', { region });
 */
export function createClient<C, K extends object>(
  Client: new (...args: [K]) => C,
  serviceId: ServiceId,
  opts: ClientOptions & { extra?: Partial<K> } = {},
): C {
  const client = new Client({ ...clientConfig(serviceId, opts), ...opts.extra } as K);
  const stack = (client as unknown as MiddlewareClient).middlewareStack;
  stack.add(recordRawAnswer(serviceId), {
    step: 'deserialize',
    name: 'mcfpipeRawAnswer',
    priority: 'low',
  });
  stack.add(
    (next, context) => async (args) => {
      const command = context.commandName?.replace(/Command$/, '');
      let result: { response?: unknown };
      try {
        result = await next(args);
      } catch (err) {
        if (isNonAwsAnswer(err, context.mcfpipeAnswer)) {
          throw new NonAwsResponseError(context.mcfpipeAnswer!, err, serviceId, command);
        }
        if (err && typeof err === 'object') {
          const e = err as ErrorContext;
          e.$service ??= serviceId;
          e.$command ??= command;
        }
        throw err;
      }
      // An HTML page with a 2xx status: the SDK read it as an empty answer.
      if (context.mcfpipeAnswer && isHtmlPage(context.mcfpipeAnswer)) {
        throw new NonAwsResponseError(context.mcfpipeAnswer, undefined, serviceId, command);
      }
      return result;
    },
    { step: 'initialize', name: 'mcfpipeErrorContext', priority: 'high' },
  );
  return client;
}
