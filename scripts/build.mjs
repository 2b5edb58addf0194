#!/usr/bin/env node
// Compiles rvos to dist/ for the packed package:
//   dist/src, dist/plugins  tsc's JavaScript + type declarations (rvos/plugin-api, rvos/testing, the built-in
//                           plugins, each with its manifest's entry pointing at the compiled file);
//   dist/cli                the commands and hooks bundled by esbuild (shared code in chunks, the TUI in its
//                           own), which is what the installed `rvos` runs: one file to load instead of a
//                           hundred (rvos' core, yaml, zod, inversify) saves a third of the start-up time.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
// From scratch: tsc would leave the output of deleted sources behind.
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

for (const name of readdirSync(join(root, 'plugins')).sort()) {
  const manifest = join(root, 'plugins', name, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  pkg.rvos.entry = pkg.rvos.entry.replace(/\.ts$/, '.js');
  if (!existsSync(join(dist, 'plugins', name, pkg.rvos.entry))) throw new Error(`build: ${name}: ${pkg.rvos.entry} was not emitted`);
  writeFileSync(join(dist, 'plugins', name, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}

// Every command file (oclif finds them under dist/cli/commands) and the hooks, from tsc's output.
const entries = readdirSync(join(dist, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /^(commands|hooks)\/.*\.js$/.test(f) && !f.startsWith('commands/support/'))
  .map((f) => join(dist, 'src', f));
rmSync(join(dist, 'cli'), { recursive: true, force: true });
await build({
  entryPoints: entries,
  outbase: join(dist, 'src'),
  outdir: join(dist, 'cli'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // oclif is loaded by bin/rvos.js anyway; blessed and tsx load only when needed (the TUI, a .ts plugin).
  external: ['@oclif/core', 'blessed', 'tsx', 'tsx/*'],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __rvosRequire } from 'node:module'; const require = __rvosRequire(import.meta.url);" },
  logLevel: 'warning',
});
