import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// `npm run test:qemu`: the same guest programs on QEMU, compared with rvos' transcripts.
export default defineConfig({
  test: {
    include: ['test/qemu/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // Runs that use a board's default disk copy it here, never into the user's data folder.
    env: { RVOS_DATA_DIR: join(tmpdir(), `rvos-test-data-${process.pid}`) },
  },
});
