import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** True when rvos runs from its compiled JavaScript (dist/), as an installed package does. */
export const compiled = import.meta.url.endsWith('.js');

/** The rvos package folder (holds package.json, boards/, kernels/; sources or dist/). */
export function packageRoot(): string {
  // src/core in a checkout, dist/src/core in a build: the package is the nearest folder with a package.json.
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the built-in plugins are: compiled beside the core, or as sources in a checkout. */
export function builtinPluginsDir(): string {
  return compiled ? join(packageRoot(), 'dist', 'plugins') : join(packageRoot(), 'plugins');
}
