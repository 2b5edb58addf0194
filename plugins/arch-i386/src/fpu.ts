/**
 * The x87 FPU (SDM vol. 1, ch. 8): the register stack, control/status/tag words and the ESC
 * opcodes D8-DF that kernels and integer-era compilers use. Values are JavaScript doubles: the
 * 80-bit extended format is converted on FLD/FSTP m80, FNSAVE and FRSTOR, but arithmetic is done
 * in 53-bit precision whatever the control word's PC field says.
 *
 * Exceptions: IE (with SF for stack overflow/underflow) and ZE are detected and give the masked
 * response (QNaN indefinite, infinity, integer indefinite); DE, OE, UE and PE are never set.
 * Unmasked exceptions set ES and B but are not delivered (no #MF, no FERR#/IRQ 13).
 *
 * cpu.ts decodes ModRM and hands over the reg and r/m fields; memory operands are read and
 * written through `X87Host` at the instruction's effective address (plus a displacement for
 * multi-part operands), so page faults abandon the instruction as any other access.
 */

/** What the FPU needs from the CPU. */
export interface X87Host {
  /** Reads `size` bytes at the ModRM memory operand + `disp`. */
  loadEa(disp: number, size: 1 | 2 | 4): number;
  storeEa(disp: number, size: 1 | 2 | 4, value: number): void;
  /** FNSTSW AX. */
  setAx(value: number): void;
  /** FCOMI/FUCOMI(P): ZF, PF, CF from the comparison; OF, SF and AF cleared. */
  setCompareFlags(zf: boolean, pf: boolean, cf: boolean): void;
}

/** Status word bits. */
export const SW_IE = 0x1, SW_ZE = 0x4, SW_SF = 0x40, SW_ES = 0x80;
export const SW_C0 = 0x100, SW_C1 = 0x200, SW_C2 = 0x400, SW_C3 = 0x4000, SW_B = 0x8000;
const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;
const TWO32 = 4294967296;
/** FNINIT's control word: every exception masked, 64-bit precision, round to nearest. */
export const CW_INIT = 0x37f;

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64bits = new Uint32Array(f64.buffer); // [low, high] on a little-endian host (checked at start)

/** FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (D9 E8-EE). */
const CONSTANTS = new Float64Array([1, Math.log2(10), Math.LOG2E, Math.PI, Math.log10(2), Math.LN2, 0]);

/** m * 2^e without overflowing 2^e on the way (e may be far outside a double's exponent range). */
function scale(m: number, e: number): number {
  while (e > 1000) { m *= 2 ** 1000; e -= 1000; }
  while (e < -1000) { m *= 2 ** -1000; e += 1000; }
  return m * 2 ** e;
}

/** An 80-bit extended real (mantissa low and high words, sign and exponent) as a double. */
export function fromExtended(mantissaLo: number, mantissaHi: number, signExp: number): number {
  const lo = mantissaLo >>> 0, hi = mantissaHi >>> 0, exp = signExp & 0x7fff;
  let v: number;
  if (exp === 0x7fff) v = (hi & 0x7fffffff) === 0 && lo === 0 ? Infinity : NaN;
  else v = scale(hi * TWO32 + lo, (exp === 0 ? 1 : exp) - 16383 - 63);
  return signExp & 0x8000 ? -v : v;
}

