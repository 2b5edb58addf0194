/**
 * Exception classes and syndromes (Arm ARM D17.2.37, ESR_ELx), vector offsets, and the record of
 * the last exception taken (`TakenException`, for tests and `inspect`). Entry and return are in
 * entry.ts.
 */
export const EC_UNKNOWN = 0x00;
export const EC_WFX = 0x01;
export const EC_SVC64 = 0x15;
export const EC_HVC64 = 0x16;
export const EC_SMC64 = 0x17;
export const EC_SYSREG = 0x18;
export const EC_IABORT_LOWER = 0x20;
export const EC_IABORT_SAME = 0x21;
export const EC_PC_ALIGN = 0x22;
export const EC_DABORT_LOWER = 0x24;
export const EC_DABORT_SAME = 0x25;
export const EC_SP_ALIGN = 0x26;
export const EC_BRK64 = 0x3c;

/** Fault status codes (DFSC/IFSC). */
export const FSC_ADDRESS_SIZE_L0 = 0x00;
export const FSC_SYNC_EXTERNAL = 0x10;
export const FSC_ALIGNMENT = 0x21;

/** ESR.IL: every A64 instruction is 32 bits. */
export const ESR_IL = 1 << 25;
/** Data abort ISS.WnR: the access was a write. */
export const ISS_WNR = 1 << 6;

export const EC_NAMES: Record<number, string> = {
  [EC_UNKNOWN]: 'Undefined instruction',
  [EC_WFX]: 'WFI/WFE trap',
  [EC_SVC64]: 'SVC',
  [EC_HVC64]: 'HVC',
  [EC_SMC64]: 'SMC',
  [EC_SYSREG]: 'System register access',
  [EC_IABORT_LOWER]: 'Instruction abort (lower EL)',
  [EC_IABORT_SAME]: 'Instruction abort',
  [EC_PC_ALIGN]: 'PC alignment fault',
  [EC_DABORT_LOWER]: 'Data abort (lower EL)',
  [EC_DABORT_SAME]: 'Data abort',
  [EC_SP_ALIGN]: 'SP alignment fault',
  [EC_BRK64]: 'BRK',
};

/** A synchronous exception as the CPU took it (`A64Cpu.lastException`). */
export interface TakenException {
  /** Exception level it was taken to. */
  targetEl: number;
  /** Full ESR_ELx value: EC << 26 | IL | ISS. */
  esr: number;
  /** Preferred return address (ELR_ELx), as lo/hi words. */
  elrLo: number;
  elrHi: number;
  /** FAR_ELx for aborts and alignment faults (lo/hi). */
  farLo: number;
  farHi: number;
  /** True when FAR is valid for this exception. */
  farValid: boolean;
}

export const EC_ILLEGAL_STATE = 0x0e;
EC_NAMES[EC_ILLEGAL_STATE] = 'Illegal Execution state';

/** Vector offsets from VBAR_ELx (D1.10.2): by where the exception comes from, then by kind. */
export const VECTOR_CURRENT_SP0 = 0x000;
export const VECTOR_CURRENT_SPX = 0x200;
export const VECTOR_LOWER_A64 = 0x400;
export const VECTOR_SYNC = 0x00;
export const VECTOR_IRQ = 0x80;
export const VECTOR_FIQ = 0x100;
export const VECTOR_SERROR = 0x180;
