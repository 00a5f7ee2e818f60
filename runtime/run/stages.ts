/**
 * The stages of `mcfpipe run`, in the order they run. Each entry loads its
 * module only when it runs. A new stage (the CRM sync, the report) is one
 * entry here; its module exports a Stage (stage.ts) and reads its own
 * section of mcfpipe.config.yaml.
 */
import type { StageEntry } from './stage.js';

export const STAGES: StageEntry[] = [
  {
    name: 'profile',
    summary:
      'Loads the profile (users, tracks, keywords, settings) from mcfpipe.config.yaml when it changed, or the example when the database has no tracks; fails when no track is active',
    load: async () => (await import('./profile-stage.js')).profileStage,
  },
  {
    name: 'scrape',
    summary:
      'Scrapes MCF (the bundled replay, or MyCareersFuture with --live) for the active tracks: job and job_search rows',
    load: async () => (await import('./scrape-stage.js')).scrapeStage,
  },
  {
    name: 'score',
    summary:
      'Scores the jobs of every user against their tracks and keywords (job_score rows with their explanation); only what changed',
    load: async () => (await import('../scoring/stage.js')).scoreStage,
  },
  {
    name: 'sync',
    summary:
      "Syncs each user's CRM view with the database both ways: a workbook in the data folder, or the Google Sheet with credentials (sheets/README.md)",
    load: async () => (await import('../../sheets/run-stage.js')).syncStage,
  },
  {
    name: 'report',
    summary:
      'Exports the tables to the analytics SQLite file and writes the HTML report (charts, top new jobs) in the data folder',
    load: async () => (await import('../report/stage.js')).reportStage,
  },
];
