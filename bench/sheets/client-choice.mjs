#!/usr/bin/env node
// Which Google client the Sheets connector uses: googleapis (171.x, the newest
// on Node 20, importing only the Sheets v4 module) or google-auth-library 10.x
// with the Sheets REST API over fetch. Measures, for each, the esbuild bundle
// (ESM, node platform, minified) of a program that builds an authenticated
// client and sends one spreadsheets.get to a local server on 127.0.0.1, and
// the time from spawning node on that bundle to the server receiving the
// request (median of N runs).
//
// Neither googleapis nor a second copy of google-auth-library is a dependency
// of the project, so they are installed into a scratch prefix first:
//
//   npm install --prefix /tmp/gclient googleapis@171 google-auth-library@10
//   node bench/sheets/client-choice.mjs --prefix /tmp/gclient --runs 15 --out bench/results/sheets-client.md
//
// The targets are what the choice of google-auth-library + fetch (sheets/README.md)
// rests on: a smaller bundle and a smaller install than googleapis, and a start-up
// no more than 20 % slower. A verdict per target (bench/lib/verdict.mjs); exit 1
// on a miss.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { runHeader, Verdicts } from '../lib/verdict.mjs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: node bench/sheets/client-choice.mjs --prefix DIR [--runs 15] [--out bench/results/sheets-client.md]

Bundle size and start-up of googleapis against google-auth-library + fetch for the Sheets connector
(install both first: npm install --prefix DIR googleapis@171 google-auth-library@10).`);
  process.exit(0);
}
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const prefix = resolve(option('prefix', '/tmp/gclient'));
const runs = Number(option('runs', '15'));
const out = option('out', undefined);

const work = mkdtempSync(join(tmpdir(), 'sheets-client-'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = {
  type: 'service_account',
  client_email: 'bench@example.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  token_uri: 'TOKEN_URI',
};

// Both programs: service-account key from a file -> a self-signed JWT with the
// Sheets scope (no token exchange) -> GET spreadsheets/{id}.
const programs = {
  'googleapis 171 (sheets v4 module only)': `
import { sheets_v4 } from 'googleapis/build/src/apis/sheets/v4.js';
import { GoogleAuth } from 'google-auth-library';
const auth = new GoogleAuth({ keyFile: process.env.KEY_FILE, scopes: ['https://www.googleapis.com/auth/spreadsheets'] });
auth.useJWTAccessWithScope = true;
const sheets = new sheets_v4.Sheets({ auth, rootUrl: process.env.ROOT_URL });
await sheets.spreadsheets.get({ spreadsheetId: 'bench', fields: 'spreadsheetId' });
`,
  'google-auth-library 10 + fetch (REST)': `
import { GoogleAuth } from 'google-auth-library';
const auth = new GoogleAuth({ keyFile: process.env.KEY_FILE, scopes: ['https://www.googleapis.com/auth/spreadsheets'] });
auth.useJWTAccessWithScope = true;
const headers = await auth.getRequestHeaders();
const res = await fetch(process.env.ROOT_URL + 'v4/spreadsheets/bench?fields=spreadsheetId', { headers });
await res.text();
`,
};

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function startServer() {
  let waiting;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url.startsWith('/token')) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ access_token: 'bench-token', expires_in: 3600, token_type: 'Bearer' }),
        );
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ spreadsheetId: 'bench' }));
      waiting?.();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    port,
    next: () => new Promise((r) => (waiting = r)),
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * One run: ms from spawning node on the bundle until the server receives the
 * spreadsheets.get (start-up: what a person waits for before work begins),
 * and until the process exits.
 */
async function timeRun(file, env, server) {
  const requested = server.next();
  const start = performance.now();
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  let toRequest;
  requested.then(() => (toRequest = performance.now() - start));
  const code = await new Promise((r) => child.on('exit', r));
  const toExit = performance.now() - start;
  if (code !== 0) throw new Error(`${file} exited ${code}: ${err.slice(0, 500)}`);
  if (toRequest === undefined) throw new Error(`${file} exited without sending its request`);
  return { toRequest, toExit };
}

const server = await startServer();
const keyFile = join(work, 'key.json');
writeFileSync(
  keyFile,
  JSON.stringify({ ...key, token_uri: `http://127.0.0.1:${server.port}/token` }),
);
const env = { KEY_FILE: keyFile, ROOT_URL: `http://127.0.0.1:${server.port}/` };
const rows = [];
const bare = [];
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  execFileSync(process.execPath, ['-e', '']);
  bare.push(performance.now() - s);
}
for (const [name, source] of Object.entries(programs)) {
  const entry = join(work, `${rows.length}.mjs`);
  writeFileSync(entry, source);
  const outfile = join(work, `${rows.length}.bundle.mjs`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    outfile,
    nodePaths: [join(prefix, 'node_modules')],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'silent',
    metafile: true,
  });
  const bytes = statSync(outfile).size;
  const inputs = Object.keys(result.metafile.inputs).length;
  await timeRun(outfile, env, server);
  await timeRun(outfile, env, server);
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await timeRun(outfile, env, server));
  const toRequest = times.map((t) => t.toRequest);
  rows.push({
    name,
    bytes,
    inputs,
    median: median(toRequest),
    min: Math.min(...toRequest),
    max: Math.max(...toRequest),
    exit: median(times.map((t) => t.toExit)),
  });
}
await server.close();

