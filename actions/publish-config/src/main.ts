/** Entry point of the publish-config action (bundled to dist/index.js). */
import { runAction } from '../../lib/run.js';
import { main } from './action.js';
import { makeContext } from './context.js';

void runAction(() => main(makeContext));
