/**
 * Huge pages for guest RAM (bin/huge-pages.js): `rvos run` of a command line whose run touched much RAM before runs in
 * a child process with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, with the same output and exit code; the child ends
 * when the parent is killed. The integration cases need Linux with glibc and THP "madvise" (skipped elsewhere).
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rvos, rvosBin, userDir } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');
const hugePages = createRequire(import.meta.url)(join(root, 'bin', 'huge-pages.js')) as {
  commandKey(args: string[]): string;
  hugePagesPossible(args: string[], env?: NodeJS.ProcessEnv): boolean;
  recordFile(env?: NodeJS.ProcessEnv): string;
  largestMappingResident(): number | undefined;
  largestResident(maps: string, presentPages: (start: number, pages: number) => number): number;
  GUEST_RAM_TOUCHED_BYTES: number;
};
const RERUN = 're-run with huge pages';

describe('huge pages for guest RAM', () => {
  it('keys a command line by its arguments, less --drive values', () => {
    const key = hugePages.commandKey(['run', '--board', 'virt', '--drive', 'file=a.img', '--headless', '--drive=file=b.img']);
    expect(JSON.parse(key)).toEqual(['run', '--board', 'virt', '--headless']);
  });

  it("judges a run by its guest RAM's resident memory (the largest read-write mapping's), not the process'", () => {
    const MiB = 1024 * 1024;
    const line = (start: number, size: number, perms = 'rw-p', name = '') => `${start.toString(16)}-${(start + size).toString(16)} ${perms} 00000000 00:00 0 ${name}`;
    // A Linux boot: 1,000 small mappings (V8's heap and code, each present), a 1 GiB guest RAM with 8 MiB present,
    // its wasm guard region; the virt OS: a 128 MiB guest RAM all present.
    const small = Array.from({ length: 1000 }, (_, i) => line(0x10000000 + i * 0x100000, 0x40000)).join('\n');
    const linux = [small, line(0x7f0000000000, 1024 * MiB), line(0x7f0040000000, 8192 * MiB, '---p'), line(0x7f2000000000, 64 * MiB, 'r-xp')].join('\n');
    const present = new Map([[0x7f0000000000, (8 * MiB) / 4096], [0x7f2000000000, (64 * MiB) / 4096]]);
    const asked: number[] = [];
    const pages = (start: number, n: number) => {
      asked.push(start);
      return Math.min(n, present.get(start) ?? n);
    };
    expect(hugePages.largestResident(linux, pages)).toBe(8 * MiB);
    expect(asked).toEqual([0x7f0000000000]); // only the large read-write mapping is read
    expect(hugePages.largestResident(linux, pages)).toBeLessThan(hugePages.GUEST_RAM_TOUCHED_BYTES);
    const os = [line(0x10000000, 20 * MiB, 'rw-p', '[heap]'), line(0x7f0000000000, 128 * MiB + 4096)].join('\n');
    expect(hugePages.largestResident(os, (_, n) => n)).toBe(128 * MiB + 4096);
    expect(hugePages.largestResident(os, (_, n) => n)).toBeGreaterThanOrEqual(hugePages.GUEST_RAM_TOUCHED_BYTES);
  });

  it.runIf(process.platform === 'linux')('reads the pages present of this process (a 96 MiB buffer with 72 MiB written)', () => {
    const buffer = new Uint8Array(96 * 1024 * 1024);
    for (let i = 0; i < 72 * 1024 * 1024; i += 4096) buffer[i] = 1;
    const resident = hugePages.largestMappingResident();
    expect(resident).toBeGreaterThanOrEqual(72 * 1024 * 1024);
    expect(resident).toBeLessThanOrEqual(process.memoryUsage.rss());
    expect(buffer[0]).toBe(1);
  });

  it('asks for them for `rvos run` only, and not when turned off or already asked for', () => {
    const env = { ...process.env, GLIBC_TUNABLES: undefined, RVOS_HUGE_PAGES: undefined };
    expect(hugePages.hugePagesPossible(['boards'], env)).toBe(false);
    expect(hugePages.hugePagesPossible(['run'], { ...env, RVOS_HUGE_PAGES: '0' })).toBe(false);
    expect(hugePages.hugePagesPossible(['run'], { ...env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' })).toBe(false);
  });

  const possible = hugePages.hugePagesPossible(['run'], { ...process.env, GLIBC_TUNABLES: undefined, RVOS_HUGE_PAGES: undefined });
  const cache = mkdtempSync(join(tmpdir(), 'rvos-huge-'));
  const env = { ...process.env, XDG_CACHE_HOME: cache, RVOS_STARTUP_TRACE: '1', GLIBC_TUNABLES: undefined, RVOS_HUGE_PAGES: undefined };
  const args = (disk: string) => ['run', '--board', 'virt', '--headless', '--drive', `file=${disk}`];
  const disk = () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'rvos-huge-disk-')), 'disk.img');
    copyFileSync(join(root, 'kernels', 'virt', 'build', 'disk.img'), copy);
    return copy;
  };

  it.runIf(possible)('a run that touched much RAM is recorded; the next runs of its command line have huge pages, the same output and exit code', async () => {
    // The virt teaching kernel writes to every page of its 128 MiB; stdin closed: it halts after its prompt.
    const first = await rvos(args(disk()), { env });
    expect(first.stderr).not.toContain(RERUN);
    expect(JSON.parse(readFileSync(hugePages.recordFile(env), 'utf8'))).toEqual([hugePages.commandKey(args('x'))]);
    const second = await rvos(args(disk()), { env });
    expect(second.stderr).toContain(RERUN);
    expect(second.stdout).toBe(first.stdout);
    expect(second.code).toBe(first.code);
  }, 120_000);

  it.runIf(possible)('the child ends when the parent is killed', async () => {
    const file = hugePages.recordFile(env);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify([hugePages.commandKey(args('x'))]));
    // stdin a FIFO this process holds open both ways: no end of input when the parent goes (as a terminal).
    const fifo = join(cache, 'stdin');
    execFileSync('mkfifo', [fifo]);
    const stdin = openSync(fifo, 'r+');
    const parent = spawn(process.execPath, [rvosBin, ...args(disk())], { cwd: userDir, env, stdio: [stdin, 'pipe', 'ignore'] });
    let out = '';
    await new Promise<void>((resolve) =>
      parent.stdout!.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        if (out.includes('\n$ ')) resolve();
      }),
    );
    const children = readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8').trim().split(' ');
    expect(children).toHaveLength(1);
    parent.kill('SIGKILL');
    const gone = async () => {
      for (let i = 0; i < 100; i++) {
        if (!existsSync(`/proc/${children[0]}`) || readFileSync(`/proc/${children[0]}/stat`, 'utf8').includes(') Z ')) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    const ended = await gone();
    if (!ended) process.kill(Number(children[0]), 'SIGKILL');
    closeSync(stdin);
    expect(ended).toBe(true);
  }, 120_000);
});
