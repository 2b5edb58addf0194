/**
 * The pc board: the reference kernel (kernels/pc), booted the way its grub.cfg boots it (multiboot2
 * with its modules; the board's default kernel and modules), must print what QEMU 7.2 prints with
 * GRUB 2 (session.expected, checked on QEMU by test/qemu/pc.test.ts); and the i386 bench kernel's
 * start-up and exit path (Multiboot 1, COM1, isa-debug-exit), which `npm run bench` times.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMachine, type Reply } from '../../src/testing/machine.js';
import { tempFile } from '../helpers/raspi3b.js';

const kernels = join(import.meta.dirname, '../../kernels/pc');
const read = (name: string) => readFileSync(join(kernels, name), 'latin1');

/** The kernel's IDE disk, copied: rvos writes through. */
const disk = () => [`file=${tempFile('pc-disk.img', readFileSync(join(kernels, 'build/disk.img')))},if=ide,format=raw`];
/** A line at each shell prompt. */
const typing = (input: string): Reply[] => input.split(/(?<=\n)/).map((line) => ({ when: '$ ', send: line }));

describe('pc: the reference kernel as on QEMU', () => {
  it("the board's kernel and modules with the session: QEMU's transcript, then isa-debug-exit's 1", async () => {
    const r = await runMachine({ board: 'pc', drives: disk(), replies: typing(read('session.in')), maxInsns: 3_000_000_000, timeoutMs: 240_000 });
    expect(r.output).toBe(read('session.expected'));
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(1);
  }, 250_000);

  it('a kernel panic (crash: a page fault at 0 in ring 0) dumps the registers and exits with 3', async () => {
    const r = await runMachine({ board: 'pc', drives: disk(), replies: typing('crash\n'), maxInsns: 1_000_000_000 });
    expect(r.output).toMatch(/kernel panic: exception 14 \(page fault\), cr2=00000000\n.*\n.*\n.*err=00000002\n/);
    expect(r.exitCode).toBe(3);
  });
});

describe('pc: the i386 bench kernel', () => {
  it('runs empty-i386.elf (Multiboot 1) to its isa-debug-exit with status 1', async () => {
    const r = await runMachine({ board: 'pc', kernel: join(import.meta.dirname, '../../kernels/bench/build/empty-i386.elf'), maxInsns: 1_000_000 });
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(1);
    expect(r.output).toBe('');
    expect(r.instructions).toBeGreaterThan(5);
    expect(r.instructions).toBeLessThan(100);
  });
});
