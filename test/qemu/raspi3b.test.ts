/**
 * The Pi 3 reference kernel (kernels/raspi3b) on QEMU 7.2's raspi3b, the reference peer: the raw
 * kernel8.img (core 0 at EL2, cores 1-3 released from the spin table) and the ELF (all four cores
 * at EL3) must print exactly session.raw.expected / session.elf.expected while
 * kernels/raspi3b/session.in is typed into the PL011 (the kernel's shell) after the `ready` line,
 * with build/sd.img as the SD card, and power off through semihosting with exit code 0. The two transcripts differ only in the entry EL of each core.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qemuAarch64Available, runQemuRaspi3b } from '../helpers/qemu-aarch64.js';

const dir = join(import.meta.dirname, '../../kernels/raspi3b');
const read = (name: string) => readFileSync(join(dir, name), 'latin1');
/** The SD card (build/sd.img, rvfs): snapshot=on keeps the committed image unchanged (QEMU
 * refuses a read-only drive as an SD card). */
const sdCard = ['-drive', `if=sd,format=raw,snapshot=on,file=${join(dir, 'build/sd.img')}`];

describe.skipIf(!qemuAarch64Available())('raspi3b reference kernel on QEMU', () => {
  it.each([
    ['raw kernel8.img', 'build/kernel8.img', 'session.raw.expected'],
    ['ELF', 'build/kernel8.elf', 'session.elf.expected'],
  ])('%s: banner, exceptions, four cores, MMU, timer, SD card, shell and EL0 programs, semihosting exit', async (_what, kernel, expected) => {
    const r = await runQemuRaspi3b({ kernel: join(dir, kernel), input: read('session.in'), args: sdCard });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toBe(read(expected));
    expect(r.exitCode).toBe(0);
  });

  it('a fatal exception (PC alignment fault) is printed with ESR_EL1, ELR_EL1 and FAR_EL1 and exits with 1', async () => {
    const r = await runQemuRaspi3b({ kernel: join(dir, 'build/kernel8.img'), input: 'crash\n' });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toMatch(
      /\n\$ crash\n\nunhandled synchronous exception from EL1 with SP_EL1: ESR_EL1=0x8a000000 \(EC 0x22\) ELR_EL1=0xffffff8000080002 FAR_EL1=0xffffff8000080002 SPSR_EL1=0x[0-9a-f]{8}\n$/,
    );
    expect(r.exitCode).toBe(1);
  });

  it('without an SD card the built-in programs run; uptime counts timer interrupts (at least 20 after a 200 ms sleep)', async () => {
    const r = await runQemuRaspi3b({ kernel: join(dir, 'build/kernel8.img'), input: 'sleep 200\nuptime\nls\nq\n' });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toContain('\nsd: no card\nprograms: built into the kernel\n');
    expect(r.output).toContain('\n$ sleep 200\nsleep: 200 ms, at least that long: yes\n');
    expect(r.output).toContain('\n$ ls\nls: no file system\n');
    const m = /\nuptime: (\d+) ticks, (\d+)\.(\d\d) s\n/.exec(r.output);
    expect(m, r.output).not.toBeNull();
    const ticks = Number(m![1]);
    expect(ticks).toBeGreaterThanOrEqual(20);
    expect(Number(m![2]) * 100 + Number(m![3])).toBe(ticks);
    expect(r.exitCode).toBe(0);
  });

  it('files written to the SD card (CMD24/25) are there at the next boot', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rvos-raspi3b-sd-'));
    try {
      const img = join(tmp, 'sd.img');
      copyFileSync(join(dir, 'build/sd.img'), img);
      const drive = ['-drive', `if=sd,format=raw,file=${img}`];
      const first = await runQemuRaspi3b({ kernel: join(dir, 'build/kernel8.img'), args: drive, input: 'mkdir docs\nwrite docs/todo.txt port rvos to another board\nq\n' });
      expect(first.output).toContain('\nwrote 27 bytes to docs/todo.txt\n');
      expect(first.exitCode).toBe(0);
      const second = await runQemuRaspi3b({ kernel: join(dir, 'build/kernel8.img'), args: drive, input: 'cat docs/todo.txt\nls docs\nq\n' });
      expect(second.output).toContain(
        '\n$ cat docs/todo.txt\nport rvos to another board\n$ ls docs\n.                    dir      96\n..                   dir     160\ntodo.txt             file     27\n',
      );
      expect(second.exitCode).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('without -semihosting the HLT is an undefined instruction: reported, skipped, then the PM watchdog powers off (partition 63)', async () => {
    const r = await runQemuRaspi3b({ kernel: join(dir, 'build/kernel8.img'), input: 'q\n', semihosting: false });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toMatch(
      /\n\$ q\npower off\nundefined instruction: ESR_EL1=0x02000000 ELR_EL1=0x[0-9a-f]{16}, skipped\npower off: no semihosting, through the PM watchdog\n$/,
    );
    expect(r.exitCode).toBe(0);
  });

  it('reboot resets through the PM watchdog (QEMU -no-reboot then exits)', async () => {
    const r = await runQemuRaspi3b({ kernel: join(dir, 'build/kernel8.img'), input: 'reboot\n', args: ['-no-reboot'] });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toMatch(/\n\$ reboot\nreboot: through the PM watchdog\n$/);
    expect(r.exitCode).toBe(0);
  });
});
