import { defineConfig } from 'vitest/config';

// `npm run test:qemu`: the same guest programs on QEMU, compared with rvos' transcripts.
export default defineConfig({
  test: {
    include: ['test/qemu/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/helpers/worker-env.ts'],
  },
});
