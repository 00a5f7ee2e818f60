#!/usr/bin/env node
/**
 * Bundles the `mcfpipe` command (runtime/cli.ts, with the scraper, the AWS
 * SDK clients, puppeteer-core and cheerio) into one ESM file for the
 * container, with the DB API's bundler and settings:
 *
 *   node runtime/webscraper/bundle.mjs               -> .tmp/bundles/mcfpipe/mcfpipe.mjs
 *   node runtime/webscraper/bundle.mjs --outdir DIR  writes into DIR instead
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, TARGETS } from '../db-api/bundle.mjs';

export { bundle, TARGETS };

TARGETS.mcfpipe = {
  entry: 'runtime/cli.ts',
  outdir: '.tmp/bundles/mcfpipe',
  file: 'mcfpipe.mjs',
  // Runs in the node:24 image, and on Node 20 in CI's test of the bundle.
  target: 'node20',
  // The local pipeline's embedded DynamoDB (a native LevelDB) stays out: the container runs
  // scrape and score against AWS; `mcfpipe run` and `db serve` run from a clone.
  external: ['dynalite'],
};

const USAGE = `Usage: node runtime/webscraper/bundle.mjs [--outdir DIR]   (npm run bundle:mcfpipe)

Bundles the mcfpipe command for the container into .tmp/bundles/mcfpipe/mcfpipe.mjs.
  --outdir DIR  write into DIR instead
  --help, -h    this text`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const at = args.indexOf('--outdir');
  try {
    const { outfile, bytes } = await bundle('mcfpipe', at >= 0 ? { outdir: args[at + 1] } : {});
    process.stdout.write(
      `mcfpipe: ${relative(process.cwd(), outfile) || outfile} (${(bytes / 1024).toFixed(0)} KiB)\n`,
    );
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
