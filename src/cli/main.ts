import { execute, settings } from '@oclif/core';

/**
 * The installed rvos' entry (bin/rvos.js imports dist/cli/main.js). scripts/build.mjs bundles it
 * with the commands and @oclif/core into dist/cli, so one copy of oclif is shared by both.
 */
export async function main(): Promise<void> {
  // rvos ships compiled JavaScript: oclif must not look for ts-node.
  settings.enableAutoTranspile = false;
  await execute({ dir: import.meta.url });
}
