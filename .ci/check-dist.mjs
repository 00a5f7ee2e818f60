#!/usr/bin/env node
// Fails when a committed bundle (actions/<name>/dist) differs from a fresh one:
// run `npm run bundle` and commit the result to fix it.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { bundle } from './bundle.mjs';

const root = resolve(import.meta.dirname, '..');

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: node .ci/check-dist.mjs   (npm run check-dist)

Bundles every action afresh and fails (exit 1) when a committed actions/<name>/dist
differs from it; run \`npm run bundle\` and commit the result to fix it.`);
  process.exit(0);
}

async function files(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath ?? entry.path, entry.name)));
  }
  return out.sort();
}

const fresh = await mkdtemp(join(tmpdir(), 'mcfpipe-dist-'));
try {
  const names = await bundle([], fresh);
  const stale = [];
  for (const name of names) {
    const committed = join(root, 'actions', name, 'dist');
    const rebuilt = join(fresh, name, 'dist');
    const all = new Set([...(await files(committed)), ...(await files(rebuilt))]);
    for (const file of all) {
      const a = existsSync(join(committed, file)) ? await readFile(join(committed, file)) : null;
      const b = existsSync(join(rebuilt, file)) ? await readFile(join(rebuilt, file)) : null;
      if (a === null) stale.push(`actions/${name}/dist/${file}: missing from the commit`);
      else if (b === null) stale.push(`actions/${name}/dist/${file}: no longer produced`);
      else if (!a.equals(b))
        stale.push(`actions/${name}/dist/${file}: differs from a fresh bundle`);
    }
  }
  if (stale.length) {
    console.error(
      `Stale bundles:\n  ${stale.join('\n  ')}\nRun "npm run bundle" and commit actions/*/dist.`,
    );
    process.exit(1);
  }
  console.log(`dist is up to date for ${names.length} action(s): ${names.join(', ')}`);
} finally {
  await rm(fresh, { recursive: true, force: true });
}
