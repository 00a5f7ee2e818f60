/**
 * CPU profiles for the Sheets benchmark: the V8 profiler over one piece of
 * work (node:inspector), and a profile summed per function by self time, so
 * the results say where a sync's CPU time goes.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs `work` under the profiler; the profile is written to `file` when one is named. */
export async function profiled<T>(
  work: () => Promise<T>,
  file?: string,
): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: CpuProfile;
    };
    if (file) writeFileSync(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Where a function is: `file:line` relative to the repository, or the module for dependencies. */
function place(url: string, line: number): string {
  if (!url) return '';
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const rel = relative(ROOT, path);
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  return dep ? dep[1]! : `${rel}:${line + 1}`;
}

/** The functions with the most self time: `[name, place, ms]`, most first, the idle and GC rows included. */
export function topFunctions(p: CpuProfile, n = 12): Array<[string, string, number]> {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const where = place(f.url, f.lineNumber);
    const name = f.functionName || '(anonymous)';
    const key = `${name}\u0000${where}`;
    const entry = self.get(key) ?? { name, where, us: 0 };
    entry.us += p.timeDeltas[i] ?? 0;
    self.set(key, entry);
  });
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((e) => [e.name, e.where, e.us / 1000]);
}

/** The busy time of a profile, ms (samples that are not idle). */
export function busyMs(p: CpuProfile): number {
  const idle = new Set(
    p.nodes.filter((x) => x.callFrame.functionName === '(idle)').map((x) => x.id),
  );
  return p.samples.reduce((t, id, i) => t + (idle.has(id) ? 0 : (p.timeDeltas[i] ?? 0)), 0) / 1000;
}
