import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'generators/**/*.test.ts', 'test/**/*.test.ts'],
    // Case files and rules are data of test/cases.test.ts: editing one reruns the suite in watch mode.
    forceRerunTriggers: ['**/rules/**/*.yml', '**/cases/**/*.yml', '**/cases/**/*.jsonl', '**/cases/**/*.json'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
