// Its own config, so vitest does not pick up the rvos repository's one above this folder.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.js'],
    // Whole machines boot in each test file; give a busy machine room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
