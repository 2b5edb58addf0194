import { describe, expect, it, vi } from 'vitest';
import { EAX, EBX, ECX } from '../../../plugins/arch-i386/src/cpu.js';
import { pagedMachine, runBody } from './paging-machine.js';

const LOAD = [0x8b, 0x03]; // mov (%ebx), %eax
const STORE_ECX = [0x89, 0x0b]; // mov %ecx, (%ebx)

describe('i386 memory path (paging off)', () => {
  it('loads, stores and fetches that hit RAM use the typed arrays, not the bus', () => {
    const m = pagedMachine();
    const read = vi.spyOn(m.bus, 'read'), write = vi.spyOn(m.bus, 'write');
    runBody(m, [...STORE_ECX, ...LOAD, 0x50], { [EBX]: 0x5000, [ECX]: 0x11223344 }); // ...; push %eax
    expect(m.cpu.getReg(EAX)).toBe(0x11223344);
    expect(m.view.getUint32(0x5000, true)).toBe(0x11223344);
    expect(m.view.getUint32(0x9000 - 4, true)).toBe(0x11223344);
    expect(read).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });

  it('unaligned and page-crossing accesses read and write the right bytes', () => {
    const m = pagedMachine();
    runBody(m, [...STORE_ECX, ...LOAD], { [EBX]: 0x5ffe, [ECX]: 0xa1b2c3d4 });
    expect(m.cpu.getReg(EAX)).toBe(0xa1b2c3d4);
    expect([...m.ram.u8.subarray(0x5ffe, 0x6002)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    runBody(m, [0x66, 0x89, 0x0b, 0x66, 0x8b, 0x03], { [EAX]: 0, [EBX]: 0x7001, [ECX]: 0xbeef }); // 16-bit, odd address
    expect(m.cpu.getReg(EAX)).toBe(0xbeef);
    expect(m.view.getUint16(0x7001, true)).toBe(0xbeef);
  });

  it('hole pages (and addresses past RAM) go through the bus to the device there', () => {
    const m = pagedMachine([[0xa0000, 0x60000]]);
    const seen: string[] = [];
    m.bus.map({
      name: 'vga', base: 0xb8000, size: 0x8000, index: 0,
      device: { name: 'vga', read: (off, size) => { seen.push(`r${off.toString(16)}/${size}`); return 0x0741; }, write: (off, size, v) => { seen.push(`w${off.toString(16)}/${size}=${v.toString(16)}`); } },
    });
    runBody(m, [...STORE_ECX, ...LOAD], { [EBX]: 0xb8010, [ECX]: 0x1234 });
    expect(seen).toEqual(['w10/4=1234', 'r10/4']);
    expect(m.cpu.getReg(EAX)).toBe(0x0741);
    expect(m.view.getUint32(0xb8010, true)).toBe(0); // the RAM under the hole is untouched
    runBody(m, LOAD, { [EBX]: 0x10000000 }); // nothing there: no host exception, no guest fault
    expect(m.cpu.lastException).toBeNull();
  });

  it('stores to a watched page reach the watcher (bus.ramStoreHook)', () => {
    const m = pagedMachine();
    const hits: Array<[number, number]> = [];
    m.bus.watch(0x6000, 4, (addr, size) => hits.push([addr, size]));
    runBody(m, [...STORE_ECX], { [EBX]: 0x6000, [ECX]: 7 });
    runBody(m, [...STORE_ECX], { [EBX]: 0x6800, [ECX]: 7 }); // same page, outside the watched bytes
    expect(hits).toEqual([[0x6000, 4]]);
  });

  it('stores to a page holding decoded code call the code-write listeners', () => {
    const m = pagedMachine();
    const pages: number[] = [];
    m.bus.onCodeWrite((p) => pages.push(p));
    m.bus.markCode(6);
    runBody(m, [...STORE_ECX], { [EBX]: 0x6ffe, [ECX]: 7 }); // crosses into page 7
    expect(pages).toEqual([6]);
  });
});
