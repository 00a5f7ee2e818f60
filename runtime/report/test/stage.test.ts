/**
 * The report stage of `mcfpipe run` (npm start), as a user runs it: the
 * pipeline on the bundled replay ends with the analytics file and the report
 * in the data folder; the next run exports incrementally; the `report`
 * section of mcfpipe.config.yaml is read, and a setting it does not know is
 * refused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcfpipe, runSummary } from '../../run/test/helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcfpipe-report-stage-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const RUN = [
  'run',
  '--replay-jobs',
  '150',
  '--log-format',
  'json',
  '--stages',
  'profile,scrape,report',
];

describe('mcfpipe run: the report stage', () => {
  it('writes analytics.sqlite and report.html to the data folder, then exports incrementally', async () => {
    const first = await mcfpipe(dir, RUN).done;
    expect(first.code, first.stdout.slice(-2000)).toBe(0);
    const report = runSummary(first.stdout).stages.find((s) => s.name === 'report');
    const folder = join(dir, '.local-data', 'report');
    expect(report).toMatchObject({
      status: 'done',
      summary: expect.stringMatching(
        /^\d+ jobs found for me, 0 applied, 0 answers; data as of .*; full export in/,
      ),
      outputs: [
        { label: 'report', location: expect.stringMatching(/report\/report\.html$/) },
        {
          label: 'analytics SQLite file',
          location: expect.stringMatching(/report\/analytics\.sqlite$/),
        },
      ],
    });
    expect(existsSync(join(folder, 'analytics.sqlite'))).toBe(true);
    expect(readFileSync(join(folder, 'report.html'), 'utf8')).toContain(
      'Job search report, user me',
    );

    const second = await mcfpipe(dir, RUN).done;
    expect(second.code).toBe(0);
    expect(runSummary(second.stdout).stages.find((s) => s.name === 'report')?.summary).toMatch(
      /incremental export/,
    );
  }, 180_000);

  it('reads the report section of the configuration file and refuses a setting it does not know', async () => {
    writeFileSync(join(dir, 'mcfpipe.config.yaml'), 'report:\n  top: 3\n  colour: blue\n');
    const bad = await mcfpipe(dir, RUN).done;
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toContain(
      'unknown setting report.colour; the report section knows full_after, user, top',
    );
    writeFileSync(join(dir, 'mcfpipe.config.yaml'), 'report:\n  top: 3\n');
    const good = await mcfpipe(dir, RUN).done;
    expect(good.code, good.stdout.slice(-2000)).toBe(0);
    const html = readFileSync(join(dir, '.local-data', 'report', 'report.html'), 'utf8');
    expect(html.match(/<tr><td class="num">/g)).toHaveLength(3);
  }, 180_000);
});
