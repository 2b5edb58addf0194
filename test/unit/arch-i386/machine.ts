/**
 * A tiny i386 test machine: PhysicalBus over 1 MiB of RAM at 0, a recording I/O port space, an
 * INTR acknowledge that answers `m.vector`, and one I386Cpu in real mode.
 * Programs are byte arrays (encodings checked with `llvm-mc -triple=i386 -show-encoding`, .code16/.code32).
 */
import type { AccessSize, PortSpace } from '../../../src/core/api.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { CS, DS, ES, ESP, FS, GS, I386Cpu, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { loadCache, readDescriptor } from '../../../plugins/arch-i386/src/descriptors.js';
import { jitKit } from '../../../src/core/jit/index.js';

export const CODE_SEG = 0x1000; // code at linear 0x10000
export const HLT = 0xf4;

/** Ports read from `values` (else all ones); every write is logged. */
export class TestPorts implements PortSpace {
  readonly values = new Map<number, number>();
  readonly writes: [number, number, number][] = [];
  onWrite: ((port: number, value: number) => void) | undefined;
  read(port: number, size: AccessSize): number { return this.values.get(port) ?? (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1); }
  write(port: number, size: AccessSize, value: number): void { this.writes.push([port, size, value]); this.onWrite?.(port, value); }
}

export function makeMachine(options: { noPorts?: boolean } = {}) {
  const events = new EventStream();
  const ram = createRam(0, 1 << 20);
  const bus = new PhysicalBus(ram, events);
  const ports = new TestPorts();
  const resets: string[] = [];
  /** The INTA answer; `lower` drops INTR on acknowledge, as an edge-triggered 8259A request would. */
  const acks = { vector: -1, count: 0, lower: true };
  const clock = new VirtualClock();
  const cpu = new I386Cpu({
    jit: jitKit,
    id: 0, bus, clock, events, machine: { powerOff() {}, reset(reason: string) { resets.push(reason); } }, props: {},
    io: options.noPorts ? undefined : ports,
    acknowledge: () => { acks.count++; if (acks.lower) cpu.intr.set(false); return acks.vector; },
  });
  return { bus, ram, cpu, ports, resets, acks, clock };
}
export type TestMachine = ReturnType<typeof makeMachine>;

/** Runs `code` at 1000:0000 with SS:SP = 0000:8000 until HLT (or 1000 steps); `regs` preset EAX.. by index. */
export function run16(code: number[], regs: Record<number, number> = {}, prepare?: (m: TestMachine) => void) {
  const m = makeMachine();
  m.bus.dmaWrite(CODE_SEG << 4, Uint8Array.from([...code, HLT]));
  m.cpu.loadSegReal(CS, CODE_SEG);
  m.cpu.eip = 0;
  m.cpu.loadSegReal(SS, 0);
  m.cpu.regs[ESP] = 0x8000;
  for (const [i, v] of Object.entries(regs)) m.cpu.regs[Number(i)] = v;
  prepare?.(m);
  m.cpu.run(1000);
  return m;
}

// --- a protected-mode test world ---------------------------------------------------------------

export const GDT = 0x500, IDT = 0x1000, TSS = 0x3000, LDT = 0x3800, KSTACK = 0x9000, USTACK = 0x7000, PCODE = 0x10000;
/** Selectors of the test GDT. */
export const KCODE = 0x08, KDATA = 0x10, UCODE = 0x1b, UDATA = 0x23, TSS_SEL = 0x28, LDT_SEL = 0x30,
  KCODE16 = 0x38, ABSENT_DATA = 0x40, CALL_GATE = 0x48 | 3, KDATA_LOW = 0x50;

