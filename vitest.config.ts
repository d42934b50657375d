import { defineConfig } from 'vitest/config';

// CI (.ci/run) sets SLUICE_VITEST_JSON so it can print the real counts after the run.
const jsonReport = process.env.SLUICE_VITEST_JSON;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/e2e/fixtures holds a user's app (with its own tests) that the e2e test installs the kit into.
    exclude: ['test/e2e/fixtures/**', '**/node_modules/**'],
    setupFiles: ['test/setup-env.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
