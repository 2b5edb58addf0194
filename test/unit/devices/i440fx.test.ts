import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-i440fx/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('i440fx')!;
// Windows as on the pc board: region 0 = PAM (0xC0000), 1 = 0xCF8, 2 = PM at 0x600, 3 = PM at 0xB000.
const PAM = 0;
const CF8 = 1;
const PM600 = 2;
const PMB000 = 3;

function chipset() {
  const d = instantiate(type, { name: 'pci', reg: [[0xc0000, 0x40000]], io: [[0xcf8, 8], [0x600, 64], [0xb000, 64]] });
  const addr = (dev: number, fn: number, reg: number) => (0x80000000 | (dev << 11) | (fn << 8) | (reg & 0xfc)) >>> 0;
  const cfgRead = (dev: number, fn: number, reg: number, size: 1 | 2 | 4 = 4) => {
    d.write(0, addr(dev, fn, reg), 4, CF8);
    return d.read(4 + (reg & 3), size, CF8);
  };
  const cfgWrite = (dev: number, fn: number, reg: number, value: number, size: 1 | 2 | 4 = 4) => {
    d.write(0, addr(dev, fn, reg), 4, CF8);
    d.write(4 + (reg & 3), value, size, CF8);
  };
  return { d, cfgRead, cfgWrite };
}

describe('i440fx: PCI configuration mechanism #1', () => {
  it("lists QEMU -M pc's functions on bus 0 and reads all ones elsewhere", () => {
    const { d, cfgRead } = chipset();
    expect(cfgRead(0, 0, 0)).toBe(0x12378086);
    expect(cfgRead(1, 0, 0)).toBe(0x70008086);
    expect(cfgRead(1, 1, 0)).toBe(0x70108086);
    expect(cfgRead(1, 3, 0)).toBe(0x71138086);
    expect(cfgRead(1, 2, 0)).toBe(0xffffffff);
    expect(cfgRead(2, 0, 0, 2)).toBe(0xffff);
    // Class codes (revision in the low byte), header types, QEMU's subsystem ids (SeaBIOS's QEMU test).
    expect(cfgRead(0, 0, 8)).toBe(0x06000002);
    expect(cfgRead(1, 0, 8) >>> 8).toBe(0x060100);
    expect(cfgRead(1, 0, 0x0e, 1)).toBe(0x80);
    expect(cfgRead(1, 1, 8) >>> 8).toBe(0x010180);
    expect(cfgRead(1, 3, 8)).toBe(0x06800003);
    expect(cfgRead(0, 0, 0x2c)).toBe(0x11001af4);
    // Bus 1 and a disabled CONFIG_ADDRESS (bit 31 clear) reach nothing.
    d.write(0, 0x80010000, 4, CF8);
    expect(d.read(4, 4, CF8)).toBe(0xffffffff);
    d.write(0, 0x00000000, 4, CF8);
    expect(d.read(4, 2, CF8)).toBe(0xffff);
    // CONFIG_ADDRESS reads back; bytes and words of CONFIG_DATA select within the dword.
    d.write(0, 0x80000000, 4, CF8);
    expect(d.read(0, 4, CF8)).toBe(0x80000000);
    expect(d.read(4, 1, CF8)).toBe(0x86);
    expect(d.read(6, 2, CF8)).toBe(0x1237);
    expect(d.read(7, 1, CF8)).toBe(0x12);
  });

  it('keeps read-only header fields, takes writable ones and sizes the IDE bus-master BAR (16 ports)', () => {
    const { cfgRead, cfgWrite } = chipset();
    cfgWrite(0, 0, 0, 0);
    expect(cfgRead(0, 0, 0)).toBe(0x12378086);
    cfgWrite(1, 1, 0x20, 0xffffffff);
    expect(cfgRead(1, 1, 0x20)).toBe(0xfffffff1);
    cfgWrite(1, 1, 0x20, 0xc001);
    expect(cfgRead(1, 1, 0x20)).toBe(0xc001);
    cfgWrite(1, 1, 0x3c, 14, 1);
    expect(cfgRead(1, 1, 0x3c, 1)).toBe(14);
    // PIIX3 PIRQ routing starts disabled (0x80) and takes the BIOS's IRQs.
    expect(cfgRead(1, 0, 0x60)).toBe(0x80808080);
    cfgWrite(1, 0, 0x60, 0x0b0b0a0a);
    expect(cfgRead(1, 0, 0x60)).toBe(0x0b0b0a0a);
    // PIIX4 PM: SMM marked done (DEVACTB.APMC_EN, QEMU smm=off), PMBA bit 0 fixed.
    expect(cfgRead(1, 3, 0x58)).toBe(0x02000000);
    cfgWrite(1, 3, 0x40, 0xffff);
    expect(cfgRead(1, 3, 0x40)).toBe(0xffc1);
  });

  it('resets the machine through the PIIX3 reset control register (0xCF9 bit 2)', () => {
    const { d } = chipset();
    d.write(1, 0x02, 1, CF8);
    expect(d.read(1, 1, CF8)).toBe(0x02);
    expect(d.h.machine.resets).toEqual([]);
    d.write(1, 0x06, 1, CF8);
    expect(d.h.machine.resets.length).toBe(1);
  });
});

