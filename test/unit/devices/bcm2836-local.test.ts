import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2836-local/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const localType = loadDevicePlugin(register).get('bcm2836-local')!;

const CONTROL = 0x00,
  PRESCALER = 0x08,
  GPU_ROUTING = 0x0c,
  PMU_SET = 0x10,
  PMU_CLEAR = 0x14,
  CT_LS = 0x1c,
  CT_MS = 0x20,
  LT_ROUTING = 0x24,
  LT_CONTROL = 0x34,
  LT_CLEAR = 0x38,
  TIMER_CTL = (c: number) => 0x40 + 4 * c,
  MBOX_CTL = (c: number) => 0x50 + 4 * c,
  IRQ_SRC = (c: number) => 0x60 + 4 * c,
  FIQ_SRC = (c: number) => 0x70 + 4 * c,
  MBOX_SET = (c: number, m: number) => 0x80 + 16 * c + 4 * m,
  MBOX_CLR = (c: number, m: number) => 0xc0 + 16 * c + 4 * m;

function local(): DeviceUnderTest {
  // Lines in DT order: per CPU, irq then fiq.
  const irqs = [0, 1, 2, 3].flatMap((c) => [`cpu${c}:irq`, `cpu${c}:fiq`]);
  return instantiate(localType, { name: 'local', reg: [[0x40000000, 0x100]], cpuCount: 4, irqs });
}
const irq = (d: DeviceUnderTest, c: number) => d.h.irqs[2 * c];
const fiq = (d: DeviceUnderTest, c: number) => d.h.irqs[2 * c + 1];
const input = (d: DeviceUnderTest, name: string) => d.device.irqInput!(name)!;

