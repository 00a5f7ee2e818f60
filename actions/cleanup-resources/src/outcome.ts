/**
 * What happened to each thing the step was asked about, for the log, the
 * outputs and the job summary.
 */

export type ResourceKind = 'stack' | 'bucket' | 'repository' | 'log group' | 'stack resource';

export type Verdict =
  /** Deleted by this run, or already gone (idempotent). */
  | 'deleted'
  /** Dry run: would be deleted. */
  | 'would delete'
  /** Deliberately left in place (DeletionPolicy Retain). */
  | 'kept'
  /** Not touched: a safety rule said no. */
  | 'refused'
  | 'failed';

export interface Outcome {
  kind: ResourceKind;
  name: string;
  verdict: Verdict;
  /** Why, in plain words (sizes and counts for a dry run). */
  reason: string;
}

export class Outcomes {
  readonly all: Outcome[] = [];

  add(kind: ResourceKind, name: string, verdict: Verdict, reason: string): Outcome {
    const outcome = { kind, name, verdict, reason };
    this.all.push(outcome);
    return outcome;
  }

  of(verdict: Verdict): Outcome[] {
    return this.all.filter((o) => o.verdict === verdict);
  }
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** 12345 -> "12,345". */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