/** `v` as an 80-bit extended real (explicit integer bit) into `out`: mantissa low, mantissa high, sign and exponent. */
export function toExtended(v: number, out: Uint32Array): void {
  f64[0] = v;
  let lo = f64bits[0], hi = f64bits[1];
  const sign = hi >>> 31;
  let exp = (hi >>> 20) & 0x7ff, bias = 16383 - 1023;
  if (exp === 0 && ((hi & 0xfffff) | lo) !== 0) { // a double denormal is normal in 80 bits
    f64[0] = v * 2 ** 64; lo = f64bits[0]; hi = f64bits[1]; exp = (hi >>> 20) & 0x7ff; bias -= 64;
  }
  let e15: number, mHi: number, mLo: number;
  if (exp === 0) { e15 = 0; mHi = 0; mLo = 0; }
  else {
    e15 = exp === 0x7ff ? 0x7fff : exp + bias;
    mHi = (0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0;
    mLo = (lo << 11) >>> 0;
  }
  out[0] = mLo; out[1] = mHi; out[2] = (sign << 15) | e15;
}
const EXT = new Uint32Array(3);

export class X87 {
  /** Physical registers R0..R7; ST(i) is R[(top + i) & 7]. */
  readonly regs = new Float64Array(8);
  /** 1 when a physical register is empty (tag 11). */
  readonly empty = new Uint8Array(8).fill(1);
  top = 0;
  cw = CW_INIT;
  /** Status word without TOP (bits 11-13 are `top`). */
  private swRest = 0;
  /** Forms not implemented so far (they set IE and leave the stack as it was). */
  unimplemented = 0;

  constructor(private readonly host: X87Host) {}

  /** FNINIT, and the state QEMU's reset leaves. */
  init(): void {
    this.cw = CW_INIT; this.swRest = 0; this.top = 0; this.empty.fill(1);
  }

  get sw(): number { return (this.swRest & ~0x3800) | (this.top << 11); }
  set sw(v: number) { this.swRest = v & ~0x3800; this.top = (v >> 11) & 7; }

  /** ST(i) as stored (NaN when empty: see `get`). */
  st(i: number): number { return this.regs[(this.top + i) & 7]; }

  // --- stack and exceptions -----------------------------------------------------------------

  private raiseFlags(bits: number): void {
    this.swRest |= bits;
    if ((bits & 0x3f & ~this.cw) !== 0) this.swRest |= SW_ES | SW_B; // unmasked: noted, not delivered
  }

  /** ST(i), or a stack underflow (IE | SF, C1 = 0) giving the QNaN indefinite. */
  private get(i: number): number {
    const r = (this.top + i) & 7;
    if (this.empty[r]) { this.swRest &= ~SW_C1; this.raiseFlags(SW_IE | SW_SF); return NaN; }
    return this.regs[r];
  }
  private set(i: number, v: number): void {
    const r = (this.top + i) & 7;
    this.regs[r] = v; this.empty[r] = 0;
  }
  push(v: number): void {
    const r = (this.top - 1) & 7;
    if (!this.empty[r]) { this.swRest |= SW_C1; this.raiseFlags(SW_IE | SW_SF); v = NaN; } // overflow
    this.top = r; this.regs[r] = v; this.empty[r] = 0;
  }
  pop(): void { this.empty[this.top] = 1; this.top = (this.top + 1) & 7; }

  /** The result of an arithmetic operation: IE when it is a NaN made from non-NaNs, ZE for x/0. */
  private arith(op: number, a: number, b: number): number {
    let r: number;
    switch (op) {
      case 0: r = a + b; break;
      case 1: r = a * b; break;
      case 4: r = a - b; break;
      case 5: r = b - a; break;
      case 6: if (b === 0 && a === a && a !== 0 && Number.isFinite(a)) this.raiseFlags(SW_ZE); r = a / b; break;
      default: if (a === 0 && b === b && b !== 0 && Number.isFinite(b)) this.raiseFlags(SW_ZE); r = b / a; break;
    }
    if (r !== r && a === a && b === b) this.raiseFlags(SW_IE);
    return r;
  }

  /** FCOM/FUCOM condition codes (C3 C2 C0); FCOM's NaN operands are invalid, FUCOM's quiet ones not. */
  private compare(a: number, b: number, ordered: boolean): void {
    this.swRest &= ~SW_CC;
    if (a !== a || b !== b) { this.swRest |= SW_C3 | SW_C2 | SW_C0; if (ordered) this.raiseFlags(SW_IE); }
    else if (a < b) this.swRest |= SW_C0;
    else if (a === b) this.swRest |= SW_C3;
  }
  private compareEflags(a: number, b: number, ordered: boolean): void {
    this.swRest &= ~SW_C1;
    if (a !== a || b !== b) { if (ordered) this.raiseFlags(SW_IE); this.host.setCompareFlags(true, true, true); }
    else this.host.setCompareFlags(a === b, false, a < b);
  }

  /** Rounds to an integer by the control word's RC field. */
  private roundInt(v: number): number {
    switch ((this.cw >> 10) & 3) {
      case 0: return this.roundEven(v);
      case 1: return Math.floor(v);
      case 2: return Math.ceil(v);
      default: return Math.trunc(v);
    }
  }

  // --- memory formats -----------------------------------------------------------------------

  private loadF32(): number { f32bits[0] = this.host.loadEa(0, 4); return f32[0]; }
  private loadF64(): number { f64bits[0] = this.host.loadEa(0, 4); f64bits[1] = this.host.loadEa(4, 4); return f64[0]; }
  private storeF32(v: number): void { f32[0] = v; this.host.storeEa(0, 4, f32bits[0]); }
  private storeF64(v: number): void { f64[0] = v; this.host.storeEa(0, 4, f64bits[0]); this.host.storeEa(4, 4, f64bits[1]); }

  /** Reads an 80-bit extended real at the operand + disp (rounded to a double). */
  loadF80(disp: number): number {
    return fromExtended(this.host.loadEa(disp, 4), this.host.loadEa(disp + 4, 4), this.host.loadEa(disp + 8, 2));
  }

  /** Writes `v` as an 80-bit extended real (explicit integer bit) at the operand + disp. */
  storeF80(disp: number, v: number): void {
    toExtended(v, EXT);
    this.host.storeEa(disp, 4, EXT[0]);
    this.host.storeEa(disp + 4, 4, EXT[1]);
    this.host.storeEa(disp + 8, 2, EXT[2]);
  }

  /** FIST/FISTP: rounded by RC; out of range (or NaN) is IE and the integer indefinite. */
  private storeInt(v: number, size: 2 | 4 | 8): void {
    const r = this.roundInt(v);
    const limit = size === 2 ? 32768 : size === 4 ? 2147483648 : 9223372036854775808;
    const ok = r >= -limit && r < limit;
    if (!ok) this.raiseFlags(SW_IE);
    if (size === 2) this.host.storeEa(0, 2, ok ? r & 0xffff : 0x8000);
    else if (size === 4) this.host.storeEa(0, 4, ok ? r | 0 : 0x80000000);
    else {
      const hi = ok ? Math.floor(r / TWO32) : -2147483648;
      this.host.storeEa(0, 4, ok ? r - hi * TWO32 : 0);
      this.host.storeEa(4, 4, hi | 0);
    }
  }
  private loadInt(size: 2 | 4 | 8): number {
    if (size === 2) return (this.host.loadEa(0, 2) << 16) >> 16;
    if (size === 4) return this.host.loadEa(0, 4) | 0;
    return (this.host.loadEa(4, 4) | 0) * TWO32 + (this.host.loadEa(0, 4) >>> 0);
  }

  /** The full tag word (SDM vol. 1, 8.1.7): 00 valid, 01 zero, 10 special, 11 empty. */
  get tagWord(): number {
    let tw = 0;
    for (let r = 0; r < 8; r++) {
      const v = this.regs[r];
      const t = this.empty[r] ? 3 : v === 0 ? 1 : !Number.isFinite(v) ? 2 : 0;
      tw |= t << (2 * r);
    }
    return tw;
  }

  /**
   * FNSTENV layout (SDM vol. 1, 8.1.10): 28 bytes (32-bit) or 14 (16-bit): CW, SW, TW, then the
   * instruction and operand pointers, stored as 0 (not tracked); upper halves 0 as QEMU writes them.
   */
  private storeEnv(op32: boolean): number {
    const w: 2 | 4 = op32 ? 4 : 2;
    this.host.storeEa(0, w, this.cw);
    this.host.storeEa(w, w, this.sw);
    this.host.storeEa(2 * w, w, this.tagWord);
    for (let i = 3; i < 7; i++) this.host.storeEa(i * w, w, 0);
    return 7 * w;
  }
  private loadEnv(op32: boolean): number {
    const w = op32 ? 4 : 2;
    this.cw = this.host.loadEa(0, 2);
    this.sw = this.host.loadEa(w, 2);
    const tw = this.host.loadEa(2 * w, 2);
    for (let r = 0; r < 8; r++) this.empty[r] = ((tw >> (2 * r)) & 3) === 3 ? 1 : 0;
    return 7 * w;
  }

  /**
   * FXSAVE (SDM vol. 2, table 3-53, the 32-bit layout of the first 160 bytes; no SSE state): FCW,
   * FSW, the abridged tag byte (1 = not empty), FOP/FIP/FDP as 0, MXCSR 0x1F80 and MXCSR_MASK
   * 0xFFFF as QEMU, then ST(0)..ST(7) in 16-byte slots. Bytes 160-511 are left as they are.
   */
  fxsave(): void {
    const h = this.host;
    h.storeEa(0, 2, this.cw);
    h.storeEa(2, 2, this.sw);
    let tags = 0;
    for (let r = 0; r < 8; r++) if (!this.empty[r]) tags |= 1 << r;
    h.storeEa(4, 2, tags);
    for (let at = 6; at < 24; at += 2) h.storeEa(at, 2, 0);
    h.storeEa(24, 4, 0x1f80);
    h.storeEa(28, 4, 0xffff);
    for (let i = 0; i < 8; i++) {
      this.storeF80(32 + 16 * i, this.regs[(this.top + i) & 7]);
      h.storeEa(42 + 16 * i, 2, 0); h.storeEa(44 + 16 * i, 4, 0);
    }
  }

  /** FXRSTOR: the x87 part of an FXSAVE image. */
  fxrstor(): void {
    const h = this.host;
    this.cw = h.loadEa(0, 2);
    this.sw = h.loadEa(2, 2);
    const tags = h.loadEa(4, 1);
    for (let r = 0; r < 8; r++) this.empty[r] = (tags >> r) & 1 ? 0 : 1;
    for (let i = 0; i < 8; i++) this.regs[(this.top + i) & 7] = this.loadF80(32 + 16 * i);
  }

  // --- the ESC opcodes ----------------------------------------------------------------------

  /**
   * One x87 instruction: `op` D8-DF, `reg` the ModRM reg field, `rm` the register of a register
   * form or -1 for a memory operand, `op32` the operand size (environment layout).
   */
  execute(op: number, reg: number, rm: number, op32: boolean): void {
    if (rm < 0) this.memoryForm(op, reg, op32);
    else this.registerForm(op, reg, rm);
  }

  private memoryForm(op: number, reg: number, op32: boolean): void {
    switch (op) {
      case 0xd8: case 0xdc: case 0xda: case 0xde: { // arithmetic with m32fp, m64fp, m32int, m16int
        const src = op === 0xd8 ? this.loadF32() : op === 0xdc ? this.loadF64() : this.loadInt(op === 0xda ? 4 : 2);
        if (reg === 2 || reg === 3) { this.compare(this.get(0), src, true); if (reg === 3) this.pop(); return; }
        this.set(0, this.arith(reg, this.get(0), src));
        return;
      }
      case 0xd9:
        switch (reg) {
          case 0: this.push(this.loadF32()); return;
          case 2: this.storeF32(this.get(0)); return;
          case 3: this.storeF32(this.get(0)); this.pop(); return;
          case 4: this.loadEnv(op32); return; // FLDENV
          case 5: this.cw = this.host.loadEa(0, 2); return; // FLDCW
          case 6: this.storeEnv(op32); this.cw |= 0x3f; return; // FNSTENV masks every exception after storing
          case 7: this.host.storeEa(0, 2, this.cw); return; // FNSTCW
        }
        break;
      case 0xdb:
        switch (reg) {
          case 0: this.push(this.loadInt(4)); return; // FILD m32
          case 2: this.storeInt(this.get(0), 4); return;
          case 3: this.storeInt(this.get(0), 4); this.pop(); return;
          case 5: this.push(this.loadF80(0)); return;
          case 7: this.storeF80(0, this.get(0)); this.pop(); return;
        }
        break;
      case 0xdd:
        switch (reg) {
          case 0: this.push(this.loadF64()); return;
          case 2: this.storeF64(this.get(0)); return;
          case 3: this.storeF64(this.get(0)); this.pop(); return;
          case 4: { // FRSTOR: environment, then ST(0)..ST(7) as 80-bit reals
            const at = this.loadEnv(op32);
            for (let i = 0; i < 8; i++) this.regs[(this.top + i) & 7] = this.loadF80(at + 10 * i);
            return;
          }
          case 6: { // FNSAVE, then FNINIT
            const at = this.storeEnv(op32);
            for (let i = 0; i < 8; i++) this.storeF80(at + 10 * i, this.regs[(this.top + i) & 7]);
            this.init();
            return;
          }
          case 7: this.host.storeEa(0, 2, this.sw); return; // FNSTSW m16
        }
        break;
      case 0xdf:
        switch (reg) {
          case 0: this.push(this.loadInt(2)); return;
          case 2: this.storeInt(this.get(0), 2); return;
          case 3: this.storeInt(this.get(0), 2); this.pop(); return;
          case 5: this.push(this.loadInt(8)); return;
          case 7: this.storeInt(this.get(0), 8); this.pop(); return;
        }
        break;
    }
    this.notImplemented();
  }

  private registerForm(op: number, reg: number, i: number): void {
    switch (op) {
      case 0xd8: // ST(0) = ST(0) op ST(i); FCOM/FCOMP ST(i)
        if (reg === 2 || reg === 3) { this.compare(this.get(0), this.get(i), true); if (reg === 3) this.pop(); return; }
        this.set(0, this.arith(reg, this.get(0), this.get(i)));
        return;
      case 0xdc: case 0xde: // ST(i) = ST(i) op ST(0) (SUB/SUBR and DIV/DIVR swap their /r here); DE pops
        if (reg === 2 || reg === 3) { // FCOM2/FCOMP3 aliases; DE D9 is FCOMPP
          if (op === 0xde && !(reg === 3 && i === 1)) break;
          this.compare(this.get(0), this.get(i), true);
          if (reg === 3) this.pop();
          if (op === 0xde) this.pop();
          return;
        }
        this.set(i, this.arith(reg >= 4 ? reg ^ 1 : reg, this.get(i), this.get(0)));
        if (op === 0xde) this.pop();
        return;
      case 0xd9: return this.d9Register(reg, i);
      case 0xda:
        if (reg === 5 && i === 1) { this.compare(this.get(0), this.get(1), false); this.pop(); this.pop(); return; } // FUCOMPP
        break; // FCMOVcc: not there
      case 0xdb:
        if (reg === 4) {
          if (i === 2) { this.swRest &= ~(0x3f | SW_SF | SW_ES | SW_B); return; } // FNCLEX
          if (i === 3) { this.init(); return; } // FNINIT
          if (i === 0 || i === 1 || i === 4) return; // FENI, FDISI, FSETPM: no-ops after the 8087/287
          break;
        }
        if (reg === 5 || reg === 6) { this.compareEflags(this.get(0), this.get(i), reg === 6); return; } // FUCOMI, FCOMI
        break; // FCMOVNcc: not there
      case 0xdd:
        switch (reg) {
          case 0: this.empty[(this.top + i) & 7] = 1; return; // FFREE
          case 2: this.set(i, this.get(0)); return; // FST ST(i)
          case 3: this.set(i, this.get(0)); this.pop(); return; // FSTP ST(i)
          case 4: this.compare(this.get(0), this.get(i), false); return; // FUCOM
          case 5: this.compare(this.get(0), this.get(i), false); this.pop(); return; // FUCOMP
        }
        break;
      case 0xdf:
        if (reg === 4 && i === 0) { this.host.setAx(this.sw); return; } // FNSTSW AX
        if (reg === 0) { this.empty[(this.top + i) & 7] = 1; this.pop(); return; } // FFREEP
        if (reg === 5 || reg === 6) { this.compareEflags(this.get(0), this.get(i), reg === 6); this.pop(); return; } // FUCOMIP, FCOMIP
        break;
    }
    this.notImplemented();
  }

  private d9Register(reg: number, i: number): void {
    switch (reg) {
      case 0: { const v = this.get(i); this.push(v); return; } // FLD ST(i)
      case 1: { const a = this.get(0), b = this.get(i); this.set(0, b); this.set(i, a); this.swRest &= ~SW_C1; return; } // FXCH
      case 2: if (i === 0) return; break; // FNOP
      case 4:
        switch (i) {
          case 0: this.set(0, -this.get(0)); return; // FCHS
          case 1: this.set(0, Math.abs(this.get(0))); return; // FABS
          case 4: this.compare(this.get(0), 0, true); return; // FTST
          case 5: this.examine(); return; // FXAM
        }
        break;
      case 5: { // FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ
        if (i < 7) { this.push(CONSTANTS[i]); return; }
        break;
      }
      case 6: case 7: return this.transcendental(reg === 6 ? i : 8 + i);
    }
    this.notImplemented();
  }

  /** FXAM: the class of ST(0) in C3 C2 C0, its sign in C1. */
  private examine(): void {
    const r = this.top, v = this.regs[r];
    this.swRest &= ~SW_CC;
    if (v < 0 || Object.is(v, -0)) this.swRest |= SW_C1;
    if (this.empty[r]) this.swRest |= SW_C3 | SW_C0;
    else if (v !== v) this.swRest |= SW_C0;
    else if (!Number.isFinite(v)) this.swRest |= SW_C2 | SW_C0;
    else if (v === 0) this.swRest |= SW_C3;
    else this.swRest |= SW_C2;
  }

  /** D9 F0-FF, in double precision (`k` = low nibble of the second byte, + 8 for F8-FF). */
  private transcendental(k: number): void {
    this.swRest &= ~(SW_C1 | SW_C2);
    switch (k) {
      case 0: this.set(0, 2 ** this.get(0) - 1); return; // F2XM1
      case 1: { const v = this.get(1) * Math.log2(this.get(0)); this.pop(); this.set(0, v); return; } // FYL2X
      case 2: this.set(0, Math.tan(this.get(0))); this.push(1); return; // FPTAN
      case 3: { const v = Math.atan2(this.get(1), this.get(0)); this.pop(); this.set(0, v); return; } // FPATAN
      case 4: { // FXTRACT: exponent, then significand
        const v = this.get(0);
        if (v === 0 || !Number.isFinite(v)) { if (v === 0) this.raiseFlags(SW_ZE); this.set(0, v === 0 ? -Infinity : Math.abs(v)); this.push(v); return; }
        const e = Math.floor(Math.log2(Math.abs(v)));
        const s = scale(v, -e);
        const fix = Math.abs(s) >= 2 ? 1 : Math.abs(s) < 1 ? -1 : 0; // log2 may be off by one near powers of two
        this.set(0, e + fix); this.push(scale(s, -fix));
        return;
      }
      case 6: this.top = (this.top - 1) & 7; return; // FDECSTP
      case 7: this.top = (this.top + 1) & 7; return; // FINCSTP
      case 8: case 5: { // FPREM (truncating quotient), FPREM1 (nearest): complete in one step
        const a = this.get(0), b = this.get(1);
        const q = k === 8 ? Math.trunc(a / b) : this.roundEven(a / b);
        if (b === 0 || !Number.isFinite(a) || a !== a || b !== b) { this.raiseFlags(SW_IE); this.set(0, NaN); return; }
        this.set(0, k === 8 ? a % b : a - q * b);
        const uq = Math.abs(q) % 8;
        this.swRest = (this.swRest & ~SW_CC) | (uq & 4 ? SW_C0 : 0) | (uq & 2 ? SW_C3 : 0) | (uq & 1 ? SW_C1 : 0);
        return;
      }
      case 9: { const v = this.get(1) * Math.log2(this.get(0) + 1); this.pop(); this.set(0, v); return; } // FYL2XP1
      case 10: { const v = this.get(0); if (v < 0) this.raiseFlags(SW_IE); this.set(0, Math.sqrt(v)); return; } // FSQRT
      case 11: { const v = this.get(0); this.set(0, Math.sin(v)); this.push(Math.cos(v)); return; } // FSINCOS
      case 12: this.set(0, this.roundInt(this.get(0))); return; // FRNDINT
      case 13: this.set(0, scale(this.get(0), Math.trunc(this.get(1)))); return; // FSCALE
      case 14: this.set(0, Math.sin(this.get(0))); return; // FSIN
      default: this.set(0, Math.cos(this.get(0))); return; // FCOS
    }
  }

  private roundEven(v: number): number {
    let r = Math.round(v);
    if (r - v === 0.5 && r % 2 !== 0) r -= 1;
    return r;
  }

  private notImplemented(): void {
    this.unimplemented++;
    this.raiseFlags(SW_IE);
  }
}
