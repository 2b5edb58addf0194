/**
 * Instruction fetch for instructions that cannot come from a pre-decoded RAM page.
 */
import type { Rv32Cpu } from './cpu.js';
import { ACC_X, EXC_INSN_ACCESS } from './constants.js';
import { decodeInto } from './decode.js';
import { readPhys } from './memory.js';
import { translate } from './mmu.js';

/**
 * Fetches and decodes one instruction the slow way (ROM/MMIO pages, pages PMP does not cover
 * uniformly, instructions crossing a page) into `out` at the slot of `pc`. Returns false after
 * raising a fetch fault; a fault on the second half reports tval = address of that half.
 */
export function fetchSlow(cpu: Rv32Cpu, pc: number, out: Int32Array): boolean {
  const va = pc >>> 0;
  const pa = translate(cpu, va, ACC_X, 2, cpu.priv);
  if (pa < 0) {
    cpu.raise(cpu.faultCause, va, pc);
    return false;
  }
  let bits = readPhys(cpu, pa, 2, va, pc, EXC_INSN_ACCESS);
  if (cpu.exc) return false;
  if ((bits & 3) === 3) {
    const va2 = (va + 2) >>> 0;
    const pa2 = translate(cpu, va2, ACC_X, 2, cpu.priv);
    if (pa2 < 0) {
      cpu.raise(cpu.faultCause, va2, pc);
      return false;
    }
    const hi = readPhys(cpu, pa2, 2, va2, pc, EXC_INSN_ACCESS);
    if (cpu.exc) return false;
    bits |= hi << 16;
  }
  decodeInto(out, va & 0xffe, bits);
  return true;
}
