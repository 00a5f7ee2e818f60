#!/usr/bin/env node
/**
 * Bundles the runtime programs with esbuild into one ESM file each:
 *
 *   node runtime/db-api/bundle.mjs lambda   -> .tmp/bundles/db-api-lambda/index.mjs  (handler: index.handler)
 *   node runtime/db-api/bundle.mjs tester   -> .tmp/bundles/tester/tester.mjs
 *   ... --outdir DIR                        writes into DIR instead
 *
 * The Lambda folder is zip-ready (`cd .tmp/bundles/db-api-lambda && zip -r ../db-api.zip .`).
 * The AWS SDK is bundled, not taken from the Lambda runtime, so the code runs
 * with the versions it was tested with. Third-party licence texts go to
 * <file>.LEGAL.txt beside the bundle.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const TARGETS = {
  lambda: {
    entry: 'runtime/db-api/lambda.ts',
    outdir: '.tmp/bundles/db-api-lambda',
    file: 'index.mjs',
    // The oldest Lambda runtime the templates may choose.
    target: 'node22',
  },
  tester: {
    entry: 'runtime/tester/cli.ts',
    outdir: '.tmp/bundles/tester',
    file: 'tester.mjs',
    // Runs in the node:24 image, and on Node 20 in CI's own test of the bundle.
    target: 'node20',
  },
};

// CommonJS dependencies call require() for Node built-ins; ESM output needs a real one.
const banner =
  "import { createRequire as __mcfpipeCreateRequire } from 'node:module'; const require = __mcfpipeCreateRequire(import.meta.url);";

/** Bundles one target; returns the bundle's path and size in bytes. */
export async function bundle(name, opts = {}) {
  const t = TARGETS[name];
  if (!t)
    throw new Error(
      `unknown target ${JSON.stringify(name)}; targets: ${Object.keys(TARGETS).join(', ')}`,
    );
  const outdir = resolve(root, opts.outdir ?? t.outdir);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, t.file);
  await build({
    entryPoints: [resolve(root, t.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: t.target,
    minify: true,
    keepNames: true,
    legalComments: 'external',
    banner: { js: banner },
    ...(t.external ? { external: t.external } : {}),
    logLevel: 'warning',
  });
  return { outfile, bytes: statSync(outfile).size };
}

const USAGE = `Usage: node runtime/db-api/bundle.mjs [lambda|tester ...] [--outdir DIR]
       (npm run bundle:db-api, npm run bundle:tester)

Bundles the DB API Lambda (lambda, the default) or the tester into .tmp/bundles/<name>/.
  --outdir DIR  write into DIR instead
  --help, -h    this text`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const at = args.indexOf('--outdir');
  const outdir = at >= 0 ? args[at + 1] : undefined;
  const names = args.filter((a, i) => !a.startsWith('--') && !(at >= 0 && i === at + 1));
  try {
    for (const name of names.length ? names : ['lambda']) {
      const { outfile, bytes } = await bundle(name, outdir ? { outdir } : {});
      process.stdout.write(
        `${name}: ${relative(root, outfile) || outfile} (${(bytes / 1024).toFixed(0)} KiB)\n`,
      );
    }
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
