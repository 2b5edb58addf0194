import { describe, expect, it, vi } from 'vitest';
import { ConsoleSymbolizer, describeAddress } from '../../../src/core/symbolize.js';
import { Symbolizer } from '../../../src/core/symbols.js';

const image = { entry: 0x80200000, low: 0x80200000, high: 0x80210000, path: 'k.elf', elf: true, symbols: new Map([['_start', 0x80200000], ['panic', 0x80200a20], ['main', 0x80201000]]) };
const symbols = new Symbolizer([image]);
const lookup = (addr: number) => describeAddress(symbols, [image], addr);

/** The RV32 plugin's keywords. */
const RV32 = ['sepc', 'mepc', 'pc', 'ra'];

/** Feeds `chunks` one after another and returns what came out. */
function run(chunks: string[], keywords: readonly string[] = RV32): string {
  let out = '';
  const f = new ConsoleSymbolizer(lookup, (b) => (out += Buffer.from(b).toString('latin1')), 50, keywords);
  for (const c of chunks) f.write(new Uint8Array(Buffer.from(c, 'latin1')));
  f.flush();
  return out;
}

describe('console symbolizer', () => {
  it('describes addresses inside a loaded image only', () => {
    expect(lookup(0x80200a3c)).toBe('panic+0x1c');
    expect(lookup(0x80200000)).toBe('_start+0x0');
    expect(lookup(0x80300000)).toBeUndefined();
    expect(lookup(0x1000)).toBeUndefined();
  });

  it('appends <function+offset> after sepc=, mepc=, pc= and ra= values', () => {
    expect(run(['panic: sepc=0x80200a3c stval=0x0\n'])).toBe('panic: sepc=0x80200a3c <panic+0x1c> stval=0x0\n');
    expect(run(['mepc=0x80201004 ra=0x80200004, pc=0x80200a20\n'])).toBe('mepc=0x80201004 <main+0x4> ra=0x80200004 <_start+0x4>, pc=0x80200a20 <panic+0x0>\n');
    expect(run(['PC=0x80200a3c epc=0x80200a3c xpc=0x80200a3c sepc=0x1000 pc=0xzz\n'])).toBe('PC=0x80200a3c epc=0x80200a3c xpc=0x80200a3c sepc=0x1000 pc=0xzz\n');
  });

  it("uses the architecture's keywords (pc alone by default)", () => {
    expect(run(['ELR_EL1=0x80200a3c FAR_EL1=0x0 sepc=0x80200a3c\n'], ['ELR_EL1', 'pc'])).toBe('ELR_EL1=0x80200a3c <panic+0x1c> FAR_EL1=0x0 sepc=0x80200a3c\n');
    expect(run([...'x ELR_EL1=0x80201000\n'], ['ELR_EL1'])).toBe('x ELR_EL1=0x80201000 <main+0x0>\n');
    expect(run(['sepc=0x80200a3c pc=0x80200a3c\n'], [])).toBe('sepc=0x80200a3c pc=0x80200a3c <panic+0x1c>\n');
  });

  it('finds values split across writes, byte by byte too', () => {
    const text = 'trap: sepc=0x80200a3c ra=0x80201000\n';
    const want = 'trap: sepc=0x80200a3c <panic+0x1c> ra=0x80201000 <main+0x0>\n';
    expect(run([...text])).toBe(want);
    expect(run(['trap: se', 'pc=0x8020', '0a3c', ' ra=0x80201000\n'])).toBe(want);
    expect(run(['x', 'pc=0x80200a3c\n'])).toBe('xpc=0x80200a3c\n');
  });

  it('leaves every other byte alone, in order', () => {
    const bytes = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    expect(run([bytes, bytes])).toBe(bytes + bytes);
  });

  it('does not hold back output that cannot be an address (prompts appear at once)', () => {
    const out: string[] = [];
    const f = new ConsoleSymbolizer(lookup, (b) => out.push(Buffer.from(b).toString('latin1')), 50, RV32);
    f.write(new Uint8Array(Buffer.from('$ ')));
    expect(out.join('')).toBe('$ ');
    f.write(new Uint8Array(Buffer.from('echo p')));
    expect(out.join('')).toBe('$ echo ');
  });

  it('passes on a value at the end of the output after a short wait, annotated', async () => {
    vi.useFakeTimers();
    try {
      const out: string[] = [];
      const f = new ConsoleSymbolizer(lookup, (b) => out.push(Buffer.from(b).toString('latin1')), 50);
      f.write(new Uint8Array(Buffer.from('at pc=0x80200a3c')));
      expect(out.join('')).toBe('at ');
      vi.advanceTimersByTime(60);
      expect(out.join('')).toBe('at pc=0x80200a3c <panic+0x1c>');
    } finally {
      vi.useRealTimers();
    }
  });
});
