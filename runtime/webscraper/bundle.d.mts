export { bundle, TARGETS } from '../db-api/bundle.mjs';
