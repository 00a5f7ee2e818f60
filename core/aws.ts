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
 * - Retries: the SDK's adaptive mode (client-side rate limiting on
 *   throttling), more attempts than the default.
 * - User agent: `mcfpipe/<version>`.
 * - Every error carries the service and operation that raised it
 *   (`$service`, `$command`), so {@link explainError} can name them.
 */
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
  /** Total attempts per call, including the first (default 8). */
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

export interface CommonClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  retryMode: 'adaptive';
  maxAttempts: number;
  customUserAgent: [string, string][];
}

/** The configuration every client is built with. */
export function clientConfig(serviceId: ServiceId, opts: ClientOptions = {}): CommonClientConfig {
  const env = opts.env ?? process.env;
  const config: CommonClientConfig = {
    region: resolveRegion(opts.region, env),
    retryMode: 'adaptive',
    maxAttempts: opts.maxAttempts ?? 8,
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

/** The minimal surface of an SDK v3 client that {@link createClient} needs. */
interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string; clientName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority?: 'high' },
    ): void;
  };
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
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (err && typeof err === 'object') {
          const e = err as ErrorContext;
          e.$service ??= serviceId;
          e.$command ??= context.commandName?.replace(/Command$/, '');
        }
        throw err;
      }
    },
    { step: 'initialize', name: 'mcfpipeErrorContext', priority: 'high' },
  );
  return client;
}
