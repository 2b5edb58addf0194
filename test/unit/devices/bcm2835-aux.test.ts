import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2835-aux/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const auxType = loadDevicePlugin(register).get('bcm2835-aux')!;

const AUX_IRQ = 0x00,
  AUX_ENABLES = 0x04,
  IO = 0x40,
  IER = 0x44,
  IIR = 0x48,
  LCR = 0x4c,
  MCR = 0x50,
  LSR = 0x54,
  MSR = 0x58,
  SCRATCH = 0x5c,
  CNTL = 0x60,
  STAT = 0x64,
  BAUD = 0x68;

function aux(): DeviceUnderTest {
  return instantiate(auxType, { name: 'uart1', reg: [[0x3f215000, 0x100]], irqs: ['intc:29'] });
}
const irq = (d: DeviceUnderTest) => d.h.irqs[0];

describe('bcm2835-aux plugin', () => {
  it('defines the mini UART type and its DT node', () => {
    expect(auxType.compatible).toEqual(['brcm,bcm2835-aux-uart']);
    const { node } = aux().deviceTree();
    expect(node.cells('reg-shift')).toEqual([2]);
    expect(node.cells('reg-io-width')).toEqual([4]);
  });

  it('has the reset values of QEMU and the datasheet', () => {
    const d = aux();
    expect(d.read(AUX_IRQ)).toBe(0);
    expect(d.read(AUX_ENABLES)).toBe(1);
    expect(d.read(IER)).toBe(0xc0);
    expect(d.read(IIR)).toBe(0xc3);
    expect(d.read(LCR)).toBe(0);
    expect(d.read(MCR)).toBe(0);
    expect(d.read(LSR)).toBe(0x60);
    expect(d.read(MSR)).toBe(0x20);
    expect(d.read(CNTL)).toBe(3);
    expect(d.read(STAT)).toBe(0x30e);
    expect(d.read(BAUD)).toBe(0);
    expect(irq(d).level).toBe(false);
  });

  it('stores the line, scratch, control, enables and baud registers', () => {
    const d = aux();
    d.write(AUX_ENABLES, 0x7);
    d.write(LCR, 0x03);
    d.write(MCR, 0xff);
    d.write(SCRATCH, 0x1a5);
    d.write(CNTL, 0);
    d.write(BAUD, 270);
    expect(d.read(AUX_ENABLES)).toBe(0x7);
    expect(d.read(LCR)).toBe(0x03);
    expect(d.read(MCR)).toBe(0x02);
    expect(d.read(SCRATCH)).toBe(0xa5);
    expect(d.read(CNTL)).toBe(0);
    expect(d.read(BAUD)).toBe(270);
    d.write(AUX_ENABLES, 0);
    expect(d.read(AUX_ENABLES)).toBe(1); // the mini UART cannot be turned off (QEMU)
  });

  it('reaches the baud divisor through IO and IER while LCR.DLAB is set', () => {
    const d = aux();
    d.write(LCR, 0x83);
    d.write(IO, 0x0e);
    d.write(IER, 0x01);
    expect(d.read(BAUD)).toBe(0x10e);
    expect(d.read(IO)).toBe(0x0e);
    expect(d.read(IER)).toBe(0x01);
    expect(d.h.chardev.output).toEqual([]);
    d.write(LCR, 0x03);
    expect(d.read(IER)).toBe(0xc0); // the enables were not touched
  });

  it('transmits IO writes at once (still with CNTL cleared, as QEMU)', () => {
    const d = aux();
    d.write(CNTL, 0);
    d.write(IO, 0x48);
    d.write(IO, 0x69, 1);
    expect(d.h.chardev.text()).toBe('Hi');
  });

  it('receives into an 8-byte FIFO, leaving the rest with the host', () => {
    const d = aux();
    d.h.chardev.input('abcdefghij');
    expect(d.h.chardev.available).toBe(2);
    expect(d.read(LSR)).toBe(0x61);
    expect(d.read(STAT)).toBe(0x30f | (8 << 16));
    let s = '';
    while (d.read(LSR) & 1) s += String.fromCharCode(d.read(IO));
    expect(s).toBe('abcdefghij');
    expect(d.read(STAT)).toBe(0x30e);
  });

  it('raises the receive interrupt (IER bit 0) while data waits and reports it in IIR and AUX_IRQ', () => {
    const d = aux();
    d.write(IER, 0x1);
    expect(irq(d).level).toBe(false);
    d.h.chardev.input('z');
    expect(irq(d).level).toBe(true);
    expect(d.read(IIR)).toBe(0xc4);
    expect(d.read(AUX_IRQ)).toBe(1);
    expect(d.read(IO)).toBe(0x7a);
    expect(irq(d).level).toBe(false);
    expect(d.read(IIR)).toBe(0xc3);
  });

  it('keeps the transmit interrupt (IER bit 1) pending while enabled: the FIFO is always empty', () => {
    const d = aux();
    d.write(IER, 0x2);
    expect(irq(d).level).toBe(true);
    expect(d.read(IIR)).toBe(0xc2);
    d.write(IER, 0x3);
    d.h.chardev.input('q');
    expect(d.read(IIR)).toBe(0xc4); // receive first
    d.write(IER, 0);
    expect(irq(d).level).toBe(false);
  });

  it('clears the receive FIFO on an IIR write of bit 1 and takes new input a character time later', () => {
    const d = aux();
    d.h.chardev.input('0123456789');
    d.write(IIR, 0x2);
    expect(d.read(LSR) & 1).toBe(0);
    expect(d.h.chardev.available).toBe(2);
    // baud = 250 MHz / 8 (MU_BAUD 0), 7 data bits: 9 bits = 288 ns
    d.h.clock.advanceTo(287);
    expect(d.read(LSR) & 1).toBe(0);
    d.h.clock.advanceTo(288);
    expect(d.read(IO)).toBe(0x38);
  });

  it('accepts aligned accesses of every size within 0x100 bytes', () => {
    const d = aux();
    expect(d.faults(LSR, 1)).toBe(false);
    expect(d.faults(LSR + 1, 2)).toBe(true);
    expect(d.faults(0x100, 4)).toBe(true);
  });

  it('reset restores registers and keeps host input', () => {
    const d = aux();
    d.write(IER, 0x3);
    d.write(BAUD, 270);
    d.h.chardev.input('0123456789');
    d.device.reset!();
    expect(irq(d).level).toBe(false);
    expect(d.read(BAUD)).toBe(0);
    expect(d.read(IO)).toBe(0x38); // the FIFO's 8 bytes went with the reset, the host's 2 did not
  });
});
