/**
 * A flat 32-bit i386 test machine for the memory path and paging: 8 MiB of RAM (optional holes),
 * CS/DS/ES/SS flat with base 0, and helpers to build page tables and enter paging through MOV CRn.
 * Encodings checked with `llvm-mc -triple=i386 -show-encoding`.
 */
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { CS, DS, ES, ESP, FS, GS, I386Cpu, SS } from '../../../plugins/arch-i386/src/cpu.js';

export const PD = 0x10000; // page directory
export const PT0 = 0x11000; // maps 0-4 MiB identity (P, R/W, U/S)
export const PT1 = 0x12000; // for 4-8 MiB, empty until a test maps something
export const BODY = 0x2000; // test code
export const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
export const HLT = 0xf4;

export function pagedMachine(holes: Array<[number, number]> = []) {
  const events = new EventStream();
  const ram = createRam(0, 8 << 20);
  const bus = new PhysicalBus(ram, events, holes);
  const cpu = new I386Cpu({ id: 0, bus, clock: new VirtualClock(), events, machine: { powerOff() {}, reset() {} }, props: {} });
  cpu.cr0 = 0x60000011; // PE; real-mode code is not what these tests are about
  for (const s of [CS, DS, ES, FS, GS, SS]) { cpu.sel[s] = s === CS ? 8 : 0x10; cpu.segBase[s] = 0; cpu.segLimit[s] = 0xffffffff; cpu.segBig[s] = 1; }
  cpu.regs[ESP] = 0x9000;
  const view = ram.view;
  view.setUint32(PD, PT0 | P | RW | US, true);
  view.setUint32(PD + 4, PT1 | P | RW | US, true);
  for (let i = 0; i < 1024; i++) view.setUint32(PT0 + i * 4, (i << 12) | P | RW | US, true);
  return { bus, ram, cpu, view };
}
export type PagedMachine = ReturnType<typeof pagedMachine>;

/** Runs `code` (HLT appended) at BODY with registers preset (EAX.. by index) until HLT or 200 steps. */
export function runBody(m: PagedMachine, code: number[], regs: Record<number, number> = {}): void {
  m.bus.dmaWrite(BODY, Uint8Array.from([...code, HLT]));
  for (const [i, v] of Object.entries(regs)) m.cpu.regs[Number(i)] = v;
  m.cpu.pc = BODY;
  m.cpu.run(200);
}

/** MOV %eax,%cr4; MOV %ebx,%cr3; MOV %ecx,%cr0 with CR0 = PE | PG (| WP). */
export function enterPaging(m: PagedMachine, opts: { cr4?: number; wp?: boolean; cr3?: number } = {}): void {
  runBody(m, [0x0f, 0x22, 0xe0, 0x0f, 0x22, 0xdb, 0x0f, 0x22, 0xc1], {
    0: opts.cr4 ?? 0, 3: opts.cr3 ?? PD, 1: (0xe0000011 | (opts.wp ? 0x10000 : 0)) >>> 0,
  });
}

/** Sets the PTE of linear page `linear` (in the first 8 MiB). */
export function mapPage(m: PagedMachine, linear: number, entry: number): void {
  m.view.setUint32((linear < 0x400000 ? PT0 : PT1) + ((linear >>> 12) & 1023) * 4, entry >>> 0, true);
}
export function pte(m: PagedMachine, linear: number): number {
  return m.view.getUint32((linear < 0x400000 ? PT0 : PT1) + ((linear >>> 12) & 1023) * 4, true);
}
