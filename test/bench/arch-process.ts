/**
 * One bench process per architecture: bench.ts, asked for several architectures, runs itself again for each one
 * with the others turned off and `--arch-rows FILE`, and gathers the rows that child writes. The interpreters and
 * the translators share core code (memory, devices, the JIT kit), and V8 specializes it to whichever architecture
 * ran first: the next architecture's rows would measure V8's deoptimizations, not rvos.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './results.js';
import { cliNodeOptions } from './startup.js';

/** The flag of a child run: the file it writes its rows to (the parent gathers them). */
export const ARCH_ROWS_FLAG = '--arch-rows';

export function writeArchRows(file: string, rows: BenchRow[]): void {
  writeFileSync(file, JSON.stringify(rows));
}

/**
 * Runs bench.ts for `arch` alone (its output goes to this terminal) and returns its rows, or undefined when the
 * child failed without writing them (its own output says why).
 */
export async function benchArchInChild(arch: string, all: string[], argv: string[]): Promise<BenchRow[] | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rvos-bench-'));
  const file = path.join(dir, 'rows.json');
  const args = [
    ...cliNodeOptions(), // as bin/rvos.js starts the CLI (V8's worker pool at a thread per core beyond the first)
    '--import',
    'tsx',
    fileURLToPath(new URL('./bench.ts', import.meta.url)),
    ...withoutValueFlags(argv, ['--json', '--compare']),
    ...all.filter((a) => a !== arch).map((a) => `--no-${a}`),
    ARCH_ROWS_FLAG,
    file,
  ];
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      console.log(`${arch}: in a bench process of its own (pid ${child.pid})`);
      child.on('error', reject);
      child.on('exit', resolve);
    });
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as BenchRow[];
    } catch {
      console.log(`${arch}: the bench process exited with ${code} and no rows`);
      return undefined;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function withoutValueFlags(argv: string[], flags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (flags.includes(argv[i])) i++;
    else out.push(argv[i]);
  }
  return out;
}
