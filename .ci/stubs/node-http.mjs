// node:http for the action bundles (.ci/bundle.mjs), loaded through require.
//
// On Node 22+ an ES module import of node:http (the AWS SDK's request handler
// does `await import("node:http")`) reads every export of the module to build
// its namespace, and three of them (WebSocket, CloseEvent, MessageEvent) are
// getters that load Node's bundled undici: about 7 ms of start-up for nothing.
// require() returns the module object without touching those getters. The
// named exports are the ones code may use; a name missing here fails the
// bundle build, not a run.
import { createRequire } from 'node:module';

const http = createRequire(import.meta.url)('node:http');

export default http;
export const {
  Agent,
  ClientRequest,
  IncomingMessage,
  METHODS,
  OutgoingMessage,
  STATUS_CODES,
  Server,
  ServerResponse,
  createServer,
  get,
  request,
  validateHeaderName,
  validateHeaderValue,
} = http;
