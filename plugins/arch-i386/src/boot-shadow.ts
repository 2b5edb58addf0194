/**
 * The BIOS area (0xC0000-0xFFFFF) on boards whose chipset decodes it (the pc board's i440FX with its
 * PAM registers): there the arch maps no ROM of its own. The BIOS ROM's isa-bios alias is the
 * chipset's read-from-PCI view, and a direct kernel boot leaves the area as SeaBIOS does before it
 * starts a kernel on QEMU (make_bios_readonly in src/fw/shadow.c), shadow RAM, with the loader's
 * GDT written into it. Boards without such a chipset keep the plain ROMs.
 */
import type { Bus, PortSpace } from '../../../src/core/api.js';

const OPTION_ROM_AREA = 0xc0000;
const PCI_CONFIG_ADDRESS = 0xcf8;
const PCI_CONFIG_DATA = 0xcfc;
const I440FX_ID = 0x12378086;
const PAM0 = 0x59;

/** True when a device decodes the option-ROM area (plain boards have nothing there). */
export function chipsetDecodesBiosArea(bus: Bus): boolean {
  bus.fault = false;
  bus.read(OPTION_ROM_AREA, 1);
  const decoded = !bus.fault;
  bus.fault = false;
  return decoded;
}

/**
 * With an i440FX at PCI 00.0, sets PAM0-PAM6 as SeaBIOS leaves them with no option ROMs
 * (0xF0000 read-only RAM, 0xC0000 read-only and the rest read/write RAM) and returns true.
 */
export function shadowAsSeaBiosLeavesIt(io: PortSpace): boolean {
  const config = (reg: number) => 0x80000000 | reg;
  io.write(PCI_CONFIG_ADDRESS, 4, config(0));
  const found = io.read(PCI_CONFIG_DATA, 4) >>> 0 === I440FX_ID;
  if (found) {
    const pam = [0x10, 0x31, 0x33, 0x33, 0x33, 0x33, 0x33];
    pam.forEach((v, i) => {
      io.write(PCI_CONFIG_ADDRESS, 4, config((PAM0 + i) & ~3));
      io.write(PCI_CONFIG_DATA + ((PAM0 + i) & 3), 1, v);
    });
  }
  io.write(PCI_CONFIG_ADDRESS, 4, 0);
  return found;
}

/** Writes `bytes` at `addr` through the bus (shadow RAM); false when they do not read back. */
export function writeThroughBus(bus: Bus, addr: number, bytes: Uint8Array): boolean {
  let ok = true;
  for (let i = 0; i < bytes.length; i++) bus.write(addr + i, 1, bytes[i]);
  for (let i = 0; i < bytes.length && ok; i++) ok = bus.read(addr + i, 1) === bytes[i];
  bus.fault = false;
  return ok;
}
