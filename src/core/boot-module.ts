import { isAbsolute, resolve } from 'node:path';
import type { BootModule } from './api.js';
import { UserError } from './errors.js';

/**
 * A boot module spec `FILE[,cmdline]` (`rvos run --module`, a board's `boot.modules`), as GRUB's
 * `module2 FILE cmdline`: the command line is what follows the first comma. A relative FILE is
 * taken from `baseDir` (the working folder, or the board file's folder).
 */
export function parseModuleSpec(spec: string, baseDir: string, where: string): BootModule {
  const comma = spec.indexOf(',');
  const path = comma < 0 ? spec : spec.slice(0, comma);
  if (path === '') throw new UserError(`${where} ${spec}: expected FILE[,cmdline]`);
  return { path: isAbsolute(path) ? path : resolve(baseDir, path), cmdline: comma < 0 ? '' : spec.slice(comma + 1) };
}