const versions = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(prefix, 'node_modules', pkg, 'package.json'), 'utf8'))
      .version;
  } catch {
    return '?';
  }
};
const du = (...pkgs) => {
  const dirs = pkgs
    .map((p) => join(prefix, 'node_modules', p))
    .filter((d) => {
      try {
        return statSync(d).isDirectory();
      } catch {
        return false;
      }
    });
  const kib = execFileSync('du', ['-sck', ...dirs])
    .toString()
    .trim()
    .split('\n')
    .pop()
    .split('\t')[0];
  return Number(kib) / 1024;
};
const mib = (n) => `${n.toFixed(1)} MiB`;
const googleapisDisk = du('googleapis');
const authDisk = du(
  'google-auth-library',
  'gaxios',
  'gcp-metadata',
  'google-logging-utils',
  'jws',
  'jwa',
  'ecdsa-sig-formatter',
  'base64-js',
  'buffer-equal-constant-time',
  'safe-buffer',
  'extend',
  'https-proxy-agent',
  'agent-base',
  'debug',
  'ms',
  'node-fetch',
  'json-bigint',
  'bignumber.js',
);
const [apis, rest] = rows;
const verdicts = new Verdicts();
verdicts.check(
  'bundle of google-auth-library + fetch smaller than googleapis',
  `${(rest.bytes / 1024).toFixed(0)} KiB against ${(apis.bytes / 1024).toFixed(0)} KiB`,
  rest.bytes < apis.bytes,
);
verdicts.check(
  'installed google-auth-library and its dependencies smaller than googleapis',
  `${mib(authDisk)} against ${mib(googleapisDisk)}`,
  authDisk < googleapisDisk,
);
const slower = rest.median / apis.median;
verdicts.check(
  'start-up (spawn to its request) of google-auth-library + fetch at most 20 % slower than googleapis (median)',
  `${rest.median.toFixed(0)} ms against ${apis.median.toFixed(0)} ms (${slower.toFixed(2)}x)`,
  slower <= 1.2,
);
const lines = [
  '# Sheets connector: which Google client',
  '',
  runHeader(),
  `googleapis ${versions('googleapis')}, google-auth-library ${versions('google-auth-library')}.`,
  '',
  verdicts.summary(),
  '',
  verdicts.table(),
  '',
  'Each program loads a service-account key from a file, signs a self-signed JWT',
  'with the Sheets scope and sends one spreadsheets.get to a local server on',
  '127.0.0.1. Bundled with esbuild (ESM, minified). Start-up is the time from',
  'spawning node on the bundle until the server receives that request (the',
  `target), median of ${runs} runs after two warm-ups; the time until the process`,
  'exits is shown beside it, not judged: a process that has sent its last request',
  "may still wait for its HTTP client's idle connection to close (Node 20's",
  `built-in fetch does, for about 150 ms). Bare \`node -e ""\`: ${median(bare).toFixed(0)} ms.`,
  '',
  '| client | bundle | modules in bundle | spawn to request (median) | min / max | spawn to exit (median) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.inputs} | ${r.median.toFixed(0)} ms | ${r.min.toFixed(0)} / ${r.max.toFixed(0)} ms | ${r.exit.toFixed(0)} ms |`,
  ),
  '',
  `On disk in ${prefix}/node_modules: googleapis ${mib(googleapisDisk)}, google-auth-library and its dependencies ${mib(authDisk)}.`,
  '',
  `Command: \`node bench/sheets/client-choice.mjs --prefix ${prefix} --runs ${runs}\``,
  '',
];
const text = lines.join('\n');
console.log(text);
if (out) writeFileSync(out, text);
verdicts.exit();
