import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/qemu/**', 'test/install/**', 'node_modules/**'],
    testTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/helpers/worker-env.ts'],
  },
});
