/**
 * Test support: @actions/core replaced with vi.mock, for unit tests of an
 * action's main. Inputs go in; outputs, failures, warnings, log lines,
 * masks, saved state, exported variables and the job summary are recorded
 * in `step`. (The other tier, run-step.ts, keeps the real @actions/core and
 * reads the runner's files and commands back: it catches protocol mistakes.)
 *
 *   vi.mock('@actions/core', () => import('../../lib/testing/core-mock.js'));
 *   import { step } from '../../lib/testing/core-mock.js';
 *
 *   step.reset({ name: 'mcfpipe-dev-network', mode: 'drift' });
 *   await runAction(() => main(() => ctx));
 *   expect(step.failed).toBeUndefined();
 *   expect(step.outputs['drift-status']).toBe('IN_SYNC');
 *
 * This module must not import @actions/core: it is what that import becomes.
 */
import { vi } from 'vitest';

interface Recorded {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** The message of setFailed, when the step failed. */
  failed: string | undefined;
  errors: string[];
  warnings: string[];
  notices: string[];
  /** info lines, in order. */
  log: string[];
  debug: string[];
  /** Values given to setSecret, in order. */
  masks: string[];
  state: Record<string, string>;
  exported: Record<string, string>;
  /** Everything written to the job summary. */
  summary: string;
}

function fresh(inputs: Record<string, string>): Recorded {
  return {
    inputs,
    outputs: {},
    failed: undefined,
    errors: [],
    warnings: [],
    notices: [],
    log: [],
    debug: [],
    masks: [],
    state: {},
    exported: {},
    summary: '',
  };
}

export const step = {
  ...fresh({}),
  /** Starts a step with these inputs (and saved state, for a post step); forgets the last one. */
  reset(inputs: Record<string, string> = {}, state: Record<string, string> = {}): void {
    Object.assign(step, fresh(inputs), { state: { ...state } });
    buffer = '';
    // core/summary.ts writes only when the runner gives a summary file.
    vi.stubEnv('GITHUB_STEP_SUMMARY', 'mocked');
  },
};

type Message = string | Error;
const text = (m: Message) => (m instanceof Error ? m.message : m);

export interface InputOptions {
  required?: boolean;
  trimWhitespace?: boolean;
}

export function getInput(name: string, options: InputOptions = {}): string {
  const value = step.inputs[name] ?? '';
  if (options.required && !value) throw new Error(`Input required and not supplied: ${name}`);
  return options.trimWhitespace === false ? value : value.trim();
}

export function getMultilineInput(name: string, options: InputOptions = {}): string[] {
  return getInput(name, options)
    .split('\n')
    .filter((line) => line !== '');
}

export function setOutput(name: string, value: unknown): void {
  step.outputs[name] = typeof value === 'string' ? value : JSON.stringify(value);
}

export function setFailed(message: Message): void {
  step.failed = text(message);
  step.errors.push(text(message));
}

export const error = (m: Message) => void step.errors.push(text(m));
export const warning = (m: Message) => void step.warnings.push(text(m));
export const notice = (m: Message) => void step.notices.push(text(m));
export const info = (m: string) => void step.log.push(m);
export const debug = (m: string) => void step.debug.push(m);
export const isDebug = () => false;
export const setSecret = (value: string) => void step.masks.push(value);
export function saveState(name: string, value: unknown): void {
  step.state[name] = typeof value === 'string' ? value : JSON.stringify(value);
}
export const getState = (name: string) => step.state[name] ?? '';
export function exportVariable(name: string, value: unknown): void {
  step.exported[name] = String(value);
}
export const startGroup = (name: string) => void step.log.push(`▸ ${name}`);
export const endGroup = () => {};

let buffer = '';

export const summary = {
  addRaw(raw: string, addEOL = false) {
    buffer += addEOL ? `${raw}\n` : raw;
    return summary;
  },
  addEOL() {
    buffer += '\n';
    return summary;
  },
  async write() {
    step.summary += buffer;
    buffer = '';
    return summary;
  },
  emptyBuffer() {
    buffer = '';
    return summary;
  },
  isEmptyBuffer: () => buffer.length === 0,
  stringify: () => buffer,
};
