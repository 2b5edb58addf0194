/** The interpreter's warm-up (warmup.ts): a scratch core runs each frequent form once and stops at its WFI. */
import { describe, expect, it } from 'vitest';
import { A64Cpu } from '../../../plugins/arch-aarch64/src/cpu.js';
import { CODE_PAGE_DATA, DEVICE, PASSES, runWarmUp, warmUpInterrupts, warmUpProgram } from '../../../plugins/arch-aarch64/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';
import type { PhysicalBus } from '../../../src/core/bus.js';

describe('aarch64 interpreter warm-up', () => {
  it('runs to its final WFI on RAM of its own, its last exception its SVC', () => {
    const words = warmUpProgram();
    const cpu = runWarmUp((ctx) => new A64Cpu(ctx), jitKit);
    expectLastExceptionSvc(cpu);
    expect(cpu.waiting).toBe(true);
    // Past the WFI, the program's last word.
    expect(cpu.pc).toBe(words.length * 4);
    // Every instruction but the NOPs the branches skip (fewer than 40), and the IRQ handler's ERET and the WFI again.
    expect(cpu.retired).toBeGreaterThan(words.length - 40);
    expect(cpu.retired).toBeLessThanOrEqual(words.length + 2);
  });

  it('wakes each pass\'s WFI with an IRQ (to EL3, its vector an ERET back to the WFI), as a timer wakes an OS', () => {
    const before = warmUpInterrupts();
    runWarmUp((ctx) => new A64Cpu(ctx), jitKit);
    expect(warmUpInterrupts() - before).toBe(2 * PASSES); // each pass of both cores
  });

  it('runs its odd passes (the last one among them) through the MMU, its data at an alias past 2^31', () => {
    const cpu = runWarmUp((ctx) => new A64Cpu(ctx), jitKit);
    expect(PASSES % 2).toBe(0);
    expect(cpu.mmuOff).toBe(false);
    expect(cpu.tlb.walks).toBeGreaterThan(0);
    // Its data address is the alias past 2^31 (a negative low word).
    expect(cpu.xl[8]).toBeLessThan(0);
    expectLastExceptionSvc(cpu);
    expect(cpu.waiting).toBe(true);
  });

  it('stores to its own page past its code', () => {
    expect(warmUpProgram().length * 4).toBeLessThanOrEqual(CODE_PAGE_DATA);
    expect(CODE_PAGE_DATA + 24).toBeLessThanOrEqual(4096);
  });

  it('reaches a device on its bus (single and pair accesses) in every pass', () => {
    const cpu = runWarmUp((ctx) => new A64Cpu(ctx), jitKit);
    const region = (cpu.bus as unknown as PhysicalBus).find(DEVICE);
    const accesses = (region?.device as { accesses: number } | undefined)?.accesses ?? 0;
    expect(accesses).toBeGreaterThan(0);
    expect(accesses % PASSES).toBe(0);
  });
});

/** The program's last exception was its SVC (EC 0x15), taken to EL3, which the vector's ERET returned from. */
function expectLastExceptionSvc(cpu: A64Cpu): void {
  expect(cpu.lastException?.esr === undefined ? -1 : cpu.lastException.esr >>> 26).toBe(0x15);
  expect(cpu.lastException?.targetEl).toBe(3);
}
