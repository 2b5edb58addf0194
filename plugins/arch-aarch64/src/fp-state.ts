/**
 * FP/SIMD architectural state (Arm ARM A1.4, D1.6): the 32 vector registers V0-V31 (128 bits
 * each, little-endian lanes: Bn/Hn/Sn/Dn are the low 8/16/32/64 bits of Vn), FPCR, FPSR, and the
 * trap controls of EL2/EL3 (CPTR_EL2, CPTR_EL3; CPACR_EL1 lives on the CPU with the other EL1
 * registers). One ArrayBuffer holds all registers, viewed at every width the executor needs, so
 * nothing is converted or allocated per instruction.
 */

/** FPCR fields (D17.2.44): AHP (26), DN (25), FZ (24), RMode (23:22); trap enables are RAZ on an A53. */
export const FPCR_DN = 1 << 25;
export const FPCR_FZ = 1 << 24;
export const FPCR_RMODE_SHIFT = 22;
/** FPCR bits that hold state in Armv8.0 without FP16: AHP, DN, FZ, RMode, Stride, Len (26:15). */
export const FPCR_MASK = 0x07ff0000 & ~0x8000;

/** FPSR cumulative exception bits (D17.2.45) and NZCV (AArch32 only, still stored). */
export const FPSR_IOC = 1 << 0;
export const FPSR_DZC = 1 << 1;
export const FPSR_OFC = 1 << 2;
export const FPSR_UFC = 1 << 3;
export const FPSR_IXC = 1 << 4;
export const FPSR_IDC = 1 << 7;
export const FPSR_QC = 1 << 27;
export const FPSR_MASK = (0xf8000000 | 0x9f) | 0;

/** CPTR_EL2 (Armv8.0, E2H = 0): TFP bit 10, TCPAC bit 31, RES1 bits 13:12 and 9:0. */
export const CPTR_TFP = 1 << 10;
export const CPTR_EL2_RES1 = 0x33ff;
export const CPTR_EL2_MASK = (0x80000000 | CPTR_TFP | 0x100000) | 0;
/** CPTR_EL3: TFP bit 10, TTA bit 20, TCPAC bit 31. */
export const CPTR_EL3_MASK = (0x80000000 | 0x100000 | CPTR_TFP) | 0;

/**
 * Index of the first scratch register after V31: the SIMD executor keeps intermediate lanes there
 * (reductions, by-element operands) so that the FP primitives, which take lanes of the register
 * file, can read them. Not architectural state.
 */
export const SCRATCH_REG = 32;

export class FpState {
  readonly buffer = new ArrayBuffer((32 + 2) * 16);
  /** V0-V31 as 32-bit words: Vn word k (bits 32k+31:32k) at 4n + k. */
  readonly v = new Int32Array(this.buffer);
  readonly u32 = new Uint32Array(this.buffer);
  readonly u8 = new Uint8Array(this.buffer);
  readonly i8 = new Int8Array(this.buffer);
  readonly u16 = new Uint16Array(this.buffer);
  readonly i16 = new Int16Array(this.buffer);
  readonly f32 = new Float32Array(this.buffer);
  readonly f64 = new Float64Array(this.buffer);
  fpcr = 0;
  fpsr = 0;
  /** CPTR_EL2 as stored (RES1 bits set). */
  cptr2 = CPTR_EL2_RES1;
  cptr3 = 0;

  reset(): void {
    this.v.fill(0);
    this.fpcr = 0;
    this.fpsr = 0;
    this.cptr2 = CPTR_EL2_RES1;
    this.cptr3 = 0;
  }

  /** Vn as an unsigned bigint (tests and debuggers only). */
  getQ(n: number): bigint {
    let r = 0n;
    for (let k = 3; k >= 0; k--) r = (r << 32n) | BigInt(this.v[4 * n + k] >>> 0);
    return r;
  }

  setQ(n: number, value: bigint): void {
    for (let k = 0; k < 4; k++) this.v[4 * n + k] = Number((value >> BigInt(32 * k)) & 0xffffffffn) | 0;
  }
}
