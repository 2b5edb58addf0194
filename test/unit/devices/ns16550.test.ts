import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-ns16550/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const uartType = loadDevicePlugin(register).get('ns16550a')!;

const RBR = 0,
  THR = 0,
  DLL = 0,
  IER = 1,
  DLM = 1,
  IIR = 2,
  FCR = 2,
  LCR = 3,
  MCR = 4,
  LSR = 5,
  MSR = 6,
  SCR = 7;

function uart(props: Record<string, unknown> = {}): DeviceUnderTest {
  return instantiate(uartType, { name: 'uart0', reg: [[0x10000000, 0x100]], irqs: ['plic:10'], props });
}
const rd = (d: DeviceUnderTest, reg: number) => d.read(reg, 1);
const wr = (d: DeviceUnderTest, reg: number, v: number) => d.write(reg, v, 1);
const irq = (d: DeviceUnderTest) => d.h.irqs[0];
/** Reads everything the receiver holds, the way a driver polls LSR.DR. */
function drain(d: DeviceUnderTest): string {
  let s = '';
  for (let i = 0; i < 10_000 && rd(d, LSR) & 0x01; i++) s += String.fromCharCode(rd(d, RBR));
  return s;
}
/** 8N1 at divisor 1 with QEMU virt's baudbase 399193: floor(1e9 / 399193 * 10) ns per character. */
const CHAR_NS = 25050;

