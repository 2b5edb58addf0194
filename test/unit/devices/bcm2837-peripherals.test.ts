/**
 * Every BCM2837 peripheral plugin at its Raspberry Pi 3 address with the Pi's interrupt wiring
 * (QEMU 7.2 raspi3b: hw/arm/bcm2835_peripherals.c, bcm2836.c), built by the real builder. The CPU
 * is still the RISC-V one of `virt` (the AArch64 plugin is written in parallel), so the local
 * controller's per-core outputs stay unconnected; the device list below is the raspi3b board's
 * device section in waiting.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootGuest, powerOff, writeGuest } from '../../helpers/bare-guest.js';

const RASPI3B_DEVICES = [
  '  - { type: bcm2835-systimer, name: systimer, reg: [0x3F003000, 0x1000], irq: { match0: intc:0, match1: intc:1, match2: intc:2, match3: intc:3 } }',
  '  - { type: bcm2836-local, name: local, reg: [0x40000000, 0x100] }',
  '  - { type: bcm2835-intc, name: intc, reg: [0x3F00B200, 0x200], irq: { irq: local:gpu-irq, fiq: local:gpu-fiq } }',
  '  - { type: bcm2835-mbox, name: mbox, reg: [0x3F00B880, 0x40], irq: intc:arm1 }',
  '  - { type: bcm2835-pm, name: pm, reg: [0x3F100000, 0x1000] }',
  '  - { type: bcm2835-rng, name: rng, reg: [0x3F104000, 0x10] }',
  '  - { type: bcm2835-gpio, name: gpio, reg: [0x3F200000, 0x1000], irq: { bank0: intc:49, bank1: intc:50, bank2: intc:51, any: intc:52 } }',
  '  - { type: pl011, name: uart0, reg: [0x3F201000, 0x1000], irq: intc:57 }',
  '  - { type: bcm2835-sdhost, name: sdhost, reg: [0x3F202000, 0x1000], irq: intc:56 }',
  '  - { type: bcm2835-thermal, name: thermal, reg: [0x3F212000, 0x8] }',
  '  - { type: bcm2835-aux, name: uart1, reg: [0x3F215000, 0x100], irq: intc:29 }',
  '  - { type: sdhci, name: emmc, reg: [0x3F300000, 0x100], irq: intc:62 }',
  '  - { type: dwc2, name: usb, reg: [0x3F980000, 0x10000], irq: intc:9 }',
];

function board(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-bcm2837-'));
  const path = join(dir, 'virt-bcm2837.yaml');
  writeFileSync(path, ['extends: virt', 'name: virt-bcm2837', 'devices:', ...RASPI3B_DEVICES, ''].join('\n'));
  return path;
}

describe('BCM2837 peripherals at their Raspberry Pi 3 addresses', () => {
  it('build with the Pi wiring, appear in the device tree, and chain the mini UART interrupt to core 0', async () => {
    const session = await bootGuest(writeGuest(powerOff()), { board: board() });
    try {
      const tree = Buffer.from(session.machine.dtb).toString('latin1');
      for (const c of [
        'brcm,bcm2835-system-timer',
        'brcm,bcm2836-l1-intc',
        'brcm,bcm2836-armctrl-ic',
        'brcm,bcm2835-mbox',
        'brcm,bcm2835-pm-wdt',
        'brcm,bcm2835-rng',
        'brcm,bcm2835-gpio',
        'arm,pl011',
        'brcm,bcm2835-sdhost',
        'brcm,bcm2837-thermal',
        'brcm,bcm2835-aux-uart',
        'brcm,bcm2835-sdhci',
        'brcm,bcm2835-usb',
      ]) {
        expect(tree).toContain(c);
      }
      const bus = session.machine.bus;
      bus.write(0x3f00b210, 4, 1 << 29); // ARM controller: enable GPU IRQ 29 (AUX)
      bus.write(0x3f215044, 4, 0x2); // mini UART: transmit interrupt (always pending)
      expect(bus.read(0x3f00b204, 4)).toBe(1 << 29);
      expect(bus.read(0x40000060, 4)).toBe(0x100); // core 0 IRQ source: GPU
      bus.write(0x3f215044, 4, 0);
      expect(bus.read(0x40000060, 4)).toBe(0);
      expect(bus.read(0x3f104008, 4)).not.toBe(bus.read(0x3f104008, 4)); // RNG words
    } finally {
      await session.close();
    }
  });
});
