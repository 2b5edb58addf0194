/**
 * Micro-benchmark of the RV32 hart: a loop of ALU operations, loads, stores and a branch (plus a
 * compressed variant), run on a bare hart in M-mode and in S-mode under Sv32, with the block
 * compiler (default) and with the interpreter alone (cpu.jit = false).
 *
 *   node --import tsx plugins/arch-rv32/bench-loop.ts [million-instructions]
 *
 * RVOS_BENCH_MODE=interp (or jit) runs only that half.
 */
import { createRam, PhysicalBus } from '../../src/core/bus.js';
import { VirtualClock } from '../../src/core/clock.js';
import { EventStream } from '../../src/core/events.js';
import * as A from '../../test/helpers/rv32asm.js';
import { Rv32Cpu } from './src/cpu.js';
import { jitKit } from '../../src/core/jit/index.js';

const RAM_BASE = 0x80000000;

function machine(jit: boolean): { cpu: Rv32Cpu; bus: PhysicalBus } {
  const events = new EventStream();
  const bus = new PhysicalBus(createRam(RAM_BASE, 16 << 20), events);
  const cpu = new Rv32Cpu({ jit: jitKit, id: 0, bus, clock: new VirtualClock(), events, machine: { powerOff() {}, reset() {} }, props: { jit } });
  return { cpu, bus };
}

/** 12-instruction loop body: 3 loads, 2 stores, 6 ALU ops, 1 branch. */
function loop32(): Array<number | number[]> {
  const { s0, s1, t0, t1, a0, a1, a2, a3 } = A;
  return [
    A.li(s0, RAM_BASE + 0x100000),
    A.lui(s1, 0x7ffff), // effectively endless
    A.addi(a0, 0, 0),
    // loop:
    A.lw(t0, s0, 0),
    A.addi(t0, t0, 1),
    A.sw(t0, s0, 0),
    A.add(a0, a0, t0),
    A.xor(a1, a0, s1),
    A.slli(a2, a1, 3),
    A.srli(a3, a2, 2),
    A.lw(t1, s0, 4),
    A.add(t1, t1, a3),
    A.sw(t1, s0, 4),
    A.addi(s1, s1, -1),
    A.bne(s1, 0, -44),
  ];
}

/** The same loop with compressed instructions where they exist. */
function loop16(): Array<number | number[]> {
  const { s0, s1, a0, a1, a2, a3, a4, a5 } = A;
  return [
    A.li(s0, RAM_BASE + 0x100000),
    A.lui(s1, 0x7ffff),
    A.c_li(a0, 0),
    // loop: (a4/a5 stand in for t0/t1 so that c.lw/c.sw can address them)
    A.c_lw(a4, s0, 0),
    A.c_addi(a4, 1),
    A.c_sw(a4, s0, 0),
    A.c_add(a0, a4),
    A.xor(a1, a0, s1),
    A.slli(a2, a1, 3),
    A.srli(a3, a2, 2),
    A.c_lw(a5, s0, 4),
    A.c_add(a5, a3),
    A.c_sw(a5, s0, 4),
    A.c_addi(s1, -1),
    A.c_bnez(s1, -28),
  ];
}

function bench(name: string, setup: (cpu: Rv32Cpu, bus: PhysicalBus) => void, total: number, jit = true): number {
  const { cpu, bus } = machine(jit);
  setup(cpu, bus);
  const slice = 65536;
  // Warm up so that V8 has optimised the interpreter before timing.
  for (let i = 0; i < 200; i++) cpu.run(slice);
  const start = performance.now();
  let done = 0;
  while (done < total) done += cpu.run(slice);
  const ms = performance.now() - start;
  const mips = done / ms / 1000;
  console.log(`${(name + (jit ? '' : ', interpreter only')).padEnd(52)} ${(done / 1e6).toFixed(0)}M instructions in ${ms.toFixed(0)} ms: ${mips.toFixed(1)} MIPS`);
  return mips;
}

function place(bus: PhysicalBus, cpu: Rv32Cpu, insns: Array<number | number[]>, addr: number): void {
  bus.dmaWrite(addr, A.assemble(insns));
  cpu.pc = addr;
}

/** Sv32 identity megapage map of RAM for S-mode (root table at RAM_BASE + 0x200000). */
function enterSv32(cpu: Rv32Cpu, bus: PhysicalBus): void {
  const root = RAM_BASE + 0x200000;
  const pte = new Uint8Array(4);
  const entry = (((RAM_BASE >>> 12) << 10) | 0xcf) >>> 0; // V R W X A D, megapage
  new DataView(pte.buffer).setUint32(0, entry, true);
  bus.dmaWrite(root + (RAM_BASE >>> 22) * 4, pte);
  cpu.pmp.writeAddr(0, 0xffffffff);
  cpu.pmp.writeCfg(0, 0x1f);
  cpu.satp = (0x80000000 | (root >>> 12)) >>> 0;
  cpu.setPrivilege(1);
  cpu.flushTlbAll();
}

const total = Number(process.argv[2] ?? 200) * 1e6;
const results: number[] = [];
const mode = process.env.RVOS_BENCH_MODE;
const modes = mode === 'interp' ? [false] : mode === 'jit' ? [true] : [true, false];
for (const jit of modes) {
  results.push(
    bench('ALU+load/store+branch (M)', (cpu, bus) => place(bus, cpu, loop32(), RAM_BASE), total, jit),
    bench('compressed loop (M)', (cpu, bus) => place(bus, cpu, loop16(), RAM_BASE), total, jit),
    bench(
      'ALU+load/store+branch (S, Sv32)',
      (cpu, bus) => {
        place(bus, cpu, loop32(), RAM_BASE);
        enterSv32(cpu, bus);
      },
      total,
      jit,
    ),
  );
}
console.log(`min ${Math.min(...results).toFixed(1)} MIPS`);
