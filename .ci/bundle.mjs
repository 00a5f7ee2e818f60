#!/usr/bin/env node
// Bundles every action (actions/<name>/src/main.ts -> actions/<name>/dist/index.js,
// and src/post.ts -> dist/post/index.js when present) with esbuild, with the
// licenses of the bundled packages in dist/licenses.txt.
//
//   node .ci/bundle.mjs                 all actions, in place
//   node .ci/bundle.mjs deploy-stack    one action
//   node .ci/bundle.mjs --out DIR       write DIR/<name>/dist/... instead (used by check-dist)
//
// Why esbuild and not @vercel/ncc (deploy-stack, measured with bench/startup.mjs
// on 2026-11-27 on Node 20: 1.41 MB and 120 ms to its first AWS request with
// ncc; 0.61 MB and 81 ms with esbuild and the http-client stub below; 0.20 MB
// and 71 ms with its S3 client in a chunk):
// - the AWS SDK v3 packages ship ES modules ("module") marked side-effect
//   free; esbuild bundles those and drops what an action never calls (every
//   other CloudFormation command, say). ncc resolves their CommonJS "main",
//   which cannot be tree-shaken, so each action carried every command of
//   every client it touched: 1.4 MB instead of about 0.6 MB, and about 50%
//   longer to start;
// - code an action loads with import() (the S3 client of deploy-stack, needed
//   only for large templates) becomes a chunk beside index.js, read only when
//   needed, and its packages are still listed in licenses.txt;
// - the runtime bundles (DB API Lambda, mcfpipe container) use esbuild too:
//   one bundler in the repository.
//
// @actions/core imports @actions/http-client (with undici, about 0.4 MB) only
// for getIDToken, which no mcfpipe action calls; it is replaced by a stub
// that throws if it is ever used (.ci/stubs/actions-http-client.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const actionsDir = join(root, 'actions');
const httpClientStub = join(root, '.ci', 'stubs', 'actions-http-client.mjs');
const nodeHttpShim = join(root, '.ci', 'stubs', 'node-http.mjs');

/** node:http through require (see .ci/stubs/node-http.mjs): no undici at start-up on Node 22+. */
const nodeHttpThroughRequire = {
  name: 'node-http-through-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.importer === nodeHttpShim ? undefined : { path: nodeHttpShim },
    );
  },
};

export async function listActions() {
  const entries = await readdir(actionsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(actionsDir, e.name, 'action.yml')))
    .map((e) => e.name)
    .sort();
}

/** The package a bundled file comes from: its folder under the last node_modules. */
function packageDirOf(file) {
  const parts = resolve(root, file).split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const length = parts[at + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, at + 1 + length).join(sep);
}

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i;

/** licenses.txt: name@version, license, and the license text of every bundled package. */
function licenses(metafile) {
  const dirs = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const file of Object.keys(output.inputs)) {
      const dir = packageDirOf(file);
      if (dir) dirs.add(dir);
    }
  }
  const entries = [];
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((name) => LICENSE_FILE.test(name));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : '(no license file)';
    entries.push(`${pkg.name}@${pkg.version}\n${pkg.license ?? 'UNKNOWN'}\n${text}`);
  }
  return `${[...new Set(entries)].sort().join('\n\n')}\n`;
}

async function bundleEntry(input, outDir) {
  const result = await esbuild.build({
    entryPoints: { index: input },
    outdir: outDir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
    alias: {
      '@actions/http-client/lib/auth': httpClientStub,
      '@actions/http-client': httpClientStub,
    },
    plugins: [nodeHttpThroughRequire],
    // CommonJS dependencies require Node's built-ins; ES module output has no
    // require of its own.
    banner: {
      js: "import{createRequire as __mcfpipeRequire}from'node:module';const require=__mcfpipeRequire(import.meta.url);",
    },
  });
  await rm(outDir, { recursive: true, force: true });
  for (const file of result.outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.contents);
  }
  await writeFile(join(outDir, 'licenses.txt'), licenses(result.metafile));
  await writeFile(join(outDir, 'package.json'), '{\n  "type": "module"\n}\n');
}

export async function bundle(names, outRoot) {
  const all = await listActions();
  const selected = names.length ? names : all;
  for (const name of selected) {
    if (!all.includes(name))
      throw new Error(`No action named "${name}". Actions: ${all.join(', ')}`);
  }
  for (const name of selected) {
    const src = join(actionsDir, name, 'src');
    const dist = join(outRoot ?? actionsDir, name, 'dist');
    const started = Date.now();
    await bundleEntry(join(src, 'main.ts'), dist);
    if (existsSync(join(src, 'post.ts')))
      await bundleEntry(join(src, 'post.ts'), join(dist, 'post'));
    console.log(`bundled ${name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  return selected;
}

const USAGE = `Usage: node .ci/bundle.mjs [action ...] [--out DIR]   (npm run bundle)

Bundles each action (all, or the ones named) into actions/<name>/dist with esbuild.
  --out DIR   write DIR/<name>/dist/... instead (check-dist uses it)
  --help, -h  this text`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const outAt = args.indexOf('--out');
  const outRoot = outAt >= 0 ? resolve(args[outAt + 1]) : undefined;
  const names = args.filter((a, i) => a !== '--out' && (outAt < 0 || i !== outAt + 1));
  bundle(names, outRoot).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
