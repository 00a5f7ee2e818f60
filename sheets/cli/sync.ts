/**
 * `mcfpipe sync`: one two-way sync of the CRM view (Google Sheets, or the
 * local workbook without credentials) with the database. The stage that
 * `mcfpipe run` calls after scoring.
 *
 * Exit codes: 0 done (conflicts and bad rows are reported, not failures),
 * 1 failed (nothing half-written: run again to finish), 2 bad usage.
 */
import { writeFileSync } from 'node:fs';
import { InputError, MissingInputError } from '../../core/values.js';
import type { OptionSpec } from '../../runtime/settings/options.js';
import { ViewStore } from '../store.js';
import { type SyncReport, sync } from '../sync.js';
import {
  CONNECTION_OPTIONS,
  commandHelp,
  commandOptions,
  openBackend,
  openRows,
  syncUser,
} from './options.js';
import { describeReport, summarise } from './report.js';

const OPTIONS: OptionSpec[] = [
  ...CONNECTION_OPTIONS,
  {
    flag: 'summary-json',
    env: 'SYNC_SUMMARY_JSON',
    arg: 'FILE',
    help: 'Also write the report as JSON to this file',
  },
];

export function help(): string {
  return commandHelp(
    'mcfpipe sync [options]',
    'Syncs the CRM spreadsheet (tabs jobs, tracks, keywords, config) with the database both ways:\nscored jobs out, your edits back; rows matched by key; conflicts reported, never overwritten.\nExit codes: 0 synced (conflicts and bad rows are reported), 1 failed (run again: nothing is half-written), 2 bad usage.',
    OPTIONS,
  );
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = commandOptions('sync', argv, env, OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const o = parsed.options;
  const log = (m: string) => console.error(`sync: ${m}`);
  let report: SyncReport;
  try {
    const user = syncUser(o);
    const rows = openRows(o, log);
    const backend = await openBackend(o, rows, user, log, env);
    report = await sync({ backend, store: new ViewStore(rows), user, log });
  } catch (err) {
    if (err instanceof InputError || err instanceof MissingInputError) {
      console.error(err.message);
      return 2;
    }
    console.error(`mcfpipe sync failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  for (const line of describeReport(report)) console.log(line);
  const file = o.path('summary-json');
  if (file) writeFileSync(file, `${JSON.stringify(report)}\n`);
  if (env.GITHUB_STEP_SUMMARY) await summarise(report);
  return report.status === 'done' ? 0 : 1;
}
