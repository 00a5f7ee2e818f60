/**
 * The `command` input: a JSON array of strings, or one command line split
 * into words the way a POSIX shell splits them (quotes, backslashes), with
 * no shell behind it: no variables, globbing, pipes or redirects. Anything
 * that only a shell would act on is refused with a pointer to
 * `["sh", "-c", "..."]`, rather than passed on as a literal word.
 */
import { InputError, parseJson } from '../../../core/values.js';

const ACCEPTED =
  'a JSON array of strings such as ["python", "-m", "scraper", "--pages", "5"], or a command line such as python -m scraper --pages 5 (quotes and backslashes as in a shell)';

const SHELL_HINT =
  'the command is not run by a shell, so pipes, redirects, && and variables do nothing; to use them, give ["sh", "-c", "your | command"]';

/** Shell operators that, unquoted, would be a mistake to pass on as words. */
const OPERATORS = new Set([
  '|',
  '||',
  '&',
  '&&',
  ';',
  ';;',
  '<',
  '>',
  '>>',
  '<<',
  '2>',
  '2>&1',
  '&>',
]);

export function parseCommand(input: string, value: string): string[] {
  const text = value.trim();
  if (text.startsWith('[')) {
    const parsed = parseJson<unknown>(input, text);
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((w) => typeof w === 'string')
    ) {
      throw new InputError(input, value, ACCEPTED);
    }
    return parsed as string[];
  }
  const words = splitWords(input, value);
  if (words.length === 0) throw new InputError(input, value, ACCEPTED);
  return words;
}

interface Word {
  text: string;
  /** Whether any of it was quoted or escaped. */
  quoted: boolean;
}

function splitWords(input: string, value: string): string[] {
  const words: Word[] = [];
  let current: Word | undefined;
  const add = (chars: string, quoted: boolean) => {
    current ??= { text: '', quoted: false };
    current.text += chars;
    current.quoted ||= quoted;
  };
  const refuse = (what: string): never => {
    throw new InputError(input, value, `${ACCEPTED}; ${what}`);
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (current) words.push(current);
      current = undefined;
    } else if (c === '\\') {
      const next = value[i + 1];
      if (next === undefined) refuse('it ends with a lone backslash');
      i++;
      if (next !== '\n') add(next!, true);
    } else if (c === "'") {
      const end = value.indexOf("'", i + 1);
      if (end < 0) refuse("a ' quote is not closed");
      add(value.slice(i + 1, end), true);
      i = end;
    } else if (c === '"') {
      let text = '';
      let j = i + 1;
      for (; j < value.length && value[j] !== '"'; j++) {
        const d = value[j]!;
        if (d === '\\' && j + 1 < value.length && '"\\$`\n'.includes(value[j + 1]!)) {
          j++;
          if (value[j] !== '\n') text += value[j];
        } else {
          if (isExpansion(value, j)) refuse(SHELL_HINT);
          text += d;
        }
      }
      if (j >= value.length) refuse('a " quote is not closed');
      add(text, true);
      i = j;
    } else {
      if (isExpansion(value, i)) refuse(SHELL_HINT);
      add(c, false);
    }
  }
  if (current) words.push(current);
  for (const w of words) {
    if (!w.quoted && OPERATORS.has(w.text)) refuse(SHELL_HINT);
  }
  return words.map((w) => w.text);
}

/** `$NAME`, `${...}`, `$(...)` or a backtick at `i`: something only a shell expands. */
function isExpansion(value: string, i: number): boolean {
  const c = value[i];
  if (c === '`') return true;
  return c === '$' && /[A-Za-z_{(]/.test(value[i + 1] ?? '');
}