describe('ns16550a plugin', () => {
  it('defines the ns16550a type', () => {
    expect(uartType.compatible).toEqual(['ns16550a']);
    expect(uartType.nodeName).toBe('serial');
  });

  it('adds clock-frequency (and reg-shift/reg-io-width when set) to its DT node', () => {
    const { node } = uart().deviceTree();
    expect(node.cells('clock-frequency')).toEqual([3686400]);
    expect(node.props.has('reg-shift')).toBe(false);
    expect(node.props.has('reg-io-width')).toBe(false);
    const wide = uart({ regShift: 2, regIoWidth: 4 }).deviceTree().node;
    expect(wide.cells('reg-shift')).toEqual([2]);
    expect(wide.cells('reg-io-width')).toEqual([4]);
  });

  it('has the QEMU reset values', () => {
    const d = uart();
    expect(rd(d, IER)).toBe(0x00);
    expect(rd(d, IIR)).toBe(0x01);
    expect(rd(d, LCR)).toBe(0x00);
    expect(rd(d, MCR)).toBe(0x08);
    expect(rd(d, LSR)).toBe(0x60);
    expect(rd(d, MSR)).toBe(0xb0);
    expect(rd(d, SCR)).toBe(0x00);
    expect(rd(d, RBR)).toBe(0x00);
    wr(d, LCR, 0x80);
    expect(rd(d, DLL)).toBe(0x0c);
    expect(rd(d, DLM)).toBe(0x00);
    expect(irq(d).level).toBe(false);
  });

  it('names its registers for traces', () => {
    const r = uart().regs();
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((o) => r.nameAt(o))).toEqual(['RBR/THR/DLL', 'IER/DLM', 'IIR/FCR', 'LCR', 'MCR', 'LSR', 'MSR', 'SCR']);
    expect(r.describe(3, 0x83)).toBe('LCR DLAB=1 BC=0 SP=0 EPS=0 PEN=0 STB=0 WLS=3');
  });

  describe('registers', () => {
    it('switches offsets 0 and 1 to the divisor latch with LCR.DLAB', () => {
      const d = uart();
      wr(d, LCR, 0x83);
      wr(d, DLL, 0x34);
      wr(d, DLM, 0x12);
      expect(rd(d, DLL)).toBe(0x34);
      expect(rd(d, DLM)).toBe(0x12);
      expect(d.h.chardev.output).toEqual([]); // DLL writes do not transmit
      expect(rd(d, LCR)).toBe(0x83);
      wr(d, LCR, 0x03);
      expect(rd(d, IER)).toBe(0x00);
      wr(d, IER, 0xff);
      expect(rd(d, IER)).toBe(0x0f);
      wr(d, LCR, 0x83);
      expect(rd(d, DLL)).toBe(0x34); // untouched by the IER write
      expect(rd(d, DLM)).toBe(0x12);
    });

    it('keeps SCR and LCR as written', () => {
      const d = uart();
      wr(d, SCR, 0xa5);
      expect(rd(d, SCR)).toBe(0xa5);
      wr(d, LCR, 0x1b);
      expect(rd(d, LCR)).toBe(0x1b);
    });

    it('keeps the low 5 bits of MCR', () => {
      const d = uart();
      wr(d, MCR, 0xff);
      expect(rd(d, MCR)).toBe(0x1f);
    });

    it('ignores writes to LSR and MSR', () => {
      const d = uart();
      wr(d, LSR, 0xff);
      wr(d, MSR, 0x00);
      expect(rd(d, LSR)).toBe(0x60);
      expect(rd(d, MSR)).toBe(0xb0);
    });

    it('reports FIFO enable in IIR bits 7:6', () => {
      const d = uart();
      wr(d, FCR, 0x01);
      expect(rd(d, IIR)).toBe(0xc1);
      wr(d, FCR, 0x00);
      expect(rd(d, IIR)).toBe(0x01);
    });

    it('decodes only 8 registers (QEMU maps 8 << regShift bytes)', () => {
      const d = uart();
      expect(d.faults(8, 1)).toBe(true);
      expect(d.faults(0xff, 1, true)).toBe(true);
      expect(d.faults(5, 4)).toBe(false);
      expect(d.read(5, 4)).toBe(0x60); // any size reads the one 8-bit register
    });

    it('spaces registers by regShift', () => {
      const d = uart({ regShift: 2, regIoWidth: 4 });
      expect(d.read(LSR << 2, 4)).toBe(0x60);
      expect(d.read(MSR << 2, 1)).toBe(0xb0);
      d.write(SCR << 2, 0x1234_5677, 4);
      expect(d.read(SCR << 2, 4)).toBe(0x77);
      expect(d.faults(0x20, 4)).toBe(true);
      expect(d.regs().nameAt(0x14)).toBe('LSR');
    });
  });

  describe('transmit', () => {
    it('sends THR bytes to the chardev immediately and leaves THRE/TEMT set', () => {
      const d = uart();
      for (const c of 'hi\n') wr(d, THR, c.charCodeAt(0));
      expect(d.h.chardev.text()).toBe('hi\n');
      expect(rd(d, LSR) & 0x60).toBe(0x60);
    });

    it('raises THRE when ETBEI is enabled with THR empty; reading IIR clears it', () => {
      const d = uart();
      wr(d, IER, 0x02);
      expect(irq(d).level).toBe(true);
      expect(rd(d, IIR)).toBe(0x02);
      expect(irq(d).level).toBe(false);
      expect(rd(d, IIR)).toBe(0x01);
      wr(d, IER, 0x02); // unchanged: stays cleared
      expect(irq(d).level).toBe(false);
      wr(d, IER, 0x00);
      wr(d, IER, 0x02); // re-enabling re-arms it
      expect(irq(d).level).toBe(true);
    });

    it('drops THRE on a THR write and re-raises it once the byte is out', () => {
      const d = uart();
      wr(d, IER, 0x02);
      rd(d, IIR);
      const before = irq(d).raised;
      wr(d, THR, 0x41);
      expect(irq(d).raised).toBe(before + 1);
      expect(irq(d).level).toBe(true);
      expect(rd(d, IIR)).toBe(0x02);
    });

    it('re-arms THRE on a transmit FIFO reset', () => {
      const d = uart();
      wr(d, IER, 0x02);
      rd(d, IIR);
      expect(irq(d).level).toBe(false);
      wr(d, FCR, 0x01); // enabling the FIFO resets both FIFOs
      expect(rd(d, IIR)).toBe(0xc2);
    });
  });

  describe('receive', () => {
    it('delivers host input through RBR with DR set, without FIFOs', () => {
      const d = uart();
      d.h.chardev.input('ok');
      expect(rd(d, LSR) & 0x01).toBe(1);
      expect(rd(d, RBR)).toBe('o'.charCodeAt(0));
      expect(rd(d, RBR)).toBe('k'.charCodeAt(0));
      expect(rd(d, LSR) & 0x01).toBe(0);
      expect(rd(d, LSR) & 0x02).toBe(0); // no overrun: the host queue waited
    });

    it('raises the RX interrupt when ERBFI is set and data is ready', () => {
      const d = uart();
      wr(d, IER, 0x01);
      expect(irq(d).level).toBe(false);
      d.h.chardev.input('x');
      expect(irq(d).level).toBe(true);
      expect(rd(d, IIR)).toBe(0x04);
      expect(rd(d, RBR)).toBe(0x78);
      expect(irq(d).level).toBe(false);
      expect(rd(d, IIR)).toBe(0x01);
    });

    it('never drops host input: it waits in the chardev until the receiver takes it', () => {
      const d = uart();
      const text = 'The quick brown fox jumps over the lazy dog. '.repeat(5);
      d.h.chardev.input(text);
      expect(d.device.inspect!()['host queue']).toBe(text.length - 1);
      expect(drain(d)).toBe(text);
      wr(d, FCR, 0xc1); // FIFOs on, trigger level 14
      d.h.chardev.input(text);
      expect(d.device.inspect!()['rx fifo']).toBe(14);
      expect(d.device.inspect!()['host queue']).toBe(text.length - 14);
      expect(drain(d)).toBe(text);
      expect(rd(d, LSR) & 0x02).toBe(0);
    });

    it('takes host bytes as QEMU serial_can_receive offers them', () => {
      const d = uart();
      const fifo = () => d.device.inspect!()['rx fifo'];
      d.h.chardev.input('abcdefghijklmnopqrstuvwxyz');
      expect(rd(d, LSR) & 0x01).toBe(1); // no FIFOs: one byte, in RBR
      expect(d.h.chardev.available).toBe(25);
      wr(d, FCR, 0x41); // FIFOs on (flushing 'a'), trigger level 4
      d.h.clock.advanceTo(d.h.clock.now() + 10_000_000);
      expect(fifo()).toBe(4); // up to the trigger level
      expect(rd(d, RBR)).toBe(0x62);
      expect(fifo()).toBe(4); // 3 <= 4: one more, back at the level
      wr(d, FCR, 0x01); // trigger level 1: 4 > 1, so one byte at a time until full
      expect(rd(d, RBR)).toBe(0x63);
      expect(fifo()).toBe(16);
      expect(rd(d, LSR) & 0x02).toBe(0); // never an overrun
      expect(d.h.chardev.available).toBe(25 - 1 - 17);
    });

    it("loses no more typed-ahead input than QEMU 7.2 to Linux's 8250 start-up", () => {
      // serial8250_do_startup: clear the FIFOs (FCR 0x01, 0x07, 0x00), read LSR/RX/IIR/MSR, set
      // 8N1, read them again; set_termios then turns the FIFOs on (FCR 0x81). QEMU 7.2 (stdio
      // chardev) loses 'h' (in RBR at the first FCR write), 'e' (taken by the first RX read, read
      // by the second) and 'l' (taken by that read, flushed by FCR 0x81), then delivers "lo".
      const d = uart();
      d.h.chardev.input('hello');
      for (const v of [0x01, 0x07, 0x00]) wr(d, FCR, v);
      for (const r of [LSR, RBR, IIR, MSR]) rd(d, r);
      wr(d, LCR, 0x03);
      for (const r of [LSR, RBR, IIR, MSR]) rd(d, r);
      wr(d, FCR, 0x81);
      expect(rd(d, LSR) & 0x01).toBe(0); // the next byte arrives a character time later
      d.h.clock.advanceTo(d.h.clock.now() + 10_000_000);
      expect(drain(d)).toBe('lo');
    });

    it('holds host input during loopback and delivers it afterwards', () => {
      const d = uart();
      wr(d, MCR, 0x10);
      d.h.chardev.input('abc');
      expect(rd(d, LSR) & 0x01).toBe(0);
      wr(d, MCR, 0x00);
      d.h.clock.advanceTo(d.h.clock.now() + 10_000_000);
      expect(drain(d)).toBe('abc');
    });

    it('keeps queued host input across a device reset (the byte already in RBR is lost, as in QEMU)', () => {
      const d = uart();
      d.h.chardev.input('xyz');
      d.device.reset!();
      d.h.clock.advanceTo(d.h.clock.now() + 10_000_000);
      expect(drain(d)).toBe('yz');
    });
  });

  describe('FIFO', () => {
    it('fills to 16 bytes and flags an overrun on the 17th (loopback)', () => {
      const d = uart();
      wr(d, FCR, 0x07);
      wr(d, MCR, 0x10);
      for (let i = 0; i < 17; i++) wr(d, THR, 0x30 + i);
      expect(d.h.chardev.output).toEqual([]); // loopback does not reach the host
      const lsr = rd(d, LSR);
      expect(lsr & 0x03).toBe(0x03);
      expect(rd(d, LSR) & 0x02).toBe(0); // OE clears on read
      let got = '';
      for (let i = 0; i < 16; i++) got += String.fromCharCode(rd(d, RBR));
      expect(got).toBe('0123456789:;<=>?');
      expect(rd(d, LSR) & 0x01).toBe(0);
      expect(rd(d, RBR)).toBe(0);
    });

    it('overruns RBR without FIFOs, keeping the newest byte', () => {
      const d = uart();
      wr(d, MCR, 0x10);
      wr(d, THR, 0x41);
      wr(d, THR, 0x42);
      expect(rd(d, LSR) & 0x03).toBe(0x03);
      expect(rd(d, RBR)).toBe(0x42);
    });

    it('raises RX data available only at the trigger level', () => {
      for (const [fcr, level] of [
        [0x01, 1],
        [0x41, 4],
        [0x81, 8],
        [0xc1, 14],
      ]) {
        const d = uart();
        wr(d, FCR, fcr);
        wr(d, IER, 0x01);
        d.h.chardev.input('z'.repeat(level - 1));
        expect(irq(d).level).toBe(false);
        d.h.chardev.input('z');
        expect(irq(d).level).toBe(true);
        expect(rd(d, IIR)).toBe(0xc4);
      }
    });

    it('raises a character timeout 4 character times after the last byte', () => {
      const d = uart();
      wr(d, LCR, 0x83);
      wr(d, DLL, 1);
      wr(d, LCR, 0x03);
      wr(d, FCR, 0x41); // trigger level 4
      wr(d, IER, 0x01);
      d.h.clock.advanceTo(1000);
      d.h.chardev.input('ab');
      expect(irq(d).level).toBe(false);
      d.h.clock.advanceTo(1000 + 4 * CHAR_NS - 1);
      expect(irq(d).level).toBe(false);
      d.h.clock.advanceTo(1000 + 4 * CHAR_NS);
      expect(irq(d).level).toBe(true);
      expect(rd(d, IIR)).toBe(0xcc);
      expect(rd(d, RBR)).toBe(0x61); // reading clears the timeout and restarts it
      expect(irq(d).level).toBe(false);
      const t = d.h.clock.now();
      d.h.clock.advanceTo(t + 4 * CHAR_NS);
      expect(rd(d, IIR)).toBe(0xcc);
      expect(rd(d, RBR)).toBe(0x62);
      d.h.clock.advanceTo(t + 100 * CHAR_NS);
      expect(rd(d, IIR)).toBe(0xc1);
    });

    it('clears the receive FIFO on FCR.RFR', () => {
      const d = uart();
      wr(d, FCR, 0x01);
      wr(d, MCR, 0x10);
      wr(d, THR, 0x41);
      expect(rd(d, LSR) & 0x01).toBe(1);
      wr(d, FCR, 0x03);
      expect(rd(d, LSR) & 0x01).toBe(0);
      expect(rd(d, IIR)).toBe(0xc1);
    });
  });

  describe('interrupt priorities', () => {
    it('orders line status > RX data > THR empty > modem status', () => {
      const d = uart();
      wr(d, IER, 0x0f);
      expect(rd(d, IIR)).toBe(0x02); // THRE (read clears it)
      expect(rd(d, IIR)).toBe(0x01);
      wr(d, MCR, 0x10); // loopback: modem inputs change -> delta bits
      expect(rd(d, IIR)).toBe(0x00); // modem status
      wr(d, THR, 0x41); // loopback receive, THRE again
      expect(rd(d, IIR)).toBe(0x04); // RX data beats THRE and modem status
      wr(d, THR, 0x42); // overrun
      expect(rd(d, IIR)).toBe(0x06); // receiver line status first
      expect(rd(d, LSR) & 0x02).toBe(0x02);
      expect(rd(d, IIR)).toBe(0x04);
      expect(rd(d, RBR)).toBe(0x42);
      expect(rd(d, IIR)).toBe(0x02);
      expect(rd(d, IIR)).toBe(0x00);
      rd(d, MSR);
      expect(rd(d, IIR)).toBe(0x01);
      expect(irq(d).level).toBe(false);
    });

    it('masks each source with its IER bit', () => {
      const d = uart();
      wr(d, MCR, 0x10);
      wr(d, THR, 0x41);
      wr(d, THR, 0x42);
      expect(rd(d, IIR)).toBe(0x01);
      expect(irq(d).level).toBe(false);
      wr(d, IER, 0x04);
      expect(rd(d, IIR)).toBe(0x06);
    });
  });

  describe('modem control and loopback', () => {
    it('loops MCR outputs back to the MSR inputs with delta bits', () => {
      const d = uart();
      wr(d, MCR, 0x10);
      expect(rd(d, MSR)).toBe(0x00 | 0x0b); // all inputs dropped: DCTS, DDSR, DDCD
      expect(rd(d, MSR)).toBe(0x00); // deltas clear on read
      wr(d, MCR, 0x1f);
      expect(rd(d, MSR)).toBe(0xf0 | 0x0b);
      wr(d, MCR, 0x1b); // OUT1 -> RI falls: trailing edge
      expect(rd(d, MSR)).toBe(0xb0 | 0x04);
      wr(d, MCR, 0x10 | 0x01);
      expect(rd(d, MSR) & 0xf0).toBe(0x20); // DTR -> DSR
      wr(d, MCR, 0x10 | 0x02);
      expect(rd(d, MSR) & 0xf0).toBe(0x10); // RTS -> CTS
      wr(d, MCR, 0x10 | 0x08);
      expect(rd(d, MSR) & 0xf0).toBe(0x80); // OUT2 -> DCD
    });

    it('passes the Linux 8250 loopback probe (MSR & 0xf0 == 0x90 with RTS|OUT2)', () => {
      const d = uart();
      wr(d, MCR, 0x10 | 0x0a);
      expect(rd(d, MSR) & 0xf0).toBe(0x90);
    });

    it('raises the modem status interrupt when EDSSI is set', () => {
      const d = uart();
      wr(d, IER, 0x08);
      expect(irq(d).level).toBe(false);
      wr(d, MCR, 0x10);
      expect(irq(d).level).toBe(true);
      expect(rd(d, IIR)).toBe(0x00);
      rd(d, MSR);
      expect(irq(d).level).toBe(false);
    });
  });

  it('reset restores every register and lowers the line', () => {
    const d = uart();
    wr(d, LCR, 0x80);
    wr(d, DLL, 1);
    wr(d, LCR, 0x1f);
    wr(d, IER, 0x0f);
    wr(d, FCR, 0xc1);
    wr(d, MCR, 0x1f);
    wr(d, SCR, 0x55);
    wr(d, THR, 1);
    expect(irq(d).level).toBe(true);
    d.device.reset!();
    expect(irq(d).level).toBe(false);
    expect([IER, IIR, LCR, MCR, LSR, MSR, SCR].map((r) => rd(d, r))).toEqual([0, 0x01, 0, 0x08, 0x60, 0xb0, 0]);
    wr(d, LCR, 0x80);
    expect(rd(d, DLL)).toBe(0x0c);
  });

  it('shows its registers in inspect()', () => {
    const d = uart();
    wr(d, SCR, 0x5a);
    const info = d.device.inspect!();
    expect(info.LSR).toBe('0x60');
    expect(info.SCR).toBe('0x5a');
    expect(info.divisor).toBe(12);
  });
});
