/**
 * `mcfpipe parse FILE...`: saved MCF API records and saved job pages to job
 * rows, through the scraper's own normaliser and page extractor. For
 * reparsing archives after a parser change, and for checking the parser on a
 * page you saved from the browser.
 *
 * Rows go to stdout as JSON Lines; every input that cannot give a row goes to
 * stderr as one JSON line (where, uuid, reason, problems). Exit codes: 0 all
 * parsed, 1 any quarantined, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { parseChoice } from '../../../core/values.js';
import { DESCRIPTION_POLICIES, type DescriptionPolicy } from '../normalise/job.js';
import { readInputFile } from './inputs.js';
import { type ParseOutput, RowCollector } from './rows.js';

export const USAGE = `Usage: mcfpipe parse [options] FILE...

Parses saved MyCareersFuture data into job rows (the job table of
db_schema.json), one JSON line per job on stdout. Each FILE may be:

  - JSON or JSON Lines of MCF API records: jobs (GET /v2/jobs/{uuid}),
    listing pages (GET /v2/jobs, POST /v2/search: their results), or lists
  - the scraper's archive parts (gzip JSON Lines of listing, detail and
    page records); any file may be gzip, and a part cut off mid-write
    gives its complete lines (the cut is reported)
  - a job page saved from the browser (HTML, as rendered)

A job found both in a listing and in a detail or page record is parsed from
the detail or page (listing items lack fields); other rows come out in input
order, one per record.

Inputs that cannot give a row (not a job, a field of the wrong type, a page
without the job's facts, an unreadable or truncated file) are quarantined:
one JSON line on stderr with where (file, file:line), uuid, reason and
problems.

Options:
  --descriptions text|none   Store descriptions and other requirements as text, or leave
                             them out (MCF's terms of use) (default text)
  --help, -h                 This help

Exit codes: 0 every input parsed, 1 some input quarantined, 2 bad usage.`;

export async function run(
  argv: string[],
  out: ParseOutput = {
    row: (line) => process.stdout.write(`${line}\n`),
    quarantine: (line) => process.stderr.write(`${line}\n`),
  },
): Promise<number> {
  let files: string[];
  let descriptions: DescriptionPolicy;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        descriptions: { type: 'string', default: 'text' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    descriptions = parseChoice('--descriptions', values.descriptions, DESCRIPTION_POLICIES);
    files = positionals;
  } catch (err) {
    console.error(`mcfpipe parse: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (files.length === 0) {
    console.error(`mcfpipe parse: name at least one FILE\n\n${USAGE}`);
    return 2;
  }
  const rows = new RowCollector({ descriptions }, out);
  for (const file of files) {
    for (const record of await readInputFile(file)) rows.add(record);
  }
  const totals = rows.finish();
  return totals.quarantined > 0 ? 1 : 0;
}
