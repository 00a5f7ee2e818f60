/**
 * What the main step tells the post step (core.saveState): the tasks it
 * started, saved as soon as each one starts, and whether it saw them all
 * stop. The post step stops any task of an unsettled run that still runs,
 * so a cancelled workflow leaves nothing running (and billing).
 */
import * as core from '@actions/core';

export interface StartedState {
  region: string;
  cluster: string;
  tasks: string[];
}

const TASKS = 'tasks';
const SETTLED = 'settled';

export function saveStarted(state: StartedState): void {
  core.saveState(TASKS, JSON.stringify(state));
}

/** Every started task is stopped (or the run was not meant to wait): nothing for the post step. */
export function saveSettled(): void {
  core.saveState(SETTLED, 'true');
}

export function readState(): { started?: StartedState; settled: boolean } {
  const settled = core.getState(SETTLED) === 'true';
  const text = core.getState(TASKS);
  if (!text) return { settled };
  try {
    const parsed = JSON.parse(text) as StartedState;
    if (typeof parsed.cluster === 'string' && Array.isArray(parsed.tasks)) {
      return { started: parsed, settled };
    }
  } catch {
    // fall through: unreadable state is reported by the caller
  }
  throw new Error(`The saved state of the main step is unreadable: ${text.slice(0, 200)}`);
}
