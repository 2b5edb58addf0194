import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/qemu/**', 'test/install/**', 'node_modules/**'],
    testTimeout: 60_000,
    pool: 'forks',
    // Runs that use a board's default disk copy it here, never into the user's data folder.
    env: { RVOS_DATA_DIR: join(tmpdir(), `rvos-test-data-${process.pid}`) },
  },
});
