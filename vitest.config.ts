import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/services.ts', 'test/setup/kafka.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
