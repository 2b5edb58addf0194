/**
 * A tiny AArch64 test machine from real core pieces: PhysicalBus over 2 MiB of RAM at 0 (as the
 * Pi's RAM starts at 0), a VirtualClock, an EventStream, an MMIO test device, and one A64Cpu.
 * Registers are read and written as bigints here (tests only; the CPU never uses BigInt).
 */
import type { IrqLine, SemihostingHost, TrapEvent } from '../../../src/core/api.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { A64Cpu } from '../../../plugins/arch-aarch64/src/cpu.js';
import { assemble } from '../../helpers/a64asm.js';
import { TestDevice } from '../arch-rv32/machine.js';
import { jitKit } from '../../../src/core/jit/index.js';

export const RAM_BASE = 0;
export const RAM_SIZE = 2 << 20;
export const CODE = 0x80000;
export const DATA = 0x100000;
export const MMIO_BASE = 0x3f000000;
/** VBAR_EL1/2/3 of the test machine: a table whose 16 entries are `b .`, so a taken exception parks there. */
export const VECTORS = 0x40000;
/** ERET (the shared encoder has no helper for it). */
export const ERET = 0xd69f03e0;
const B_SELF = 0x14000000;

export interface A64Machine {
  bus: PhysicalBus;
  clock: VirtualClock;
  events: EventStream;
  cpu: A64Cpu;
  dev: TestDevice;
  traps: TrapEvent[];
  powerOffs: Array<{ code: number; reason: string }>;
  load(insns: Array<number | number[]>, addr?: number): void;
  poke(addr: number, bytes: Uint8Array): void;
  w64(addr: number, v: bigint): void;
  r64(addr: number): bigint;
  r32(addr: number): number;
  run(n: number): number;
  /** X register (31 = SP) as an unsigned bigint. */
  x(i: number): bigint;
  set(i: number, v: bigint | number): void;
  /** NZCV as a 4-bit number (N = 8, Z = 4, C = 2, V = 1). */
  flags(): number;
}

/** A translating machine with wasm regions (whatever RVOS_JIT_WASM_A64 says): the rules tested are theirs. */
export function wasmMachine(): A64Machine {
  const wasmOff = process.env.RVOS_JIT_WASM_A64;
  delete process.env.RVOS_JIT_WASM_A64;
  const jit = makeMachine();
  if (wasmOff === undefined) delete process.env.RVOS_JIT_WASM_A64;
  else process.env.RVOS_JIT_WASM_A64 = wasmOff;
  if (jit.cpu.wasmCore === null) throw new Error('no wasm regions');
  return jit;
}

/** `output`, when given, is the CpuContext's (the generic timer's lines); without it they stay internal. */
export function makeMachine(props: Record<string, unknown> = {}, semihosting?: SemihostingHost, output?: (name: string) => IrqLine): A64Machine {
  const events = new EventStream();
  const ram = createRam(RAM_BASE, RAM_SIZE);
  const bus = new PhysicalBus(ram, events);
  const dev = new TestDevice();
  bus.map({ name: 'testdev', base: MMIO_BASE, size: 0x100, device: dev, index: 0 });
  const powerOffs: Array<{ code: number; reason: string }> = [];
  const clock = new VirtualClock();
  const cpu = new A64Cpu({ jit: jitKit, id: 0, bus, clock, events, output, machine: { powerOff: (code, reason) => powerOffs.push({ code, reason }), reset() {} }, props, semihosting });
  cpu.compileWork = 0; // translate at the thresholds alone (tests run few instructions)
  cpu.earlyWindow = 0; // a test that sets compileWork gets that wait (jit-hot.test.ts tests the early one)
  const traps: TrapEvent[] = [];
  events.on('trap', (t) => traps.push(t));
  for (let off = 0; off < 0x800; off += 0x80) ram.view.setUint32(VECTORS + off, B_SELF, true);
  for (let el = 1; el < 4; el++) cpu.vbar[2 * el] = VECTORS;
  const poke = (addr: number, bytes: Uint8Array) => {
    if (!bus.dmaWrite(addr, bytes)) throw new Error(`poke outside RAM at ${addr.toString(16)}`);
  };
  return {
    bus,
    clock,
    events,
    cpu,
    dev,
    traps,
    powerOffs,
    load(insns, addr = CODE) {
      poke(addr, assemble(insns));
      cpu.pc = addr;
    },
    poke,
    w64(addr, v) {
      ram.view.setBigUint64(addr - RAM_BASE, BigInt.asUintN(64, v), true);
      bus.ramStoreHook(addr, 8);
    },
    r64: (addr) => ram.view.getBigUint64(addr - RAM_BASE, true),
    r32: (addr) => ram.view.getUint32(addr - RAM_BASE, true),
    run(n) {
      let done = 0;
      while (done < n) {
        const k = cpu.run(n - done);
        done += k;
        if (k === 0) break;
      }
      return done;
    },
    x: (i) => cpu.getReg64(i),
    set(i, v) {
      const b = BigInt.asUintN(64, BigInt(v));
      cpu.setReg64(i, Number(b & 0xffffffffn) | 0, Number(b >> 32n) | 0);
    },
    flags: () => cpu.nzcv >>> 28,
  };
}

/** Loads `insns` at CODE, sets registers, runs exactly as many steps as there are instructions. */
export function exec(insns: Array<number | number[]>, regs: Record<number, bigint | number> = {}, props: Record<string, unknown> = {}): A64Machine {
  const m = makeMachine(props);
  m.load(insns);
  for (const [r, v] of Object.entries(regs)) m.set(Number(r), v);
  m.run(insns.flat().length);
  return m;
}

/** Runs one instruction with registers set; returns the machine. */
export const one = (insn: number, regs: Record<number, bigint | number> = {}) => exec([insn], regs);

export const U64 = (v: bigint) => BigInt.asUintN(64, v);
export const U32 = (v: bigint) => BigInt.asUintN(32, v);
