#!/usr/bin/env node
// Writes oclif.manifest.json from the compiled commands in dist/ (npm run build runs it after tsc): command and flag metadata, so `rvos help` and start-up need not import
// every command). Command file paths are left out: oclif then finds each command under the
// package's commands target, which is dist/ when installed and src/ in a checkout (bin/rvos.js).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
execFileSync(process.execPath, ['--import', 'tsx', join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, OCLIF_DISABLE_UPDATE_CHECK: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true' },
});
const file = join(root, 'oclif.manifest.json');
const manifest = JSON.parse(readFileSync(file, 'utf8'));
for (const command of Object.values(manifest.commands)) {
  delete command.relativePath;
  delete command.isESM;
}
// The same file from every build: commands in name order (oclif lists them in file-system order).
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
