import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Logs stay quiet unless a developer asks for them (LOG_LEVEL=debug npm test).
    // MINQING_CHECK_TRANSACTIONS: the outside database client used inside a SQLite
    // transaction fails at once instead of waiting for ever (see sqlite-adapter.ts);
    // child processes the tests start inherit it.
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent', MINQING_CHECK_TRANSACTIONS: '1' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each test file gets its own database files; two workers match the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
