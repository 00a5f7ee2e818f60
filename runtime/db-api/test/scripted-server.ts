/**
 * Test support: an HTTP server on 127.0.0.1 (OS-chosen port) whose answers a
 * test scripts, recording every request it gets.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  stop(): Promise<void>;
}

export async function scriptedServer(
  answer: (req: SeenRequest, index: number) => ScriptedAnswer | Promise<ScriptedAnswer>,
): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const a = await answer(seen, requests.length - 1);
      const text = a.body === undefined ? '' : JSON.stringify(a.body);
      res.writeHead(a.status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        ...a.headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An error body as the DB API sends it. */
export function errorBody(
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): { error: Record<string, unknown> } {
  return { error: { code, message, request_id: 'req-1', ...extra } };
}