describe('i440fx: PAM', () => {
  it('reads the BIOS ROM at 0xE0000-0xFFFFF at reset, then shadow RAM as PAM0-PAM6 say, at once', () => {
    const { d, cfgRead, cfgWrite } = chipset();
    const rom = new Uint8Array(0x20000).map((_, i) => (i * 7) & 0xff);
    d.h.bus.map({ name: 'bios', base: 0xfffe0000, size: rom.length, bytes: rom, readOnly: true, index: 0 });
    expect(d.read(0x3fff0, 4, PAM)).toBe(new DataView(rom.buffer).getUint32(0x1fff0, true)); // F000:FFF0
    expect(d.read(0x20000, 1, PAM)).toBe(rom[0]); // 0xE0000
    expect(d.read(0x00000, 4, PAM)).toBe(0); // 0xC0000: nothing on the PCI side
    // Writes in PCI mode go nowhere.
    d.write(0x30000, 0x11223344, 4, PAM);
    expect(d.read(0x30000, 4, PAM)).toBe(new DataView(rom.buffer).getUint32(0x10000, true));
    // PAM0 = 0x20 (F segment write-only): writes reach RAM, reads still the ROM.
    cfgWrite(0, 0, 0x59, 0x20, 1);
    d.write(0x30000, 0x11223344, 4, PAM);
    expect(d.read(0x30000, 4, PAM)).toBe(new DataView(rom.buffer).getUint32(0x10000, true));
    // PAM0 = 0x10 (read-only RAM): what was written shows, new writes are dropped.
    cfgWrite(0, 0, 0x59, 0x10, 1);
    expect(d.read(0x30000, 4, PAM)).toBe(0x11223344);
    d.write(0x30000, 0x55, 1, PAM);
    expect(d.read(0x30000, 1, PAM)).toBe(0x44);
    // SeaBIOS's dword writes of PAM1-PAM6 (0x5A..0x5F): 0x33 = read/write RAM per 16 KiB segment.
    cfgWrite(0, 0, 0x58, 0x33333310);
    cfgWrite(0, 0, 0x5c, 0x33333333);
    expect(cfgRead(0, 0, 0x58)).toBe(0x33333310);
    d.write(0x0000, 0xcafe, 2, PAM);
    d.write(0x2fffe, 0xbeef, 2, PAM);
    expect(d.read(0x0000, 2, PAM)).toBe(0xcafe);
    expect(d.read(0x2fffe, 2, PAM)).toBe(0xbeef);
    // PAM6 high half (0xEC000) back to PCI: the ROM again there, RAM still at 0xE8000.
    cfgWrite(0, 0, 0x5f, 0x03, 1);
    expect(d.read(0x2fffe, 2, PAM)).toBe(rom[0xfffe] | (rom[0xffff] << 8));
    // An access across two segments takes each byte from its own.
    d.write(0x2bffe, 0x1234, 2, PAM);
    expect(d.read(0x2bffe, 4, PAM)).toBe((0x1234 | (rom[0xc000] << 16) | (rom[0xc001] << 24)) >>> 0);
    // A reset reads the ROM again everywhere.
    d.device.reset!();
    expect(cfgRead(0, 0, 0x58)).toBe(0);
    expect(d.read(0x30000, 4, PAM)).toBe(new DataView(rom.buffer).getUint32(0x10000, true));
  });
});

describe('i440fx: PIIX4 ACPI PM block', () => {
  it('decodes where PMBA points once PMIOSE is set; the PM timer counts 3.579545 MHz of virtual time', () => {
    const { d, cfgWrite } = chipset();
    expect(d.read(8, 4, PM600)).toBe(0xffffffff);
    cfgWrite(1, 3, 0x40, 0x601);
    expect(d.read(8, 4, PM600)).toBe(0xffffffff); // PMIOSE still clear
    cfgWrite(1, 3, 0x80, 1, 1);
    expect(d.read(8, 4, PM600)).toBe(0);
    expect(d.read(8, 4, PMB000)).toBe(0xffffffff);
    d.h.clock.advanceTo(1_000_000_000);
    expect(d.read(8, 4, PM600)).toBe(3579545);
    d.h.clock.advanceTo(11_000_000_000); // 24 bits wrap
    expect(d.read(8, 4, PM600)).toBe((11 * 3579545) % 0x1000000);
    // SeaBIOS's place without QEMU's ACPI tables.
    cfgWrite(1, 3, 0x40, 0xb001);
    expect(d.read(8, 4, PMB000)).toBe((11 * 3579545) % 0x1000000);
  });

  it('PM1 enable/control hold their bits, status is write-1-to-clear, SLP_EN with type 0 powers off', () => {
    const { d, cfgWrite } = chipset();
    cfgWrite(1, 3, 0x40, 0x601);
    cfgWrite(1, 3, 0x80, 1, 1);
    d.write(2, 0x0121, 2, PM600);
    expect(d.read(2, 2, PM600)).toBe(0x0121);
    d.write(4, 0x0001, 2, PM600);
    expect(d.read(4, 2, PM600)).toBe(0x0001);
    expect(d.h.machine.powerOffs).toEqual([]);
    d.write(4, 0x2001, 2, PM600);
    expect(d.h.machine.powerOffs.length).toBe(1);
    expect(d.read(4, 2, PM600)).toBe(0x0001); // SLP_EN reads 0
  });
});
