import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on sshd, Django and emulators rather than compute: two at a time even on
    // two cores (vitest's default there is one).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
