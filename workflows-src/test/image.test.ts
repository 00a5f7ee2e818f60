/**
 * The image tag: a hash of exactly the files an image is built from, so the
 * build is skipped when, and only when, none of them changed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageSources } from '../image-sources.js';
import { IMAGE_TAG } from '../parts.js';

const DOCKERFILE = `# syntax=docker/dockerfile:1
FROM --platform=linux/amd64 node:24.21.0-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY --chown=node:node lib/ ./lib
COPY src ./src
RUN node src/build.mjs
FROM --platform=linux/amd64 node:24.21.0-trixie-slim
COPY --from=build /out/ ./
`;
const IGNORE = '# context\n*\n!package*.json\n!lib/**\n!src/**\n**/test/**\n';
/** Two images from one file: a shared build stage, then each target copies its own part. */
const TARGETS = `# syntax=docker/dockerfile:1
FROM --platform=linux/amd64 node:24.21.0-trixie-slim AS base
FROM base AS build
COPY package.json package-lock.json ./
COPY lib ./lib
FROM build AS one-bundle
COPY src/one ./src/one
FROM build AS two-bundle
COPY src ./src
FROM base AS one
COPY --from=one-bundle /out/ ./
FROM base AS two
COPY --from=two-bundle /out/ ./
`;

describe('image sources and tag', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  const tag = (dockerfile = 'app/Dockerfile', target?: string): string =>
    execFileSync('bash', ['-eo', 'pipefail', '-c', `${IMAGE_TAG}echo "$tag"`], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        IMAGE_SOURCES: imageSources(dockerfile, { target, root }).join('\n'),
      },
    }).trim();
  const commit = (path: string, text: string) => {
    write(path, text);
    git('add', '-A');
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mcfpipe-image-'));
    git('init', '-q');
    write('app/Dockerfile', DOCKERFILE);
    write('app/Dockerfile.dockerignore', IGNORE);
    write('package.json', '{}');
    write('package-lock.json', '{}');
    write('lib/util.ts', 'export const a = 1;');
    write('src/main.ts', 'console.log(1);');
    write('src/test/main.test.ts', 'test');
    write('README.md', '# app');
    git('add', '-A');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("lists the Dockerfile, its .dockerignore and what it COPYs from the context, minus the .dockerignore's exclusions", () => {
    expect(imageSources('app/Dockerfile', { root })).toEqual([
      'app/Dockerfile',
      'app/Dockerfile.dockerignore',
      'lib',
      'package-lock.json',
      'package.json',
      'src',
      ':(exclude,glob)**/test/**',
    ]);
  });

  it('changes with a copied source, the Dockerfile or the .dockerignore, and with nothing else', () => {
    const first = tag();
    expect(first).toMatch(/^src-[0-9a-f]{16}$/);
    expect(tag()).toBe(first);
    commit('README.md', '# app, documented');
    commit('src/test/main.test.ts', 'another test');
    expect(tag()).toBe(first);
    commit('src/main.ts', 'console.log(2);');
    const second = tag();
    expect(second).not.toBe(first);
    commit('app/Dockerfile', `${DOCKERFILE}LABEL version=2\n`);
    const third = tag();
    expect(third).not.toBe(second);
    commit('app/Dockerfile.dockerignore', `${IGNORE}**/*.md\n`);
    expect(tag()).not.toBe(third);
  });

  it('a Dockerfile that copies nothing from the context is an error', () => {
    write('empty/Dockerfile', 'FROM --platform=linux/amd64 node:24.21.0-trixie-slim\nRUN true\n');
    expect(() => imageSources('empty/Dockerfile', { root })).toThrow(
      /no COPY from the build context/,
    );
  });

  it("one Dockerfile, two targets: each lists its own stages' copies", () => {
    write('multi/Dockerfile', TARGETS);
    expect(imageSources('multi/Dockerfile', { target: 'one', root })).toEqual([
      'multi/Dockerfile',
      'lib',
      'package-lock.json',
      'package.json',
      'src/one',
    ]);
    expect(imageSources('multi/Dockerfile', { target: 'two', root })).toContain('src');
    expect(() => imageSources('multi/Dockerfile', { target: 'three', root })).toThrow(
      /no stage three in the Dockerfile; stages: base, build, one-bundle, two-bundle, one, two/,
    );
  });

  it("one Dockerfile, two targets: a target's tag moves with its sources, not the other's", () => {
    commit('multi/Dockerfile', TARGETS);
    commit('src/one/main.ts', 'console.log(1);');
    commit('src/two/main.ts', 'console.log(2);');
    const one = tag('multi/Dockerfile', 'one');
    const two = tag('multi/Dockerfile', 'two');
    commit('src/two/main.ts', 'console.log(22);');
    expect(tag('multi/Dockerfile', 'one')).toBe(one);
    const twoAgain = tag('multi/Dockerfile', 'two');
    expect(twoAgain).not.toBe(two);
    commit('src/one/main.ts', 'console.log(11);');
    expect(tag('multi/Dockerfile', 'one')).not.toBe(one);
    expect(tag('multi/Dockerfile', 'two')).not.toBe(twoAgain);
    commit('lib/util.ts', 'export const a = 2;');
    const shared = [tag('multi/Dockerfile', 'one'), tag('multi/Dockerfile', 'two')];
    expect(shared).not.toContain(one);
    expect(shared).not.toContain(twoAgain);
  });
});
