/**
 * The DB API's Lambda entry point (`index.handler` in the bundle): API
 * Gateway HTTP API events (payload format 2.0) and REST API proxy events
 * (1.0) in, the shared handler's answer out.
 *
 * Environment: TABLE_NAME_PREFIX (required: physical table = prefix +
 * logical name), AWS_REGION (set by Lambda), AWS_ENDPOINT_URL_DYNAMODB
 * (optional override).
 */
import { randomUUID } from 'node:crypto';
import {
  type ApiHandler,
  type ApiRequest,
  type ApiResponse,
  createHandler,
} from './http/handler.js';
import { createDynamoClient } from './store/dynamo-client.js';
import { TableStore } from './store/table-store.js';

/** The fields of an API Gateway HTTP API event (payload format 2.0) that the API reads. */
export interface HttpApiEventV2 {
  version: '2.0';
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { requestId?: string; stage?: string; http: { method: string } };
}

/** The fields of a REST API proxy event (payload format 1.0) that the API reads. */
export interface RestApiEventV1 {
  version?: '1.0';
  httpMethod: string;
  path: string;
  headers?: Record<string, string | undefined> | null;
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; stage?: string };
}

export interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

function lowerCase(headers: Record<string, string | undefined> | null | undefined) {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function decodeBody(body: string | null | undefined, base64: boolean | undefined) {
  if (body === null || body === undefined) return undefined;
  return base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/** Removes a named stage from the front of the path (`/dev/track/x` -> `/track/x`). */
function withoutStage(path: string, stage: string | undefined): string {
  if (!stage || stage === '$default') return path;
  return path === `/${stage}`
    ? '/'
    : path.startsWith(`/${stage}/`)
      ? path.slice(stage.length + 1)
      : path;
}

/** Turns either kind of API Gateway event into the handler's request. */
export function requestFromEvent(
  event: HttpApiEventV2 | RestApiEventV1,
  fallbackId: string = randomUUID(),
): ApiRequest {
  if ('rawPath' in event) {
    return {
      method: event.requestContext.http.method.toUpperCase(),
      path: withoutStage(event.rawPath, event.requestContext.stage),
      query: new URLSearchParams(event.rawQueryString ?? ''),
      headers: lowerCase(event.headers),
      ...(event.body !== undefined ? { body: decodeBody(event.body, event.isBase64Encoded) } : {}),
      requestId: event.requestContext.requestId ?? fallbackId,
    };
  }
  const query = new URLSearchParams();
  if (event.multiValueQueryStringParameters) {
    for (const [k, values] of Object.entries(event.multiValueQueryStringParameters)) {
      for (const v of values ?? []) query.append(k, v);
    }
  } else {
    for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
      if (v !== undefined) query.append(k, v);
    }
  }
  const body = decodeBody(event.body, event.isBase64Encoded);
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    query,
    headers: lowerCase(event.headers),
    ...(body !== undefined ? { body } : {}),
    requestId: event.requestContext?.requestId ?? fallbackId,
  };
}

export function toLambdaResult(res: ApiResponse): LambdaResult {
  return {
    statusCode: res.status,
    headers: res.headers,
    body: res.body ?? '',
    isBase64Encoded: false,
  };
}

/** Builds the store from the Lambda environment; a missing TABLE_NAME_PREFIX is an error naming it. */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): TableStore {
  const prefix = env.TABLE_NAME_PREFIX;
  if (prefix === undefined || prefix.trim() === '') {
    throw new Error(
      'TABLE_NAME_PREFIX is not set: the DB API Lambda needs it (e.g. mcfpipe-dev-) to name the DynamoDB tables; the db-api stack sets it',
    );
  }
  return new TableStore({ dynamo: createDynamoClient(), tablePrefix: prefix });
}

let shared: ApiHandler | undefined;

/** The Lambda handler. The store (and its DynamoDB client) is created once per container. */
export async function handler(
  event: HttpApiEventV2 | RestApiEventV1,
  context?: { awsRequestId?: string },
): Promise<LambdaResult> {
  shared ??= createHandler({ store: () => storeFromEnv() });
  return toLambdaResult(await shared(requestFromEvent(event, context?.awsRequestId)));
}
