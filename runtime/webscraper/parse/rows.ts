/**
 * Turns the records `mcfpipe parse` read into job rows and quarantine lines.
 *
 * Jobs from detail records, plain job records and pages are written as they
 * come. Listing items (partial: POST /v2/search leaves the description out)
 * are held back and written at the end only for jobs that no detail or page
 * record gave, the last listing item of a job winning; so reparsing an
 * archive gives each job from its richest record.
 */
import { type DescriptionPolicy, normaliseJob } from '../normalise/job.js';
import { readJobPage } from '../page/extract.js';
import type { InputRecord } from './inputs.js';

export interface ParseOutput {
  row(line: string): void;
  quarantine(line: string): void;
}

export interface QuarantineLine {
  where: string;
  uuid: string | null;
  reason: string;
  problems: string[];
}

type Outcome =
  | { ok: true; jobId: string; line: string }
  | { ok: false; uuid: string | undefined; line: string };

export class RowCollector {
  readonly totals = { rows: 0, quarantined: 0 };
  private readonly written = new Set<string>();
  private readonly listing = new Map<string, Outcome>();
  private readonly unkeyedListing: Outcome[] = [];

  constructor(
    private readonly opts: { descriptions: DescriptionPolicy },
    private readonly out: ParseOutput,
  ) {}

  add(record: InputRecord): void {
    const outcome = this.parseOrQuarantine(record);
    if (record.kind !== 'listing-item') {
      this.write(outcome);
      return;
    }
    const key = outcome.ok ? outcome.jobId : outcome.uuid;
    if (key === undefined) this.unkeyedListing.push(outcome);
    else if (!this.written.has(key)) this.listing.set(key, outcome);
  }

  /** Writes the listing items no richer record replaced; returns the totals. */
  finish(): { rows: number; quarantined: number } {
    for (const [key, outcome] of this.listing) if (!this.written.has(key)) this.write(outcome);
    for (const outcome of this.unkeyedListing) this.write(outcome);
    this.listing.clear();
    this.unkeyedListing.length = 0;
    return this.totals;
  }

  private write(outcome: Outcome): void {
    if (outcome.ok) {
      this.written.add(outcome.jobId);
      this.listing.delete(outcome.jobId);
      this.totals.rows++;
      this.out.row(outcome.line);
    } else {
      this.totals.quarantined++;
      this.out.quarantine(outcome.line);
    }
  }

  /** One input the parser cannot handle (a bug) is quarantined with the error; the rest are still parsed. */
  private parseOrQuarantine(record: InputRecord): Outcome {
    try {
      return this.parse(record);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return failed(record, undefined, 'the parser failed on this input', [message.slice(0, 300)]);
    }
  }

  private parse(record: InputRecord): Outcome {
    let job: unknown;
    switch (record.kind) {
      case 'unreadable':
        return failed(record, undefined, record.reason, [record.reason]);
      case 'page': {
        const read = readJobPage(record.html, { url: record.url ?? record.where });
        if (!read.ok) return failed(record, read.uuid, read.reason, read.problems);
        job = read.job;
        break;
      }
      default:
        job = record.value;
    }
    const result = normaliseJob(job, { descriptions: this.opts.descriptions });
    if (!result.ok) return failed(record, result.uuid, result.reason, result.problems);
    return { ok: true, jobId: result.row.job_id, line: JSON.stringify(result.row) };
  }
}

function failed(
  record: InputRecord,
  uuid: string | undefined,
  reason: string,
  problems: string[],
): Outcome {
  const q: QuarantineLine = { where: record.where, uuid: uuid ?? null, reason, problems };
  return { ok: false, uuid, line: JSON.stringify(q) };
}
