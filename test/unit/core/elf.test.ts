import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
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

  it('reads symbol names as UTF-8 up to their NUL (decoded in place from the string table)', () => {
    const symbols = { _start: 0x80000000, 'café_init': 0x80000010, a: 0x80000020, [`long_${'x'.repeat(200)}`]: 0x80000030 };
    const img = parseElf(makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: code }], symbols }), 'k.elf');
    expect(Object.fromEntries(img.symbols)).toEqual(symbols);
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

  it('refuses entry sizes smaller than the headers read, naming the field', () => {
    const elf = makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: code }, { paddr: 0x80001000, data: code }], symbols: { a: 1 } });
    const small = (off: number, value: number) => {
      const b = Buffer.from(elf);
      b.writeUInt16LE(value, off);
      return new Uint8Array(b);
    };
    expect(() => parseElf(small(42, 4), 'p.elf')).toThrow('p.elf: e_phentsize 4 is smaller than a program header (32 bytes)');
    expect(() => parseElf(small(46, 8), 's.elf')).toThrow('s.elf: e_shentsize 8 is smaller than a section header (40 bytes)');
    const e64 = Buffer.from(makeElf({ elfClass: 2, entry: 0x1000, segments: [{ paddr: 0x1000, data: code }] }));
    e64.writeUInt16LE(32, 54);
    expect(() => parseElf(new Uint8Array(e64), 'p64.elf')).toThrow('p64.elf: e_phentsize 32 is smaller than a program header (56 bytes)');
  });

  it('refuses counts and offsets past the end, overlapping segments and segments larger than RAM', () => {
    const elf = Buffer.from(makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: code }, { paddr: 0x80000004, data: code }] }));
    expect(() => parseElf(new Uint8Array(elf), 'o.elf')).toThrow(/o\.elf: segments 0 and 1 overlap/);
    const many = Buffer.from(makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: code }] }));
    many.writeUInt16LE(0xffff, 44); // e_phnum
    expect(() => parseElf(new Uint8Array(many), 'n.elf')).toThrow(/n\.elf: truncated file: program headers/);
    const big = makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: code, memsz: 0x7fff0000 }] });
    expect(() => parseElf(big, 'b.elf', { loadLimit: { bytes: 128 << 20, why: 'the RAM it must fit in (128 MiB)' } })).toThrow(
      'b.elf: loadable segments of 2147418112 bytes, larger than the RAM it must fit in (128 MiB)',
    );
  });

  it('never throws anything but a UserError on a truncated or corrupted file (fuzz)', () => {
    const real = new Uint8Array(readFileSync(join(import.meta.dirname, '../../../kernels/tests/build/hello.elf')));
    const made = makeElf({ elfClass: 2, machine: 183, entry: 0x80000, segments: [{ paddr: 0x80000, data: code }], symbols: { main: 0x80004 } });
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const tryParse = (bytes: Uint8Array) => {
      try {
        parseElf(bytes, 'f.elf', { loadLimit: { bytes: 128 << 20, why: 'RAM' } });
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`${(e as Error).name}: ${(e as Error).message}`);
        expect((e as Error).message).toMatch(/^f\.elf: /);
      }
    };
    for (const elf of [real, made]) {
      // Truncation at every offset of the headers, and at steps through the rest.
      for (let len = 0; len < elf.length; len += len < 256 ? 1 : 97) tryParse(elf.subarray(0, len));
      // Single header fields set to extreme values, and random byte corruption anywhere.
      for (let off = 0; off < 64; off++) {
        for (const value of [0, 1, 0x7f, 0xff]) {
          const b = elf.slice();
          b[off] = value;
          tryParse(b);
        }
      }
      // Header fields (ELF32 offsets) set to small counts, small entry sizes and offsets near the end.
      if (elf[4] === 1) {
        const fields: Array<[number, 2 | 4]> = [[28, 4], [32, 4], [42, 2], [44, 2], [46, 2], [48, 2]];
        const values = [0, 1, 2, 4, 8, 16, 0xffff, elf.length - 1, elf.length - 8, elf.length - 40, 0xffffffff];
        for (const [off, width] of fields) {
          for (const [off2, width2] of fields) {
            for (const value of values) {
              for (const value2 of [1, 4, elf.length - 16]) {
                const b = Buffer.from(elf);
                const put = (o: number, w: number, x: number) => (w === 2 ? b.writeUInt16LE(x & 0xffff, o) : b.writeUInt32LE(x >>> 0, o));
                put(off, width, value);
                if (off2 !== off) put(off2, width2, value2);
                tryParse(new Uint8Array(b));
              }
            }
          }
        }
      }
      for (let n = 0; n < 2000; n++) {
        const b = elf.slice();
        for (let k = 0; k < 4; k++) b[Math.floor(random() * Math.min(b.length, n % 2 ? 256 : b.length))] = Math.floor(random() * 256);
        tryParse(b);
      }
    }
  });
});
