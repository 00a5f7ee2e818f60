/**
 * A stage of `mcfpipe run`: one named step of the pipeline (profile, scrape,
 * score, sync, report), run in order against the local database. A stage
 * gets everything it needs in its {@link StageContext} and says how it went
 * in a {@link StageResult}; the run prints the results and where each
 * stage's outputs are. To add a stage, add one entry to STAGES (stages.ts)
 * that loads a module exporting a {@link Stage}.
 */
import type { RowStore } from '../rows/store.js';
import type { ConfigFile } from '../settings/config-file.js';
import type { Options } from '../settings/options.js';
import type { Logger } from '../webscraper/log.js';
import type { DataFolder } from './data-folder.js';
import type { ProgressLine } from './terminal.js';

export interface StageContext {
  /** The run's options (flags > config file > defaults): `options.get('live')`. */
  options: Options;
  /** The configuration file, when there is one; a stage reads its own section (`configSection(file, name)`). */
  file?: ConfigFile;
  /** The data folder; `data.dir(name)` is a stage's own folder, kept between runs. */
  data: DataFolder;
  /** The DB API's base URL (on 127.0.0.1, while the run lasts). */
  dbApiUrl: string;
  /** The tables, through the DB API: every row read is checked against the schema (bad ones reported and skipped). */
  rows: RowStore;
  /** The identity of the local database (changes when its files are deleted). */
  storeId: string;
  /** MCF's API and website: the replay's URL, or MCF's own with --live. */
  mcf: { apiUrl: string; webUrl: string; live: boolean };
  logger: Logger;
  /** Counts, rate and ETA of long work: a redrawn line on a terminal, a log line now and then otherwise. */
  progress(label: string, unit?: string): ProgressLine;
  /** Aborted on Ctrl-C / SIGTERM: stop soon, keep what is done, return status `stopped`. */
  signal: AbortSignal;
  /** A run on a terminal (progress redrawn in place) rather than into a log. */
  tty: boolean;
}

export interface StageOutput {
  /** What it is: `CRM workbook`, `report`. */
  label: string;
  /** A path or URL. */
  location: string;
}

export interface StageResult {
  /** `stopped`: interrupted, resumable (the run exits 3); `skipped`: nothing to do, with the reason. */
  status: 'done' | 'skipped' | 'stopped';
  /** One line for the end of the run: `412 jobs listed, 380 stored`. */
  summary: string;
  reason?: string;
  outputs?: StageOutput[];
}

export interface Stage {
  run(ctx: StageContext): Promise<StageResult>;
}

export interface StageEntry {
  /** Short name: used by --stages / --skip and in output. */
  name: string;
  /** What the stage does, for --help. */
  summary: string;
  /** Loads the stage's module only when it runs. */
  load(): Promise<Stage>;
}

/** A stage cannot run as configured (no active track, a bad setting): the run exits 2 with this message. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}
