import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Set by bin/rvos.js when a checkout runs its cached bundle of the sources (scripts/checkout-bundle.mjs): the
 * bundle lives in dist/checkout/, yet this is a checkout, and the built-in plugins' entries are bundled too.
 */
const checkout = (globalThis as { rvosCheckout?: { root: string; plugins: Record<string, string> } }).rvosCheckout;

/** True when rvos runs from its compiled JavaScript (dist/), as an installed package does. */
export const compiled = checkout === undefined && import.meta.url.endsWith('.js');

/** True when rvos itself runs as TypeScript through tsx (a checkout's sources): a plugin's .ts entry then loads as is. */
export const typeScriptLoaded = !import.meta.url.endsWith('.js');

let root: string | undefined;

/** The rvos package folder (holds package.json, boards/, kernels/; sources or dist/). */
export function packageRoot(): string {
  if (checkout) return checkout.root;
  // src/core in a checkout, dist/src/core or dist/cli (the CLI's bundle) in a build: the package is the nearest
  // folder whose package.json names one (dist/cli/package.json only says its files are CommonJS).
  if (root === undefined) {
    let dir = here;
    while (!namesPackage(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return root;
}

function namesPackage(file: string): boolean {
  try {
    return existsSync(file) && typeof (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'string';
  } catch {
    return false;
  }
}

/** Where the built-in plugins are: compiled beside the core, or as sources in a checkout. */
export function builtinPluginsDir(): string {
  return compiled ? join(packageRoot(), 'dist', 'plugins') : join(packageRoot(), 'plugins');
}

/** The bundled file of a built-in plugin's entry (absolute path) when a checkout runs its bundle. */
export function bundledPluginEntry(entry: string): string | undefined {
  return checkout?.plugins[entry];
}
