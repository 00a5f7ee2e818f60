/**
 * The order of stack deletions. A stack is deleted only after every stack
 * that must go first:
 *
 * - the stacks that import one of its exports (CloudFormation refuses to
 *   delete an export that is still imported);
 * - the later layers of the same prefix: `<p>-tester` and `<p>-webscraper`
 *   before `<p>-db-api`, and those before `<p>-network` (the reverse of
 *   creation; layers are coupled through the config bucket, which
 *   CloudFormation does not see);
 * - every other stack before a `*-github-oidc` stack, whose role the
 *   workflow itself may be using.
 *
 * Stacks with nothing between them are deleted at the same time.
 */
import { ActionError } from '../../../core/errors.js';

/** Creation order of the layers; deletion goes from high to low. */
const LAYER_RANK: Record<string, number> = {
  network: 1,
  'db-api': 2,
  tester: 3,
  webscraper: 3,
};

const LAYER = /^(.+)-(network|db-api|tester|webscraper)$/;
const OIDC = /-github-oidc$/;

export interface OrderInput {
  name: string;
  importers: string[];
}

/** For each stack, the stacks that must be deleted before it (all within `stacks`). */
export function deletionPrerequisites(stacks: OrderInput[]): Map<string, Set<string>> {
  const names = new Set(stacks.map((s) => s.name));
  const before = new Map<string, Set<string>>(stacks.map((s) => [s.name, new Set<string>()]));
  for (const s of stacks) {
    for (const importer of s.importers) if (names.has(importer)) before.get(s.name)!.add(importer);
  }
  const layered = stacks
    .map((s) => ({ name: s.name, match: LAYER.exec(s.name) }))
    .filter((s) => s.match)
    .map((s) => ({ name: s.name, prefix: s.match![1]!, rank: LAYER_RANK[s.match![2]!]! }));
  for (const a of layered) {
    for (const b of layered) {
      if (a.prefix === b.prefix && b.rank > a.rank) before.get(a.name)!.add(b.name);
    }
  }
  for (const s of stacks) {
    if (!OIDC.test(s.name)) continue;
    for (const other of stacks) if (!OIDC.test(other.name)) before.get(s.name)!.add(other.name);
  }
  const cycle = findCycle(before);
  if (cycle) {
    throw new ActionError(
      `The stacks cannot be deleted in any order: ${cycle.join(' must go before ')} (through exports they import or their layer order).`,
      'Delete one of them on its own first, or remove the import that closes the circle.',
    );
  }
  return before;
}

function findCycle(before: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    path.push(name);
    for (const dep of before.get(name) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of before.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

export type StepResult = { ok: true } | { ok: false; reason: string };

/**
 * Runs `work` for every stack once all its prerequisites succeeded; a stack
 * whose prerequisite did not succeed is not attempted and gets `blocked`.
 * Independent stacks run at the same time.
 */
export async function runInOrder(
  before: Map<string, Set<string>>,
  work: (name: string) => Promise<StepResult>,
  blocked: (name: string, by: string, reason: string) => void,
): Promise<Map<string, StepResult>> {
  const started = new Map<string, Promise<StepResult>>();
  const start = (name: string): Promise<StepResult> => {
    let promise = started.get(name);
    if (!promise) {
      promise = (async () => {
        const deps = [...(before.get(name) ?? [])];
        const results = await Promise.all(deps.map(start));
        const failedAt = results.findIndex((r) => !r.ok);
        if (failedAt >= 0) {
          const by = deps[failedAt]!;
          const reason = `${by} must be deleted first and was not`;
          blocked(name, by, reason);
          return { ok: false, reason };
        }
        return work(name);
      })();
      started.set(name, promise);
    }
    return promise;
  };
  const names = [...before.keys()];
  const results = await Promise.all(names.map(start));
  return new Map(names.map((n, i) => [n, results[i]!]));
}
