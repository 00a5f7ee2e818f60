/**
 * Each image's build stages bundle the program from sources they COPY in,
 * and BuildKit sends only what <Dockerfile>.dockerignore lets through. CI has
 * no Docker engine, so this checks the build inputs instead: every
 * repository file esbuild reads for the image's entry point (and the bundle
 * script the Dockerfile runs) is both let through by the .dockerignore and
 * COPYed by the stages the image's target builds on. When code moved to
 * core/ the images still copied actions/lib and could not have built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { contextCopies, targetStages } from '../../workflows-src/image-sources.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Each image (a target of runtime/Dockerfile) and the program its build stages bundle. */
const DOCKERFILE = 'runtime/Dockerfile';
const IMAGES = [
  { target: 'webscraper', entry: 'runtime/cli.ts' },
  { target: 'tester', entry: 'runtime/tester/cli.ts' },
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

/**
 * What the stages a target builds on (all but the target's own) COPY from
 * the context, and the scripts their RUN node runs.
 */
function buildStages(text: string, target: string): { copied: string[]; scripts: string[] } {
  const stages = targetStages(text, target).slice(0, -1);
  const scripts = stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getArguments().map((a) => a.getValue()))
      .filter((args) => args[0] === 'node' && args[1])
      .map((args) => args[1]!),
  );
  const copied = contextCopies(stages).map((s) => s.replace(/^\.\//, '').replace(/\/$/, ''));
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
  const dockerfile = DOCKERFILE;
  for (const { target, entry } of IMAGES) {
    it(`${dockerfile} --target ${target}: every source of ${entry} is sent to the build and copied`, async () => {
      const text = readFileSync(join(ROOT, dockerfile), 'utf8');
      const ignore = readFileSync(join(ROOT, `${dockerfile}.dockerignore`), 'utf8');
      const { copied, scripts } = buildStages(text, target);
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
