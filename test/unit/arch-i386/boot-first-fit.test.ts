import { describe, expect, it } from 'vitest';
import { FirstFit } from '../../../plugins/arch-i386/src/boot-first-fit.js';

const MiB = 0x100000;
const fail = (message: string): never => {
  throw new Error(message);
};

describe("i386 boot: first fit from 1 MiB (GRUB 2's relocator placement)", () => {
  it('takes the lowest aligned gap that holds the chunk, around reserved ranges and earlier chunks', () => {
    const a = new FirstFit(8 * MiB, fail);
    a.reserve(MiB, MiB + 0x51); // .text
    a.reserve(MiB + 0x1054, MiB + 0x105c); // .bss
    expect(a.take(0x1a, 1, 'section')).toBe(MiB + 0x51);
    expect(a.take(0x80, 4, 'symtab')).toBe(MiB + 0x6c);
    expect(a.take(11, 4096, 'module')).toBe(MiB + 0x1000); // fits before the .bss
    expect(a.take(5000, 4096, 'module 2')).toBe(MiB + 0x2000);
    expect(a.take(0x100, 8, 'info')).toBe(MiB + 0xf0); // back in the first gap
  });

  it('a chunk that does not fit below the limit is one clear error', () => {
    const a = new FirstFit(2 * MiB, fail);
    a.reserve(MiB, 2 * MiB - 0x800);
    expect(() => a.take(0x1000, 4096, 'module big.bin')).toThrow('module big.bin: 4096 bytes do not fit in RAM from 1 MiB to 0x200000 beside the kernel and modules');
  });
});
