import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration tests start real servers, Redis and Chromium.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
