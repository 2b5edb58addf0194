/** npm run bench's result handling (results.ts, engine.ts): the table, the JSON file and --compare. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineOptions } from './engine.js';
import { linuxBootOptions } from './linux-boot.js';
import { environment, formatComparison, formatHeader, formatTable, writeResults, type BenchResults, type BenchRow } from './results.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-bench-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (over: Partial<BenchRow>): BenchRow => ({ board: 'virt', arch: 'rv32', engine: 'jit', workload: 'compute', ...over });
const results = (rows: BenchRow[]): BenchResults => ({ ...environment(1), rows });

describe('bench results', () => {
  it('records the commit, node version, date and machine', () => {
    const env = environment(3);
    expect(env.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(env.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(env.date))).toBe(false);
    expect(env.machine.cpus).toBeGreaterThan(0);
    expect(env.runs).toBe(3);
  });

  it('prints a row per board, engine and workload, failures on their row', () => {
    const text = formatTable([
      row({ instructions: 500, seconds: 2, mips: 250, qemuSeconds: 0.5, ratio: 4, codeCache: { pages: 3, blocks: 40 }, rssMiB: 200 }),
      row({ engine: 'interp', error: 'exited with 3\nmore' }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^board\s+arch\s+engine\s+workload\s+instructions\s+rvos s\s+MIPS\s+QEMU s\s+rvos\/QEMU/);
    expect(lines[2]).toMatch(/^virt\s+rv32\s+jit\s+compute\s+500\s+2\.000\s+250\.0\s+0\.500\s+4\.00x\s+3\/40\s+200$/);
    expect(lines[3]).toMatch(/interp\s+compute\s+failed: exited with 3$/);
  });

  it('prints the cold boot row: wall seconds of a new rvos process beside QEMU\'s, no instruction count', () => {
    const text = formatTable([row({ workload: 'os boot cold', seconds: 0.5, qemuSeconds: 0.25, ratio: 2 })]);
    expect(text.split('\n')[2]).toMatch(/^virt\s+rv32\s+jit\s+os boot cold\s+-\s+0\.500\s+-\s+0\.250\s+2\.00x\s+-\s+-$/);
  });

  it('compares with JSON from before the cold rows: they read "-" against it', () => {
    const file = join(dir, 'before-cold.json');
    writeResults(file, results([row({ workload: 'os boot', instructions: 10, seconds: 1 })]));
    const text = formatComparison(file, results([row({ workload: 'os boot', instructions: 10, seconds: 0.5 }), row({ workload: 'os boot cold', seconds: 0.5, ratio: 2 })]));
    expect(text).toMatch(/os boot\s+1\.000\s+0\.500\s+0\.50x\s+-\s+same/);
    expect(text).toMatch(/os boot cold\s+-\s+0\.500\s+-\s+-\s+-/);
  });

  it('heads the report with the load the bench started under, and says when the machine was busy', () => {
    const env = environment(3);
    expect(typeof env.machine.load).toBe('number');
    const at = (load: number | undefined) => formatHeader({ ...env, machine: { ...env.machine, cpus: 2, load } });
    expect(at(0.9)).toMatch(/best of 3, load 0\.90 at start$/);
    expect(at(1.5)).toMatch(/load 1\.50 at start\nbusy machine: .*compare only with runs made on a quiet machine/);
    expect(at(undefined)).not.toMatch(/load|busy/);
  });

  it('writes JSON that --compare reads back: new/old time per row', () => {
    const file = join(dir, 'old.json');
    writeResults(file, results([row({ instructions: 500, seconds: 2, ratio: 4 }), row({ workload: 'os boot', instructions: 10, seconds: 1 })]));
    expect(JSON.parse(readFileSync(file, 'utf8')).rows).toHaveLength(2);
    const text = formatComparison(file, results([row({ instructions: 500, seconds: 1, ratio: 2 }), row({ workload: 'os boot', instructions: 12, seconds: 1 })]));
    expect(text).toMatch(/virt\s+rv32\s+jit\s+compute\s+2\.000\s+1\.000\s+0\.50x\s+0\.50x\s+same/);
    expect(text).toMatch(/os boot\s+1\.000\s+1\.000\s+1\.00x\s+-\s+\+2/);
  });
});

describe('bench engines', () => {
  it('chooses the engine as --engine does, keeps other session options, and refuses an unknown board', () => {
    expect(engineOptions('virt', 'jit')).toEqual({ board: 'virt', session: { engine: 'jit' } });
    expect(engineOptions('pc', 'interp', { semihosting: true })).toEqual({ board: 'pc', session: { semihosting: true, engine: 'interp' } });
    expect(() => engineOptions('nowhere', 'jit')).toThrow(/nowhere has no jit engine/);
  });

  it('the linux boot rows keep their engine beside the initrd (the interp row once ran the block compiler)', () => {
    const build = { dir: '/k', image: '/k/Image', initrd: '/k/initramfs.cpio' };
    expect(linuxBootOptions(build, 'interp').session).toEqual({ initrd: '/k/initramfs.cpio', engine: 'interp' });
    expect(linuxBootOptions(build, 'jit').session).toEqual({ initrd: '/k/initramfs.cpio', engine: 'jit' });
  });
});
