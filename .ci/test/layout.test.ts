import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', '.git', '.ci']);

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|mts|mjs|js)$/.test(e.name) ? [path] : [];
  });
}

/** Relative import specifiers of a file, resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g)];
  return specs.map((m) => relative(ROOT, resolve(ROOT, file, '..', m[1]!)));
}

describe('layout', () => {
  // The shared core (core/) is what actions and runtime both use; actions/lib is
  // for the actions alone, so code that runs in AWS never bundles action code.
  it.each(['core', 'runtime', 'cloudformation'])(
    'nothing under %s/ imports from actions/',
    (dir) => {
      const offenders = sources(dir).flatMap((file) =>
        importsOf(file)
          .filter((target) => target.startsWith('actions/'))
          .map((target) => `${file} -> ${target}`),
      );
      expect(offenders).toEqual([]);
    },
  );

  it('finds the imports it checks (the scan is not empty)', () => {
    expect(importsOf('runtime/cli.ts')).toContain('core/version.js');
  });
});
