/**
 * Entry point of the run-fargate-task action (bundled to dist/index.js).
 * When the runner cancels the step (SIGINT, then SIGTERM), the tasks are
 * stopped at once; the post step checks again.
 */
import { runAction } from '../../lib/run.js';
import { main } from './action.js';
import { makeContext } from './context.js';

const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => cancel.abort(new Error(`received ${signal}`)));
}

void runAction(() => main((inputs) => makeContext(inputs, cancel.signal)));
