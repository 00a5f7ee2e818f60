/**
 * `mcfpipe sync`: one two-way sync of the CRM view (Google Sheets, or the
 * local workbook without credentials) with the database. The stage that
 * `mcfpipe run` calls after scoring.
 *
 * Exit codes: 0 done (conflicts and bad rows are reported, not failures),
 * 1 failed (nothing half-written: run again to finish), 2 bad usage.
 */
import { writeFileSync } from 'node:fs';
import { code, markdownTable, writeSummary } from '../../core/summary.js';
import { InputError, MissingInputError } from '../../core/values.js';
import { DbApiSource } from '../../runtime/rows/db-api-source.js';
import { RowStore } from '../../runtime/rows/store.js';
import { ViewStore } from '../store.js';
import { type SyncReport, sync } from '../sync.js';
import {
  CONNECTION_OPTIONS,
  helpText,
  type OptionSpec,
  parse,
  Settings,
  shown,
  type Values,
} from './options.js';

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
  return helpText(
    'Usage: mcfpipe sync [options]',
    'Syncs the CRM spreadsheet (tabs jobs, tracks, keywords, config) with the database both ways:\nscored jobs out, your edits back; rows matched by key; conflicts reported, never overwritten.',
    OPTIONS,
  );
}

export function describeReport(r: SyncReport): string[] {
  const lines = [
    `${r.status === 'done' ? 'synced' : 'FAILED'} ${r.backend}: ${r.appended} new row(s), ${r.updatedCells} cell(s) updated, ${r.imported} edit(s) saved to the database` +
      (r.repaired
        ? `, ${r.repaired} cell(s) put back after the Sheet changed during the write`
        : '') +
      `; ${r.calls} API call(s)`,
  ];
  for (const c of r.conflicts)
    lines.push(
      `conflict: ${c.tab} ${shown(c.key)} ${c.column}: Sheet "${shown(c.sheet)}", database "${shown(c.db)}" (last synced "${shown(c.base ?? '')}"); neither was changed`,
    );
  for (const p of r.problems)
    lines.push(
      `problem: ${p.tab}${p.row ? ` row ${p.row}` : ''}${p.column ? ` column ${shown(p.column)}` : ''}: ${shown(p.message)}`,
    );
  if (r.message) lines.push(r.message);
  for (const m of r.unrepaired)
    lines.push(
      `check: ${m.tab} row ${m.row + 1} column ${m.col + 1}: held "${shown(m.before ?? '')}" before the write`,
    );
  return lines;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: Values;
  try {
    values = parse(argv, OPTIONS);
  } catch (err) {
    console.error(`mcfpipe sync: ${(err as Error).message}\n\n${help()}`);
    return 2;
  }
  if (values.help) {
    console.log(help());
    return 0;
  }
  const log = (m: string) => console.error(`sync: ${m}`);
  const settings = new Settings(values, env, OPTIONS);
  let report: SyncReport;
  try {
    const user = settings.user();
    const client = settings.dbApi(log);
    const backend = await settings.backend(client, user, log);
    report = await sync({
      backend,
      store: new ViewStore(new RowStore(new DbApiSource({ client }))),
      user,
      log,
    });
  } catch (err) {
    if (err instanceof InputError || err instanceof MissingInputError) {
      console.error(err.message);
      return 2;
    }
    console.error(`mcfpipe sync failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  for (const line of describeReport(report)) console.log(line);
  const file = settings.get('summary-json');
  if (file) writeFileSync(file, `${JSON.stringify(report)}\n`);
  if (env.GITHUB_STEP_SUMMARY)
    await writeSummary((s) => {
      s.addHeading(`CRM sync: ${report.status}`, 3);
      s.addRaw(
        markdownTable(
          ['new rows', 'cells updated', 'edits saved', 'conflicts', 'problems', 'API calls'],
          [
            [
              report.appended,
              report.updatedCells,
              report.imported,
              report.conflicts.length,
              report.problems.length,
              report.calls,
            ],
          ],
        ),
        true,
      );
      if (report.conflicts.length)
        s.addRaw(
          markdownTable(
            ['tab', 'key', 'column', 'Sheet', 'database'],
            report.conflicts.map((c) => [c.tab, c.key, c.column, c.sheet, c.db]),
          ),
          true,
        );
      if (report.problems.length)
        s.addRaw(
          markdownTable(
            ['tab', 'row', 'column', 'problem'],
            report.problems.map((p) => [p.tab, p.row, p.column, p.message]),
          ),
          true,
        );
      if (report.message) s.addRaw(`<p>${code(report.message)}</p>`, true);
    });
  return report.status === 'done' ? 0 : 1;
}
