/**
 * A flat 32-bit i386 test machine for the memory path and paging: 8 MiB of RAM (optional holes),
 * CS/DS/ES/SS flat with base 0 from a GDT (ring 0 and ring 3 segments, a TSS whose ring-0 stack
 * is at KSTACK), an IDT whose exception gates all lead to a HLT at HANDLER (so a fault is taken,
 * recorded in `lastException` and stops the run), and helpers to build page tables and enter
 * paging through MOV CRn. Encodings checked with `llvm-mc -triple=i386 -show-encoding`.
 */
import type { Engine } from '../../../src/core/api.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { CS, DS, ES, ESP, FS, GS, I386Cpu, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { jitKit } from '../../../src/core/jit/index.js';

export const PD = 0x10000; // page directory
export const PT0 = 0x11000; // maps 0-4 MiB identity (P, R/W, U/S)
export const PT1 = 0x12000; // for 4-8 MiB, empty until a test maps something
export const BODY = 0x2000; // test code
export const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
export const HLT = 0xf4;
export const GDT = 0x500, IDT = 0x800, TSS = 0x1000, HANDLER = 0x1800, KSTACK = 0x7000;
export const KCODE = 0x08, KDATA = 0x10, UCODE = 0x1b, UDATA = 0x23, TSS_SEL = 0x28;

/** A segment descriptor (SDM vol. 3, 3.4.5): flat 4 GiB with G and D/B unless `flags` says otherwise. */
function descriptor(base: number, limit: number, access: number, flags = 0xc): bigint {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = ((base >>> 16) & 0xff) | (access << 8) | (limit & 0xf0000) | (flags << 20) | (base & 0xff000000);
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function pagedMachine(holes: Array<[number, number]> = [], engine?: Engine) {
  const events = new EventStream();
  const ram = createRam(0, 8 << 20);
  const bus = new PhysicalBus(ram, events, holes);
  const cpu = new I386Cpu({ jit: jitKit, engine, id: 0, bus, clock: new VirtualClock(), events, machine: { powerOff() {}, reset() {} }, props: {} });
  const view = ram.view;
  view.setBigUint64(GDT + KCODE, descriptor(0, 0xfffff, 0x9a), true);
  view.setBigUint64(GDT + KDATA, descriptor(0, 0xfffff, 0x92), true);
  view.setBigUint64(GDT + (UCODE & ~3), descriptor(0, 0xfffff, 0xfa), true);
  view.setBigUint64(GDT + (UDATA & ~3), descriptor(0, 0xfffff, 0xf2), true);
  view.setBigUint64(GDT + TSS_SEL, descriptor(TSS, 0x67, 0x89, 0), true);
  view.setUint32(TSS + 4, KSTACK, true); // esp0
  view.setUint16(TSS + 8, KDATA, true); // ss0
  for (let v = 0; v < 32; v++) { // 32-bit interrupt gates to HANDLER, DPL 0
    view.setUint32(IDT + v * 8, (KCODE << 16) | (HANDLER & 0xffff), true);
    view.setUint32(IDT + v * 8 + 4, (HANDLER & 0xffff0000) | 0x8e00, true);
  }
  view.setUint8(HANDLER, HLT);
  cpu.cr0 = 0x60000011; // PE; real-mode code is not what these tests are about
  cpu.gdtBase = GDT; cpu.gdtLimit = 0x2f; cpu.idtBase = IDT; cpu.idtLimit = 32 * 8 - 1;
  cpu.trSel = TSS_SEL; cpu.trBase = TSS; cpu.trLimit = 0x67; cpu.trType = 0xb;
  cpu.loadSegProtected(CS, KCODE);
  for (const s of [DS, ES, FS, GS, SS]) cpu.loadSegProtected(s, KDATA);
  cpu.regs[ESP] = 0x9000;
  view.setUint32(PD, PT0 | P | RW | US, true);
  view.setUint32(PD + 4, PT1 | P | RW | US, true);
  for (let i = 0; i < 1024; i++) view.setUint32(PT0 + i * 4, (i << 12) | P | RW | US, true);
  return { bus, ram, cpu, view };
}
export type PagedMachine = ReturnType<typeof pagedMachine>;

/**
 * Runs at CPL 3 (user code and data segments), as after an IRET to ring 3. The HLT that `runBody`
 * appends is #GP there, which also ends the run (in the handler, at CPL 0): call it before each run.
 */
export function toUser(m: PagedMachine): void {
  m.cpu.loadSegProtected(CS, UCODE);
  for (const s of [DS, ES, SS]) m.cpu.loadSegProtected(s, UDATA);
}

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
