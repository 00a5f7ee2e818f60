/** Every generated workflow, in the order a person meets them (docs/deploy.md). */
import type { Workflow } from '../model.js';
import { ci } from './ci.js';
import { cleanup } from './cleanup.js';
import { dbApi } from './db-api.js';
import { deploy } from './deploy.js';
import { drift } from './drift.js';
import { setup } from './setup.js';
import { tester } from './tester.js';
import { webscraper } from './webscraper.js';

export const WORKFLOWS: Workflow[] = [setup, dbApi, tester, webscraper, cleanup, drift, ci, deploy];
