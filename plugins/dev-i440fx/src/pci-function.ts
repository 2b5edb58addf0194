/**
 * One PCI function's 256-byte configuration space (PCI Local Bus 3.0, 6.1): the bytes, a write
 * mask (which bits the guest may change, as QEMU's `wmask`), and an optional hook that sees every
 * write once it landed (PAM, PM base). Header fields read as QEMU 7.2 sets them.
 */
export const PCI_VENDOR_ID = 0x00;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BAR0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;

export interface PciIdentity {
  vendor: number;
  device: number;
  revision: number;
  /** Class code, sub-class and programming interface: 0x010180 for a legacy-mode IDE controller. */
  classCode: number;
  /** Header type byte; bit 7 = multi-function device. */
  headerType?: number;
}

export class PciFunction {
  readonly config = new Uint8Array(256);
  readonly wmask = new Uint8Array(256);
  /** Called after a config write of `size` bytes at `offset` (the bytes are already stored). */
  onWrite: ((offset: number, size: number) => void) | undefined;
  private readonly resetConfig: Uint8Array;

  /**
   * `init` fills the reset values beyond the identity (device registers at 0x40-0xFF and the like).
   * As QEMU's pci_init_wmask: command (I/O, memory, bus master, SERR, parity, INTx disable), cache
   * line size, latency timer, interrupt line and all of 0x40-0xFF are writable; BARs add theirs.
   */
  constructor(
    readonly name: string,
    id: PciIdentity,
    init?: (f: PciFunction) => void,
  ) {
    const c = this.config;
    this.set16(PCI_VENDOR_ID, id.vendor);
    this.set16(PCI_VENDOR_ID + 2, id.device);
    c[PCI_REVISION] = id.revision;
    c[PCI_CLASS_PROG] = id.classCode & 0xff;
    c[PCI_CLASS_PROG + 1] = (id.classCode >> 8) & 0xff;
    c[PCI_CLASS_PROG + 2] = (id.classCode >> 16) & 0xff;
    c[PCI_HEADER_TYPE] = id.headerType ?? 0;
    // QEMU's default subsystem: Red Hat / QEMU (SeaBIOS's "Running on QEMU" test reads it at 00.0).
    this.set16(PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    this.set16(PCI_SUBSYSTEM_VENDOR_ID + 2, 0x1100);
    const w = this.wmask;
    w[PCI_COMMAND] = 0x47; // I/O, memory, bus master, parity error response
    w[PCI_COMMAND + 1] = 0x05; // SERR#, INTx disable
    w[0x0c] = 0xff; // cache line size
    w[0x0d] = 0xff; // latency timer
    w[PCI_INTERRUPT_LINE] = 0xff;
    w.fill(0xff, 0x40);
    init?.(this);
    this.resetConfig = c.slice();
  }

  /** An I/O BAR of `size` bytes (a power of two): bit 0 reads 1, the address bits are writable. */
  ioBar(index: number, size: number): void {
    const at = PCI_BAR0 + index * 4;
    this.set32(at, 1);
    const mask = ~(size - 1) & ~3;
    for (let i = 0; i < 4; i++) this.wmask[at + i] = (mask >>> (8 * i)) & 0xff;
  }

  reset(): void {
    this.config.set(this.resetConfig);
  }

  /** A config read of 1, 2 or 4 bytes (offset aligned to the size, as mechanism #1 delivers it). */
  read(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.config[offset + i];
    return v >>> 0;
  }

  write(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const m = this.wmask[offset + i];
      this.config[offset + i] = (this.config[offset + i] & ~m) | ((value >>> (8 * i)) & m);
    }
    this.onWrite?.(offset, size);
  }

  set16(offset: number, v: number): void {
    this.config[offset] = v & 0xff;
    this.config[offset + 1] = (v >> 8) & 0xff;
  }

  set32(offset: number, v: number): void {
    for (let i = 0; i < 4; i++) this.config[offset + i] = (v >>> (8 * i)) & 0xff;
  }
}
