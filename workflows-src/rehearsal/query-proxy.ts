/**
 * The rehearsal's AWS endpoint: an HTTP server on 127.0.0.1 (port picked at
 * start) in front of moto. Each request in the Query protocol (a
 * form-encoded `Action=...` POST, as CloudFormation's SDK client sends) is
 * offered to the answerers in turn; the first that answers replaces moto's
 * answer, and every other request goes to moto unchanged. The answerers
 * stand for what moto does not implement (moto.ts, drift-replay.ts).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface QueryReply {
  status: number;
  /** XML, in the answering service's namespace. */
  body: string;
}

/** Answers a Query-protocol request (its form fields), or leaves it to moto (undefined). */
export type QueryAnswerer = (form: URLSearchParams) => QueryReply | undefined;

export interface Endpoint {
  endpoint: string;
  close(): Promise<void>;
}

export async function queryProxy(upstream: string, answerers: QueryAnswerer[]): Promise<Endpoint> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(
        String(req.headers['content-type']).includes('x-www-form-urlencoded')
          ? body.toString()
          : '',
      );
      const reply = form.has('Action')
        ? answerers.reduce<QueryReply | undefined>((found, a) => found ?? a(form), undefined)
        : undefined;
      if (reply) {
        res.writeHead(reply.status, { 'content-type': 'text/xml' });
        res.end(reply.body);
        return;
      }
      const forward = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Text for an XML element (AWS messages and values can hold <, & and quotes). */
export function xmlText(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A CloudFormation error answer (Query protocol). */
export function cfnErrorReply(status: number, code: string, message: string): QueryReply {
  return {
    status,
    body: `<ErrorResponse xmlns="${CFN_NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlText(message)}</Message></Error><RequestId>rehearsal</RequestId></ErrorResponse>`,
  };
}

export const CFN_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
