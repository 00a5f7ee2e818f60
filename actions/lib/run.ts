/**
 * The entry point wrapper of every action: runs `main`, and on any error sets
 * the step failed with an explanation a person can act on (see explainError).
 * The stack trace goes to the debug log only (enable with ACTIONS_STEP_DEBUG).
 */
import * as core from '@actions/core';
import { explainError } from '../../core/errors.js';

export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof Error && err.stack) core.debug(err.stack);
    core.setFailed(explainError(err));
  }
}

/** Masks a value in all later log output; ignores empty values. */
export function maskSecret(value: string | undefined): void {
  if (value && value.trim() !== '') core.setSecret(value);
}
