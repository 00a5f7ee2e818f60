// What every benchmark under bench/ shares, in one place:
//
// - `Verdicts`: one row per stated target (target, measured, verdict), the
//   Markdown table of them, a one-line summary, and the exit code (1 when a
//   target is missed, or could not be measured);
// - `runHeader()`: the lines every bench/results/*.md starts with: the date,
//   the commit (marked when the work tree has uncommitted changes), the
//   machine (CPUs, model), the Node version and the load average at the start
//   and at the end of the run (the machine is often shared: a miss on a loaded
//   machine is recorded as one, with the load beside it).
//
// Plain JavaScript with types in verdict.d.mts, so that the .mjs benches run
// by `node` and the .ts benches run by `tsx` use the same module.
//
//   const verdicts = new Verdicts();
//   verdicts.check('calls per minute, at most 30', `${perMinute}`, perMinute <= 30);
//   const report = `# my bench\n\n${runHeader()}\n${verdicts.summary()}\n\n${verdicts.table()}\n`;
//   verdicts.exit();
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const LOAD_AT_START = loadavg();

export const MET = 'met';
export const MISSED = '**MISSED**';

export class Verdicts {
  /** @type {{ target: string, measured: string, met: boolean }[]} */
  #rows = [];

  /** Records a target and whether it was met; returns the verdict text for a table cell. */
  check(target, measured, met) {
    this.#rows.push({ target, measured: String(measured), met: Boolean(met) });
    return met ? MET : MISSED;
  }

  /** A target that could not be measured (a tool missing, a run that failed): a miss. */
  notMeasured(target, why) {
    return this.check(target, `not measured: ${why}`, false);
  }

  get rows() {
    return this.#rows.map((row) => ({ ...row }));
  }

  get misses() {
    return this.#rows.filter((row) => !row.met).map((row) => row.target);
  }

  /** `| target | measured | verdict |`, one row per check, in the order checked. */
  table() {
    const cell = (text) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
    return [
      '| target | measured | verdict |',
      '| --- | --- | --- |',
      ...this.#rows.map(
        (row) => `| ${cell(row.target)} | ${cell(row.measured)} | ${row.met ? MET : MISSED} |`,
      ),
    ].join('\n');
  }

  /** "Verdict: every target met (3)." or "Verdict: **1 of 3 targets missed**: ...". */
  summary() {
    const total = this.#rows.length;
    const misses = this.misses;
    if (total === 0) return 'Verdict: **no target was checked**.';
    if (misses.length === 0) return `Verdict: every target met (${total}).`;
    return `Verdict: **${misses.length} of ${total} target${total === 1 ? '' : 's'} missed**: ${misses.join('; ')}.`;
  }

  /** 1 when a target was missed or none was checked, else 0. */
  exitCode() {
    return this.#rows.length === 0 || this.misses.length > 0 ? 1 : 0;
  }

  /** Sets process.exitCode (output still flushes); prints the misses on stderr. */
  exit() {
    const code = this.exitCode();
    if (code !== 0) console.error(this.summary());
    process.exitCode = code;
    return code;
  }
}

/** The commit the run measured: short hash, marked when the work tree differs from it. */
export function commit(cwd = ROOT) {
  try {
    const git = (...args) =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const hash = git('rev-parse', '--short', 'HEAD');
    const dirty = git(
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      '.',
      ':!bench/results',
    );
    return `${hash.trim()}${dirty.trim() ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** Where and when the run happened. */
export function machine() {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    commit: commit(),
    cpus: cores.length,
    model: cores[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAtStart: LOAD_AT_START,
    loadAtEnd: loadavg(),
  };
}

const load = (avg) => avg.map((n) => n.toFixed(1)).join(' / ');

/** The header lines of a results file (Markdown, ends without a blank line). */
export function runHeader(m = machine()) {
  return [
    `Date: ${m.date.slice(0, 16).replace('T', ' ')} UTC. Commit: ${m.commit}.`,
    `Machine: ${m.cpus} × ${m.model} (${m.platform}), Node ${m.node}.`,
    `Load average (1 / 5 / 15 min): ${load(m.loadAtStart)} at the start, ${load(m.loadAtEnd)} at the end, on ${m.cpus} CPUs.`,
  ].join('\n');
}
