import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'rvos.js');

/** Runs the real CLI the way a user does. */
export function rvos(args: string[], opts: { input?: string; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? root, input: opts.input ?? '', encoding: 'latin1', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

