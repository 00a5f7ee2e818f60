import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * @actions/workflow-parser imports its JSON schema without an import attribute, which
 * Node refuses; Vite transforms it instead (the tsx-run generator loads it the same way).
 * Its published source maps point to files it does not ship: loaded without them.
 */
const WORKFLOW_PARSER = '@actions/workflow-parser';
const workflowParserWithoutSourceMaps: Plugin = {
  name: 'workflow-parser-without-source-maps',
  enforce: 'pre',
  load(id) {
    if (!id.includes(`/node_modules/${WORKFLOW_PARSER}/`) || !id.endsWith('.js')) return null;
    return readFileSync(id.split('?')[0]!, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
  },
};

export default defineConfig({
  plugins: [workflowParserWithoutSourceMaps],
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    // Integration tests start servers, Chromium and child processes; on a loaded
    // 2-core machine some take several seconds, so 10 s gave false failures.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every test file gets a clean environment: actions read INPUT_* and AWS_* variables.
    unstubEnvs: true,
    restoreMocks: true,
    // The AWS SDK warns once per process on Node 20 that its 2027 releases need
    // Node 22; the actions run on Node 24 and the tests run on both.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    server: { deps: { inline: [WORKFLOW_PARSER] } },
  },
});