describe('bcm2836-local plugin', () => {
  it('defines the controller, its inputs and <source flags> specifiers', () => {
    const d = local();
    expect(localType.compatible).toEqual(['brcm,bcm2836-l1-intc']);
    expect(d.deviceTree().node.cells('#interrupt-cells')).toEqual([2]);
    expect(d.device.interruptCells!('cntvirq2')).toEqual([3, 4]);
    expect(d.device.interruptCells!('cntpnsirq0')).toEqual([1, 4]);
    expect(d.device.interruptCells!('gpu-irq')).toEqual([8, 4]);
    for (const n of ['cntpsirq0', 'cntpnsirq3', 'cnthpirq1', 'cntvirq2', 'gpu-irq', 'gpu-fiq']) expect(input(d, n)).toBeDefined();
    expect(d.device.irqInput!('cntvirq4')).toBeUndefined();
    expect(d.device.irqInput!('3')).toBeUndefined();
  });

  it('delivers a core timer interrupt as IRQ or FIQ per the core timer control register', () => {
    const d = local();
    input(d, 'cntpnsirq1').set(true);
    expect(irq(d, 1).level).toBe(false); // masked
    d.write(TIMER_CTL(1), 0x2);
    expect(irq(d, 1).level).toBe(true);
    expect(d.read(IRQ_SRC(1))).toBe(0x2);
    expect(irq(d, 0).level).toBe(false);
    d.write(TIMER_CTL(1), 0x22); // FIQ wins
    expect(irq(d, 1).level).toBe(false);
    expect(fiq(d, 1).level).toBe(true);
    expect(d.read(FIQ_SRC(1))).toBe(0x2);
    input(d, 'cntpnsirq1').set(false);
    expect(fiq(d, 1).level).toBe(false);
    input(d, 'cntvirq3').set(true);
    d.write(TIMER_CTL(3), 0x8);
    expect(d.read(IRQ_SRC(3))).toBe(0x8);
    expect(irq(d, 3).level).toBe(true);
  });

  it('routes the GPU interrupt and FIQ to the cores GPU routing names', () => {
    const d = local();
    input(d, 'gpu-irq').set(true);
    expect(irq(d, 0).level).toBe(true);
    expect(d.read(IRQ_SRC(0))).toBe(0x100);
    d.write(GPU_ROUTING, 0x2 | (3 << 2));
    expect(d.read(GPU_ROUTING)).toBe(0xe);
    expect(irq(d, 0).level).toBe(false);
    expect(irq(d, 2).level).toBe(true);
    input(d, 'gpu-fiq').set(true);
    expect(fiq(d, 3).level).toBe(true);
    expect(d.read(FIQ_SRC(3))).toBe(0x100);
  });

  it('sets mailbox bits on write-set, clears them on write-clear and interrupts when enabled', () => {
    const d = local();
    d.write(MBOX_SET(2, 3), 0x5);
    d.write(MBOX_SET(2, 3), 0x10);
    expect(d.read(MBOX_CLR(2, 3))).toBe(0x15);
    expect(d.read(MBOX_SET(2, 3))).toBe(0); // write-only
    expect(irq(d, 2).level).toBe(false);
    d.write(MBOX_CTL(2), 0x8);
    expect(irq(d, 2).level).toBe(true);
    expect(d.read(IRQ_SRC(2))).toBe(0x80);
    d.write(MBOX_CLR(2, 3), 0x5);
    expect(irq(d, 2).level).toBe(true);
    d.write(MBOX_CLR(2, 3), 0xffffffff);
    expect(d.read(MBOX_CLR(2, 3))).toBe(0);
    expect(irq(d, 2).level).toBe(false);
    d.write(MBOX_CTL(0), 0x10); // FIQ for mailbox 0
    d.write(MBOX_SET(0, 0), 1);
    expect(fiq(d, 0).level).toBe(true);
    expect(d.read(FIQ_SRC(0))).toBe(0x10);
  });

  it('runs the local timer at 38.4 MHz, reloading, and interrupts the routed core until cleared', () => {
    const d = local();
    d.write(LT_ROUTING, 1);
    d.write(LT_CONTROL, (1 << 28) | (1 << 29) | 38_400); // 1 ms period
    d.h.clock.advanceTo(999_999);
    expect(irq(d, 1).level).toBe(false);
    d.h.clock.advanceTo(1_000_000);
    expect(irq(d, 1).level).toBe(true);
    expect(d.read(LT_CONTROL) >>> 31).toBe(1);
    expect(d.read(IRQ_SRC(1))).toBe(0x800);
    d.write(LT_CONTROL, (1 << 28) | (1 << 29) | 38_400); // the flag is not writable here
    expect(irq(d, 1).level).toBe(true);
    d.write(LT_CLEAR, 1 << 31);
    expect(irq(d, 1).level).toBe(false);
    d.h.clock.advanceTo(2_000_000);
    expect(irq(d, 1).level).toBe(true); // reloaded itself
    d.write(LT_CLEAR, 1 << 31);
    d.write(LT_ROUTING, 4 | 2);
    d.h.clock.advanceTo(2_500_000);
    d.write(LT_CLEAR, 1 << 30); // reload: next in 1 ms from now
    d.h.clock.advanceTo(3_499_999);
    expect(fiq(d, 2).level).toBe(false);
    d.h.clock.advanceTo(3_500_000);
    expect(fiq(d, 2).level).toBe(true);
    d.write(LT_CONTROL, 0);
    d.write(LT_CLEAR, 1 << 31);
    d.h.clock.advanceTo(10_000_000);
    expect(fiq(d, 2).level).toBe(false);
  });

  it('counts the core timer at the generic timer rate, latching the high half on a low read', () => {
    const d = local();
    d.h.clock.advanceTo(1_000);
    expect(d.read(CT_LS)).toBe(62);
    expect(d.read(CT_MS)).toBe(0);
    d.write(CT_LS, 0xfffffff0);
    d.write(CT_MS, 0x1);
    d.h.clock.advanceTo(1_320); // +20 ticks at 62.5 MHz (16 ns each)
    expect(d.read(CT_LS)).toBe(0x4);
    expect(d.read(CT_MS)).toBe(0x2);
  });

  it('stores control, prescaler and PMU routing', () => {
    const d = local();
    d.write(CONTROL, 0xffffffff);
    expect(d.read(CONTROL)).toBe(0x300);
    d.write(PRESCALER, 0x80000000);
    expect(d.read(PRESCALER)).toBe(0x80000000);
    d.write(PMU_SET, 0x13);
    d.write(PMU_CLEAR, 0x01);
    expect(d.read(PMU_SET)).toBe(0x12);
    expect(d.read(PMU_CLEAR)).toBe(0x12);
  });

  it('accepts aligned 32-bit accesses within 0x100 bytes only', () => {
    const d = local();
    expect(d.faults(IRQ_SRC(0), 4)).toBe(false);
    expect(d.faults(IRQ_SRC(0), 2)).toBe(true);
    expect(d.faults(0x100, 4)).toBe(true);
  });

  it('reset clears routing, mailboxes and the local timer', () => {
    const d = local();
    d.write(MBOX_CTL(0), 0xf);
    d.write(MBOX_SET(0, 1), 1);
    d.write(LT_CONTROL, (1 << 28) | (1 << 29) | 100);
    expect(irq(d, 0).level).toBe(true);
    d.device.reset!();
    expect(irq(d, 0).level).toBe(false);
    expect(d.read(MBOX_CLR(0, 1))).toBe(0);
    expect(d.read(LT_CONTROL)).toBe(0);
    d.h.clock.advanceTo(1_000_000);
    expect(d.read(IRQ_SRC(0))).toBe(0);
  });
});
