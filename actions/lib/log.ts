/**
 * The step's log, written so that nothing printed can act as a workflow
 * command. The runner acts on a line that, after leading whitespace, starts
 * with `::` (`::warning::`, `::add-mask::`, `::stop-commands::`, ...), or
 * that holds `##[` anywhere (the older `##[command]` syntax). Text from
 * outside the action (stack event reasons, drift values, container logs,
 * names and messages AWS returns) can hold either, and a newline inside it
 * starts a line of its own.
 *
 * - {@link printFenced}: lines between `::stop-commands::<random token>` and
 *   `::<token>::`. The runner shows them and acts on none of them; the fence
 *   lines themselves are not shown. A token cannot be guessed, so the text
 *   cannot end the fence early.
 * - {@link logLine}: every action's `log`. A line of printable ASCII without
 *   `::` or `##[` cannot be a command and is printed as it is; any other is
 *   fenced (so a reason with a newline, a stray `::`, or a character the
 *   runner's parser might skip over never reaches it as a command).
 *
 * Warnings and errors (core.warning, core.error, setFailed) need neither:
 * @actions/core escapes their message (%, CR, LF) into one command's data.
 */
import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';

/** Printable ASCII and tabs, without the two command markers. */
const PLAIN = /^[\t\x20-\x7e]*$/;
const COMMAND_MARKER = /::|##\[/;

/** Writes lines with workflow commands switched off around them. */
export function printFenced(lines: readonly string[]): void {
  if (lines.length === 0) return;
  const token = randomUUID();
  core.info(`::stop-commands::${token}`);
  for (const line of lines) core.info(line);
  core.info(`::${token}::`);
}

/** Writes one log entry (it may hold line breaks); fenced unless it is plainly not a command. */
export function logLine(text: string): void {
  if (PLAIN.test(text) && !COMMAND_MARKER.test(text)) core.info(text);
  else printFenced([text]);
}
