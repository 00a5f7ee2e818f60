/**
 * Test support: what the GitHub runner would make of a step's stdout. It
 * follows the runner's parser (ActionCommand.TryParseV2 and TryParse in
 * actions/runner): output is split into lines at CR, LF or CRLF; a line is a
 * command when, after leading whitespace, it starts with `::name` and holds
 * a second `::` (data after it), or when it holds `##[name ...]` anywhere
 * (the older syntax, for the runner's own command names). After
 * `::stop-commands::TOKEN` no command is acted on until a line `::TOKEN::`.
 */

export interface WorkflowCommand {
  command: string;
  data: string;
  line: string;
}

export interface RunnerView {
  /** Commands the runner acts on, without the stop-commands fences themselves. */
  commands: WorkflowCommand[];
  /** Lines shown in the log (everything that is not an acted-on command). */
  shown: string[];
}

/** Commands the runner knows (the older `##[` syntax only acts on these). */
const RUNNER_COMMANDS = new Set([
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
]);

/** Leading whitespace as .NET's TrimStart() sees it (JavaScript's \s lacks U+0085). */
const LEADING_SPACE = /^[\s\u0085]+/;

function parse(line: string): WorkflowCommand | undefined {
  const trimmed = line.replace(LEADING_SPACE, '');
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end >= 0) {
      const info = trimmed.slice(2, end);
      const command = info.split(' ')[0]!;
      if (command) return { command, data: trimmed.slice(end + 2), line };
    }
  }
  const at = line.indexOf('##[');
  if (at >= 0) {
    const close = line.indexOf(']', at);
    if (close > at) {
      const command = line.slice(at + 3, close).split(' ')[0]!;
      if (RUNNER_COMMANDS.has(command)) return { command, data: line.slice(close + 1), line };
    }
  }
  return undefined;
}

export function runnerView(stdout: string): RunnerView {
  const view: RunnerView = { commands: [], shown: [] };
  let stopToken: string | undefined;
  const lines = stdout.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const command = parse(line);
    if (stopToken !== undefined) {
      if (command?.command === stopToken) stopToken = undefined;
      else view.shown.push(line);
      continue;
    }
    if (!command) view.shown.push(line);
    else if (command.command === 'stop-commands' && command.data) stopToken = command.data;
    else view.commands.push(command);
  }
  return view;
}
