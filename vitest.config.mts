import { defineConfig } from 'vitest/config';

// Three projects, run in this order by `npm test`:
//   unit         pure code, SQLite files, Electron glue against tests/mocks/electron.ts
//   integration  real PostgreSQL clusters, the real OS keychain, the built CLI, sshd
//   e2e          the built renderer in Chromium (Playwright), and Playwright _electron
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          expect: { poll: { timeout: 10_000, interval: 100 } },
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Clusters and keychain entries are per file; two cores do not gain from more.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          // A busy 2-core CI machine renders slower than a developer's; polls wait up to 10 s.
          expect: { poll: { timeout: 10_000, interval: 100 } },
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
