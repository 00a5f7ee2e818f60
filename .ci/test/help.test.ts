/**
 * Every command in the repository answers --help: prints its usage and exits
 * 0, doing nothing else. Found, not listed by hand, so a new one is covered:
 * each npm script (run as package.json runs it, plus --help), the mcfpipe
 * commands, the bench scripts, and the CI scripts.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../runtime/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
/** Tools of others (their own help, not ours to word). */
const THIRD_PARTY = new Set(['tsc', 'vitest', 'biome']);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[]): Promise<Run> {
  const [cmd, ...args] = argv;
  const bin = cmd === 'node' ? process.execPath : join(ROOT, 'node_modules', '.bin', cmd!);
  return new Promise((done, fail) => {
    const child = spawn(bin, [...args, '--help'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** `tsx runtime/cli.ts run` -> ['tsx', 'runtime/cli.ts', 'run']; ./bin paths as node scripts. */
const scripts = Object.entries(pkg.scripts).map(([name, line]) => ({
  name: `npm run ${name}`,
  argv: line.split(/\s+/),
}));

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => join(e.parentPath, e.name).slice(ROOT.length + 1))
    .sort();
}

const entryPoints = [
  ...files('bench', /^run\.ts$/).map((f) => ({ name: f, argv: ['tsx', f] })),
  ...files('bench', /\.mjs$/)
    .filter((f) => !f.startsWith('bench/lib/'))
    .map((f) => ({ name: f, argv: ['node', f] })),
  ...files('.ci', /^[a-z-]+\.mjs$/)
    .filter((f) => !f.includes('/stubs/'))
    .map((f) => ({ name: f, argv: ['node', f] })),
];

/** Runs `work` over `items`, `limit` at a time. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

describe('every command answers --help', () => {
  it('finds the commands it checks', () => {
    expect(scripts.map((s) => s.name)).toContain('npm run db-api:local');
    expect(entryPoints.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'bench/startup.mjs',
        'bench/cleanup-resources/run.ts',
        '.ci/bundle.mjs',
      ]),
    );
  });

  it('each npm script, bench and CI script prints its usage and exits 0', async () => {
    const all = [...scripts, ...entryPoints];
    const runs = await inParallel(all, 4, (c) => run(c.argv));
    const problems = all.flatMap((c, i) => {
      const r = runs[i]!;
      const ours = !THIRD_PARTY.has(c.argv[0]!);
      if (r.code === 0 && r.stdout.trim() && (!ours || /usage/i.test(r.stdout))) return [];
      return [`${c.name} --help: exit ${r.code}, ${(r.stderr || r.stdout).trim().slice(0, 200)}`];
    });
    expect(problems).toEqual([]);
  }, 240_000);

  it('.ci/run --help prints what CI runs, without running it', async () => {
    const r = await new Promise<Run>((done) => {
      const child = spawn(join(ROOT, '.ci/run'), ['--help'], { cwd: ROOT });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.on('close', (code) => done({ code, stdout, stderr: '' }));
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CI entry point');
    expect(r.stdout).not.toContain('==>');
  });

  it.each(Object.keys(COMMANDS))('mcfpipe %s --help', async (name) => {
    const printed: string[] = [];
    const log = console.log;
    console.log = (...parts: unknown[]) => printed.push(parts.join(' '));
    try {
      expect(await main([name, '--help'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(printed.join('\n')).toMatch(new RegExp(`^Usage: mcfpipe ${name}`));
  });
});
