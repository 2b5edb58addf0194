/**
 * rvos-sbi (kernels/virt/firmware) on rvos: the sbi-test S-mode kernel exercises every SBI call
 * and must print exactly the transcript QEMU prints (kernels/virt/firmware/test/sbi-test.expected,
 * checked on QEMU by test/qemu/firmware.test.ts), then shut down through SRST.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runRvos } from '../helpers/rvos.js';

const virt = fileURLToPath(new URL('../../kernels/virt/', import.meta.url));
const firmwareElf = `${virt}build/firmware.elf`;
const sbiTestElf = `${virt}build/sbi-test.elf`;
const expected = readFileSync(`${virt}firmware/test/sbi-test.expected`, 'latin1');

const BANNER = /^rvos-sbi v0\.1 \(SBI v2\.0\): (\d+) harts?, boot hart 0, next 0x80400000 \(S-mode\)$/m;

/** The ELF's loadable bytes as one raw image from its lowest address (for a `-kernel` raw image). */
function rawImage(elf: Buffer): { base: number; bytes: Buffer } {
  const phoff = elf.readUInt32LE(28);
  const phentsize = elf.readUInt16LE(42);
  const phnum = elf.readUInt16LE(44);
  const segs: Array<{ paddr: number; data: Buffer }> = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (elf.readUInt32LE(p) !== 1 /* PT_LOAD */) continue;
    const offset = elf.readUInt32LE(p + 4);
    const filesz = elf.readUInt32LE(p + 16);
    if (filesz) segs.push({ paddr: elf.readUInt32LE(p + 12), data: elf.subarray(offset, offset + filesz) });
  }
  const base = Math.min(...segs.map((s) => s.paddr));
  const end = Math.max(...segs.map((s) => s.paddr + s.data.length));
  const bytes = Buffer.alloc(end - base);
  for (const s of segs) s.data.copy(bytes, s.paddr - base);
  return { base, bytes };
}

describe('rvos-sbi firmware on rvos', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rvos-fw-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('sbi-test on 2 harts prints the QEMU transcript and shuts down with exit 0', async () => {
    const r = await runRvos({ bios: firmwareElf, kernel: sbiTestElf, cpus: 2, maxInsns: 200_000_000 });
    expect(r.output).toBe(expected);
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(0);
  });

  it('sbi-test on 1 and 4 harts passes every check', async () => {
    for (const cpus of [1, 4]) {
      const r = await runRvos({ bios: firmwareElf, kernel: sbiTestElf, cpus, maxInsns: 400_000_000 });
      expect(r.output).toMatch(BANNER);
      expect(BANNER.exec(r.output)![1]).toBe(String(cpus));
      expect(r.output).not.toContain('FAIL');
      expect(r.output).toMatch(/^sbi-test: \d+ checks passed\nsrst: shutdown\n$/m);
      for (let h = 1; h < cpus; h++) expect(r.output).toContain(`hart ${h}: stopping\n`);
      expect(r.exitCode).toBe(0);
    }
  });

  it('boots a raw kernel image at 0x80400000 the same way', async () => {
    const { base, bytes } = rawImage(readFileSync(sbiTestElf));
    expect(base).toBe(0x80400000);
    const raw = join(tmp, 'sbi-test.bin');
    writeFileSync(raw, bytes);
    const r = await runRvos({ bios: firmwareElf, kernel: raw, cpus: 2, maxInsns: 200_000_000 });
    expect(r.output).toBe(expected);
    expect(r.exitCode).toBe(0);
  });

  it('SRST shutdown with reason "system failure" exits with code 1', async () => {
    const r = await runRvos({
      bios: firmwareElf,
      kernel: sbiTestElf,
      cpus: 2,
      maxInsns: 200_000_000,
      extra: { append: 'sysfail' },
    });
    expect(r.output).toMatch(/checks passed\nsrst: shutdown, reason system failure\n$/);
    expect(r.exitCode).toBe(1);
  });

  it('SRST warm reboot resets the machine: the firmware and the kernel boot again', async () => {
    const r = await runRvos({
      bios: firmwareElf,
      kernel: sbiTestElf,
      cpus: 2,
      maxInsns: 3_000_000,
      extra: { append: 'reboot' },
    });
    expect(r.reason).not.toBe('poweroff');
    const boots = r.output.split('srst: warm reboot\n');
    expect(boots.length).toBeGreaterThanOrEqual(3);
    for (const b of boots.slice(0, 2)) {
      expect(b).toBe(
        'rvos-sbi v0.1 (SBI v2.0): 2 harts, boot hart 0, next 0x80400000 (S-mode)\n' +
          'rvos-sbi: firmware 0x80000000-0x8003ffff protected by PMP, in /reserved-memory\n' +
          'sbi-test: hart 0 in S-mode, DTB magic 0xd00dfeed\n',
      );
    }
  });

  it('without a kernel (next_addr 0) it says so and powers off with code 4', async () => {
    const r = await runRvos({ bios: firmwareElf, kernel: 'none', maxInsns: 10_000_000 });
    expect(r.output).toContain('rvos-sbi: no kernel to boot: next address 0x00000000 is not RAM outside the firmware\n');
    expect(r.exitCode).toBe(4);
  });
});
