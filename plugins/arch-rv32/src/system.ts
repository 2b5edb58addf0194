/**
 * The instructions the interpreter hands off (execute.ts, `default:` of its switch): SYSTEM
 * (ECALL, EBREAK, xRET, WFI, SFENCE.VMA), Zicsr, the A extension and illegal encodings.
 *
 * They live out of the interpreter's switch on purpose: a smaller switch is a smaller function
 * for V8 to compile well (plugins/arch-rv32/bench-loop.ts measured it faster, though this
 * host's run-to-run noise is large), and each of them costs far more than a call anyway (a trap,
 * a CSR side effect, a bus access).
 */
import type { Rv32Cpu } from './cpu.js';
import { executeCsr } from './csr.js';
import { Op } from './execute.js';
import { amo, loadReserved, storeConditional } from './memory.js';
import { mret, sret } from './trap.js';
import { EXC_BREAKPOINT, EXC_ECALL_U, EXC_ILLEGAL, EXC_INSN_ACCESS, MSTATUS_MPP, MSTATUS_TSR, MSTATUS_TVM, PRV_M, PRV_S } from './constants.js';

/**
 * Executes the instruction at `pc` (info/imm as in execute.ts) and leaves in `cpu.pc` where the
 * hart goes next. Returns true when the interpreter must return to the run loop (a trap was
 * taken, the privilege or translation changed, or `cpu.attention` is set).
 */
export function executeSystem(cpu: Rv32Cpu, info: number, imm: number, pc: number): boolean {
  const op = info & 0xff;
  const rd = (info >>> 8) & 63;
  const rs1 = (info >>> 14) & 31;
  const rs2 = (info >>> 19) & 31;
  const next = (pc + (info >>> 24)) | 0;
  const x = cpu.x;
  let v = 0;
  if (op >= Op.CSRRW && op <= Op.CSRRC) {
    // funct3 = op - CSRRW + 1 (register source) or op - CSRRWI + 5 (immediate in rs1)
    v = executeCsr(cpu, op - Op.CSRRW + 1, imm, rd & 31, rs1, x[rs1], pc);
  } else if (op >= Op.CSRRWI && op <= Op.CSRRCI) {
    v = executeCsr(cpu, op - Op.CSRRWI + 5, imm, rd & 31, rs1, rs1, pc);
  } else if (op === Op.LR_W) {
    v = loadReserved(cpu, x[rs1], pc);
  } else if (op === Op.SC_W) {
    v = storeConditional(cpu, x[rs1], x[rs2], pc);
  } else if (op >= Op.AMOSWAP_W && op <= Op.AMOMAXU_W) {
    v = amo(cpu, op - Op.AMOSWAP_W, x[rs1], x[rs2], pc);
  } else {
    return privileged(cpu, op, rs1, rs2, imm, pc, next);
  }
  // Zicsr and A: a register result, unless the access trapped.
  if (cpu.exc) return true;
  x[rd] = v;
  cpu.pc = next;
  return cpu.attention;
}

/** SYSTEM instructions of the privileged spec (3.3) and illegal encodings: all leave the loop. */
function privileged(cpu: Rv32Cpu, op: number, rs1: number, rs2: number, imm: number, pc: number, next: number): boolean {
  switch (op) {
    case Op.ECALL:
      cpu.raise(EXC_ECALL_U + cpu.priv, 0, pc);
      return true;
    case Op.EBREAK:
      // QEMU 7.2 leaves tval = 0 for EBREAK (later versions report the pc).
      cpu.raise(EXC_BREAKPOINT, 0, pc);
      return true;
    case Op.MRET:
      if (cpu.priv !== PRV_M) cpu.raise(EXC_ILLEGAL, 0x30200073, pc);
      else if (cpu.pmp.activeRules === 0 && (cpu.mstatus & MSTATUS_MPP) !== MSTATUS_MPP) {
        // QEMU 7.2 (helper_mret): returning below M with no PMP rule would make every access
        // fail, so MRET itself raises an instruction access fault.
        cpu.raise(EXC_INSN_ACCESS, 0, pc);
      } else mret(cpu);
      return true;
    case Op.SRET:
      if (cpu.priv < PRV_S || (cpu.priv === PRV_S && (cpu.mstatus & MSTATUS_TSR) !== 0)) cpu.raise(EXC_ILLEGAL, 0x10200073, pc);
      else sret(cpu);
      return true;
    case Op.WFI:
      cpu.wfi(pc);
      if (!cpu.exc) cpu.pc = next;
      return true;
    case Op.SFENCE_VMA:
      if (cpu.priv < PRV_S || (cpu.priv === PRV_S && (cpu.mstatus & MSTATUS_TVM) !== 0)) {
        cpu.raise(EXC_ILLEGAL, (0x12000073 | (rs1 << 15) | (rs2 << 20)) >>> 0, pc);
        return true;
      }
      cpu.pc = next;
      // No ASID selectivity (the TLB holds none): with an address, that page's U/S entries go,
      // without one, every U/S translation. The interpreter and compiled blocks look data up in
      // the TLB arrays themselves, and only the page being executed is cached outside them: an
      // address fence of another page needs no return to the run loop (Linux issues one per
      // kernel PTE it changes, tens of thousands in a boot). Anything that keeps another page's
      // translation (a jump from one compiled block into another page's) must check xTag first.
      if (rs1 !== 0) {
        const va = cpu.x[rs1];
        if (!cpu.tlb.flushPage(va) && va >>> 12 !== pc >>> 12) return cpu.attention;
        cpu.attention = true;
      } else cpu.flushTlbTranslated();
      return true;
    default:
      // Op.ILLEGAL (imm holds the instruction bits, which QEMU reports in tval).
      cpu.raise(EXC_ILLEGAL, imm >>> 0, pc);
      return true;
  }
}
