/**
 * PCI configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2; QEMU 7.2 hw/pci/pci_host.c): a
 * dword CONFIG_ADDRESS at 0xCF8 (bit 31 enable, bus 23:16, device 15:11, function 10:8, register
 * 7:2) and CONFIG_DATA at 0xCFC-0xCFF, any width. Bus 0 only; functions are added by devfn
 * (device << 3 | function), so other devices of the board can later bring their own.
 * A function nobody decodes reads all ones (vendor 0xFFFF), as an aborted PCI read.
 */
import type { PciFunction } from './pci-function.js';

export class PciBus {
  private readonly functions = new Map<number, PciFunction>();
  /** The latched CONFIG_ADDRESS. */
  address = 0;

  add(device: number, fn: number, f: PciFunction): void {
    const devfn = (device << 3) | fn;
    if (this.functions.has(devfn)) throw new Error(`PCI 00:${device.toString(16).padStart(2, '0')}.${fn} is taken by ${this.functions.get(devfn)!.name}`);
    this.functions.set(devfn, f);
  }

  function(device: number, fn: number): PciFunction | undefined {
    return this.functions.get((device << 3) | fn);
  }

  all(): Iterable<[number, PciFunction]> {
    return this.functions.entries();
  }

  reset(): void {
    this.address = 0;
    for (const f of this.functions.values()) f.reset();
  }

  /** The function and register CONFIG_ADDRESS selects for a data access at byte `offset` (0-3) of CONFIG_DATA. */
  private target(offset: number, size: number): { f: PciFunction; reg: number } | undefined {
    const a = this.address;
    if ((offset & (size - 1)) !== 0) return undefined; // an unaligned data access reaches no register
    if ((a & 0x80000000) === 0 || ((a >>> 16) & 0xff) !== 0) return undefined;
    const f = this.functions.get((a >>> 8) & 0xff);
    return f ? { f, reg: (a & 0xfc) | offset } : undefined;
  }

  readData(offset: number, size: number): number {
    const t = this.target(offset, size);
    if (!t) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    return t.f.read(t.reg, size);
  }

  writeData(offset: number, size: number, value: number): void {
    const t = this.target(offset, size);
    if (t) t.f.write(t.reg, size, value);
  }
}
