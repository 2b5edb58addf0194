/** npm run bench runs each architecture's rows in a process of its own (arch-process.ts) and prints one table. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from './results.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-bench-arch-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench: one process per architecture', () => {
  it('gathers the rows of rv32 and aarch64, each run by a child bench, into one table and one JSON file', async () => {
    const json = join(dir, 'rows.json');
    const args = ['--import', 'tsx', 'test/bench/bench.ts', '--no-startup', '--no-compute', '--no-code-write', '--no-linux', '--no-cold'];
    const out = await new Promise<string>((resolve, reject) => {
      // Asynchronous: a long synchronous spawn starves the vitest worker's RPC.
      const child = spawn(process.execPath, [...args, '--no-qemu', '--no-i386', '--json', json], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (b: Buffer) => (text += b.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`bench exited with ${code}:\n${text}`))));
    });
    const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
    expect(results.rows.map((r) => `${r.arch} ${r.engine} ${r.workload}`)).toEqual([
      'rv32 jit os boot',
      'rv32 interp os boot',
      'aarch64 jit os boot',
      'aarch64 interp os boot',
    ]);
    expect(results.rows.every((r) => r.instructions! > 0 && !r.error)).toBe(true);
    const pids = [...out.matchAll(/^(\w+): in a bench process of its own \(pid (\d+)\)$/gm)].map((m) => [m[1], m[2]]);
    expect(pids.map(([arch]) => arch)).toEqual(['rv32', 'aarch64']);
    expect(new Set(pids.map(([, pid]) => pid)).size).toBe(2);
    // The children print their progress lines but no table of their own.
    expect(out.match(/^board +arch +engine/gm)).toHaveLength(1);
    expect(out).toContain('virt jit os boot:');
  }, 120_000);
});
