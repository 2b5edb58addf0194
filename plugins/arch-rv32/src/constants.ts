/**
 * Architectural constants of RV32 (privileged spec v1.12 numbering).
 * Plugins may not import core modules at run time, so the page constants are duplicated here.
 */

export const PAGE_CODE = 1;
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

// Privilege levels (priv spec 1.3).
export const PRV_U = 0;
export const PRV_S = 1;
export const PRV_M = 3;

// Access kinds, also the index of the TLB of that kind and the PMP/PTE permission bit used.
export const ACC_R = 0;
export const ACC_W = 1;
export const ACC_X = 2;

// mstatus fields (priv spec 3.1.6).
export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << 11;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;
/** Bits of mstatus that M-mode software can write (no F/V, so FS/VS/XS/SD stay zero). */
export const MSTATUS_WRITABLE =
  MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
/** The sstatus view of mstatus (priv spec 4.1.1), restricted to fields that exist here. */
export const SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;

// Interrupt numbers (mip/mie bits, priv spec 3.1.9).
export const IRQ_SSI = 1;
export const IRQ_MSI = 3;
export const IRQ_STI = 5;
export const IRQ_MTI = 7;
export const IRQ_SEI = 9;
export const IRQ_MEI = 11;
export const MIP_SSIP = 1 << IRQ_SSI;
export const MIP_MSIP = 1 << IRQ_MSI;
export const MIP_STIP = 1 << IRQ_STI;
export const MIP_MTIP = 1 << IRQ_MTI;
export const MIP_SEIP = 1 << IRQ_SEI;
export const MIP_MEIP = 1 << IRQ_MEI;
export const S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
export const M_INTERRUPTS = MIP_MSIP | MIP_MTIP | MIP_MEIP;
/** Interrupts in decreasing priority (priv spec 3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
export const IRQ_PRIORITY = [IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI];

// Exception codes (priv spec table 3.6).
export const EXC_INSN_MISALIGNED = 0;
export const EXC_INSN_ACCESS = 1;
export const EXC_ILLEGAL = 2;
export const EXC_BREAKPOINT = 3;
export const EXC_LOAD_MISALIGNED = 4;
export const EXC_LOAD_ACCESS = 5;
export const EXC_STORE_MISALIGNED = 6;
export const EXC_STORE_ACCESS = 7;
export const EXC_ECALL_U = 8;
export const EXC_ECALL_S = 9;
export const EXC_ECALL_M = 11;
export const EXC_INSN_PAGE = 12;
export const EXC_LOAD_PAGE = 13;
export const EXC_STORE_PAGE = 15;
/** Exceptions medeleg can delegate; medeleg[11] (ecall from M) is read-only zero (priv spec 3.1.8). */
export const DELEGABLE_EXCEPTIONS = 0xb3ff;

/** Access fault / page fault / misaligned cause for each access kind. */
export const ACCESS_FAULT = [EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INSN_ACCESS];
export const PAGE_FAULT = [EXC_LOAD_PAGE, EXC_STORE_PAGE, EXC_INSN_PAGE];

export const EXCEPTION_NAMES: Record<number, string> = {
  0: 'Instruction address misaligned',
  1: 'Instruction access fault',
  2: 'Illegal instruction',
  3: 'Breakpoint',
  4: 'Load address misaligned',
  5: 'Load access fault',
  6: 'Store/AMO address misaligned',
  7: 'Store/AMO access fault',
  8: 'Environment call from U-mode',
  9: 'Environment call from S-mode',
  11: 'Environment call from M-mode',
  12: 'Instruction page fault',
  13: 'Load page fault',
  15: 'Store/AMO page fault',
};

export const INTERRUPT_NAMES: Record<number, string> = {
  1: 'Supervisor software interrupt',
  3: 'Machine software interrupt',
  5: 'Supervisor timer interrupt',
  7: 'Machine timer interrupt',
  9: 'Supervisor external interrupt',
  11: 'Machine external interrupt',
};

// misa: MXL=1 (32-bit) and the extensions I M A C S U (priv spec 3.1.1).
const ext = (letter: string) => 1 << (letter.charCodeAt(0) - 65);
export const MISA = (0x40000000 | ext('I') | ext('M') | ext('A') | ext('C') | ext('S') | ext('U')) >>> 0;

// satp (priv spec 4.1.11), Sv32 layout.
export const SATP_MODE = 0x80000000;
export const SATP_ASID = 0x7fc00000;
export const SATP_PPN = 0x003fffff;

// Page-table entry bits (priv spec 4.3.1).
export const PTE_V = 1 << 0;
export const PTE_R = 1 << 1;
export const PTE_W = 1 << 2;
export const PTE_X = 1 << 3;
export const PTE_U = 1 << 4;
export const PTE_G = 1 << 5;
export const PTE_A = 1 << 6;
export const PTE_D = 1 << 7;

/** Number of implemented PMP entries (QEMU 7.2 has 16) and hardware performance counters (pmu-num=16). */
export const PMP_ENTRIES = 16;
export const HPM_COUNTERS = 16;

/** ABI register names, x0..x31. */
export const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];
