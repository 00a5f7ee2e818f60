/** Types of bench/lib/verdict.mjs (see there). */
export declare const MET: 'met';
export declare const MISSED: '**MISSED**';

export interface VerdictRow {
  target: string;
  measured: string;
  met: boolean;
}

export declare class Verdicts {
  /** Records a target and whether it was met; returns the verdict text for a table cell. */
  check(target: string, measured: string | number, met: boolean): typeof MET | typeof MISSED;
  /** A target that could not be measured (a tool missing, a run that failed): a miss. */
  notMeasured(target: string, why: string): typeof MISSED;
  readonly rows: VerdictRow[];
  readonly misses: string[];
  /** `| target | measured | verdict |`, one row per check, in the order checked. */
  table(): string;
  /** "Verdict: every target met (3)." or "Verdict: **1 of 3 targets missed**: ...". */
  summary(): string;
  /** 1 when a target was missed or none was checked, else 0. */
  exitCode(): 0 | 1;
  /** Sets process.exitCode (output still flushes); prints the misses on stderr. */
  exit(): 0 | 1;
}

export interface Machine {
  date: string;
  commit: string;
  cpus: number;
  model: string;
  node: string;
  platform: string;
  loadAtStart: number[];
  loadAtEnd: number[];
}

/** The commit the run measured: short hash, marked when the work tree differs from it. */
export declare function commit(cwd?: string): string;
/** Where and when the run happened. */
export declare function machine(): Machine;
/** The header lines of a results file (Markdown, ends without a blank line). */
export declare function runHeader(m?: Machine): string;
