/**
 * The sync stage of `mcfpipe run`: each user's CRM view, synced with the
 * local database. Without Google credentials (GOOGLE_SERVICE_ACCOUNT_KEY,
 * GOOGLE_APPLICATION_CREDENTIALS) it is a workbook in the data folder
 * (`<data>/crm/<user>.xlsx`); the `sync` section of mcfpipe.config.yaml may
 * name a `spreadsheet_id`, a `workbook` or a `backend` (auto, sheets, xlsx).
 */
import { join } from 'node:path';
import { InputError, MissingInputError } from '../core/values.js';
import { DbApiClient } from '../runtime/db-api/client.js';
import type { Stage, StageContext, StageResult } from '../runtime/run/stage.js';
import { StageConfigError } from '../runtime/run/stage.js';
import { configSection } from '../runtime/settings/config-file.js';
import { CONNECTION_OPTIONS, Settings } from './cli/options.js';
import { describeReport } from './cli/sync.js';
import { ViewStore } from './store.js';
import { sync } from './sync.js';

const KEYS = ['spreadsheet_id', 'workbook', 'backend'] as const;

export const syncStage: Stage = {
  async run(ctx: StageContext): Promise<StageResult> {
    const section = configSection(ctx.file, 'sync');
    for (const k of Object.keys(section))
      if (!(KEYS as readonly string[]).includes(k))
        throw new StageConfigError(
          `sync: unknown setting "${k}" in mcfpipe.config.yaml; known: ${KEYS.join(', ')}`,
        );
    const users = [...new Set((await ctx.rows.all('track')).map((t) => t.user_id))].sort();
    if (!users.length)
      return {
        status: 'skipped',
        summary: 'no user has tracks',
        reason: 'no tracks in the database',
      };
    const client = new DbApiClient({ url: ctx.dbApiUrl });
    const outputs: NonNullable<StageResult['outputs']> = [];
    const totals = { appended: 0, updatedCells: 0, imported: 0, conflicts: 0, problems: 0 };
    for (const user of users) {
      const values = {
        user,
        workbook:
          typeof section.workbook === 'string'
            ? section.workbook
            : join(ctx.data.dir('crm'), `${user}.xlsx`),
        ...(typeof section.spreadsheet_id === 'string'
          ? { 'spreadsheet-id': section.spreadsheet_id }
          : {}),
        ...(typeof section.backend === 'string' ? { backend: section.backend } : {}),
      };
      const log = (m: string) => ctx.logger.info(`sync ${user}: ${m}`);
      let backend: Awaited<ReturnType<Settings['backend']>>;
      try {
        backend = await new Settings(values, process.env, CONNECTION_OPTIONS).backend(
          client,
          user,
          log,
        );
      } catch (err) {
        if (err instanceof InputError || err instanceof MissingInputError)
          throw new StageConfigError(err.message);
        throw err;
      }
      const report = await sync({ backend, store: new ViewStore(ctx.rows), user, log });
      for (const line of describeReport(report).slice(1)) ctx.logger.warn(line);
      if (report.status !== 'done') throw new Error(report.message ?? `sync of ${user} failed`);
      totals.appended += report.appended;
      totals.updatedCells += report.updatedCells;
      totals.imported += report.imported;
      totals.conflicts += report.conflicts.length;
      totals.problems += report.problems.length;
      outputs.push({
        label: `CRM of ${user}`,
        location: backend.description.replace(/^workbook /, ''),
      });
    }
    return {
      status: 'done',
      summary: `${totals.appended} new row(s), ${totals.updatedCells} cell(s) updated, ${totals.imported} edit(s) saved, ${totals.conflicts} conflict(s), ${totals.problems} problem(s)`,
      outputs,
    };
  },
};
