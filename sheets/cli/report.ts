/**
 * A sync's report for people: log lines (sheet text escaped, never a
 * workflow command) and the GitHub job summary.
 */
import { code, markdownTable, writeSummary } from '../../core/summary.js';
import type { SyncReport } from '../sync.js';

/** Text from a sheet cell or the database, safe on one log line: escaped, never a workflow command. */
export function shown(text: unknown): string {
  return JSON.stringify(String(text ?? ''))
    .slice(1, -1)
    .replace(/^::/, ': :');
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

/** The report as the job summary of a GitHub Actions step: counts, then conflicts and problems. */
export async function summarise(report: SyncReport): Promise<void> {
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
}
