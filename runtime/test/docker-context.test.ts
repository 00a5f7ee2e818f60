/**
 * Each image's build stage bundles the program from sources it COPYs in, and
 * BuildKit sends only what <Dockerfile>.dockerignore lets through. CI has no
 * Docker engine, so this checks the build inputs instead: every repository
 * file esbuild reads for the image's entry point (and the bundle script the
 * Dockerfile runs) is both let through by the .dockerignore and COPYed by
 * the build stage. When code moved to core/ the images still copied
 * actions/lib and could not have built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Each image and the program its build stage bundles. */
const IMAGES = [
  { dockerfile: 'runtime/webscraper/Dockerfile', entry: 'runtime/cli.ts' },
  { dockerfile: 'runtime/tester/Dockerfile', entry: 'runtime/tester/cli.ts' },
];

/** A .dockerignore pattern as a RegExp over slash-separated paths (Go filepath.Match plus **). */
function patternRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether BuildKit sends a file, by the .dockerignore's rules (the last matching line wins). */
function sentToBuild(ignoreText: string, file: string): boolean {
  const rules = ignoreText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({
      include: l.startsWith('!'),
      re: patternRegExp(l.replace(/^!/, '').replace(/^\/+|\/+$/g, '')),
    }));
  // A pattern that matches a directory covers everything in it.
  const parts = file.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let sent = true;
  for (const rule of rules) {
    if (candidates.some((c) => rule.re.test(c))) sent = rule.include;
  }
  return sent;
}

/** Sources of the first (build) stage's COPY instructions, and the scripts its RUN node runs. */
function buildStage(text: string): { copied: string[]; scripts: string[] } {
  const copied: string[] = [];
  const scripts: string[] = [];
  let stage = 0;
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') stage++;
    if (stage !== 1) continue;
    const args = instruction.getArguments().map((a) => a.getValue());
    if (keyword === 'COPY' && !args.some((a) => a.startsWith('--from'))) {
      const sources = args.filter((a) => !a.startsWith('--')).slice(0, -1);
      copied.push(...sources.map((s) => s.replace(/^\.\//, '').replace(/\/$/, '')));
    }
    if (keyword === 'RUN' && args[0] === 'node' && args[1]) scripts.push(args[1]);
  }
  return { copied, scripts };
}

async function bundleInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    // Only the repository's own files matter here; packages come from npm ci.
    packages: 'external',
    metafile: true,
    outfile: join(ROOT, '.tmp/docker-context/out.mjs'),
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  return Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules/'))
    .map((f) => relative(ROOT, resolve(ROOT, f)));
}

describe('image build contexts', () => {
  for (const { dockerfile, entry } of IMAGES) {
    it(`${dockerfile}: every source of ${entry} is sent to the build and copied`, async () => {
      const text = readFileSync(join(ROOT, dockerfile), 'utf8');
      const ignore = readFileSync(join(ROOT, `${dockerfile}.dockerignore`), 'utf8');
      const { copied, scripts } = buildStage(text);
      const needed = [
        ...(await bundleInputs(entry)),
        ...scripts,
        'package.json',
        'package-lock.json',
        'tsconfig.json',
      ];
      expect(needed.length).toBeGreaterThan(10);
      const missing = needed.filter(
        (file) =>
          !existsSync(join(ROOT, file)) ||
          !sentToBuild(ignore, file) ||
          !copied.some((src) => file === src || file.startsWith(`${src}/`)),
      );
      expect(
        missing,
        `${dockerfile} cannot build: these are not in its context or not copied`,
      ).toEqual([]);
    }, 30_000);
  }
});

describe('the .dockerignore reading', () => {
  const ignore = '*\n!core/**\n!runtime/cli.ts\n**/test/**\n';
  it('lets through what a negation names, and nothing else', () => {
    expect(sentToBuild(ignore, 'core/aws.ts')).toBe(true);
    expect(sentToBuild(ignore, 'core/sub/deep.ts')).toBe(true);
    expect(sentToBuild(ignore, 'runtime/cli.ts')).toBe(true);
    expect(sentToBuild(ignore, 'actions/lib/inputs.ts')).toBe(false);
    expect(sentToBuild(ignore, 'core/test/x.test.ts')).toBe(false);
    expect(sentToBuild('', 'anything')).toBe(true);
  });
});
