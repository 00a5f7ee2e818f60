import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 10_000,
    hookTimeout: 30_000,
    // Every test file gets a clean environment: actions read INPUT_* and AWS_* variables.
    unstubEnvs: true,
    restoreMocks: true,
  },
});
