import { describe, expect, it } from 'vitest';
import { checkElfArch, elfInfo, parseElf } from '../../../src/core/loaders/elf.js';
import { Symbolizer } from '../../../src/core/symbols.js';
import { makeElf } from '../../helpers/elf.js';

const code = new Uint8Array([0x13, 0, 0, 0, 0x6f, 0, 0, 0]);

describe('ELF loader', () => {
  it('reads PT_LOAD segments, entry and symbols of an ELF32', () => {
    const elf = makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: code, memsz: 0x100 }], symbols: { _start: 0x80000000, tohost: 0x80001000 } });
    const img = parseElf(elf, 'k.elf');
    expect(img.entry).toBe(0x80000000);
    expect(img.segments).toHaveLength(1);
    expect(img.segments[0].memsz).toBe(0x100);
    expect(Array.from(img.segments[0].data)).toEqual(Array.from(code));
    expect(img.symbols.get('tohost')).toBe(0x80001000);
    expect(elfInfo(img, 'k.elf')).toMatchObject({ low: 0x80000000, high: 0x80000100 });
  });

  it('reads ELF64 files', () => {
    const elf = makeElf({ elfClass: 2, machine: 183, entry: 0x80000, segments: [{ paddr: 0x80000, data: code }], symbols: { main: 0x80004 } });
    const img = parseElf(elf, 'k64.elf');
    expect(img).toMatchObject({ elfClass: 2, machine: 183, entry: 0x80000 });
    expect(img.symbols.get('main')).toBe(0x80004);
  });

  it('rejects non-ELF, truncated and wrong-arch files with the path named', () => {
    expect(() => parseElf(new Uint8Array([1, 2, 3, 4, 5]), 'x.bin')).toThrow('x.bin: not an ELF file');
    const elf = makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: new Uint8Array(64) }] });
    expect(() => parseElf(elf.subarray(0, 40), 't.elf')).toThrow('t.elf: truncated ELF header');
    expect(() => parseElf(elf.subarray(0, 100), 't.elf')).toThrow(/t\.elf: truncated file: segment 0/);
    const x86 = parseElf(makeElf({ machine: 3, entry: 0x100000, segments: [{ paddr: 0x100000, data: code }] }), 'x86.elf');
    expect(() => checkElfArch(x86, 'x86.elf', 243, 1, 'rv32')).toThrow(
      'x86.elf: ELF is for i386 (EM_386) 32-bit, but the board\'s architecture is rv32 (RISC-V 32-bit)',
    );
  });

  it('symbolizes addresses', () => {
    const img = parseElf(makeElf({ entry: 0, segments: [{ paddr: 0, data: code }], symbols: { start: 0x100, main: 0x200 } }), 'k');
    const s = new Symbolizer([elfInfo(img, 'k')]);
    expect(s.format(0x200)).toBe('<main>');
    expect(s.format(0x21c)).toBe('<main+0x1c>');
    expect(s.format(0x104)).toBe('<start+0x4>');
    expect(s.format(0x10)).toBe('');
  });
});
