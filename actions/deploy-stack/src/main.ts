/** Entry point of the deploy-stack action (bundled to dist/index.js). */
import { runAction } from '../../lib/run.js';
import { main } from './action.js';

void runAction(() => main());
