/**
 * Job summary helpers. Tables are built from plain strings with Markdown-safe
 * escaping; writing is a no-op (with a debug line) when the step has no
 * summary file, as when an action is run locally.
 */
import * as core from '@actions/core';

/** Escapes text for a Markdown table cell (pipes, newlines, HTML). */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

/** A Markdown table; empty string when there are no rows. */
export function markdownTable(headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '';
  const line = (cells: unknown[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map(line), ''].join(
    '\n',
  );
}

/** Inline code for a summary, escaped. */
export function code(value: string): string {
  return `<code>${cell(value)}</code>`;
}

/**
 * Builds and writes the job summary. `build` appends to core.summary; errors
 * while writing never fail the step (the work itself succeeded or failed already).
 */
export async function writeSummary(build: (summary: typeof core.summary) => void): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set; skipping the job summary.');
    return;
  }
  try {
    build(core.summary);
    await core.summary.write();
  } catch (err) {
    core.warning(
      `Could not write the job summary: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    core.summary.emptyBuffer();
  }
}
