/**
 * The raspi3b board with the `raspi` boot protocol: the reference kernel (kernels/raspi3b) raw and
 * ELF must print what QEMU 7.2 printed (session.*.expected, checked on QEMU by
 * test/qemu/raspi3b.test.ts); small hand-assembled guests check the two UARTs, the spin table and
 * the loader stubs QEMU writes into low RAM, and the PM watchdog's reset and power-off.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMachine, startMachine, type Reply } from '../../src/testing/machine.js';
import * as A from '../helpers/a64asm.js';
import { rvos } from '../helpers/cli.js';
import { tempFile } from '../helpers/raspi3b.js';

const kernels = join(import.meta.dirname, '../../kernels/raspi3b');
const read = (name: string) => readFileSync(join(kernels, name), 'latin1');

const PL011_DR = 0x3f201000;
const AUX_MU_IO = 0x3f215040;
const PM = 0x3f100000;

/** `str wVALUE, [ADDRESS]` through x1/x2. */
const store32 = (address: number, value: number) => [...A.mov64(1, address), ...A.mov64(2, value), A.strw(2, 1)];
/** The PM watchdog sequence Linux and U-Boot use: RSTS partition, a 10-tick WDOG, RSTC full reset. */
const pmReset = (partition: number) => [...store32(PM + 0x20, 0x5a000000 | partition), ...store32(PM + 0x24, 0x5a00000a), ...store32(PM + 0x1c, 0x5a000020), A.b(0)];

/**
 * How input reaches the kernel, as test/qemu/raspi3b.test.ts types it: a kernel with a shell
 * (its transcript shows `$ ` prompts) gets each line at a prompt (QEMU types a character at a
 * time after `ready`, which a shell reading only at its prompt sees the same way); the echo loop
 * of the first kernel gets everything after the `ready` line.
 */
function typing(input: string): Reply[] {
  if (!read('session.raw.expected').includes('\n$ ')) return [{ when: /\nready[^\n]*\n/, send: input }];
  return input.split(/(?<=\n)/).map((line) => ({ when: '$ ', send: line }));
}

/** The kernel's SD card (build/sd.img, when the kernel has one), copied: rvos writes through. */
function sdCard(): string[] {
  const image = join(kernels, 'build/sd.img');
  return existsSync(image) ? [`file=${tempFile('sd.img', readFileSync(image))},if=sd,format=raw`] : [];
}

describe('raspi3b: the reference kernel as on QEMU', () => {
  it.each([
    ['raw kernel8.img (core 0 at EL2, cores 1-3 from the spin table)', 'build/kernel8.img', 'session.raw.expected'],
    ['ELF (all four cores at EL3)', 'build/kernel8.elf', 'session.elf.expected'],
  ])('%s: the QEMU transcript, then a semihosting exit 0', async (_what, kernel, expectedFile) => {
    const r = await runMachine({
      board: 'raspi3b',
      kernel: join(kernels, kernel),
      drives: sdCard(),
      replies: typing(read('session.in')),
      session: { semihosting: true, semihostingOut: () => {} },
      maxInsns: 3_000_000_000,
      timeoutMs: 240_000,
    });
    expect(r.output).toBe(read(expectedFile));
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(0);
  }, 250_000);

  it('the default kernel of the board is kernel8.img; a fatal exception exits with 1', async () => {
    const r = await runMachine({
      board: 'raspi3b',
      replies: typing('crash\n'),
      session: { semihosting: true, semihostingOut: () => {} },
      maxInsns: 500_000_000,
    });
    // The kernel's own address of _start + 2 (its first step ran at 0x80000, later ones in the higher half).
    expect(r.output).toMatch(/ESR_EL1=0x8a000000 \(EC 0x22\) ELR_EL1=0x(0000000000|ffffff8000)080002 FAR_EL1=0x(0000000000|ffffff8000)080002/);
    expect(r.exitCode).toBe(1);
  });
});

