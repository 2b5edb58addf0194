/**
 * The PIIX4's ACPI registers in its PM I/O block (82371AB datasheet 7.2; QEMU 7.2 hw/acpi/core.c):
 * PM1 status (+0, write 1 to clear), PM1 enable (+2), PM1 control (+4: SCI_EN, SLP_TYP, SLP_EN) and
 * the 24-bit PM timer (+8) at 3.579545 MHz of virtual time. Sleep type 0 (QEMU's soft off) or 2 (its S4)
 * with SLP_EN powers the machine off. Not modelled: the SCI, status bits set by the hardware (timer overflow,
 * power button), GPE0 and the other registers of the block (they read 0).
 */
import type { Clock, MachineControl } from '../../../src/core/api.js';

export const PM_TIMER_HZ = 3579545;
export const PM_IO_SIZE = 64;
const SLP_EN = 1 << 13;

export class AcpiPm {
  private sts = 0;
  private en = 0;
  private cnt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly machine: MachineControl,
    private readonly name: string,
  ) {}

  reset(): void {
    this.sts = this.en = this.cnt = 0;
  }

  /** The PM timer: virtual time in 3.579545 MHz ticks, 24 bits (exact: seconds and the rest apart). */
  timer(): number {
    const ns = this.clock.now();
    const s = Math.floor(ns / 1e9);
    const ticks = s * PM_TIMER_HZ + Math.floor(((ns - s * 1e9) * PM_TIMER_HZ) / 1e9);
    return ticks % 0x1000000;
  }

  read(off: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.byte(off + i);
    return v >>> 0;
  }

  private byte(off: number): number {
    const reg = off & ~1;
    const word = reg === 0 ? this.sts : reg === 2 ? this.en : reg === 4 ? this.cnt : off >= 8 && off < 12 ? this.timer() >>> (8 * (off - 8)) : 0;
    return off >= 8 && off < 12 ? word & 0xff : (word >> (8 * (off & 1))) & 0xff;
  }

  write(off: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const at = off + i;
      const b = (value >>> (8 * i)) & 0xff;
      const shift = 8 * (at & 1);
      if (at < 2) this.sts &= ~(b << shift);
      else if (at < 4) this.en = (this.en & ~(0xff << shift)) | (b << shift);
      else if (at < 6) this.cnt = (this.cnt & ~(0xff << shift)) | (b << shift);
    }
    if (off <= 5 && off + size > 4 && this.cnt & SLP_EN) {
      const type = (this.cnt >> 10) & 7;
      this.cnt &= ~SLP_EN; // write-only bit
      // QEMU's PIIX4: type 0 is soft off, its S4 value (2) powers off too; 1 (S3) is not modelled.
      if (type === 0 || type === 2) this.machine.powerOff(0, `${this.name}: ACPI sleep type ${type} (PM1 control SLP_EN): power off`);
    }
  }
}
