import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../../src/core/address.js';
import { describeAddress, ConsoleSymbolizer } from '../../../src/core/symbolize.js';
import { Symbolizer } from '../../../src/core/symbols.js';
import { elfInfo, parseElf } from '../../../src/core/loaders/elf.js';
import { bytesSource } from '../../../src/core/input-file.js';
import { makeElf } from '../../helpers/elf.js';

/** 64-bit virtual addresses at the edges: signed numbers, exact for canonical addresses. */
describe('64-bit addresses at the API edges', () => {
  const signed = (x: bigint) => Number(BigInt.asIntN(64, x));
  const HIGH = signed(0xffff000000081234n);

  it('parses and formats 64-bit hexadecimal addresses exactly', () => {
    expect(parseAddress('ffff000000081234')).toBe(HIGH);
    expect(formatAddress(HIGH)).toBe('ffff000000081234');
    expect(parseAddress('80200a3c')).toBe(0x80200a3c);
    expect(formatAddress(0x80200a3c)).toBe('80200a3c');
    expect(parseAddress('0000ffffffffffff')).toBe(0xffffffffffff);
    expect(parseAddress('8000000000000000')).toBeNaN(); // not canonical: not exact as a double
  });

  it('reads a high-half ELF64 kernel: signed entry, symbols and virtual range; the console symbolizes ELR_EL1', () => {
    const vbase = signed(0xffff000000080000n); // loaded at physical 0x80000
    const elf = makeElf({
      elfClass: 2,
      machine: 183,
      entry: vbase,
      segments: [{ paddr: 0x80000, vaddr: vbase, data: new Uint8Array(0x2000) }],
      symbols: { _start: vbase, el1_sync: HIGH },
    });
    const info = elfInfo(parseElf(bytesSource(elf, 'k.elf'), 'k.elf', {}), 'k.elf');
    expect(info).toMatchObject({ entry: vbase, low: 0x80000, high: 0x82000, vlow: vbase, vhigh: vbase + 0x2000 });
    expect(info.symbols.get('el1_sync')).toBe(HIGH);
    const symbols = new Symbolizer([info]);
    expect(describeAddress(symbols, [info], HIGH + 0xc)).toBe('el1_sync+0xc');
    let out = '';
    const f = new ConsoleSymbolizer((a) => describeAddress(symbols, [info], a), (b) => (out += Buffer.from(b).toString('latin1')), 50, ['ELR_EL1']);
    f.write(new Uint8Array(Buffer.from('ELR_EL1=0xffff000000081240\n')));
    expect(out).toBe('ELR_EL1=0xffff000000081240 <el1_sync+0xc>\n');
  });
});
