import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execute, settings, type Interfaces } from '@oclif/core';
import { startupMark } from '../core/startup-trace.js';

/**
 * oclif's entry when rvos runs bundled: the installed package (bin/rvos.js requires dist/cli/main.js)
 * and a checkout's cached bundle (src/cli/dev-bundle.ts). Bundled with the commands and @oclif/core,
 * so one copy of oclif is shared by all of them. `loadOptions` (root and package.json) when the
 * bundle is not inside the package.
 */
export async function main(loadOptions?: { root: string; pjson: Interfaces.PJSON }, argv = process.argv.slice(2)): Promise<void> {
  // The bundle is JavaScript: oclif must not look for ts-node.
  settings.enableAutoTranspile = false;
  startupMark('oclif starts (config, manifest, command lookup)');
  const root = loadOptions?.root ?? fileURLToPath(new URL('../../', import.meta.url));
  const pjson = loadOptions?.pjson ?? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Interfaces.PJSON);
  await execute({ args: argv, loadOptions: { root, pjson: withoutCorePlugins(root, pjson, argv) } });
}

/**
 * `pjson` without oclif's plugins (`help`, `autocomplete`) when `argv` runs one of rvos' own commands: finding and
 * reading them cost each `rvos run` ~4 % of a hello round trip, and an rvos command needs neither (`--help` is
 * oclif's own). Anything else (`rvos help`, a topic, a typo that gets "did you mean") sees every command.
 */
export function withoutCorePlugins(root: string, pjson: Interfaces.PJSON, argv: string[]): Interfaces.PJSON {
  const target = pjson.oclif.commands;
  const dir = typeof target === 'string' ? target : target?.target;
  const id = argv[0];
  if (!dir || id === undefined || !/^[a-z][a-z0-9-]*$/.test(id) || !existsSync(join(root, dir, `${id}.js`))) return pjson;
  return { ...pjson, oclif: { ...pjson.oclif, plugins: [] } };
}
