/**
 * The sync stage of `mcfpipe run`: each user's CRM view, synced with the
 * local database. Without Google credentials (GOOGLE_SERVICE_ACCOUNT_KEY,
 * GOOGLE_APPLICATION_CREDENTIALS) it is a workbook in the data folder
 * (`<data>/crm/<user>.xlsx`); the `sync` section of mcfpipe.config.yaml may
 * name a `spreadsheet_id`, a `workbook` or a `backend` (auto, sheets, xlsx).
 */
import { join } from 'node:path';
import { InputError, MissingInputError } from '../core/values.js';
import type { Stage, StageContext, StageResult } from '../runtime/run/stage.js';
import { StageConfigError } from '../runtime/run/stage.js';
import { ConfigError } from '../runtime/settings/config-file.js';
import { Options } from '../runtime/settings/options.js';
import type { SheetBackend } from './backend.js';
import { CONNECTION_OPTIONS, checkSyncSection, openBackend } from './cli/options.js';
import { describeReport } from './cli/report.js';
import { ViewStore } from './store.js';
import { sync } from './sync.js';

export const syncStage: Stage = {
  async run(ctx: StageContext): Promise<StageResult> {
    try {
      checkSyncSection(ctx.file);
    } catch (err) {
      if (err instanceof ConfigError) throw new StageConfigError(`sync: ${err.message}`);
      throw err;
    }
    const users = [...new Set((await ctx.rows.all('track')).map((t) => t.user_id))].sort();
    if (!users.length)
      return {
        status: 'skipped',
        summary: 'no user has tracks',
        reason: 'no tracks in the database',
      };
    const outputs: NonNullable<StageResult['outputs']> = [];
    const totals = { appended: 0, updatedCells: 0, imported: 0, conflicts: 0, problems: 0 };
    for (const user of users) {
      // Each user's own workbook in the data folder, unless one is named.
      const named = new Options(CONNECTION_OPTIONS, { user }, process.env, ctx.file);
      const o = named.given('workbook')
        ? named
        : new Options(
            CONNECTION_OPTIONS,
            { user, workbook: join(ctx.data.dir('crm'), `${user}.xlsx`) },
            process.env,
            ctx.file,
          );
      const log = (m: string) => ctx.logger.info(`sync ${user}: ${m}`);
      let backend: SheetBackend;
      try {
        backend = await openBackend(o, ctx.rows, user, log, process.env);
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
