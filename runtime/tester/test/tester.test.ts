/**
 * The tester against the real local stack (the same suite the Fargate task
 * runs against AWS), its bundle run as the container runs it, and its verdict
 * on broken servers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../db-api/bundle.mjs';
import { DbApiClient } from '../../db-api/client.js';
import { createHandler } from '../../db-api/http/handler.js';
import { type LocalDbApi, serveHandler, startLocalDbApi } from '../../db-api/local/server.js';
import { projectSchema } from '../../schema/schema.js';
import type { TableName } from '../../schema/types.generated.js';
import { CASES } from '../cases.js';
import { main } from '../cli.js';
import { renderJUnit } from '../junit.js';
import { runSuite } from '../suite.js';

let api: LocalDbApi;
let dir: string;
let testerBundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-tester-'));
  [api, { outfile: testerBundle }] = await Promise.all([
    startLocalDbApi(),
    bundle('tester', { outdir: join(dir, 'bundle') }),
  ]);
});
afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runBundle(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [testerBundle, ...args], {
      env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', ...env },
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
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function leftovers(ns: string): Promise<number> {
  const client = new DbApiClient({ url: api.url });
  let n = 0;
  for (const t of Object.values(projectSchema().tables)) {
    if (!t.indexes.some((i) => i.partition === 'user_id')) continue;
    n += (await client.list(t.name as TableName, { where: { user_id: ns } })).items.length;
  }
  return n;
}

describe('the suite against the local DB API', () => {
  it('passes every case (at least 12), one line each and a summary, leaving nothing behind', async () => {
    const lines: string[] = [];
    const suite = await runSuite(CASES, {
      client: new DbApiClient({ url: api.url }),
      ns: 'tester-ci',
      out: (l) => lines.push(l),
    });
    const failures = suite.results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.failure}`);
    expect(failures).toEqual([]);
    expect(suite.passed).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(12);
    expect(lines.filter((l) => l.startsWith('PASS  '))).toHaveLength(CASES.length);
    expect(lines.at(-1)).toBe(`${CASES.length} passed, 0 failed`);
    expect(await leftovers('tester-ci')).toBe(0);
  });

  it('covers every error class and the schema rules', () => {
    const names = CASES.map((c) => c.name).join('\n');
    for (const needed of [
      'create',
      'read',
      'update',
      'partial update',
      'delete',
      'list',
      'batch',
      'batch read',
      '400',
      '404',
      '405',
      '409',
      '413',
      '415',
      'types',
      'enums',
      'formats',
    ]) {
      expect(names).toContain(needed);
    }
  });
});

describe('the bundled CLI (as the container runs it)', () => {
  it('exits 0 when all pass and writes the JUnit report', async () => {
    const junit = join(dir, 'ok.xml');
    const run = await runBundle(['--junit', junit], { DB_API_URL: api.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('auth: none');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('JUnit report: ' + junit);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`<testsuite name="mcfpipe-db-api" tests="${CASES.length}" failures="0"`);
    expect(xml.match(/<testcase /g)).toHaveLength(CASES.length);
  });

  it('exits 1 against a server that breaks the contract, naming the failing cases', async () => {
    // The real API, except that it ignores If-Match: lost updates go through.
    const real = createHandler({ store: api.store, log: () => {} });
    const broken = await serveHandler(async (req) => {
      const { 'if-match': _dropped, ...headers } = req.headers;
      return real({ ...req, headers });
    });
    try {
      const junit = join(dir, 'broken.xml');
      const run = await runBundle([
        '--url',
        broken.url,
        '--junit',
        junit,
        '--namespace',
        'tester-broken',
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^FAIL {2}409: a stale If-Match/m);
      expect(run.stdout).toMatch(/^PASS {2}create:/m);
      expect(run.stdout).toMatch(/^\d+ passed, [1-9]\d* failed$/m);
      expect(readFileSync(junit, 'utf8')).toMatch(/<failure message="[^"]*409[^"]*"/);
    } finally {
      await broken.stop();
    }
    expect(await leftovers('tester-broken')).toBe(0);
  });

  it('fails the race case against a server that checks If-Match by reading before writing', async () => {
    // If-Match checked with a GET, then an unconditional write: a lost-update race.
    // Every checked write waits until all five writers have checked (a barrier, not
    // a fixed pause, so a loaded machine cannot serialise them and hide the race).
    const real = createHandler({ store: api.store, log: () => {} });
    const WRITERS = 5;
    let checked = 0;
    let release!: () => void;
    const allChecked = new Promise<void>((r) => {
      release = r;
    });
    const racy = await serveHandler(async (req) => {
      const { 'if-match': ifMatch, ...headers } = req.headers;
      if (ifMatch === undefined || req.method === 'GET') return real(req);
      const current = await real({ ...req, method: 'GET', headers, body: undefined });
      if (current.status === 200 && current.headers.etag !== ifMatch) {
        return real(req); // the real answer: 409
      }
      if (++checked >= WRITERS) release();
      await Promise.race([allChecked, new Promise((r) => setTimeout(r, 10_000))]);
      return real({ ...req, headers });
    });
    try {
      const run = await runBundle([
        '--url',
        racy.url,
        '--namespace',
        'tester-racy',
        '--only',
        'concurrent writers',
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^FAIL {2}409: concurrent writers.*\n\s+5 of 5 writers/m);
    } finally {
      await racy.stop();
    }
    expect(await leftovers('tester-racy')).toBe(0);
  });

  it('exits 1 when the API cannot be reached', async () => {
    const stopped = await serveHandler(async () => ({ status: 200, headers: {} }));
    await stopped.stop();
    const run = await runBundle([
      '--url',
      stopped.url,
      '--attempts',
      '1',
      '--junit',
      join(dir, 'down.xml'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL {2}connect: the API answers \(.*cannot reach http:\/\/127\.0\.0\.1:\d+/m,
    );
    expect(run.stdout).toContain(`0 passed, ${CASES.length} failed`);
    expect(readFileSync(join(dir, 'down.xml'), 'utf8')).toContain(`failures="${CASES.length}"`);
  });
});

describe('usage errors exit 2', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
  };

  it('without a URL', async () => {
    const r = io();
    expect(await main([], {}, r.io)).toBe(2);
    expect(r.err.join('\n')).toContain('Input "--url / DB_API_URL" is required');
  });

  it('with a namespace that could hold real data, a bad auth mode or an unknown option', async () => {
    const r = io();
    expect(await main(['--url', api.url, '--namespace', 'me'], {}, r.io)).toBe(2);
    expect(r.err[0]).toContain('Input "--namespace / TESTER_NAMESPACE": "me" is not valid');
    expect(await main(['--url', api.url], { DB_API_AUTH: 'basic' }, r.io)).toBe(2);
    expect(r.err[1]).toContain('Accepted: one of auto, iam, none');
    expect(await main(['--bogus'], {}, r.io)).toBe(2);
    expect(r.err[2]).toContain("Unknown option '--bogus'");
  });

  it('with --only matching nothing', async () => {
    const r = io();
    expect(await main(['--url', api.url, '--only', 'no such case'], {}, r.io)).toBe(2);
  });
});

describe('renderJUnit', () => {
  it('escapes names and failure texts and counts failures', () => {
    const xml = renderJUnit(
      {
        results: [
          { name: 'a <b> & "c"', passed: true, durationMs: 12 },
          {
            name: 'fails',
            passed: false,
            durationMs: 1500,
            failure: 'expected 409, got 200 & <x>',
            detail: 'stack\u0001here',
          },
        ],
        passed: 1,
        failed: 1,
        durationMs: 1512,
      },
      { timestamp: new Date('2026-01-01T00:00:00.123Z') },
    );
    expect(xml).toContain(
      '<testcase classname="mcfpipe-db-api" name="a &lt;b&gt; &amp; &quot;c&quot;" time="0.012"/>',
    );
    expect(xml).toContain(
      '<failure message="expected 409, got 200 &amp; &lt;x&gt;" type="AssertionError">stackhere</failure>',
    );
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain('timestamp="2026-01-01T00:00:00"');
  });
});
