#!/usr/bin/env node
// Start-up benchmark of every bundled action.
//
// For each actions/<name>/dist/index.js: the time from spawning
// `node actions/<name>/dist/index.js` (inputs set so that it gets as far as
// its first AWS call) until a local HTTP server on 127.0.0.1, which
// AWS_ENDPOINT_URL points to, receives the first request. The median of N
// runs is compared with the median time of a bare `node -e ""` (spawn to
// exit). Targets: at most 4x bare node, and a bundle of at most 3 MB.
//
//   node bench/startup.mjs                      all bundled actions, 20 runs each
//   node bench/startup.mjs deploy-stack --runs 20 --out bench/results/startup.md
//   --no-reference   skip the reference row (a bundle of the CloudFormation client alone)
//
// Inputs per action come from bench/<name>/startup-inputs.json (a JSON object
// of input name -> value; paths are relative to the repository root). Without
// that file, the required inputs of action.yml get placeholder values, which
// may not get the action as far as an AWS call: it is then reported as such.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: node bench/startup.mjs [action ...] [--runs 20] [--out bench/results/startup.md] [--no-reference]

Start-up time of each bundled action (to its first AWS request) against bare node, and bundle sizes.`);
  process.exit(0);
}
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const runs = Number(option('runs', '20'));
const out = option('out', undefined);
const selected = args.filter(
  (a, i) => !a.startsWith('--') && !['--runs', '--out'].includes(args[i - 1]),
);
const MAX_RATIO = 4;
const MAX_BYTES = 3 * 1024 * 1024;
const PER_RUN_LIMIT_MS = 15_000;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function bundledActions() {
  const dir = join(root, 'actions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'dist', 'index.js')))
    .filter((name) => selected.length === 0 || selected.includes(name))
    .sort();
}

/** The action's required inputs from action.yml (a small reader: name + required: true). */
function requiredInputs(name) {
  const yml = readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8');
  const section = yml.split(/^outputs:/m)[0].split(/^inputs:/m)[1] ?? '';
  const found = [];
  let current;
  for (const line of section.split('\n')) {
    const key = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (key) current = key[1];
    else if (current && /^ {4}required:\s*true/.test(line)) found.push(current);
  }
  return found;
}

function inputsFor(name) {
  const file = join(root, 'bench', name, 'startup-inputs.json');
  if (existsSync(file))
    return {
      inputs: JSON.parse(readFileSync(file, 'utf8')),
      source: `bench/${name}/startup-inputs.json`,
    };
  const inputs = {};
  for (const input of requiredInputs(name)) inputs[input] = `mcfpipe-bench-${input}`;
  return { inputs, source: 'placeholders for the required inputs of action.yml' };
}

function dirSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}

/** Spawns a command; resolves with ms until `until` fires (or the process exits). */
function timeSpawn(argv, env, until) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr = (stderr + c).slice(-2000);
    });
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolvePromise(result);
    };
    const timer = setTimeout(() => finish({ error: 'timed out', stderr }), PER_RUN_LIMIT_MS);
    until?.(() => finish({ ms: performance.now() - started }));
    child.on('exit', (code) => {
      if (until) finish({ error: `exited with ${code} before any AWS call`, stderr });
      else finish({ ms: performance.now() - started });
    });
  });
}

async function startServer() {
  let waiter;
  const server = createServer((req, res) => {
    req.resume();
    waiter?.();
    waiter = undefined;
    res.writeHead(503, { 'content-type': 'text/plain' }).end('benchmark');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    onNextRequest(fn) {
      waiter = fn;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * A reference: a bundle holding only the CloudFormation client that sends one
 * DescribeStacks (what any action must load before its first call), built with
 * esbuild, timed the same way. It shows how much of an action's start-up is
 * the AWS SDK itself.
 */
async function buildReference(scratch) {
  const esbuild = await import('esbuild');
  const file = join(scratch, 'reference.mjs');
  await esbuild.build({
    stdin: {
      contents:
        "import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';\n" +
        "new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: 'x' })).catch(() => {});\n",
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As .ci/bundle.mjs: the SDK's ES modules, so unused commands are dropped.
    mainFields: ['module', 'main'],
    minify: true,
    outfile: file,
    logLevel: 'error',
    banner: {
      js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
    },
  });
  return file;
}

function actionEnv(server, scratch, inputs) {
  const files = [
    'GITHUB_OUTPUT',
    'GITHUB_STATE',
    'GITHUB_STEP_SUMMARY',
    'GITHUB_ENV',
    'GITHUB_PATH',
  ];
  const env = {
    PATH: process.env.PATH,
    HOME: scratch,
    RUNNER_TEMP: scratch,
    GITHUB_ACTIONS: 'true',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_REPOSITORY: 'octo/mcfpipe',
    AWS_ENDPOINT_URL: server.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const f of files) {
    env[f] = join(scratch, f.toLowerCase());
    writeFileSync(env[f], '');
  }
  for (const [k, v] of Object.entries(inputs))
    env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = String(v);
  return env;
}

async function timeToFirstRequest(script, env, server) {
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    const result = await timeSpawn([script], env, (fire) => server.onNextRequest(fire));
    if (result.error)
      return {
        error: `${result.error}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      };
    if (i >= 2) times.push(result.ms); // two warm-up runs (file cache)
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

