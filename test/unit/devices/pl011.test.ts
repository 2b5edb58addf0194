import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-pl011/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const pl011Type = loadDevicePlugin(register).get('pl011')!;

const DR = 0x00,
  RSR = 0x04,
  FR = 0x18,
  ILPR = 0x20,
  IBRD = 0x24,
  FBRD = 0x28,
  LCR_H = 0x2c,
  CR = 0x30,
  IFLS = 0x34,
  IMSC = 0x38,
  RIS = 0x3c,
  MIS = 0x40,
  ICR = 0x44,
  DMACR = 0x48;
const FR_RXFE = 0x10,
  FR_RXFF = 0x40,
  FR_TXFE = 0x80;
const INT_RX = 0x10,
  INT_TX = 0x20;

function uart(): DeviceUnderTest {
  return instantiate(pl011Type, { name: 'uart0', reg: [[0x3f201000, 0x1000]], irqs: ['intc:57'] });
}
const irq = (d: DeviceUnderTest) => d.h.irqs[0];

describe('pl011 plugin', () => {
  it('defines the type with the compatibles Linux binds to', () => {
    expect(pl011Type.compatible).toEqual(['arm,pl011', 'arm,primecell']);
    expect(pl011Type.nodeName).toBe('serial');
    const { node } = uart().deviceTree();
    expect(node.cells('arm,primecell-periphid')).toEqual([0x00241011]);
    expect(node.cells('clock-frequency')).toEqual([48_000_000]);
  });

  it('has the TRM/QEMU reset values and ID registers', () => {
    const d = uart();
    expect(d.read(FR)).toBe(FR_RXFE | FR_TXFE);
    expect(d.read(CR)).toBe(0x300);
    expect(d.read(IFLS)).toBe(0x12);
    for (const r of [RSR, ILPR, IBRD, FBRD, LCR_H, IMSC, RIS, MIS, DMACR]) expect(d.read(r)).toBe(0);
    const ids = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => d.read(o));
    expect(ids).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    expect(irq(d).level).toBe(false);
  });

  it('names registers and fields for traces', () => {
    const r = uart().regs();
    expect([DR, RSR, FR, IBRD, LCR_H, CR, ICR, 0xfe4].map((o) => r.nameAt(o))).toEqual(['DR', 'RSR/ECR', 'FR', 'IBRD', 'LCR_H', 'CR', 'ICR', 'ID[1]']);
    expect(r.describe(LCR_H, 0x70)).toBe('LCR_H SPS=0 WLEN=3 FEN=1 STP2=0 EPS=0 PEN=0 BRK=0');
  });

  it('masks the divisors and control registers as the TRM says', () => {
    const d = uart();
    d.write(IBRD, 0x12345);
    d.write(FBRD, 0xff);
    d.write(CR, 0xffff);
    d.write(IFLS, 0xff);
    d.write(DMACR, 0xff);
    expect(d.read(IBRD)).toBe(0x2345);
    expect(d.read(FBRD)).toBe(0x3f);
    expect(d.read(CR)).toBe(0xff87);
    expect(d.read(IFLS)).toBe(0x3f);
    expect(d.read(DMACR)).toBe(0x7);
    const e = uart();
    e.write(FR, 0xffff);
    expect(e.read(FR)).toBe(FR_RXFE | FR_TXFE); // writes ignored
  });

  it('accepts aligned 8/16/32-bit accesses inside its 4 KiB and refuses the rest', () => {
    const d = uart();
    expect(d.faults(CR, 2)).toBe(false);
    expect(d.faults(CR, 1)).toBe(false);
    expect(d.faults(CR + 1, 2)).toBe(true);
    d.write(IBRD, 26, 2);
    expect(d.read(IBRD, 2)).toBe(26);
  });

  describe('transmit', () => {
    it('sends DR writes to the chardev and raises the TX interrupt level until ICR', () => {
      const d = uart();
      d.write(DR, 0x141); // only the data byte is sent
      d.write(DR, 0x42, 2);
      expect(d.h.chardev.text()).toBe('AB');
      expect(d.read(RIS) & INT_TX).toBe(INT_TX);
      expect(irq(d).level).toBe(false); // masked
      d.write(IMSC, INT_TX);
      expect(irq(d).level).toBe(true);
      expect(d.read(MIS)).toBe(INT_TX);
      d.write(ICR, INT_TX);
      expect(d.read(RIS)).toBe(0);
      expect(irq(d).level).toBe(false);
      expect(d.read(FR) & FR_TXFE).toBe(FR_TXFE); // transmit is immediate
    });
  });

  describe('receive', () => {
    it('takes one byte at a time without FIFOs and the next after DR is read', () => {
      const d = uart();
      d.h.chardev.input('xyz');
      expect(d.read(FR) & (FR_RXFE | FR_RXFF)).toBe(FR_RXFF); // depth 1: full
      expect(d.h.chardev.available).toBe(2);
      expect(d.read(DR)).toBe(0x78);
      expect(d.read(DR)).toBe(0x79);
      expect(d.read(DR)).toBe(0x7a);
      expect(d.read(FR) & FR_RXFE).toBe(FR_RXFE);
    });

    it('fills its 16-entry FIFO with LCR_H.FEN and leaves the rest waiting on the host', () => {
      const d = uart();
      d.write(LCR_H, 0x70);
      d.h.chardev.input('0123456789abcdefXY');
      expect(d.h.chardev.available).toBe(2);
      expect(d.read(FR) & FR_RXFF).toBe(FR_RXFF);
      let s = '';
      for (let i = 0; i < 18 && !(d.read(FR) & FR_RXFE); i++) s += String.fromCharCode(d.read(DR) & 0xff);
      expect(s).toBe('0123456789abcdefXY');
      expect(d.h.chardev.available).toBe(0);
    });

    it('raises the RX level at the first byte and drops it when the FIFO is read empty (QEMU trigger 1)', () => {
      const d = uart();
      d.write(LCR_H, 0x70);
      d.write(IMSC, INT_RX);
      d.h.chardev.input('ab');
      expect(d.read(RIS) & INT_RX).toBe(INT_RX);
      expect(irq(d).level).toBe(true);
      d.read(DR);
      expect(irq(d).level).toBe(true);
      d.read(DR);
      expect(irq(d).level).toBe(false);
      expect(d.read(RIS)).toBe(0);
    });

    it('paces host input after a FIFO reset by one character time', () => {
      const d = uart();
      d.write(LCR_H, 0x70);
      d.h.chardev.input('abc');
      d.write(LCR_H, 0x60); // FEN off: both FIFOs reset
      expect(d.read(FR) & FR_RXFE).toBe(FR_RXFE);
      expect(d.h.chardev.available).toBe(3 - 3); // all three had been taken before the reset
      d.h.chardev.input('q');
      expect(d.read(DR)).toBe(0x71);
      d.write(LCR_H, 0x70);
      d.h.chardev.input('r');
      d.write(LCR_H, 0x60);
      expect(d.read(FR) & FR_RXFE).toBe(FR_RXFE);
      // 115200 baud (divisors 0), 8N1: 10 bits = 86806 ns
      d.h.clock.advanceTo(86_805);
      expect(d.read(FR) & FR_RXFE).toBe(FR_RXFE);
      d.h.clock.advanceTo(86_806);
      expect(d.read(DR)).toBe(0x72);
    });
  });

  describe('loopback', () => {
    it('loops transmitted bytes into the receiver and ignores host input', () => {
      const d = uart();
      d.write(LCR_H, 0x70);
      d.write(CR, 0x381); // UARTEN TXE RXE LBE
      d.h.chardev.input('H');
      d.write(DR, 0x55);
      expect(d.read(DR)).toBe(0x55);
      expect(d.read(FR) & FR_RXFE).toBe(FR_RXFE);
      expect(d.h.chardev.available).toBe(1);
      expect(d.h.chardev.text()).toBe('U'); // QEMU still sends it out
    });

    it('receives a break character with DR.BE and RSR.BE when BRK is raised', () => {
      const d = uart();
      d.write(CR, 0x381);
      d.write(LCR_H, 0x01);
      expect(d.read(DR)).toBe(0x400);
      expect(d.read(RSR)).toBe(0x4);
      d.write(RSR, 0);
      expect(d.read(RSR)).toBe(0);
    });

    it('drives the modem inputs from the modem outputs with their interrupt levels', () => {
      const d = uart();
      d.write(CR, 0x3c81); // OUT2 OUT1 RTS DTR LBE
      expect(d.read(FR) & 0x107).toBe(0x107);
      expect(d.read(RIS) & 0xf).toBe(0xf);
      d.write(IMSC, 0x2); // CTS
      expect(irq(d).level).toBe(true);
      d.write(CR, 0x3081); // RTS off
      expect(d.read(FR) & 0x1).toBe(0);
      expect(irq(d).level).toBe(false);
    });

    it('takes host input again after leaving loopback', () => {
      const d = uart();
      d.write(CR, 0x381);
      d.h.chardev.input('k');
      d.write(CR, 0x301);
      d.h.clock.advanceTo(1_000_000);
      expect(d.read(DR)).toBe(0x6b);
    });
  });

  it('reset restores the registers and empties the FIFO but keeps host input', () => {
    const d = uart();
    d.write(LCR_H, 0x70);
    d.write(IMSC, INT_RX);
    d.h.chardev.input('0123456789abcdefZ');
    d.device.reset!();
    expect(d.read(LCR_H)).toBe(0);
    expect(d.read(IMSC)).toBe(0);
    expect(irq(d).level).toBe(false);
    expect(d.read(FR)).toBe(FR_RXFE | FR_TXFE);
    d.h.clock.advanceTo(1_000_000);
    expect(d.read(DR)).toBe(0x5a);
  });
});
