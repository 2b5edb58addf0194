/**
 * Physical memory protection (priv spec 3.7): 16 entries, granularity 4 bytes (G = 0), 34-bit
 * physical addresses (pmpaddr holds address bits 33:2).
 *
 * As in QEMU 7.2, S- and U-mode accesses that match no entry fail even when no entry is active
 * (`pmp_hart_has_privs_default`), so an M-mode program must program PMP before dropping privilege.
 */
import { PMP_ENTRIES, PRV_M } from './constants.js';

export const PMP_R = 1;
export const PMP_W = 2;
export const PMP_X = 4;
export const PMP_L = 0x80;
const A_OFF = 0;
const A_TOR = 1;
const A_NA4 = 2;
const A_NAPOT = 3;

/** Permission bit for each access kind (ACC_R, ACC_W, ACC_X). */
export const PMP_BIT_OF_ACCESS = [PMP_R, PMP_W, PMP_X];

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  readonly addr = new Uint32Array(PMP_ENTRIES);
  /** Matched byte range [lo, hi) of each entry (doubles: up to 2^34); empty when off. */
  private readonly lo = new Float64Array(PMP_ENTRIES);
  private readonly hi = new Float64Array(PMP_ENTRIES);
  /** Number of entries whose A field is not OFF. */
  activeRules = 0;

  reset(): void {
    this.cfg.fill(0);
    this.addr.fill(0);
    this.update();
  }

  private locked(i: number): boolean {
    return (this.cfg[i] & PMP_L) !== 0;
  }

  /** pmpcfgN read: four entries' configuration bytes. */
  readCfg(reg: number): number {
    const i = reg * 4;
    return (this.cfg[i] | (this.cfg[i + 1] << 8) | (this.cfg[i + 2] << 16) | (this.cfg[i + 3] << 24)) >>> 0;
  }

  writeCfg(reg: number, value: number): void {
    for (let k = 0; k < 4; k++) {
      const i = reg * 4 + k;
      if (this.locked(i)) continue; // locked entries ignore writes until reset (3.7.1.3)
      let b = (value >>> (8 * k)) & 0xff & ~0x60; // bits 6:5 are reserved, read as zero
      // R=0, W=1 is reserved: keep it unrepresentable by dropping both bits (as later QEMU does).
      if ((b & (PMP_R | PMP_W)) === PMP_W) b &= ~(PMP_R | PMP_W);
      this.cfg[i] = b;
    }
    this.update();
  }

  readAddr(i: number): number {
    return this.addr[i];
  }

  writeAddr(i: number, value: number): void {
    if (this.locked(i)) return;
    // An address register used as the top of a locked TOR entry is locked too (3.7.1.3).
    if (i + 1 < PMP_ENTRIES && this.locked(i + 1) && ((this.cfg[i + 1] >>> 3) & 3) === A_TOR) return;
    this.addr[i] = value >>> 0;
    this.update();
  }

  private update(): void {
    let active = 0;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const a = (this.cfg[i] >>> 3) & 3;
      let lo = 0;
      let hi = 0;
      if (a === A_TOR) {
        lo = i === 0 ? 0 : this.addr[i - 1] * 4;
        hi = this.addr[i] * 4;
      } else if (a === A_NA4) {
        lo = this.addr[i] * 4;
        hi = lo + 4;
      } else if (a === A_NAPOT) {
        // yyyy...y011..1: t trailing ones give a region of 2^(t+3) bytes (3.7.1.2, table 3.11).
        const v = this.addr[i];
        let t = 0;
        while (t < 32 && (v >>> t) & 1) t++;
        const size = 2 ** (t + 3);
        lo = Math.floor((v * 4) / size) * size;
        hi = lo + size;
      }
      if (a !== A_OFF) active++;
      this.lo[i] = lo;
      this.hi[i] = hi;
    }
    this.activeRules = active;
  }

  /**
   * Checks an access of `size` bytes at physical `pa` with permission `bit` (PMP_R/W/X) at
   * privilege `priv`. The lowest-numbered matching entry decides; a partial match fails.
   */
  check(pa: number, size: number, priv: number, bit: number): boolean {
    const end = pa + size;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const lo = this.lo[i];
      const hi = this.hi[i];
      if (hi <= lo || end <= lo || pa >= hi) continue;
      if (pa < lo || end > hi) return false;
      const cfg = this.cfg[i];
      if (priv === PRV_M && (cfg & PMP_L) === 0) return true;
      return (cfg & bit) !== 0;
    }
    return priv === PRV_M;
  }

  /**
   * Permissions (PMP_R|W|X) that hold for every byte of the 4 KiB page at `page`, or -1 when
   * they differ inside the page (then nothing from this page may be cached in a TLB, like QEMU's
   * `pmp_get_tlb_size`).
   */
  pagePermissions(page: number, priv: number): number {
    const end = page + 4096;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const lo = this.lo[i];
      const hi = this.hi[i];
      if (hi <= lo || end <= lo || page >= hi) continue;
      if (page < lo || end > hi) return -1;
      const cfg = this.cfg[i];
      if (priv === PRV_M && (cfg & PMP_L) === 0) return PMP_R | PMP_W | PMP_X;
      return cfg & (PMP_R | PMP_W | PMP_X);
    }
    return priv === PRV_M ? PMP_R | PMP_W | PMP_X : 0;
  }
}
