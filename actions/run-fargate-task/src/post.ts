/** Entry point of the post step (bundled to dist/post/index.js). */
import { runAction } from '../../lib/run.js';
import { post } from './post-step.js';

void runAction(() => post());
