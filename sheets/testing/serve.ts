/**
 * The Sheets-v4-compatible server as a process of its own (benchmarks: the
 * server's work then does not run on the client's thread).
 *
 *   npx tsx sheets/testing/serve.ts SPREADSHEET_ID
 *
 * Prints `{"url": "http://127.0.0.1:PORT/"}` when listening; stops on SIGTERM
 * or when its standard input closes. Lines on standard input: `profile`
 * starts the V8 CPU profiler (and prints `{"profiling": true}`), `profile-stop FILE` writes the profile to FILE
 * and prints `{"profile": FILE}`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { startFakeSheets } from './fake-sheets.js';

const id = process.argv[2] ?? 'bench';
const server = await startFakeSheets();
server.book(id);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);

const session = new Session();
createInterface({ input: process.stdin })
  .on('line', async (line) => {
    if (line === 'profile') {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
      process.stdout.write(`${JSON.stringify({ profiling: true })}\n`);
    } else if (line.startsWith('profile-stop ')) {
      const file = line.slice('profile-stop '.length);
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      process.stdout.write(`${JSON.stringify({ profile: file })}\n`);
    }
  })
  .on('close', stop);
