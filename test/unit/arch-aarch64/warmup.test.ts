/** The interpreter's warm-up (warmup.ts): a scratch core runs each frequent form once and stops at its WFI. */
import { describe, expect, it } from 'vitest';
import { A64Cpu } from '../../../plugins/arch-aarch64/src/cpu.js';
import { DEVICE, PASSES, runWarmUp, warmUpProgram } from '../../../plugins/arch-aarch64/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';
import type { PhysicalBus } from '../../../src/core/bus.js';

describe('aarch64 interpreter warm-up', () => {
  it('runs to its final WFI without an exception, on RAM of its own', () => {
    const words = warmUpProgram();
    const cpu = runWarmUp((ctx) => new A64Cpu(ctx), jitKit);
    expect(cpu.lastException).toBeNull();
    expect(cpu.waiting).toBe(true);
    // Past the WFI, the program's last word.
    expect(cpu.pc).toBe(words.length * 4);
    // Every instruction but the NOPs the branches skip (fewer than 40).
    expect(cpu.retired).toBeGreaterThan(words.length - 40);
    expect(cpu.retired).toBeLessThanOrEqual(words.length);
  });

  it('reaches a device on its bus (single and pair accesses) in every pass', () => {
    const cpu = runWarmUp((ctx) => new A64Cpu(ctx), jitKit);
    const region = (cpu.bus as unknown as PhysicalBus).find(DEVICE);
    const accesses = (region?.device as { accesses: number } | undefined)?.accesses ?? 0;
    expect(accesses).toBeGreaterThan(0);
    expect(accesses % PASSES).toBe(0);
  });
});
