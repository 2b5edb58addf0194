#!/usr/bin/env node
// Compiles rvos to dist/ for the packed package:
//   dist/src, dist/plugins  tsc's JavaScript + type declarations (rvos/plugin-api, rvos/testing, the built-in
//                           plugins, each with its manifest's entry pointing at the compiled file);
//   dist/cli                main.js (oclif's entry), the commands and the hooks bundled by esbuild with
//                           @oclif/core (shared code in chunks, the TUI in its own), which is what the
//                           installed `rvos` runs: a few files to load instead of ~250 (rvos' core, oclif,
//                           yaml, zod, inversify), which saves most of the module resolution at start-up.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.mjs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
// From scratch: tsc would leave the output of deleted sources behind.
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// Each built-in plugin bundled from tsc's output into dist/plugins/NAME/index.js (code plugins share, such as the SD
// card slot, in dist/plugins/chunks/), which its manifest's entry names: a plugin loads as a file or two instead of
// its ~20 modules (arch-rv32's 22), as in a checkout's bundle.
const plugins = [];
for (const name of readdirSync(join(root, 'plugins')).sort()) {
  const manifest = join(root, 'plugins', name, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  const emitted = join(dist, 'plugins', name, pkg.rvos.entry.replace(/\.ts$/, '.js'));
  if (!existsSync(emitted)) throw new Error(`build: ${name}: ${pkg.rvos.entry} was not emitted`);
  plugins.push({ name, pkg, emitted });
}
await build({
  ...bundleOptions,
  entryPoints: plugins.map((p) => ({ in: p.emitted, out: `${p.name}/index` })),
  outdir: join(dist, 'plugins'),
  chunkNames: 'chunks/[name]-[hash]',
});
for (const { name, pkg } of plugins) {
  pkg.rvos.entry = 'index.js';
  writeFileSync(join(dist, 'plugins', name, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}

// Every command file (oclif finds them under dist/cli/commands), the hooks and src/cli/main.js (as dist/cli/main.js,
// which bin/rvos.js imports), from tsc's output: one build, so they all share one copy of oclif.
const entries = readdirSync(join(dist, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /^(commands|hooks)\/.*\.js$/.test(f) && !f.startsWith('commands/support/'))
  .map((f) => ({ in: join(dist, 'src', f), out: f.replace(/\.js$/, '') }));
entries.push({ in: join(dist, 'src', 'cli', 'main.js'), out: 'main' });
rmSync(join(dist, 'cli'), { recursive: true, force: true });
await build({ ...bundleOptions, entryPoints: entries, outdir: join(dist, 'cli') });
