import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeContext as cleanupContext } from '../../cleanup-resources/src/context.js';
import { makeContext as deployContext } from '../../deploy-stack/src/context.js';
import { makeContext as publishContext } from '../../publish-config/src/context.js';
import { makeContext as fargateContext } from '../../run-fargate-task/src/context.js';
import { logLine, printFenced } from '../log.js';
import { runnerView } from '../testing/workflow-commands.js';

let stdout = '';
function capture(): void {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
}
afterEach(() => vi.restoreAllMocks());

/** Text an AWS message or a container could hold, each a command if printed raw. */
const HOSTILE = [
  'Resource handler returned message: "bad"\n::warning::pwned by a newline',
  '::add-mask::everything',
  '   ::error file=x.ts::pwned after leading spaces',
  'carriage\r::notice::pwned by a bare CR',
  'older syntax ##[warning]pwned anywhere in a line',
  '\u0085::warning::pwned after a next-line character',
  '::stop-commands::attacker-token',
];

describe('runnerView (what the runner makes of stdout)', () => {
  it('finds every command the runner would act on in raw output', () => {
    const view = runnerView(`${HOSTILE.join('\n')}\nplain line\n`);
    expect(view.commands.map((c) => c.command)).toEqual([
      'warning',
      'add-mask',
      'error',
      'notice',
      'warning',
      'warning',
    ]);
    // After an unfenced stop-commands the runner ignores the rest: nothing after counts.
    expect(view.shown).toContain('plain line');
  });

  it('acts on nothing between stop-commands and its token, and again after it', () => {
    const view = runnerView('::stop-commands::t1\n::warning::inside\n::t1::\n::notice::after\n');
    expect(view.commands).toEqual([{ command: 'notice', data: 'after', line: '::notice::after' }]);
    expect(view.shown).toEqual(['::warning::inside']);
  });
});

describe('logLine and printFenced', () => {
  it.each(HOSTILE)('show %j without the runner acting on it', (text) => {
    capture();
    logLine(text);
    const view = runnerView(stdout);
    expect(view.commands).toEqual([]);
    expect(view.shown.join('\n')).toBe(text.replace(/\r/g, '\n'));
  });

  it('prints a plain line as it is, with no fence', () => {
    capture();
    logLine('Stack mcfpipe-dev-network is CREATE_COMPLETE.');
    expect(stdout).toBe('Stack mcfpipe-dev-network is CREATE_COMPLETE.\n');
  });

  it('fences every line given, with a token nobody can guess', () => {
    capture();
    printFenced(['::warning::one', '::warning::two']);
    printFenced(['::warning::three']);
    const tokens = [...stdout.matchAll(/^::stop-commands::(.+)$/gm)].map((m) => m[1]);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(runnerView(stdout)).toEqual({
      commands: [],
      shown: ['::warning::one', '::warning::two', '::warning::three'],
    });
  });
});

describe("every action's log", () => {
  const contexts = {
    'deploy-stack': () => deployContext({ region: 'us-east-1' }),
    'publish-config': () => publishContext({ region: 'us-east-1' }),
    'run-fargate-task': () => fargateContext({ region: 'us-east-1' }),
    'cleanup-resources': () => cleanupContext({ region: 'us-east-1' }),
  };
  it.each(Object.keys(contexts))('%s: shows outside text without acting on it', (name) => {
    const ctx = contexts[name as keyof typeof contexts]();
    capture();
    for (const text of HOSTILE) ctx.log(`Stack x: ${text}`);
    expect(runnerView(stdout).commands).toEqual([]);
    if ('printLog' in ctx) {
      capture();
      ctx.printLog(HOSTILE);
      expect(runnerView(stdout).commands).toEqual([]);
    }
  });
});

describe('warnings and errors', () => {
  it('need no fence: @actions/core keeps the whole message in one command', () => {
    capture();
    core.warning(HOSTILE[0]!);
    core.error(HOSTILE.join('\n'));
    expect(runnerView(stdout).commands.map((c) => c.command)).toEqual(['warning', 'error']);
  });
});
