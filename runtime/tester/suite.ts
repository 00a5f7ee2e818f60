/**
 * The tester's runner: runs cases in order against one DB API, prints one
 * line per case and a closing summary, cleans up what each case created, and
 * returns results for the JUnit report and the exit code.
 */
import { AssertionError } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type { DbApiClient } from '../db-api/client.js';
import { projectSchema } from '../schema/schema.js';
import type { TableName } from '../schema/types.generated.js';

export interface TestContext {
  client: DbApiClient;
  /** The user_id every item of this run belongs to (e.g. tester-3f9a0c1d). */
  ns: string;
  /** An id unique to this run: `<ns>:<name>`. */
  id(name: string): string;
  /** Records an item for deletion after the case (also swept at the end). */
  created(table: TableName, id: string): void;
}

export interface TestCase {
  name: string;
  run(ctx: TestContext): Promise<void>;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  durationMs: number;
  /** Why it failed. */
  failure?: string;
  /** Longer detail (stack, error body). */
  detail?: string;
}

export interface SuiteResult {
  results: CaseResult[];
  passed: number;
  failed: number;
  durationMs: number;
}

export interface RunOptions {
  client: DbApiClient;
  /** Default: tester-<8 random hex digits>. */
  ns?: string;
  /** Only cases whose name contains this text. */
  only?: string;
  /** Where lines go (default stdout). */
  out?: (line: string) => void;
  now?: () => number;
}

export function newNamespace(): string {
  return `tester-${randomBytes(4).toString('hex')}`;
}

/** Tables with an index on user_id: swept for leftovers of the namespace at the end. */
function userTables(): Array<{ table: TableName; key: string }> {
  return Object.values(projectSchema().tables)
    .filter((t) => t.indexes.some((i) => i.partition === 'user_id'))
    .map((t) => ({ table: t.name as TableName, key: t.key }));
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

function describe(err: unknown): { failure: string; detail?: string } {
  if (err instanceof AssertionError && err.generatedMessage) {
    // node:assert's own message is a multi-line diff: one line for the console, the diff for JUnit.
    const what =
      err.operator === 'strictEqual' || err.operator === 'deepStrictEqual'
        ? 'expected'
        : `expected (${err.operator})`;
    return {
      failure: `${what} ${shown(err.expected)}, got ${shown(err.actual)}`,
      detail: err.message,
    };
  }
  if (err instanceof Error) {
    return {
      failure: err.message.split('\n')[0] ?? err.message,
      ...(err.stack ? { detail: err.stack } : {}),
    };
  }
  return { failure: String(err) };
}

/**
 * Whether the API can be used at all: a reason when it cannot be reached or
 * API Gateway refuses the caller, so the run stops with one clear cause
 * instead of every case failing the same way.
 */
async function preflight(client: DbApiClient, ns: string): Promise<string | undefined> {
  try {
    const res = await client.request('GET', 'track', { query: { user_id: ns, limit: 1 } });
    if (res.status === 403 || res.status === 401) {
      return `API Gateway refused the request (HTTP ${res.status}: ${res.text.slice(0, 200)}); with AWS_IAM auth the caller needs execute-api:Invoke on the API and requests must be signed (--auth iam)`;
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export async function runSuite(cases: TestCase[], opts: RunOptions): Promise<SuiteResult> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = opts.now ?? (() => performance.now());
  const ns = opts.ns ?? newNamespace();
  const selected = opts.only ? cases.filter((c) => c.name.includes(opts.only!)) : cases;
  const results: CaseResult[] = [];
  const started = now();
  out(`DB API tester: ${selected.length} case(s) against ${opts.client.url} (namespace ${ns})`);
  const unreachable = await preflight(opts.client, ns);
  if (unreachable) {
    out(`FAIL  connect: the API answers (${unreachable})`);
    const results = selected.map((c) => ({
      name: c.name,
      passed: false,
      durationMs: 0,
      failure: `not run: ${unreachable}`,
    }));
    for (const r of results) out(`FAIL  ${r.name} (not run)`);
    out('');
    out(`0 passed, ${results.length} failed`);
    return { results, passed: 0, failed: results.length, durationMs: now() - started };
  }

  for (const c of selected) {
    const toDelete: Array<[TableName, string]> = [];
    const ctx: TestContext = {
      client: opts.client,
      ns,
      id: (name) => `${ns}:${name}`,
      created: (table, id) => {
        toDelete.push([table, id]);
      },
    };
    const t0 = now();
    let result: CaseResult;
    try {
      await c.run(ctx);
      result = { name: c.name, passed: true, durationMs: now() - t0 };
    } catch (err) {
      result = { name: c.name, passed: false, durationMs: now() - t0, ...describe(err) };
    }
    try {
      for (const [table, id] of toDelete)
        await opts.client.delete(table, id, { ignoreMissing: true });
    } catch (err) {
      if (result.passed)
        result = {
          ...result,
          passed: false,
          ...describe(err),
          failure: `cleanup failed: ${describe(err).failure}`,
        };
    }
    results.push(result);
    const ms = Math.round(result.durationMs);
    out(`${result.passed ? 'PASS' : 'FAIL'}  ${c.name} (${ms} ms)`);
    if (!result.passed) out(`      ${result.failure}`);
  }

  // Leftovers (a case that failed half-way): everything in the namespace goes.
  const t0 = now();
  try {
    let swept = 0;
    for (const { table, key } of userTables()) {
      const ids: string[] = [];
      for await (const item of opts.client.listAll(table, {
        where: { user_id: ns },
        limit: 1000,
      })) {
        ids.push(String((item as unknown as Record<string, unknown>)[key]));
      }
      for (const id of ids)
        if (await opts.client.delete(table, id, { ignoreMissing: true })) swept++;
    }
    if (swept > 0) out(`      swept ${swept} leftover item(s) of namespace ${ns}`);
  } catch (err) {
    const r: CaseResult = {
      name: 'cleanup: no test data is left behind',
      passed: false,
      durationMs: now() - t0,
      ...describe(err),
    };
    results.push(r);
    out(`FAIL  ${r.name} (${Math.round(r.durationMs)} ms)`);
    out(`      ${r.failure}`);
  }

  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  const durationMs = now() - started;
  out('');
  out(`Finished in ${(durationMs / 1000).toFixed(1)} s`);
  out(`${passed} passed, ${failed} failed`);
  return { results, passed, failed, durationMs };
}
