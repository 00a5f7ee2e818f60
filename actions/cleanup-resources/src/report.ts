/** Outputs and job summary of cleanup-resources: deleted, kept, refused, failed, each with its reason. */
import * as core from '@actions/core';
import { code, markdownTable } from '../../../core/summary.js';
import type { Outcome, Outcomes, Verdict } from './outcome.js';

/** Output name of each verdict. */
const OUTPUTS: Record<Verdict, string> = {
  deleted: 'deleted',
  'would delete': 'would-delete',
  kept: 'kept',
  refused: 'refused',
  failed: 'failed',
};

export function setOutputs(outcomes: Outcomes): void {
  for (const [verdict, output] of Object.entries(OUTPUTS) as Array<[Verdict, string]>) {
    core.setOutput(
      output,
      JSON.stringify(
        outcomes.of(verdict).map(({ kind, name, reason }) => ({ kind, name, reason })),
      ),
    );
  }
}

const SECTIONS: Array<{ verdict: Verdict; title: string }> = [
  { verdict: 'failed', title: '❌ Failed' },
  { verdict: 'refused', title: '⛔ Refused' },
  { verdict: 'would delete', title: 'Would delete' },
  { verdict: 'deleted', title: '🗑️ Deleted' },
  { verdict: 'kept', title: 'Kept' },
];

function table(rows: Outcome[]): string {
  return markdownTable(
    ['type', 'name', 'reason'],
    rows.map((o) => [o.kind, o.name, o.reason]),
  );
}

export function summaryMarkdown(
  outcomes: Outcomes,
  opts: { dryRun: boolean; region: string },
): string {
  const failed = outcomes.of('failed').length;
  const refused = outcomes.of('refused').length;
  const state = opts.dryRun
    ? 'dry run (nothing changed)'
    : failed || refused
      ? 'incomplete'
      : 'complete';
  const counts = SECTIONS.map(({ verdict, title }) => ({ title, n: outcomes.of(verdict).length }))
    .filter((c) => c.n > 0)
    .map((c) => `${c.title.replace(/^\S+ /, '').toLowerCase()}: ${c.n}`);
  const out = [
    `## cleanup-resources: ${state}`,
    '',
    `Region ${code(opts.region)}. ${counts.length ? `${counts.join(', ')}.` : 'Nothing matched.'}`,
    '',
  ];
  for (const { verdict, title } of SECTIONS) {
    const rows = outcomes.of(verdict);
    if (!rows.length) continue;
    out.push(`### ${title} (${rows.length})`, '', table(rows));
  }
  return out.join('\n');
}
