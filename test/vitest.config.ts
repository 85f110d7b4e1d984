import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Logs stay quiet unless a developer asks for them (LOG_LEVEL=debug npm test).
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each test file gets its own database files; two workers match the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
