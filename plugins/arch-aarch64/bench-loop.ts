/**
 * Micro-benchmark of the AArch64 interpreter: a loop of ALU operations, loads, stores and a
 * branch on a bare core at EL3, with the MMU off and then on (identity map: 4 KiB pages for the
 * first 2 MiB, where code, data and stack are, 2 MiB blocks above), so every load, store and
 * page change goes through the TLB.
 *
 *   node --import tsx plugins/arch-aarch64/bench-loop.ts [million-instructions]
 */
import { createRam, PhysicalBus } from '../../src/core/bus.js';
import { VirtualClock } from '../../src/core/clock.js';
import { EventStream } from '../../src/core/events.js';
import * as A from '../../test/helpers/a64asm.js';
import { A64Cpu } from './src/cpu.js';
import { writeElRegister } from './src/el-registers.js';
import { SYSREG_TCR_EL3, SYSREG_TTBR0_EL3, writeMmuRegister } from './src/mmu-sys.js';
import { SYSREG_SCTLR_EL3, SCTLR_EL23_RESET } from './src/sysregs.js';
import { jitKit } from '../../src/core/jit/index.js';

const CODE = 0x80000;
const DATA = 0x100000;

function machine(): { cpu: A64Cpu; bus: PhysicalBus } {
  const events = new EventStream();
  const bus = new PhysicalBus(createRam(0, 16 << 20), events);
  const cpu = new A64Cpu({ jit: jitKit, id: 0, bus, clock: new VirtualClock(), events, machine: { powerOff() {}, reset() {} }, props: {} });
  return { cpu, bus };
}

/** 12-instruction loop body: 3 loads, 2 stores, 6 ALU ops, 1 branch (like arch-rv32's). */
function loop(): Array<number | number[]> {
  return [
    A.mov64(19, DATA),
    A.movz(20, 0x7fff, 1), // effectively endless
    A.movz(0, 0),
    // loop:
    A.ldr(9, 19),
    A.addi(9, 9, 1),
    A.str(9, 19),
    A.add(0, 0, 9),
    A.eor(1, 0, 20),
    A.lsli(2, 1, 3),
    A.lsri(3, 2, 2),
    A.ldr(10, 19, 8),
    A.add(10, 10, 3),
    A.str(10, 19, 8),
    A.subsi(20, 20, 1),
    A.bcond('ne', -44),
  ];
}

/** A call-heavy variant: STP/LDP frame, BL/RET, compare-and-branch, conditional select. */
function calls(): Array<number | number[]> {
  return [
    A.mov64(9, DATA + 0x10000),
    A.movsp(31, 9), // MOVZ to register 31 would write XZR
    A.movz(20, 0x7fff, 1),
    // loop:
    A.bl(16),
    A.subsi(20, 20, 1),
    A.csel(4, 20, 0, 'ne'),
    A.cbnz(20, -12),
    // callee:
    A.stp(29, 30, 31, -16, 'pre'),
    A.addi(0, 0, 1),
    A.umulh(5, 0, 20),
    A.ldp(29, 30, 31, 16, 'post'),
    A.ret(),
  ];
}

/** EL3 stage 1 on: T0SZ 25 (39-bit VA), 4 KiB granule, identity map of the 16 MiB of RAM. */
function mmuOn(cpu: A64Cpu, bus: PhysicalBus): void {
  const L1 = 0xe00000;
  const L2 = L1 + 0x1000;
  const L3 = L1 + 0x2000;
  const tables = new DataView(new ArrayBuffer(0x3000));
  const desc = (at: number, v: number) => tables.setUint32(at - L1, v, true);
  const AF = 1 << 10;
  desc(L1, L2 | 3);
  desc(L2, L3 | 3);
  for (let i = 1; i < 8; i++) desc(L2 + 8 * i, (i << 21) | AF | 1);
  for (let i = 0; i < 512; i++) desc(L3 + 8 * i, (i << 12) | AF | 3);
  bus.dmaWrite(L1, new Uint8Array(tables.buffer));
  writeMmuRegister(cpu, SYSREG_TCR_EL3, 0, 25 | (2 << 16), 0, 0, 0);
  writeMmuRegister(cpu, SYSREG_TTBR0_EL3, 0, L1, 0, 0, 0);
  writeElRegister(cpu, SYSREG_SCTLR_EL3, SCTLR_EL23_RESET | 1, 0);
}

function bench(name: string, program: Array<number | number[]>, total: number, mmu = false): number {
  const { cpu, bus } = machine();
  if (mmu) mmuOn(cpu, bus);
  bus.dmaWrite(CODE, A.assemble(program));
  cpu.pc = CODE;
  const slice = 65536;
  for (let i = 0; i < 200; i++) if (cpu.run(slice) === 0) break;
  const start = performance.now();
  let done = 0;
  while (done < total) {
    const n = cpu.run(slice);
    if (n === 0 || cpu.lastException) throw new Error(`${name}: the CPU stopped or took an exception at pc=0x${cpu.pc.toString(16)} (ESR 0x${cpu.lastException?.esr.toString(16)})`);
    done += n;
  }
  const ms = performance.now() - start;
  const mips = done / ms / 1000;
  console.log(`${name.padEnd(44)} ${(done / 1e6).toFixed(0)}M instructions in ${ms.toFixed(0)} ms: ${mips.toFixed(1)} MIPS`);
  return mips;
}

const total = Number(process.argv[2] ?? 100) * 1e6;
const results = [
  bench('ALU+load/store+branch (EL3, MMU off)', loop(), total),
  bench('calls: BL/RET, STP/LDP, CSEL, UMULH', calls(), total),
  bench('ALU+load/store+branch (EL3, MMU on)', loop(), total, true),
  bench('calls (MMU on)', calls(), total, true),
];
console.log(`min ${Math.min(...results).toFixed(1)} MIPS`);
