/**
 * Test support: an HTTP endpoint on 127.0.0.1 that answers AWS calls with an
 * error page (by default HTTP 500 with nginx's HTML, as a proxy or a load
 * balancer in front of a broken service does), recording every request with
 * its AWS operation and time. With `forward`, calls whose operation `fails`
 * does not pick go on to another endpoint (moto), so one operation can be
 * made to fail in the middle of a real run.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export const NGINX_500 =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export interface RecordedRequest {
  /** The AWS operation (X-Amz-Target's, the query protocol's Action, else "METHOD /path"). */
  operation: string;
  /** Milliseconds since the endpoint started. */
  at: number;
  failed: boolean;
}

export interface FailingEndpoint {
  url: string;
  requests: RecordedRequest[];
  /** Requests per operation that were answered with the error. */
  failedCounts(): Record<string, number>;
  stop(): Promise<void>;
}

export interface FailingEndpointOptions {
  /** Which operations get the error (default: all). */
  fails?: (operation: string) => boolean;
  /** Where the other requests go (required when `fails` spares some). */
  forward?: string;
  status?: number;
  body?: string;
  contentType?: string;
}

function operationOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'));
  if (action) return action[1]!;
  return `${req.method} ${(req.url ?? '/').split('?')[0]}`;
}

export async function startFailingEndpoint(
  opts: FailingEndpointOptions = {},
): Promise<FailingEndpoint> {
  const requests: RecordedRequest[] = [];
  const started = Date.now();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(req, body);
      const fail = opts.fails?.(operation) ?? true;
      requests.push({ operation, at: Date.now() - started, failed: fail });
      if (fail || !opts.forward) {
        res.writeHead(opts.status ?? 500, {
          'content-type': opts.contentType ?? 'text/html',
          connection: 'close',
        });
        res.end(opts.body ?? NGINX_500);
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) =>
            typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k),
        ),
      ) as Record<string, string>;
      fetch(`${opts.forward}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' && { body }),
      })
        .then(async (answer) => {
          const text = Buffer.from(await answer.arrayBuffer());
          const out: Record<string, string> = {};
          answer.headers.forEach((v, k) => {
            if (
              !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)
            )
              out[k] = v;
          });
          res.writeHead(answer.status, out);
          res.end(text);
        })
        .catch((err: Error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`forwarding failed: ${err.message}`);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failedCounts() {
      const counts: Record<string, number> = {};
      for (const r of requests) if (r.failed) counts[r.operation] = (counts[r.operation] ?? 0) + 1;
      return counts;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
