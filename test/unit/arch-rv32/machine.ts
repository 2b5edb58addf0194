/**
 * A tiny RV32 test machine built from real core pieces: PhysicalBus over 1 MiB of RAM at
 * 0x80000000, a VirtualClock, an EventStream, an optional MMIO test device, and one Rv32Cpu.
 */
import type { AccessSize, Device, Engine, TrapEvent } from '../../../src/core/api.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { Rv32Cpu } from '../../../plugins/arch-rv32/src/cpu.js';
import { assemble } from '../../helpers/rv32asm.js';
import { jitKit } from '../../../src/core/jit/index.js';

export const RAM_BASE = 0x80000000;
export const RAM_SIZE = 1 << 20;
export const MMIO_BASE = 0x10000000;

/** A device with one 32-bit scratch register per word, recording accesses. */
export class TestDevice implements Device {
  readonly name = 'testdev';
  readonly regs = new Uint32Array(64);
  readonly log: Array<{ write: boolean; offset: number; size: number; value: number }> = [];
  read(offset: number, size: AccessSize): number {
    const v = (this.regs[offset >>> 2] >>> ((offset & 3) * 8)) & (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1);
    this.log.push({ write: false, offset, size, value: v >>> 0 });
    return v >>> 0;
  }
  write(offset: number, size: AccessSize, value: number): void {
    this.log.push({ write: true, offset, size, value: value >>> 0 });
    if (size === 4) this.regs[offset >>> 2] = value;
    else {
      const shift = (offset & 3) * 8;
      const mask = ((size === 2 ? 0xffff : 0xff) << shift) >>> 0;
      this.regs[offset >>> 2] = (this.regs[offset >>> 2] & ~mask) | ((value << shift) & mask);
    }
  }
}

export interface TestMachine {
  bus: PhysicalBus;
  clock: VirtualClock;
  events: EventStream;
  cpu: Rv32Cpu;
  dev: TestDevice;
  traps: TrapEvent[];
  /** Writes instructions at `addr` (default: RAM base) and points the pc there. */
  load(insns: Array<number | number[]>, addr?: number): void;
  /** Writes bytes to RAM. */
  poke(addr: number, bytes: Uint8Array): void;
  w32(addr: number, value: number): void;
  r32(addr: number): number;
  /** Runs exactly `n` instruction steps (fewer if the hart waits). */
  run(n: number): number;
  reg(i: number): number;
}

/** `engine` as `rvos run --engine` gives it (absent: the board props decide, `jit` unless `props.jit` is false). */
export function makeMachine(props: Record<string, unknown> = {}, engine?: Engine, ramSize = RAM_SIZE): TestMachine {
  const events = new EventStream();
  const clock = new VirtualClock();
  const ram = createRam(RAM_BASE, ramSize);
  const bus = new PhysicalBus(ram, events);
  const dev = new TestDevice();
  bus.map({ name: 'testdev', base: MMIO_BASE, size: 0x100, device: dev, index: 0 });
  const cpu = new Rv32Cpu({ jit: jitKit, id: 0, engine, bus, clock, events, machine: { powerOff() {}, reset() {} }, props });
  // Unit tests' loops are short: compile at the arrival thresholds alone (jit-hot.test.ts tests the default).
  cpu.compileWork = 0;
  cpu.pagedCompileWork = 0;
  const traps: TrapEvent[] = [];
  events.on('trap', (t) => traps.push(t));
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
    load(insns, addr = RAM_BASE) {
      poke(addr, assemble(insns));
      cpu.pc = addr >>> 0;
    },
    poke,
    w32(addr, value) {
      ram.view.setUint32(addr - RAM_BASE, value >>> 0, true);
      bus.ramStoreHook(addr, 4);
    },
    r32(addr) {
      return ram.view.getUint32(addr - RAM_BASE, true);
    },
    run(n) {
      let done = 0;
      while (done < n) {
        const k = cpu.run(n - done);
        done += k;
        if (k === 0) break;
      }
      return done;
    },
    reg(i) {
      return cpu.getReg(i) >>> 0;
    },
  };
}

/**
 * Sets up a PMP entry granting S/U full access to all memory (like OpenSBI's last entry);
 * QEMU 7.2 (and rvos) deny S/U accesses that match no PMP entry.
 */
export function openPmp(m: TestMachine): void {
  m.cpu.pmp.writeAddr(15, 0xffffffff);
  m.cpu.pmp.writeCfg(3, 0x1f << 24); // entry 15: NAPOT | R | W | X
  m.cpu.flushTlbAll();
}

/**
 * Loads `insns` at RAM base, optionally prepares registers, and runs exactly as many steps as
 * there are instructions. Returns the machine for inspection.
 */
export function exec(insns: Array<number | number[]>, regs: Record<number, number> = {}, props: Record<string, unknown> = {}): TestMachine {
  const m = makeMachine(props);
  m.load(insns);
  for (const [r, v] of Object.entries(regs)) m.cpu.setReg(Number(r), v);
  m.run(insns.flat().length);
  return m;
}

/** A trap handler address used by tests: mtvec/stvec point here (an infinite loop `j .`). */
export const HANDLER = RAM_BASE + 0x8000;
export const S_HANDLER = RAM_BASE + 0x9000;

/** Installs `j .` loops at HANDLER and S_HANDLER and points mtvec/stvec at them. */
export function installHandlers(m: TestMachine): void {
  m.poke(HANDLER, assemble([0x0000006f]));
  m.poke(S_HANDLER, assemble([0x0000006f]));
  m.cpu.mtvec = HANDLER;
  m.cpu.stvec = S_HANDLER;
}