describe('raspi3b: the raspi boot protocol for a raw image', () => {
  it('writes QEMU\'s loader stubs, ATAGS and spin table into RAM; core 0 reaches 0x80000 at EL2 with x0 = 0x100, cores 1-3 wait in the stub', async () => {
    const kernel = tempFile('spin.img', A.assemble([A.b(0)]));
    const m = await startMachine({ board: 'raspi3b', kernel });
    try {
      const words = (at: number, n: number) => Array.from(m.machine.bus.ram.u8.subarray(at, at + 4 * n)).reduce<number[]>((w, _b, i, a) => (i % 4 === 0 ? [...w, (a[i] | (a[i + 1] << 8) | (a[i + 2] << 16) | (a[i + 3] << 24)) >>> 0] : w), []);
      expect(words(0, 10)).toEqual([0x580000c0, 0xaa1f03e1, 0xaa1f03e2, 0xaa1f03e3, 0x58000084, 0xd61f0080, 0x100, 0, 0x80000, 0]);
      expect(words(0x300, 11)).toEqual([0xd2801b05, 0xd53800a6, 0x924004c6, 0xd503205f, 0xf86678a4, 0xb4ffffc4, 0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd61f0080]);
      expect(words(0xd8, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      // ATAG_CORE, ATAG_MEM of 960 MiB at 0 (RAM less the VideoCore's 64 MiB), ATAG_NONE.
      expect(words(0x100, 11)).toEqual([5, 0x54410001, 1, 0x1000, 0, 4, 0x54410002, 0x3c000000, 0, 0, 0]);
      await m.machine.run({ maxInsns: 1_000_000 });
      const [c0, c1, c2, c3] = m.machine.cpus;
      expect(c0.pc).toBe(0x80000);
      expect(c0.getReg(0)).toBe(0x100);
      expect(c0.privilegeName()).toBe('EL2');
      for (const c of [c1, c2, c3]) {
        expect(c.pc >= 0x30c && c.pc <= 0x314, `pc ${c.pc.toString(16)}`).toBe(true); // wfe / ldr / cbz
        expect(c.privilegeName()).toBe('EL2');
      }
    } finally {
      await m.close();
    }
  });

  it('a core leaves the spin loop when its slot is written and SEV sent, at EL2 with x0-x3 = 0; each reports in order', async () => {
    // Core 0 releases core n by writing `secondary` to 0xd8 + 8n and waits for it to store n at 0x2000.
    const report = (ch: number) => [...A.mov64(1, PL011_DR), A.movz(2, ch), A.strw(2, 1)];
    const release = (n: number) => [
      A.adr(0, 0), // patched below: x0 = secondary
      ...A.mov64(1, 0xd8 + 8 * n),
      A.str(0, 1),
      A.sev(),
      ...A.mov64(3, 0x2000),
      A.ldrw(4, 3), // wait: w4 = [0x2000]
      A.cmpi(4, n, 0),
      A.bcond('ne', -8),
    ];
    const main = [...report(0x30), ...release(1), ...release(2), ...release(3), ...report(0x2e), ...pmReset(0x555)];
    const secondary = [
      A.mrs(6, A.MPIDR_EL1),
      A.andi(6, 6, 3),
      A.mrs(7, A.CURRENTEL),
      A.lsri(7, 7, 2),
      A.orr(8, 0, 1), // x0 | x1 | x2 | x3 must be 0
      A.orr(8, 8, 2),
      A.orr(8, 8, 3),
      A.cbnz(8, 4 * 100), // far away: never taken when they are 0
      ...A.mov64(1, PL011_DR),
      A.addi(2, 6, 0x30),
      A.strw(2, 1),
      A.addi(2, 7, 0x30),
      A.strw(2, 1),
      ...A.mov64(3, 0x2000),
      A.strw(6, 3),
      A.wfe(),
      A.b(-4),
    ];
    const words = [...main, ...secondary].flat();
    const secondaryAt = 4 * main.flat().length;
    // Patch each ADR with its distance to `secondary`.
    main.flat().forEach((w, i) => {
      if (w === A.adr(0, 0)) words[i] = A.adr(0, secondaryAt - 4 * i);
    });
    const r = await runMachine({ board: 'raspi3b', kernel: tempFile('release.img', A.assemble(words)), maxInsns: 2_000_000 });
    expect(r.output).toBe('0122232.');
    expect(r.exitCode).toBe(0);
  });

  it('an ELF starts every core at its entry in EL3 and writes no stubs', async () => {
    const m = await startMachine({ board: 'raspi3b', kernel: join(kernels, 'build/kernel8.elf') });
    try {
      for (const c of m.machine.cpus) {
        expect(c.pc).toBe(0x80000);
        expect(c.privilegeName()).toBe('EL3');
        expect(c.stopped).toBe(false);
      }
      expect(Array.from(m.machine.bus.ram.u8.subarray(0, 0x400)).every((b) => b === 0)).toBe(true);
    } finally {
      await m.close();
    }
  });
});

describe('raspi3b: UARTs and the PM watchdog', () => {
  const both = A.assemble([...store32(PL011_DR, 0x41), ...store32(AUX_MU_IO, 0x42), ...pmReset(0x555)]);

  it('the PL011 is the console; the mini UART is the second serial port', async () => {
    const m = await startMachine({ board: 'raspi3b', kernel: tempFile('uarts.img', both), session: { moreSerial: ['capture'] } });
    try {
      const r = await m.machine.run({ maxInsns: 1_000_000 });
      expect(r.reason).toBe('poweroff');
      expect(m.output).toBe('A');
      expect((m.session.serial.uart1 as unknown as { text: string }).text).toBe('B');
    } finally {
      await m.close();
    }
  });

  it('PM_RSTS partition 63 with a full reset powers off with 0; another partition resets the machine', async () => {
    const resetter = A.assemble([...store32(PL011_DR, 0x52), ...pmReset(0)]);
    const again = await runMachine({ board: 'raspi3b', kernel: tempFile('reset.img', resetter), maxInsns: 300_000 });
    expect(again.output.startsWith('RRR')).toBe(true); // rebooted, and again
    expect(again.reason).toBe('max-insns');
    const once = await runMachine({ board: 'raspi3b', kernel: tempFile('reset.img', resetter), maxInsns: 300_000, session: { noReboot: true } });
    expect(once.output).toBe('R');
    expect(once.reason).toBe('poweroff');
    expect(once.exitCode).toBe(0);
  });
});

describe('raspi3b: the SD card follows GPIO 48-53 (QEMU bcm2835_gpio)', () => {
  const GPFSEL4 = 0x3f200010;
  const GPFSEL5 = 0x3f200014;
  const ALT0 = 4;
  const fsel4 = (f: number) => (f << 24) | (f << 27); // pins 48, 49
  const fsel5 = (f: number) => f | (f << 3) | (f << 6) | (f << 9); // pins 50-53

  async function cardAfter(guest: number[][], sd = tempFile('sd.img', new Uint8Array(1 << 20))): Promise<Record<string, unknown>> {
    const kernel = tempFile('route.img', A.assemble([...guest.flat(), A.b(0)]));
    const m = await startMachine({ board: 'raspi3b', kernel, drives: [`file=${sd},if=sd,format=raw`] });
    try {
      await m.machine.run({ maxInsns: 200_000 });
      const card = (name: string) => m.machine.devices.find((d) => d.entry.name === name)!.device.inspect!().card;
      return { emmc: card('emmc'), sdhost: card('sdhost') };
    } finally {
      await m.close();
    }
  }

  it('is on the SDHCI at reset; all six pins at ALT0 move it to the SDHOST; all six inputs move it back; a mix leaves it', async () => {
    expect(await cardAfter([])).toEqual({ emmc: 'inserted', sdhost: 'none' });
    expect(await cardAfter([store32(GPFSEL4, fsel4(ALT0)), store32(GPFSEL5, fsel5(ALT0))])).toEqual({ emmc: 'none', sdhost: 'inserted' });
    expect(await cardAfter([store32(GPFSEL4, fsel4(ALT0)), store32(GPFSEL5, fsel5(ALT0)), store32(GPFSEL5, fsel5(7))])).toEqual({ emmc: 'none', sdhost: 'inserted' });
    expect(await cardAfter([store32(GPFSEL4, fsel4(ALT0)), store32(GPFSEL5, fsel5(ALT0)), store32(GPFSEL4, 0), store32(GPFSEL5, 0)])).toEqual({ emmc: 'inserted', sdhost: 'none' });
  });

  it('closes the card\'s image (and its lock) with the machine, whichever controller holds it', async () => {
    const sd = tempFile('sd.img', new Uint8Array(1 << 20));
    for (let i = 0; i < 2; i++) expect((await cardAfter([store32(GPFSEL4, fsel4(ALT0)), store32(GPFSEL5, fsel5(ALT0))], sd)).sdhost).toBe('inserted');
    expect((await cardAfter([], sd)).emmc).toBe('inserted');
  });
});

describe('raspi3b: --serial on the command line', () => {
  const both = A.assemble([...store32(PL011_DR, 0x41), ...store32(AUX_MU_IO, 0x42), ...pmReset(0x555)]);

  it('one --serial is the PL011; `--serial null --serial stdio` puts the mini UART on stdout, as QEMU', async () => {
    const kernel = tempFile('uarts.img', both);
    const one = await rvos(['run', '--board', 'raspi3b', '--kernel', kernel, '--headless', '--serial', 'stdio']);
    expect([one.stdout, one.code]).toEqual(['A', 0]);
    const two = await rvos(['run', '--board', 'raspi3b', '--kernel', kernel, '--headless', '--serial', 'null', '--serial', 'stdio']);
    expect([two.stdout, two.code]).toEqual(['B', 0]);
  });
});
