/**
 * The report stage of `mcfpipe run`: `mcfpipe report` against the run's
 * tables, into the data folder (`<data>/report/analytics.sqlite` and
 * `report.html`, kept between runs so each export is incremental). Settings
 * come from the `report` section of mcfpipe.config.yaml (`user`, `top`,
 * `full_after`).
 */
import { InputError } from '../../core/values.js';
import type { Stage, StageContext, StageResult } from '../run/stage.js';
import { StageConfigError } from '../run/stage.js';
import { configSection } from '../settings/config-file.js';
import { Options } from '../settings/options.js';
import { REPORT_OPTIONS, reportSettings } from './cli.js';
import { HTML_NAME, SQLITE_NAME } from './output.js';
import { UserChoiceError } from './queries.js';
import { runReport } from './run.js';

/** The settings the `report` section of the configuration file may hold. */
const CONFIG_KEYS = REPORT_OPTIONS.flatMap((o) =>
  o.config?.startsWith('report.') ? [o.config.slice('report.'.length)] : [],
);

export const reportStage: Stage = {
  async run(ctx: StageContext): Promise<StageResult> {
    const section = configSection(ctx.file, 'report');
    const unknown = Object.keys(section).filter((k) => !CONFIG_KEYS.includes(k));
    if (unknown.length)
      throw new StageConfigError(
        `${ctx.file?.path}: unknown setting report.${unknown[0]}; the report section knows ${CONFIG_KEYS.join(', ')}`,
      );
    const o = new Options(REPORT_OPTIONS, { out: ctx.data.dir('report') }, {}, ctx.file);
    let settings: ReturnType<typeof reportSettings>;
    try {
      settings = reportSettings(o, process.env);
    } catch (err) {
      if (err instanceof InputError) throw new StageConfigError(err.message);
      throw err;
    }
    try {
      const s = await runReport({
        ...settings,
        rows: ctx.rows,
        log: (line) => ctx.logger.info(line.trim()),
      });
      const e = s.export;
      const t = s.totals;
      return {
        status: 'done',
        summary:
          `${t.jobs} jobs found${s.user ? ` for ${s.user}` : ''}, ${t.applied} applied, ${t.responded} answers; ` +
          `data as of ${s.dataAsOf ?? 'no data yet'}` +
          (e ? `; ${e.mode} export in ${(e.durationMs / 1000).toFixed(1)} s` : ''),
        outputs: [
          { label: 'report', location: s.html },
          { label: 'analytics SQLite file', location: s.sqlite },
        ],
      };
    } catch (err) {
      if (err instanceof UserChoiceError)
        throw new StageConfigError(
          `${err.message.replace('name one with --user', 'name one as report.user in mcfpipe.config.yaml')} (${SQLITE_NAME} is up to date; ${HTML_NAME} was not written)`,
        );
      throw err;
    } finally {
      settings.output.dispose();
    }
  },
};
