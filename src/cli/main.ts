import { execute, settings, type Interfaces } from '@oclif/core';
import { startupMark } from '../core/startup-trace.js';

/**
 * oclif's entry when rvos runs bundled: the installed package (bin/rvos.js imports dist/cli/main.js)
 * and a checkout's cached bundle (src/cli/dev-bundle.ts). Bundled with the commands and @oclif/core,
 * so one copy of oclif is shared by all of them. `loadOptions` (root and package.json) when the
 * bundle is not inside the package.
 */
export async function main(loadOptions?: Interfaces.LoadOptions): Promise<void> {
  // The bundle is JavaScript: oclif must not look for ts-node.
  settings.enableAutoTranspile = false;
  startupMark('oclif starts (config, manifest, command lookup)');
  await execute(loadOptions ? { loadOptions } : { dir: import.meta.url });
}
