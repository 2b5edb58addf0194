#!/usr/bin/env node
// Compiles rvos to dist/ (JavaScript + type declarations) for the packed package, and gives each
// built-in plugin in dist/plugins its manifest with the entry pointing at the compiled file.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
if (process.argv.includes('--clean')) rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

for (const name of readdirSync(join(root, 'plugins')).sort()) {
  const manifest = join(root, 'plugins', name, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  pkg.rvos.entry = pkg.rvos.entry.replace(/\.ts$/, '.js');
  if (!existsSync(join(dist, 'plugins', name, pkg.rvos.entry))) throw new Error(`build: ${name}: ${pkg.rvos.entry} was not emitted`);
  writeFileSync(join(dist, 'plugins', name, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}
