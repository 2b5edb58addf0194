import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const rvosBin = join(root, 'bin', 'rvos.js');

/** An empty folder outside the repository: users run rvos from their own folders. */
export const userDir = mkdtempSync(join(tmpdir(), 'rvos-user-'));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI the way a user does, from an empty folder outside the repository unless `cwd`
 * says otherwise. Asynchronous on purpose: a long synchronous spawn blocks the vitest worker and
 * starves its RPC on a busy machine.
 */
export function rvos(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return run(process.execPath, [rvosBin, ...args], opts);
}

export interface RunOptions {
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Killed after this many ms (default 120 s). */
  timeoutMs?: number;
}

/** Runs any program asynchronously and collects its output (latin1 keeps bytes as they were). */
export function run(file: string, args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd ?? userDir, env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}
