/**
 * QEMU 7.2's `-M pc` chipset (hw/pci-host/i440fx.c, hw/isa/piix3.c, hw/ide/piix.c,
 * hw/acpi/piix4.c): the i440FX host bridge with PCI configuration mechanism #1 and the PAM shadow
 * RAM control of 0xC0000-0xFFFFF, and the PIIX3/PIIX4 functions on bus 0 (piix.ts).
 *
 * Windows, told apart by where the board puts them: the memory window over 0xC0000-0xFFFFF (PAM),
 * the I/O window at 0xCF8 (CONFIG_ADDRESS, the PIIX3 reset control register at 0xCF9, CONFIG_DATA
 * at 0xCFC) and an I/O window for the PIIX4 PM block, decoded while PMBA (config 0x40) points at it
 * and PMIOSE (0x80 bit 0) is set (SeaBIOS puts it at 0x600).
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';
import { AcpiPm } from './acpi-pm.js';
import { PciBus } from './config-mechanism.js';
import { Pam, PAM0, PAM_BASE, PAM_SIZE } from './pam.js';
import { i440fxHost, piix3Ide, piix3Isa, piix4Pm } from './piix.js';

const CONFIG_PORT = 0xcf8;

export function createI440fx(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const { reg, io } = ctx.entry;
  if (reg.length !== 1 || reg[0][0] !== PAM_BASE || reg[0][1] !== PAM_SIZE) throw new Error(`${name}: needs one memory window [0xc0000, 0x40000] (the PAM area), has ${JSON.stringify(reg)}`);
  const configWindow = io.findIndex(([port]) => port === CONFIG_PORT);
  if (configWindow < 0 || io[configWindow][1] !== 8) throw new Error(`${name}: needs the I/O window [0xcf8, 8] (configuration mechanism #1)`);

  const ram = ctx.bus.ram;
  const shadow = ram.base <= PAM_BASE && ram.base + ram.size >= PAM_BASE + PAM_SIZE ? ram.u8.subarray(PAM_BASE - ram.base, PAM_BASE - ram.base + PAM_SIZE) : undefined;
  const pam = new Pam(ctx.bus, shadow);
  const pci = new PciBus();
  const host = i440fxHost();
  const isa = piix3Isa();
  const pmFn = piix4Pm();
  pci.add(0, 0, host);
  pci.add(1, 0, isa);
  pci.add(1, 1, piix3Ide());
  pci.add(1, 3, pmFn);
  const updatePam = () => pam.update(host.config.subarray(PAM0, PAM0 + 7));
  host.onWrite = (offset, size) => {
    if (offset < PAM0 + 7 && offset + size > PAM0) updatePam();
  };
  updatePam();
  const pm = new AcpiPm(ctx.clock, ctx.machine, name);
  let rcr = 0; // PIIX3 reset control register (0xCF9): bit 1 = hard reset, bit 2 = reset now

  const pmDecodes = (port: number) => (pmFn.config[0x80] & 1) !== 0 && ((pmFn.config[0x40] | (pmFn.config[0x41] << 8)) & 0xffc0) === port;
  const ones = (size: number) => (size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff);

  return {
    name,
    read(offset: number, size: AccessSize, region: number): number {
      if (region === 0) return pam.read(offset, size);
      const w = region - 1;
      if (w === configWindow) {
        if (offset >= 4) return pci.readData(offset - 4, size);
        if (offset === 0 && size === 4) return pci.address >>> 0;
        if (offset === 1 && size === 1) return rcr;
        return ones(size);
      }
      return pmDecodes(io[w][0]) ? pm.read(offset, size) : ones(size);
    },
    write(offset: number, size: AccessSize, value: number, region: number): void {
      if (region === 0) return pam.write(offset, size, value);
      const w = region - 1;
      if (w === configWindow) {
        if (offset >= 4) pci.writeData(offset - 4, size, value);
        else if (offset === 0 && size === 4) pci.address = value >>> 0;
        else if (offset === 1 && size === 1) {
          // QEMU's rcr_write: bit 2 resets the machine at once; otherwise keep bit 1.
          if (value & 4) ctx.machine.reset(`${name}: reset control register (port 0xcf9 = 0x${value.toString(16)})`);
          else rcr = value & 2;
        }
        return;
      }
      if (pmDecodes(io[w][0])) pm.write(offset, size, value);
    },
    reset() {
      pci.reset();
      updatePam();
      pm.reset();
      rcr = 0;
    },
    inspect: () => ({
      configAddress: pci.address >>> 0,
      pam: pam.describe(),
      pmBase: (pmFn.config[0x40] | (pmFn.config[0x41] << 8)) & 0xffc0,
      pmEnabled: pmFn.config[0x80] & 1,
    }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'i440fx',
    description: 'i440FX PCI host bridge (configuration mechanism #1, PAM shadow RAM) with the PIIX3 ISA bridge, PIIX3 IDE and PIIX4 ACPI PM functions, as QEMU -M pc',
    create: createI440fx,
  });
}
