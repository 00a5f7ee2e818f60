/**
 * `mcfpipe sheets init`: creates or repairs the CRM spreadsheet's tabs
 * (or the local workbook's): headers, frozen header row, dropdowns, date
 * formats, the score colour scale, warning-only protection of the
 * pipeline's columns. Safe to run again; `--dry-run` only says what it would do.
 */

import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { InputError, MissingInputError } from '../../core/values.js';
import type { OptionSpec } from '../../runtime/settings/options.js';
import { GoogleSheetsBackend } from '../google/backend.js';
import { initSpreadsheet } from '../google/init.js';
import type { XlsxBackend } from '../xlsx/backend.js';
import { addMissingTabs } from '../xlsx/layout.js';
import {
  CONNECTION_OPTIONS,
  commandHelp,
  commandOptions,
  openBackend,
  openRows,
  rowsGiven,
  syncUser,
} from './options.js';

const OPTIONS: OptionSpec[] = [
  ...CONNECTION_OPTIONS,
  { flag: 'dry-run', boolean: true, help: 'Say what would be created or repaired; change nothing' },
];

export function help(): string {
  return commandHelp(
    'mcfpipe sheets init [options]',
    'Creates or repairs the tabs jobs, tracks, keywords and config of the CRM spreadsheet (or workbook).\nThe database is only needed to find the spreadsheet id in the config table.',
    OPTIONS,
  );
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = commandOptions('sheets', argv, env, OPTIONS, help);
  if (typeof parsed === 'number') return parsed;
  const { options: o, positionals } = parsed;
  if (positionals[0] !== 'init' || positionals.length > 1) {
    console.error(
      `mcfpipe sheets: ${positionals.length ? `unknown subcommand "${positionals.join(' ')}"` : 'say what to do'}; the one there is: init\n\n${help()}`,
    );
    return 2;
  }
  const log = (m: string) => console.error(`sheets init: ${m}`);
  const dryRun = o.get('dry-run') === 'true';
  try {
    const user = syncUser(o);
    const rows = rowsGiven(o) ? openRows(o, log) : undefined;
    const backend = await openBackend(o, rows, user, log, env);
    if (backend instanceof GoogleSheetsBackend) {
      const r = await initSpreadsheet(backend.api, backend.spreadsheetId, dryRun);
      console.log(
        `${dryRun ? 'would apply' : 'applied'} ${r.requests} change(s) to ${backend.description}` +
          (r.created.length ? `; new tabs: ${r.created.join(', ')}` : '') +
          (r.addedColumns.length ? `; added columns: ${r.addedColumns.join(', ')}` : ''),
      );
      return 0;
    }
    const path = (backend as XlsxBackend).path;
    const wb = new ExcelJS.Workbook();
    if (existsSync(path)) await wb.xlsx.readFile(path);
    const added = addMissingTabs(wb);
    console.log(
      `${dryRun ? 'would add' : 'added'} ${added.length} column(s) to workbook ${path}${added.length ? `: ${added.join(', ')}` : ''}`,
    );
    if (!dryRun && added.length) await (backend as XlsxBackend).save(wb);
    return 0;
  } catch (err) {
    if (err instanceof InputError || err instanceof MissingInputError) {
      console.error(err.message);
      return 2;
    }
    console.error(
      `mcfpipe sheets init failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 1;
  }
}
