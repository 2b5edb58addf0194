/**
 * 64-bit machine counters (mcycle, minstret; priv spec 3.1.11) kept as an offset from a source
 * count (instructions retired, a double that stays exact below 2^53). RV32 reads and writes them
 * as 32-bit halves; the offset is kept as two uint32 halves so any 64-bit value can be written.
 */
const TWO32 = 4294967296;

export class Counter64 {
  private offLo = 0;
  private offHi = 0;
  private inhibited = false;
  private frozenLo = 0;
  private frozenHi = 0;

  reset(): void {
    this.offLo = this.offHi = 0;
    this.inhibited = false;
    this.frozenLo = this.frozenHi = 0;
  }

  lo(source: number): number {
    if (this.inhibited) return this.frozenLo;
    return ((source % TWO32) + this.offLo) % TWO32;
  }

  hi(source: number): number {
    if (this.inhibited) return this.frozenHi;
    const carry = (source % TWO32) + this.offLo >= TWO32 ? 1 : 0;
    return (Math.floor(source / TWO32) + this.offHi + carry) % TWO32;
  }

  /** Makes the counter read `hi:lo` when the source count is `source`. */
  set(source: number, lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    if (this.inhibited) {
      this.frozenLo = lo;
      this.frozenHi = hi;
      return;
    }
    const sLo = source % TWO32;
    const sHi = Math.floor(source / TWO32) % TWO32;
    const borrow = lo < sLo ? 1 : 0;
    this.offLo = lo - sLo + borrow * TWO32;
    this.offHi = (hi - sHi - borrow + 2 * TWO32) % TWO32;
  }

  /**
   * A CSR write to one half by the instruction retiring at source count `now`. The write is done
   * instead of that instruction's increment (Zicsr, "CSR Instructions"), for the whole 64-bit
   * counter on RV32 (priv spec 3.1.11): the next instruction reads the written half and the other
   * half as it was before the writing instruction, so no carry from the suppressed increment.
   */
  writeLo(now: number, value: number): void {
    this.set(now + 1, value, this.hi(now));
  }

  writeHi(now: number, value: number): void {
    this.set(now + 1, this.lo(now), value);
  }

  /** mcountinhibit bit: a stopped counter keeps its value (priv spec 3.1.13). */
  inhibit(source: number, stop: boolean): void {
    if (stop === this.inhibited) return;
    if (stop) {
      this.frozenLo = this.lo(source);
      this.frozenHi = this.hi(source);
      this.inhibited = true;
    } else {
      this.inhibited = false;
      this.set(source, this.frozenLo, this.frozenHi);
    }
  }
}
