/**
 * Translation tables for the MMU tests, built in the test machine's RAM with bigints (tests only),
 * and a set-up that turns stage 1 on at EL1 (or EL2/EL3) through the same register code paths MSR uses.
 */
import { writeElRegister } from '../../../plugins/arch-aarch64/src/el-registers.js';
import { writeMmuRegister } from '../../../plugins/arch-aarch64/src/mmu-sys.js';
import * as K from '../../../plugins/arch-aarch64/src/mmu-sys.js';
import { SYSREG_SCTLR_EL1, SYSREG_SCTLR_EL2, SYSREG_SCTLR_EL3 } from '../../../plugins/arch-aarch64/src/sysregs.js';
import type { A64Machine } from './machine.js';

export const VALID = 1n;
export const AF = 1n << 10n;
export const AP_RW_EL1 = 0n;
export const AP_RW_ALL = 1n << 6n;
export const AP_RO_EL1 = 2n << 6n;
export const AP_RO_ALL = 3n << 6n;
export const NG = 1n << 11n;
export const PXN = 1n << 53n;
export const UXN = 1n << 54n;
export const attrIndx = (i: number) => BigInt(i) << 2n;
/** Table descriptor controls. */
export const AP_TABLE_NO_EL0 = 1n << 61n;
export const AP_TABLE_RO = 1n << 62n;

/** Where the tests' tables live (the top 512 KiB of the 2 MiB test RAM). */
export const TABLES = 0x180000;

export class PageTables {
  readonly root: number;
  readonly start: number;
  private next: number;
  constructor(
    private readonly m: A64Machine,
    readonly granule: 12 | 16,
    readonly inputBits: number,
    base = TABLES,
  ) {
    this.next = base;
    this.start = 4 - Math.ceil((inputBits - granule) / (granule - 3));
    this.root = this.alloc();
  }

  alloc(): number {
    const a = this.next;
    this.next += 1 << this.granule;
    this.m.poke(a, new Uint8Array(1 << this.granule));
    return a;
  }

  index(va: bigint, level: number): number {
    const g = this.granule;
    const shift = g + (g - 3) * (3 - level);
    const bits = level === this.start ? this.inputBits - shift : g - 3;
    return Number((va >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n));
  }

  /** Address of the descriptor slot for `va` at `level`, creating the tables above it. */
  slot(va: bigint, level: number, tableBits = 0n): number {
    let table = this.root;
    for (let l = this.start; l < level; l++) {
      const at = table + 8 * this.index(va, l);
      let d = this.m.r64(at);
      if ((d & 1n) === 0n) {
        d = BigInt(this.alloc()) | 3n | tableBits;
        this.m.w64(at, d);
      }
      table = Number(d & 0xfffffffff000n & ~((1n << BigInt(this.granule)) - 1n));
    }
    return table + 8 * this.index(va, level);
  }

  /** Maps `va` to `pa` with a page (level 3) or a block (level < 3) descriptor with `attrs`. */
  map(va: bigint, pa: bigint, attrs: bigint = AF, level = 3): number {
    const at = this.slot(va, level);
    this.m.w64(at, pa | attrs | (level === 3 ? 3n : 1n));
    return at;
  }
}

const words = (v: bigint): [number, number] => [Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0];

export function setSys(m: A64Machine, key: number, v: bigint): void {
  const [lo, hi] = words(v);
  if (!writeMmuRegister(m.cpu, key, 31, lo, hi, 0, 0)) writeElRegister(m.cpu, key, lo, hi);
}

/** TCR_EL1 fields. */
export const TG0_4K = 0n;
export const TG0_64K = 1n << 14n;
export const TG0_16K = 2n << 14n;
export const TG1_4K = 2n << 30n;
export const TG1_64K = 3n << 30n;
export const EPD0 = 1n << 7n;
export const EPD1 = 1n << 23n;
export const A1 = 1n << 22n;
export const IPS = (v: number) => BigInt(v) << 32n;
export const TBI0 = 1n << 37n;
export const T0SZ = (n: number) => BigInt(n);
export const T1SZ = (n: number) => BigInt(n) << 16n;
export const WXN = 1n << 19n;
export const SCTLR_A = 1n << 1n;

/** SCTLR_EL1 with M set (QEMU's reset value 0x00c50838 plus M and `extra`). */
export function enableEl1(m: A64Machine, tcr: bigint, ttbr0: bigint, ttbr1 = 0n, extra = 0n, mair = 0xff04n): void {
  m.cpu.setEl(1);
  setSys(m, K.SYSREG_MAIR_EL1, mair);
  setSys(m, K.SYSREG_TCR_EL1, tcr);
  setSys(m, K.SYSREG_TTBR0_EL1, ttbr0);
  setSys(m, K.SYSREG_TTBR1_EL1, ttbr1);
  setSys(m, SYSREG_SCTLR_EL1, 0x00c50838n | 1n | extra);
}

/** Stage 1 of EL2 or EL3 on (TCR_ELx, TTBR0_ELx, SCTLR_ELx.M), running at that EL. */
export function enableEl23(m: A64Machine, el: 2 | 3, tcr: bigint, ttbr0: bigint, extra = 0n): void {
  m.cpu.setEl(el);
  setSys(m, el === 2 ? K.SYSREG_MAIR_EL2 : K.SYSREG_MAIR_EL3, 0xff04n);
  setSys(m, el === 2 ? K.SYSREG_TCR_EL2 : K.SYSREG_TCR_EL3, tcr);
  setSys(m, el === 2 ? K.SYSREG_TTBR0_EL2 : K.SYSREG_TTBR0_EL3, ttbr0);
  setSys(m, el === 2 ? SYSREG_SCTLR_EL2 : SYSREG_SCTLR_EL3, 0x30c50830n | 1n | extra);
}
