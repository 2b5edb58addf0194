#!/usr/bin/env node
// An installed rvos runs its compiled JavaScript (dist/cli, oclif bundled in). A checkout (src/ present) runs the
// TypeScript sources through tsx with the package's own tsconfig, so it works from any folder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);

if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // oclif's version line, without loading oclif (start-up time matters to scripts).
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else if (existsSync(join(root, 'src', 'commands')) && process.env.RVOS_COMPILED !== '1') {
  const { execute, settings } = await import('@oclif/core');
  // rvos loads its TypeScript itself (tsx below): oclif must not look for ts-node.
  settings.enableAutoTranspile = false;
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: join(root, 'tsconfig.json') });
  pjson.oclif.commands.target = './src/commands';
  pjson.oclif.hooks.command_not_found = './src/hooks/command-not-found.ts';
  await execute({ dir: import.meta.url, loadOptions: { root, pjson } });
} else {
  const { main } = await import('../dist/cli/main.js');
  await main();
}
