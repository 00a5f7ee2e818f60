import { defineConfig } from 'vitest/config';

export default defineConfig({
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
  },
});