async function measureAction(name, server, scratch) {
  const { inputs, source } = inputsFor(name);
  const env = actionEnv(server, scratch, inputs);
  const timing = await timeToFirstRequest(join('actions', name, 'dist', 'index.js'), env, server);
  return { name, source, ...timing };
}

const fmtMs = (ms) => `${ms.toFixed(0)} ms`;
const fmtMB = (b) => `${(b / 1024 / 1024).toFixed(2)} MB`;

async function main() {
  const actions = bundledActions();
  if (actions.length === 0) {
    console.error('No bundled actions (actions/*/dist/index.js). Run "npm run bundle" first.');
    process.exit(1);
  }
  const bareTimes = [];
  for (let i = 0; i < runs + 2; i++) {
    const r = await timeSpawn(['-e', ''], { PATH: process.env.PATH });
    if (i >= 2) bareTimes.push(r.ms);
  }
  const bare = median(bareTimes);
  const server = await startServer();
  const scratch = mkdtempSync(join(tmpdir(), 'mcfpipe-bench-'));
  const rows = [];
  let failed = false;
  try {
    for (const name of actions) {
      const m = await measureAction(name, server, scratch);
      const bytes = statSync(join(root, 'actions', name, 'dist', 'index.js')).size;
      const total = dirSize(join(root, 'actions', name, 'dist'));
      const ratio = m.median ? m.median / bare : undefined;
      const ok = ratio !== undefined && ratio <= MAX_RATIO && bytes <= MAX_BYTES;
      if (!ok) failed = true;
      rows.push({ ...m, bytes, total, ratio, ok });
    }
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }

  let reference;
  if (!args.includes('--no-reference')) {
    const refDir = mkdtempSync(join(tmpdir(), 'mcfpipe-bench-ref-'));
    const refServer = await startServer();
    try {
      const file = await buildReference(refDir);
      reference = await timeToFirstRequest(file, actionEnv(refServer, refDir, {}), refServer);
      reference.bytes = statSync(file).size;
    } finally {
      await refServer.close();
      rmSync(refDir, { recursive: true, force: true });
    }
  }

  const command = `node bench/startup.mjs${args.length ? ` ${args.join(' ')}` : ''}`;
  const lines = [
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    `Bare \`node -e ""\` (spawn to exit): median ${fmtMs(bare)} of ${runs} runs.`,
    '',
    '| action | to first AWS request (median of ' +
      runs +
      ') | min / max | ratio to bare node (target ≤ 4) | dist/index.js (target ≤ 3 MB) | dist/ in all | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...(reference && !reference.error
      ? [
          `| (reference: the CloudFormation client alone, one DescribeStacks) | ${fmtMs(reference.median)} | ${fmtMs(reference.min)} / ${fmtMs(reference.max)} | ${(reference.median / bare).toFixed(2)}x | ${fmtMB(reference.bytes)} | | for comparison |`,
        ]
      : []),
    ...rows.map((r) =>
      r.error
        ? `| ${r.name} | not measured: ${r.error} | | | ${fmtMB(r.bytes)} | ${fmtMB(r.total)} | inputs: ${r.source} |`
        : `| ${r.name} | ${fmtMs(r.median)} | ${fmtMs(r.min)} / ${fmtMs(r.max)} | ${r.ratio.toFixed(2)}x | ${fmtMB(r.bytes)} | ${fmtMB(r.total)} | ${r.ok ? 'within targets' : 'OVER TARGET'} |`,
    ),
  ];
  console.log(lines.join('\n'));
  if (out) {
    const text = [
      '# Start-up of the bundled actions',
      '',
      'Time from spawning `node actions/<name>/dist/index.js`, with inputs that take it to its first AWS call, until a local HTTP server on 127.0.0.1 (AWS_ENDPOINT_URL) receives that request; two warm-up runs are not counted. Compared with a bare `node -e ""`.',
      '',
      'Command:',
      '',
      '```sh',
      'npm run bundle',
      command,
      '```',
      '',
      ...lines,
      '',
    ].join('\n');
    writeFileSync(resolve(root, out), text);
    console.log(`\nwritten to ${out}`);
  }
  process.exit(failed ? 1 : 0);
}

await main();
