/** The interpreter's warm-up (warmup.ts): a scratch hart runs every frequent case once and stops at its WFI. */
import { describe, expect, it } from 'vitest';
import { Rv32Cpu } from '../../../plugins/arch-rv32/src/cpu.js';
import { CROSS_AT, DEVICE, FAULT_AT, FETCH_FAULT_HANDLER, PASSES, FAULT_VA, fetchFaultProgram, runFetchFault, runWarmUp, warmUpLoops, warmUpProgram } from '../../../plugins/arch-rv32/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';
import type { PhysicalBus } from '../../../src/core/bus.js';

describe('rv32 interpreter warm-up', () => {
  it('runs to its final WFI without a trap, on RAM of its own', () => {
    const words = warmUpProgram();
    const cpu = runWarmUp((ctx) => new Rv32Cpu(ctx), jitKit);
    expect(cpu.mcause).toBe(0);
    expect(cpu.waiting).toBe(true);
    // After the WFI that follows the page-straddling addi (6 bytes from CROSS_AT).
    expect(cpu.pc).toBe(0x80000000 + CROSS_AT + 8);
    expect(cpu.getReg(28)).toBe(2); // csrrs t3, mscratch; addi t3, t3, 1 before and across the pages
    // Every instruction but the branches' skipped nops and the jalr's: 12 taken branches, 1 jump;
    // plus the two addi and the WFI after the last word.
    expect(cpu.retired).toBeGreaterThan(words.length - 16 + 3);
    expect(cpu.retired).toBeLessThanOrEqual(words.length + 3);
    // The loads read what the stores wrote (t1 = 7 at each data page).
    expect(cpu.bus.ram.i32[0x1000 / 4]).toBe(7);
  });

  it('reaches a device on its bus with a load and a store of each width and a fetch, in every pass', () => {
    const cpu = runWarmUp((ctx) => new Rv32Cpu(ctx), jitKit);
    const region = (cpu.bus as unknown as PhysicalBus).find(DEVICE);
    expect((region?.device as { accesses: number } | undefined)?.accesses).toBe(PASSES * (8 + 1));
  });

  it('takes an S-mode fetch page fault under Sv32 past 2^31 back to M-mode, then an M-mode fetch from the device page (not RAM), and waits', () => {
    const cpu = runWarmUp((ctx) => new Rv32Cpu(ctx), jitKit);
    expect(FAULT_VA).toBeGreaterThan(0x80000000); // a kernel's address: the trap's path gets feedback for it
    cpu.reset();
    cpu.pc = 0x80000000 + FAULT_AT;
    for (let k = 0; k < 64 && cpu.pc !== 0x80000000 + FAULT_AT + 4 * FETCH_FAULT_HANDLER; k++) cpu.run(1);
    expect([cpu.mcause, cpu.mtval >>> 0, cpu.mepc >>> 0, cpu.priv]).toEqual([12, FAULT_VA, FAULT_VA, 3]); // instruction page fault
    runFetchFault(cpu);
    expect(cpu.mcause).toBe(2); // the device page's all-zero parcel: an illegal instruction
    expect(cpu.mepc >>> 0).toBe(DEVICE);
    expect(cpu.priv).toBe(3);
    expect(cpu.waiting).toBe(true);
    expect(cpu.pc).toBe(0x80000000 + FAULT_AT + 4 * fetchFaultProgram().length);
  });

  it('before that, a store and a load under MPRV page-fault (the slow paths raise), each into the next step', () => {
    const cpu = runWarmUp((ctx) => new Rv32Cpu(ctx), jitKit);
    cpu.reset();
    cpu.pc = 0x80000000 + FAULT_AT;
    cpu.run(18); // through the sw (word 17), which faults into the next word
    expect([cpu.mcause, cpu.mtval >>> 0, cpu.pc]).toEqual([15, FAULT_VA, 0x80000000 + FAULT_AT + 4 * 18]);
    cpu.run(8); // through the lw (word 25)
    expect([cpu.mcause, cpu.mtval >>> 0, cpu.pc]).toEqual([13, FAULT_VA, 0x80000000 + FAULT_AT + 4 * 26]);
    expect(cpu.priv).toBe(3);
  });

  it('under jit: compiles the first and third loops, not the second (a CSR access heads it), and stops at its WFI', () => {
    const cpu = runWarmUp((ctx) => new Rv32Cpu(ctx), jitKit, 'jit');
    expect(cpu.mcause).toBe(0);
    expect(cpu.waiting).toBe(true);
    expect(cpu.pc).toBe(0x80000000 + 4 * warmUpLoops().length);
    expect(cpu.retired).toBe(3 * (1 + 3 * 100) + 1);
    expect(cpu.codeCache.translations).toBe(2);
    expect(cpu.getReg(9)).toBe(0);
  });
});
