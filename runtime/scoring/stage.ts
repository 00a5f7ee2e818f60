/** The score stage of `mcfpipe run`: `mcfpipe score` on the run's database, its statistics in the data folder. */
import type { Stage, StageContext, StageResult } from '../run/stage.js';
import { StageConfigError } from '../run/stage.js';
import { LocalBlobStore } from '../webscraper/state/blob-store.js';
import { describeSummary } from './cli.js';
import { NoProfileError, scoreJobs } from './scorer.js';

export const scoreStage: Stage = {
  async run(ctx: StageContext): Promise<StageResult> {
    const line = ctx.progress('score', 'jobs');
    try {
      const summary = await scoreJobs({
        rows: ctx.rows,
        state: new LocalBlobStore(ctx.data.dir('scoring')),
        storeId: ctx.storeId,
        logger: ctx.logger,
        signal: ctx.signal,
        onProgress: (done, total) => line.update(done, total),
      });
      const outputs = [
        {
          label: 'scores',
          location: 'the job_score table (mcfpipe db serve, then GET /job_score?user_id=<user>)',
        },
        { label: 'scoring statistics', location: ctx.data.dir('scoring') },
      ];
      const text = describeSummary(summary);
      return summary.status === 'stopped'
        ? { status: 'stopped', summary: text, reason: summary.reason ?? 'stopped', outputs }
        : { status: 'done', summary: text, outputs };
    } catch (err) {
      if (err instanceof NoProfileError) throw new StageConfigError(err.message);
      throw err;
    } finally {
      line.finish();
    }
  },
};
