/** npm run bench's OS boot measurement (boot.ts): the run stops at the shell's first prompt. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchBoot, OS_BOOTS, PROMPT, runCold } from './boot.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-bench-boot-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench OS boot', () => {
  it('times each engine best of 3 even with --runs 1, the engines in turn (a first run in the process pays V8 compiling the machine code)', async () => {
    const rvos = OS_BOOTS.raspi3b.rvos;
    const calls: string[] = [];
    OS_BOOTS.raspi3b.rvos = (engine, disk) => (calls.push(engine), rvos(engine, disk));
    try {
      const rows = await benchBoot('raspi3b', { runs: 1, rvos: true, qemu: false, cold: false });
      expect(rows.map((r) => [r.engine, r.error])).toEqual([['jit', undefined], ['interp', undefined]]);
    } finally {
      OS_BOOTS.raspi3b.rvos = rvos;
    }
    expect(calls).toEqual(['jit', 'interp', 'jit', 'interp', 'jit', 'interp']);
  });

  it('raspi3b: stops at the first prompt, after the ready line', async () => {
    const disk = join(dir, 'sd.img');
    copyFileSync(OS_BOOTS.raspi3b.disk, disk);
    const r = await OS_BOOTS.raspi3b.rvos('interp', disk);
    expect(r.reason).toBe('stopped');
    expect(r.output.endsWith(`\nready: type help for the commands; shutdown or q powers off${PROMPT}`)).toBe(true);
    expect(r.instructions).toBeGreaterThan(0);
    // The interpreter decodes into the core's code cache and translates nothing.
    expect(r.codeCache?.pages).toBeGreaterThan(0);
    expect(r.codeCache?.blocks).toBe(0);
    expect(r.rssBytes).toBeGreaterThan(0);
  });

  it('cold: the command line of the os boot cold row reaches the same prompt in a new rvos process', async () => {
    const disk = join(dir, 'sd-cold.img');
    copyFileSync(OS_BOOTS.raspi3b.disk, disk);
    // The checkout's rvos (the bench runs the installed package's, dist/, which a test run need not have built).
    const r = await runCold('raspi3b', disk, { ...process.env, RVOS_COMPILED: '0' });
    expect(r.timedOut).toBe(false);
    expect(r.output.endsWith(`\nready: type help for the commands; shutdown or q powers off${PROMPT}`)).toBe(true);
    expect(r.wallMs).toBeGreaterThan(0);
  });
});
