import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2835-intc/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const intcType = loadDevicePlugin(register).get('bcm2835-intc')!;

const BASIC = 0x00,
  PEND1 = 0x04,
  PEND2 = 0x08,
  FIQ = 0x0c,
  EN1 = 0x10,
  EN2 = 0x14,
  ENB = 0x18,
  DIS1 = 0x1c,
  DIS2 = 0x20,
  DISB = 0x24;

function intc(): DeviceUnderTest {
  return instantiate(intcType, { name: 'intc', reg: [[0x3f00b200, 0x200]], irqs: ['local:gpu-irq', 'local:gpu-fiq'] });
}
const irqOut = (d: DeviceUnderTest) => d.h.irqs[0];
const fiqOut = (d: DeviceUnderTest) => d.h.irqs[1];
const input = (d: DeviceUnderTest, name: string) => d.device.irqInput!(name)!;

describe('bcm2835-intc plugin', () => {
  it('defines the controller and its two-cell specifiers <bank irq>', () => {
    const d = intc();
    expect(intcType.compatible).toEqual(['brcm,bcm2836-armctrl-ic']);
    const { node } = d.deviceTree();
    expect(node.props.has('interrupt-controller')).toBe(true);
    expect(node.cells('#interrupt-cells')).toEqual([2]);
    expect(d.device.interruptCells!('57')).toEqual([2, 25]);
    expect(d.device.interruptCells!('29')).toEqual([1, 29]);
    expect(d.device.interruptCells!('arm0')).toEqual([0, 0]);
  });

  it('offers inputs 0-63 and arm0-arm7 only', () => {
    const d = intc();
    expect(input(d, '0')).toBeDefined();
    expect(input(d, '63')).toBeDefined();
    expect(input(d, 'arm7')).toBeDefined();
    expect(d.device.irqInput!('64')).toBeUndefined();
    expect(d.device.irqInput!('arm8')).toBeUndefined();
    expect(d.device.irqInput!('x')).toBeUndefined();
    expect(input(d, '5')).toBe(input(d, '5'));
  });

  it('raises irq for an enabled GPU source and shows it in pending 1/2 and basic pending', () => {
    const d = intc();
    input(d, '29').set(true);
    expect(irqOut(d).level).toBe(false);
    expect(d.read(PEND1)).toBe(0); // only enabled sources show
    d.write(EN1, 1 << 29);
    expect(irqOut(d).level).toBe(true);
    expect(d.read(PEND1)).toBe(1 << 29);
    expect(d.read(BASIC)).toBe(1 << 8);
    input(d, '29').set(false); // level-sensitive: nothing latched
    expect(irqOut(d).level).toBe(false);
    expect(d.read(PEND1)).toBe(0);
  });

  it('repeats the selected GPU interrupts in basic pending bits 10-20', () => {
    const d = intc();
    d.write(EN2, 0xffffffff);
    d.write(EN1, 0xffffffff);
    input(d, '57').set(true); // UART0
    expect(d.read(PEND2)).toBe(1 << 25);
    expect(d.read(BASIC)).toBe((1 << 9) | (1 << 19));
    input(d, '7').set(true);
    expect(d.read(BASIC)).toBe((1 << 8) | (1 << 9) | (1 << 10) | (1 << 19));
  });

  it('handles the ARM basic sources with their own enables', () => {
    const d = intc();
    input(d, 'arm0').set(true);
    expect(irqOut(d).level).toBe(false);
    d.write(ENB, 0x101);
    expect(d.read(ENB)).toBe(0x01);
    expect(irqOut(d).level).toBe(true);
    expect(d.read(BASIC)).toBe(0x1);
    d.write(DISB, 0x1);
    expect(irqOut(d).level).toBe(false);
    expect(d.read(DISB)).toBe(0xffffffff);
  });

  it('sets enables on writes of 1 and clears them through the disable registers', () => {
    const d = intc();
    d.write(EN1, 0x0f);
    d.write(EN1, 0xf0);
    expect(d.read(EN1)).toBe(0xff);
    d.write(DIS1, 0x11);
    expect(d.read(EN1)).toBe(0xee);
    expect(d.read(DIS1)).toBe(~0xee >>> 0);
    d.write(EN2, 0x3);
    d.write(DIS2, 0x1);
    expect(d.read(EN2)).toBe(0x2);
  });

  it('routes the selected source to fiq while FIQ is enabled', () => {
    const d = intc();
    d.write(FIQ, 0x80 | 57);
    expect(d.read(FIQ)).toBe(0xb9);
    input(d, '57').set(true);
    expect(fiqOut(d).level).toBe(true);
    expect(irqOut(d).level).toBe(false); // not enabled as an IRQ
    d.write(FIQ, 57);
    expect(fiqOut(d).level).toBe(false);
    d.write(FIQ, 0x80 | (64 + 1)); // ARM mailbox
    input(d, 'arm1').set(true);
    expect(fiqOut(d).level).toBe(true);
  });

  it('accepts aligned 32-bit accesses only', () => {
    const d = intc();
    expect(d.faults(EN1, 4)).toBe(false);
    expect(d.faults(EN1, 2)).toBe(true);
    expect(d.faults(EN1, 1, true)).toBe(true);
    expect(d.faults(0x200, 4)).toBe(true);
    expect(d.read(0x100)).toBe(0);
  });

  it('reset clears enables and FIQ control but keeps the input levels', () => {
    const d = intc();
    d.write(EN1, 1);
    d.write(FIQ, 0x81);
    input(d, '0').set(true);
    expect(irqOut(d).level).toBe(true);
    d.device.reset!();
    expect(irqOut(d).level).toBe(false);
    expect(fiqOut(d).level).toBe(false);
    expect(d.read(FIQ)).toBe(0);
    d.write(EN1, 1);
    expect(irqOut(d).level).toBe(true);
  });
});
