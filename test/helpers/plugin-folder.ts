import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a one-file JavaScript device plugin `name` into `parent` and returns its folder. */
export function writeDevicePlugin(parent: string, name: string, entrySource: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', rvos: { apiVersion: 1, kind: 'device', entry: 'index.js' } }));
  writeFileSync(join(dir, 'index.js'), entrySource);
  return dir;
}
