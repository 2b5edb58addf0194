/**
 * The i440FX's Programmable Attribute Map (82441FX datasheet 3.2.18, PAM0-PAM6 at config 0x59-0x5F;
 * QEMU 7.2 hw/pci-host/pam.c): the BIOS area 0xC0000-0xFFFFF in 13 segments (twelve of 16 KiB from
 * 0xC0000, one of 64 KiB at 0xF0000). Each segment's two bits: RE (bit 0) = reads come from DRAM
 * (else from the PCI side), WE (bit 1) = writes go to DRAM (else to the PCI side, where nothing takes
 * them). The PCI side of 0xE0000-0xFFFFF is the BIOS ROM's last 128 KiB (QEMU's isa-bios alias of the
 * ROM below 4 GiB); below 0xE0000 nothing answers (reads 0, as QEMU's unassigned memory).
 * The DRAM is the board RAM under the memory hole (shadow RAM), so what the BIOS copies stays there.
 */
import type { Bus } from '../../../src/core/api.js';

export const PAM_BASE = 0xc0000;
export const PAM_SIZE = 0x40000;
/** Config register of PAM0. */
export const PAM0 = 0x59;
const ISA_BIOS = 0xe0000;
const SEG_F = 12; // the 64 KiB segment at 0xF0000
const RE = 1;
const WE = 2;

export class Pam {
  /** RE/WE bits of each segment, from PAM0..PAM6. */
  private readonly attr = new Uint8Array(13);
  private readonly shadow: Uint8Array;

  /** `shadow` is the RAM behind 0xC0000-0xFFFFF (256 KiB). */
  constructor(
    private readonly bus: Bus,
    shadow?: Uint8Array,
  ) {
    this.shadow = shadow ?? new Uint8Array(PAM_SIZE);
  }

  /** Reloads the segment attributes from PAM0-PAM6 (the 7 config bytes from 0x59). */
  update(regs: Uint8Array): void {
    this.attr[SEG_F] = (regs[0] >> 4) & 3;
    for (let i = 1; i < 7; i++) {
      this.attr[(i - 1) * 2] = regs[i] & 3;
      this.attr[(i - 1) * 2 + 1] = (regs[i] >> 4) & 3;
    }
  }

  private segment(off: number): number {
    return off >= 0x30000 ? SEG_F : off >>> 14;
  }

  read(off: number, size: number): number {
    const seg = this.segment(off);
    if (this.segment(off + size - 1) !== seg) {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.read(off + i, 1);
      return v >>> 0;
    }
    if (this.attr[seg] & RE) return readLE(this.shadow, off, size);
    if (PAM_BASE + off < ISA_BIOS) return 0;
    // The ROM below 4 GiB; a machine without one reads 0 there, and no bus error either way.
    const fault = this.bus.fault;
    const v = this.bus.read(0x100000000 - PAM_SIZE + off, size as 1 | 2 | 4);
    this.bus.fault = fault;
    return v;
  }

  write(off: number, size: number, value: number): void {
    const seg = this.segment(off);
    if (this.segment(off + size - 1) !== seg) {
      for (let i = 0; i < size; i++) this.write(off + i, 1, value >>> (8 * i));
      return;
    }
    if (this.attr[seg] & WE) {
      for (let i = 0; i < size; i++) this.shadow[off + i] = value >>> (8 * i);
    }
  }

  /** The segments' attributes as text for `inspect()`: "c0000:ro" ... */
  describe(): string {
    const names = ['pci', 'ro', 'wo', 'rw'];
    return Array.from(this.attr, (a, i) => `${(PAM_BASE + (i === SEG_F ? 0x30000 : i * 0x4000)).toString(16)}:${names[a]}`).join(' ');
  }
}

function readLE(b: Uint8Array, off: number, size: number): number {
  if (size === 1) return b[off];
  if (size === 2) return b[off] | (b[off + 1] << 8);
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}
