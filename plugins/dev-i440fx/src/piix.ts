/**
 * The functions of QEMU 7.2's `-M pc` PCI bus 0 besides the host bridge: the PIIX3 ISA bridge
 * (01.0, hw/isa/piix3.c), its IDE function (01.1, hw/ide/piix.c) and the PIIX4 ACPI power
 * management function (01.3, hw/acpi/piix4.c). Reset values as QEMU's (82371SB/AB datasheets).
 */
import { PCI_COMMAND, PCI_INTERRUPT_PIN, PciFunction } from './pci-function.js';

const INTEL = 0x8086;

export function i440fxHost(): PciFunction {
  return new PciFunction('i440fx', { vendor: INTEL, device: 0x1237, revision: 0x02, classCode: 0x060000 }, (f) => {
    f.config[0x72] = 0x02; // SMRAM: C_BASE_SEG = 010 (0xA0000), as QEMU's i440fx_realize
  });
}

export function piix3Isa(): PciFunction {
  return new PciFunction('piix3', { vendor: INTEL, device: 0x7000, revision: 0x00, classCode: 0x060100, headerType: 0x80 }, (f) => {
    const c = f.config;
    // QEMU's piix3_reset.
    c[PCI_COMMAND] = 0x07;
    c[0x07] = 0x02; // DEVSEL medium
    c[0x4c] = 0x4d; // ISA I/O recovery timer
    c[0x4e] = 0x03; // X-bus chip select
    c.fill(0x80, 0x60, 0x64); // PIRQA-D route control: disabled
    c[0x69] = 0x02; // top of memory
    c[0x70] = 0x80; // MBIRQ0
    c[0x76] = 0x0c; // MBDMA0/1
    c[0x77] = 0x0c;
    c[0x78] = 0x02; // programmable chip select
    c[0xa0] = 0x08; // SMI control
    c[0xa8] = 0x0f; // SMI request
  });
}

/** PIIX3 IDE in legacy (compatibility) mode: the board's ata channels at 0x1F0/0x170, IRQ 14/15. */
export function piix3Ide(): PciFunction {
  return new PciFunction('piix3-ide', { vendor: INTEL, device: 0x7010, revision: 0x00, classCode: 0x010180 }, (f) => {
    f.config[0x07] = 0x02; // DEVSEL medium
    // Bus-master DMA registers: the BAR sizes and takes an address, but nothing decodes it (no DMA).
    f.ioBar(4, 16);
  });
}

/** PIIX4 power management: PMBA at 0x40 (bit 0 reads 1), PMIOSE at 0x80 bit 0, DEVACTB at 0x58. */
export function piix4Pm(): PciFunction {
  return new PciFunction('piix4-pm', { vendor: INTEL, device: 0x7113, revision: 0x03, classCode: 0x068000 }, (f) => {
    const c = f.config;
    c[PCI_INTERRUPT_PIN] = 0x01; // the SCI on INTA (not modelled)
    c[0x40] = 0x01; // PMBA: I/O space indicator
    f.wmask[0x40] = 0xc0; // a 64-byte block
    // QEMU without SMM (`smm=off`, what its KVM and this CPU offer): DEVACTB.APMC_EN already set, so
    // SeaBIOS sees "SMM init already done" and does not wait for an SMI handler that never runs.
    c[0x5b] = 0x02;
    c[0x90] = 0x01; // SMBus base: I/O space indicator (no SMBus behind it)
  });
}
