import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The district stack synthesized once per run: integration tests enforce each function's role.
    globalSetup: ['tests/support/iam-setup.ts'],
    // Emulator-backed files start their own dynalite/fauxqs; two workers fit a 2-core CI box.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      // Handlers log and emit EMF through Powertools; keep test output to failures.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    },
  },
});
