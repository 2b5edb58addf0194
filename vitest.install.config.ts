import { defineConfig } from 'vitest/config';

// `npm run test:install`: packs rvos, installs the tarball globally into a temporary prefix and
// runs it from another folder (needs the npm registry).
export default defineConfig({
  test: {
    include: ['test/install/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
