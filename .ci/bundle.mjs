#!/usr/bin/env node
// Bundles every action (actions/<name>/src/main.ts -> actions/<name>/dist/index.js,
// and src/post.ts -> dist/post/index.js when present) with @vercel/ncc, with the
// licenses of bundled packages in dist/licenses.txt.
//
//   node .ci/bundle.mjs                 all actions, in place
//   node .ci/bundle.mjs deploy-stack    one action
//   node .ci/bundle.mjs --out DIR       write DIR/<name>/dist/... instead (used by check-dist)
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const root = resolve(import.meta.dirname, '..');
const actionsDir = join(root, 'actions');

export async function listActions() {
  const entries = await readdir(actionsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(actionsDir, e.name, 'action.yml')))
    .map((e) => e.name)
    .sort();
}

async function bundleEntry(input, outDir) {
  const { code, assets } = await ncc(input, {
    minify: true,
    sourceMap: false,
    cache: false,
    quiet: true,
    license: 'licenses.txt',
    target: 'es2022',
  });
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'index.js'), code);
  for (const [name, asset] of Object.entries(assets ?? {})) {
    const file = join(outDir, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, asset.source);
  }
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outRoot = outAt >= 0 ? resolve(args[outAt + 1]) : undefined;
  const names = args.filter((a, i) => a !== '--out' && (outAt < 0 || i !== outAt + 1));
  bundle(names, outRoot).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
