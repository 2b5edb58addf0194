/**
 * Interrupt inputs of a hart and the choice of the interrupt to take (privileged spec 3.1.9,
 * "Machine Interrupt Registers", and 4.1.3 for the supervisor view).
 */
import type { IrqLine } from '../../../src/core/api.js';
import type { Rv32Cpu } from './cpu.js';
import { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI, MSTATUS_MIE, MSTATUS_SIE, PRV_M, PRV_S } from './constants.js';

/** CPU input names accepted by `irqInput` and their mip bit numbers. */
export const CPU_INPUTS: Record<string, number> = { msip: IRQ_MSI, mtip: IRQ_MTI, meip: IRQ_MEI, seip: IRQ_SEI };

/** Highest-priority interrupt in `bits`: MEI > MSI > MTI > SEI > SSI > STI; -1 if none. */
function highest(bits: number): number {
  if (bits & (1 << IRQ_MEI)) return IRQ_MEI;
  if (bits & (1 << IRQ_MSI)) return IRQ_MSI;
  if (bits & (1 << IRQ_MTI)) return IRQ_MTI;
  if (bits & (1 << IRQ_SEI)) return IRQ_SEI;
  if (bits & (1 << IRQ_SSI)) return IRQ_SSI;
  if (bits & (1 << IRQ_STI)) return IRQ_STI;
  return -1;
}

/**
 * The interrupt the hart takes now, or -1. An interrupt for M (not delegated) is enabled when
 * the hart is below M, or in M with mstatus.MIE; a delegated one is enabled below S, or in S
 * with mstatus.SIE, and never in M. M-level interrupts are taken before S-level ones.
 */
export function pendingInterrupt(cpu: Rv32Cpu): number {
  const pending = cpu.mipValue() & cpu.mie;
  if (pending === 0) return -1;
  const priv = cpu.priv;
  const mLevel = pending & ~cpu.mideleg;
  if (mLevel !== 0 && (priv < PRV_M || (cpu.mstatus & MSTATUS_MIE) !== 0)) return highest(mLevel);
  const sLevel = pending & cpu.mideleg;
  if (sLevel !== 0 && (priv < PRV_S || (priv === PRV_S && (cpu.mstatus & MSTATUS_SIE) !== 0))) return highest(sLevel);
  return -1;
}

/** A level-triggered input wire driving one mip bit of a hart. */
export class CpuIrqLine implements IrqLine {
  level = false;
  raised = 0;

  constructor(
    readonly name: string,
    private readonly cpu: Rv32Cpu,
    private readonly bit: number,
  ) {}

  set(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    if (level) this.raised++;
    // The device-side wire already reports 'irq' events; this end only updates mip.
    this.cpu.setExternalPending(this.bit, level);
  }
}
