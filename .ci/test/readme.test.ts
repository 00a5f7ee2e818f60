import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const ciRun = readFileSync(resolve(root, '.ci/run'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

function quickStartCommands(): string[] {
  const section = readme.split(/^## Quick start$/m)[1]?.split(/^## /m)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('git clone'));
}

describe('README quick start', () => {
  it('is npm ci, npm start (the pipeline on this machine) and npm test; CI runs the README test command', () => {
    const commands = quickStartCommands();
    expect(commands).toEqual(['npm ci', 'npm start', 'npm test']);
    expect(pkg.scripts.start).toMatch(/runtime\/cli\.ts run$/);
    expect(ciRun).toMatch(new RegExp(`^${commands[2]}$`, 'm'));
  });

  it('names only npm scripts that exist', () => {
    for (const match of readme.matchAll(/`npm run ([a-z:-]+)/g)) {
      expect(pkg.scripts, `README mentions npm run ${match[1]}`).toHaveProperty(match[1]!);
    }
  });
});

describe('README as a landing page', () => {
  it("stays under 12 KB: details live on each part's own page", () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(12 * 1024);
  });

  it('links only to files that exist in the repository', () => {
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((t) => !/^[a-z]+:/.test(t));
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((t) => !existsSync(resolve(root, t)))).toEqual([]);
  });

  it('names only paths that exist, and nothing outside the repository', () => {
    const paths = [
      ...readme.matchAll(
        /(?:^|[\s`(])((?:\.ci|actions|core|runtime|cloudformation|bench|sheets|workflows-src|docs|\.github)\/[\w./-]*[\w/])(?![\w@])/gm,
      ),
    ]
      .map((m) => m[1]!)
      .filter((p) => !p.includes('<'));
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((p) => !existsSync(resolve(root, p)))).toEqual([]);
    // Code examples may import relatively (a test's own imports); the prose may not leave the repository.
    expect(readme.replace(/^```[\s\S]*?^```$/gm, '')).not.toMatch(/\.\.\//);
  });
});
