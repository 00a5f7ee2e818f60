/**
 * The Sheets-v4-compatible server as a process of its own (benchmarks: the
 * server's work then does not run on the client's thread).
 *
 *   npx tsx sheets/testing/serve.ts SPREADSHEET_ID
 *
 * Prints `{"url": "http://127.0.0.1:PORT/"}` when listening; stops on SIGTERM
 * or when its standard input closes.
 */
import { startFakeSheets } from './fake-sheets.js';

const id = process.argv[2] ?? 'bench';
const server = await startFakeSheets();
server.book(id);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