export function descriptor(base: number, limit: number, access: number, flags = 0xc): bigint {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = ((base >>> 16) & 0xff) | (access << 8) | (limit & 0xf0000) | (flags << 20) | (base & 0xff000000);
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
export function gateDescriptor(selector: number, offset: number, type: number, dpl = 0, params = 0): bigint {
  const lo = (selector << 16) | (offset & 0xffff);
  const hi = (offset & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8) | params;
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
export function setGate(m: TestMachine, vector: number, offset: number, type = 0xe, dpl = 0, selector = KCODE): void {
  m.ram.view.setBigUint64(IDT + vector * 8, gateDescriptor(selector, offset, type, dpl), true);
}

/**
 * Flat 32-bit protected mode at CPL 0: the GDT above (ring 0 and ring 3 flat code/data, a 32-bit
 * TSS with esp0 = KSTACK and an I/O bitmap allowing ports 0x80-0x87, an LDT, a 16-bit code segment,
 * a not-present data segment, a ring-3 call gate to `gateTarget`), an empty IDT, code at PCODE.
 */
export function protectedMachine(code: number[], prepare?: (m: TestMachine) => void, gateTarget = 0x20000) {
  const m = makeMachine();
  const v = m.ram.view;
  v.setBigUint64(GDT + KCODE, descriptor(0, 0xfffff, 0x9a), true);
  v.setBigUint64(GDT + KDATA, descriptor(0, 0xfffff, 0x92), true);
  v.setBigUint64(GDT + (UCODE & ~3), descriptor(0, 0xfffff, 0xfa), true);
  v.setBigUint64(GDT + (UDATA & ~3), descriptor(0, 0xfffff, 0xf2), true);
  v.setBigUint64(GDT + TSS_SEL, descriptor(TSS, 0x68 + 0x20, 0x89, 0), true);
  v.setBigUint64(GDT + LDT_SEL, descriptor(LDT, 0xf, 0x82, 0), true);
  v.setBigUint64(GDT + KCODE16, descriptor(0, 0xffff, 0x9a, 0), true);
  v.setBigUint64(GDT + ABSENT_DATA, descriptor(0, 0xfffff, 0x12), true);
  v.setBigUint64(GDT + (CALL_GATE & ~3), gateDescriptor(KCODE, gateTarget, 0xc, 3, 1), true);
  v.setBigUint64(GDT + KDATA_LOW, descriptor(0x4000, 0xfff, 0x92, 4), true);
  v.setBigUint64(LDT + 8, descriptor(0x8000, 0xffff, 0xf2, 4), true); // LDT selector 0x0f: ring-3 data based at 0x8000
  v.setUint32(TSS + 4, KSTACK, true);
  v.setUint16(TSS + 8, KDATA, true);
  v.setUint16(TSS + 0x66, 0x68, true); // I/O bitmap right after the TSS: all ports denied but 0x80-0x87
  for (let i = 0; i < 0x20; i++) v.setUint8(TSS + 0x68 + i, i === 0x10 ? 0x00 : 0xff);
  m.bus.dmaWrite(PCODE, Uint8Array.from([...code, HLT]));
  const cpu = m.cpu;
  cpu.gdtBase = GDT; cpu.gdtLimit = 0x57;
  cpu.idtBase = IDT; cpu.idtLimit = 0x7ff;
  cpu.cr0 |= 1;
  const load = (seg: number, sel: number) => { readDescriptor(cpu, sel); loadCache(cpu, seg, sel, cpu.descLo, cpu.descHi); };
  load(CS, KCODE);
  for (const s of [SS, DS, ES, FS, GS]) load(s, KDATA);
  cpu.trSel = TSS_SEL; cpu.trBase = TSS; cpu.trLimit = 0x88; cpu.trType = 0xb;
  cpu.eip = PCODE;
  cpu.regs[ESP] = 0x8000;
  prepare?.(m);
  return m;
}

/** Switches the machine's CPU to ring 3 (flat user code and data, ESP = USTACK), as after an IRET. */
export function toRing3(m: TestMachine): void {
  const cpu = m.cpu;
  const load = (seg: number, sel: number) => { readDescriptor(cpu, sel); loadCache(cpu, seg, sel, cpu.descLo, cpu.descHi); };
  load(CS, UCODE);
  for (const s of [SS, DS, ES, FS, GS]) load(s, UDATA);
  cpu.cpl = 3;
  cpu.regs[ESP] = USTACK;
}

export const TSS2 = 0x3400, TSS2_SEL = 0x58, TASK_CODE = 0x20200;

/** A second 32-bit TSS (selector 0x58) whose task starts at TASK_CODE with ESP 0x6000; the current TSS marked busy. */
export function secondTask(m: TestMachine, code: number[]): void {
  const v = m.ram.view;
  v.setBigUint64(GDT + TSS_SEL, descriptor(TSS, 0x68 + 0x20, 0x8b, 0), true);
  v.setBigUint64(GDT + TSS2_SEL, descriptor(TSS2, 0x67, 0x89, 0), true);
  m.cpu.gdtLimit = 0x5f;
  v.setUint32(TSS2 + 0x20, TASK_CODE, true);
  v.setUint32(TSS2 + 0x24, 2, true);
  v.setUint32(TSS2 + 0x38, 0x6000, true);
  for (let s = 0; s < 6; s++) v.setUint16(TSS2 + 0x48 + 4 * s, s === CS ? KCODE : KDATA, true);
  m.bus.dmaWrite(TASK_CODE, Uint8Array.from(code));
}
