/**
 * SigV4 signing of DB API requests for API Gateway's AWS_IAM authorisation
 * (service `execute-api`), with credentials from the AWS SDK's default chain
 * (environment, web identity / GitHub OIDC, shared files, ECS task role, IMDS).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  SourceData,
} from '@smithy/types';
import { resolveRegion } from '../../core/aws.js';

export interface SigV4Options {
  /** Region of the API; default: from an execute-api host name, else AWS_REGION. */
  region?: string;
  /** Default: the SDK's default credential chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Default `execute-api`. */
  service?: string;
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Returns the headers to send: the given ones plus authorization, x-amz-date and the session token. */
export type Signer = (req: SignableRequest) => Promise<Record<string, string>>;

/** SHA-256 (or HMAC-SHA-256 with a secret) on node:crypto, in the shape the signer expects. */
class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The region in an API Gateway host name (`<id>.execute-api.<region>.amazonaws.com`). */
export function regionFromHost(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname)?.[1];
}

export function createSigner(baseUrl: URL, opts: SigV4Options = {}): Signer {
  const region = opts.region ?? regionFromHost(baseUrl.hostname) ?? resolveRegion();
  const signer = new SignatureV4({
    service: opts.service ?? 'execute-api',
    region,
    credentials: opts.credentials ?? defaultProvider(),
    sha256: Sha256,
    applyChecksum: false,
  });
  return async ({ method, url, headers, body }) => {
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      ...(body !== undefined ? { body } : {}),
    });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) {
      // fetch sets Host itself (to the same value); it refuses a caller-set one.
      if (k.toLowerCase() !== 'host') out[k] = v;
    }
    return out;
  };
}
