/**
 * NS16550A UART as QEMU 7.2 models it (hw/char/serial.c) on the `virt` board.
 *
 * Registers (index << regShift): 0 RBR/THR/DLL, 1 IER/DLM, 2 IIR/FCR, 3 LCR, 4 MCR, 5 LSR, 6 MSR,
 * 7 SCR. LCR.DLAB switches offsets 0/1 to the divisor latch. Every access reads or writes one
 * 8-bit register whatever its size (QEMU's serial_mm); only 8 << regShift bytes are decoded.
 *
 * Transmit is immediate: a THR write goes straight to the chardev (or, in loopback, to the
 * receiver), so THRE/TEMT read back set and the THRE interrupt re-arms right away, like QEMU.
 * Receive: host input waits in the chardev backend (which stops reading its source while full) and
 * is pulled into the receiver only as much as QEMU's serial_can_receive accepts: without FIFOs one
 * byte when RBR is empty; with FIFOs up to the trigger level (one byte at a time once above it,
 * none when the FIFO is full or exactly at the level). So a driver that clears the FIFO at start-up
 * (FCR 0x07, as Linux's 8250 driver does) loses what QEMU loses, not everything typed ahead, and an
 * overrun (LSR.OE) can only come from loopback. In FIFO mode a character-timeout interrupt fires 4
 * character times after the last receive/read while the FIFO holds data below the trigger level.
 *
 * Interrupt identification (16550 datasheet table 4, QEMU serial_update_irq), highest first:
 * receiver line status (OE/PE/FE/BI), received data available (trigger level reached) or
 * character timeout, THR empty, modem status.
 *
 * Modem status: with no real modem lines, CTS/DSR/DCD read set (0xb0, as QEMU). In loopback the
 * MCR outputs drive the inputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD) and, as the datasheet
 * describes (QEMU does not), changes set the MSR delta bits, which raise the modem status interrupt.
 */
import type { AccessSize, CharBackend, Device, DeviceContext, PluginApi, PropKit, PropsOf, Timer } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IER_MSI = 0x08;

const IIR_NO_INT = 0x01;
const IIR_ID_MASK = 0x06;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_CTI = 0x0c;
const IIR_FIFO = 0xc0;

const FCR_FE = 0x01;
const FCR_RFR = 0x02;
const FCR_XFR = 0x04;
const FCR_STICKY = 0xc9; // trigger level, DMA mode, enable

const LCR_DLAB = 0x80;

const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LSR_INT_ANY = 0x1e;

const MSR_DCTS = 0x01;
const MSR_DDSR = 0x02;
const MSR_TERI = 0x04;
const MSR_DDCD = 0x08;
const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;

const FIFO_LENGTH = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];
const NS_PER_S = 1_000_000_000;

const uartProps = (prop: PropKit) => ({
  regShift: prop.int({ default: 0, min: 0, max: 4, description: 'register i is at offset i << regShift (device tree reg-shift)' }),
  regIoWidth: prop.enum([1, 2, 4], { default: 1, description: 'register access width in bytes (device tree reg-io-width)' }),
  clockFrequency: prop.int({ default: 3_686_400, min: 1, description: 'input clock in Hz (device tree clock-frequency)' }),
  /** QEMU virt passes baudbase 399193 to serial_mm_init; it only sets the character time. */
  baudbase: prop.int({ default: 399_193, min: 1, description: 'baud rate at divisor 1; sets the character time (QEMU virt: 399193)' }),
});
export type UartProps = PropsOf<ReturnType<typeof uartProps>>;

export function createNs16550(ctx: DeviceContext<UartProps>): Device {
  const name = ctx.entry.name;
  const { regShift, regIoWidth, clockFrequency, baudbase } = ctx.props;
  const regWidth = Math.min(regIoWidth, 1 << regShift) as 1 | 2 | 4;
  const windowSize = 8 << regShift;
  const irq = ctx.output('irq');
  const chardev: CharBackend = ctx.chardev();
  const timeoutTimer: Timer = ctx.clock.createTimer(`${name} rx timeout`, () => {
    if (rxCount > 0) {
      timeoutIpending = true;
      updateInterrupts();
    }
  });

  // Guest-visible state (QEMU SerialState).
  let rbr = 0;
  let thr = 0;
  let ier = 0;
  let iir = IIR_NO_INT;
  let fcr = 0;
  let lcr = 0;
  let mcr = MCR_OUT2;
  let lsr = LSR_TEMT | LSR_THRE;
  let msrLines = MSR_DCD | MSR_DSR | MSR_CTS;
  let msrDelta = 0;
  let scr = 0;
  let divider = 0x0c;
  let itl = 1;
  let thrIpending = false;
  let timeoutIpending = false;
  /** Time for one character at the current line settings; QEMU starts at 9600 8N1. */
  let charTime = Math.floor(NS_PER_S / 9600) * 10;

  // RX FIFO ring.
  const rxFifo = new Uint8Array(FIFO_LENGTH);
  let rxHead = 0;
  let rxCount = 0;

  /** The one place computing the interrupt output (and IIR). */
  function updateInterrupts(): void {
    let id = IIR_NO_INT;
    if (ier & IER_RLSI && lsr & LSR_INT_ANY) id = IIR_RLSI;
    else if (ier & IER_RDI && timeoutIpending) id = IIR_CTI;
    else if (ier & IER_RDI && lsr & LSR_DR && (!(fcr & FCR_FE) || rxCount >= itl)) id = IIR_RDI;
    else if (ier & IER_THRI && thrIpending) id = IIR_THRI;
    else if (ier & IER_MSI && msrDelta !== 0) id = IIR_MSI;
    iir = id | (fcr & FCR_FE ? IIR_FIFO : 0);
    irq.set(id !== IIR_NO_INT);
  }

  function updateParameters(): void {
    let frame = 1 + (lcr & 0x03) + 5 + (lcr & 0x04 ? 2 : 1);
    if (lcr & 0x08) frame++;
    const speed = divider === 0 ? 3500 : baudbase / divider;
    charTime = Math.floor((NS_PER_S / speed) * frame);
  }

  /** One character into the receiver (QEMU serial_receive1); the caller updates interrupts. */
  function receiveByte(byte: number): void {
    if (fcr & FCR_FE) {
      // Receive overruns do not overwrite FIFO contents.
      if (rxCount < FIFO_LENGTH) {
        rxFifo[(rxHead + rxCount) % FIFO_LENGTH] = byte;
        rxCount++;
      } else lsr |= LSR_OE;
      lsr |= LSR_DR;
      timeoutTimer.armAt(ctx.clock.now() + 4 * charTime);
    } else {
      if (lsr & LSR_DR) lsr |= LSR_OE;
      rbr = byte;
      lsr |= LSR_DR;
    }
  }

  /**
   * How many host bytes the receiver takes now (QEMU serial_can_receive). With FIFOs it offers the
   * bytes up to the trigger level, so the guest sees its interrupt before the FIFO fills, and 1
   * past it (the guest did not lower the count: the FIFO may fill up, but never overruns).
   */
  function canReceive(): number {
    if (fcr & FCR_FE) {
      if (rxCount >= FIFO_LENGTH) return 0;
      return rxCount <= itl ? itl - rxCount : 1;
    }
    return lsr & LSR_DR ? 0 : 1;
  }

  /** Pulls waiting host input into the receiver while it takes more (not in loopback). */
  function pump(): void {
    if (mcr & MCR_LOOP) return;
    let moved = false;
    while (chardev.available > 0 && canReceive() > 0) {
      receiveByte(chardev.read());
      moved = true;
    }
    if (moved) updateInterrupts();
  }

  chardev.onInput(pump);

  /**
   * After the guest emptied the receiver by a FIFO reset (or left loopback, or reset the UART),
   * the next host byte arrives one character time later, not within the same instruction: QEMU
   * feeds it from its main loop, after the guest's start-up sequence (FCR writes, then reads of
   * LSR/RBR/IIR/MSR to clear state) has run, so that sequence does not eat several typed-ahead bytes.
   */
  const arrival: Timer = ctx.clock.createTimer(`${name} rx arrival`, pump);
  function pumpLater(): void {
    if (chardev.available > 0) arrival.armAt(ctx.clock.now() + charTime);
  }

  function loopbackLines(): number {
    return ((mcr & (MCR_OUT2 | MCR_OUT1)) << 4) | ((mcr & MCR_RTS) << 3) | ((mcr & MCR_DTR) << 5);
  }

  /** Recomputes the modem inputs and latches delta bits for lines that changed. */
  function updateModemInputs(): void {
    const lines = mcr & MCR_LOOP ? loopbackLines() : MSR_DCD | MSR_DSR | MSR_CTS;
    const changed = lines ^ msrLines;
    if (changed === 0) return;
    if (changed & MSR_CTS) msrDelta |= MSR_DCTS;
    if (changed & MSR_DSR) msrDelta |= MSR_DDSR;
    if (changed & MSR_DCD) msrDelta |= MSR_DDCD;
    if (msrLines & MSR_RI && !(lines & MSR_RI)) msrDelta |= MSR_TERI;
    msrLines = lines;
    updateInterrupts();
  }

  function readRbr(): number {
    let ret: number;
    if (fcr & FCR_FE) {
      ret = 0;
      if (rxCount > 0) {
        ret = rxFifo[rxHead];
        rxHead = (rxHead + 1) % FIFO_LENGTH;
        rxCount--;
      }
      if (rxCount === 0) {
        lsr &= ~(LSR_DR | LSR_BI);
        timeoutTimer.cancel();
      } else timeoutTimer.armAt(ctx.clock.now() + 4 * charTime);
      timeoutIpending = false;
    } else {
      ret = rbr;
      lsr &= ~(LSR_DR | LSR_BI);
    }
    updateInterrupts();
    pump();
    return ret;
  }

  function writeThr(value: number): void {
    thr = value;
    thrIpending = false;
    lsr &= ~(LSR_THRE | LSR_TEMT);
    updateInterrupts();
    // Shift it out at once (QEMU serial_xmit): THR is empty again before the byte leaves.
    lsr |= LSR_THRE;
    thrIpending = true;
    updateInterrupts();
    if (mcr & MCR_LOOP) {
      receiveByte(value);
      updateInterrupts();
    } else chardev.write(value);
    lsr |= LSR_TEMT;
  }

  function writeIer(value: number): void {
    const changed = (ier ^ value) & 0x0f;
    ier = value & 0x0f;
    // Enabling ETBEI while THR is empty raises the THRE interrupt even if IIR had been read.
    if (changed & IER_THRI) thrIpending = (ier & IER_THRI) !== 0 && (lsr & LSR_THRE) !== 0;
    if (changed) updateInterrupts();
  }

  function writeFcr(value: number): void {
    // Toggling the enable flushes both FIFOs.
    if ((value ^ fcr) & FCR_FE) value |= FCR_XFR | FCR_RFR;
    if (value & FCR_RFR) {
      lsr &= ~(LSR_DR | LSR_BI);
      timeoutTimer.cancel();
      timeoutIpending = false;
      rxHead = 0;
      rxCount = 0;
    }
    if (value & FCR_XFR) {
      lsr |= LSR_THRE;
      thrIpending = true;
    }
    fcr = value & FCR_STICKY;
    if (fcr & FCR_FE) itl = TRIGGER_LEVELS[fcr >> 6];
    updateInterrupts();
    pumpLater();
  }

  function readIir(): number {
    const ret = iir;
    if ((ret & IIR_ID_MASK) === IIR_THRI) {
      thrIpending = false;
      updateInterrupts();
    }
    return ret;
  }

  function readLsr(): number {
    const ret = lsr;
    if (lsr & (LSR_BI | LSR_OE)) {
      lsr &= ~(LSR_BI | LSR_OE);
      updateInterrupts();
    }
    return ret;
  }

  function readMsr(): number {
    const ret = msrLines | msrDelta;
    if (msrDelta !== 0) {
      msrDelta = 0;
      updateInterrupts();
    }
    return ret;
  }

  function writeMcr(value: number): void {
    const wasLoop = mcr & MCR_LOOP;
    mcr = value & 0x1f;
    updateModemInputs();
    if (wasLoop && !(mcr & MCR_LOOP)) pumpLater();
  }

  function readReg(index: number): number {
    switch (index) {
      case 0:
        return lcr & LCR_DLAB ? divider & 0xff : readRbr();
      case 1:
        return lcr & LCR_DLAB ? (divider >> 8) & 0xff : ier;
      case 2:
        return readIir();
      case 3:
        return lcr;
      case 4:
        return mcr;
      case 5:
        return readLsr();
      case 6:
        return readMsr();
      default:
        return scr;
    }
  }

  function writeReg(index: number, value: number): void {
    switch (index) {
      case 0:
        if (lcr & LCR_DLAB) {
          divider = (divider & 0xff00) | value;
          updateParameters();
        } else writeThr(value);
        break;
      case 1:
        if (lcr & LCR_DLAB) {
          divider = (divider & 0x00ff) | (value << 8);
          updateParameters();
        } else writeIer(value);
        break;
      case 2:
        writeFcr(value);
        break;
      case 3:
        lcr = value;
        updateParameters();
        break;
      case 4:
        writeMcr(value);
        break;
      case 7:
        scr = value;
        break;
      default:
        break; // LSR and MSR ignore writes
    }
  }

  const reg = (index: number, regName: string, fields: Array<{ name: string; bits: [number, number] }> = []) => ({
    name: regName,
    offset: index << regShift,
    width: regWidth,
    fields,
    read: () => readReg(index),
    write: (_v: number, _i: number, written: number) => writeReg(index, written & 0xff),
  });
  const regs: RegisterMap = ctx.registers({
    // Only 8 << regShift bytes are decoded; the bus refuses the rest of the board's window.
    extent: windowSize,
    registers: [
      reg(0, 'RBR/THR/DLL'),
      reg(1, 'IER/DLM', [
        { name: 'EDSSI', bits: [3, 3] },
        { name: 'ELSI', bits: [2, 2] },
        { name: 'ETBEI', bits: [1, 1] },
        { name: 'ERBFI', bits: [0, 0] },
      ]),
      reg(2, 'IIR/FCR', [
        { name: 'FIFO', bits: [7, 6] },
        { name: 'ID', bits: [3, 1] },
        { name: 'NINT', bits: [0, 0] },
      ]),
      reg(3, 'LCR', [
        { name: 'DLAB', bits: [7, 7] },
        { name: 'BC', bits: [6, 6] },
        { name: 'SP', bits: [5, 5] },
        { name: 'EPS', bits: [4, 4] },
        { name: 'PEN', bits: [3, 3] },
        { name: 'STB', bits: [2, 2] },
        { name: 'WLS', bits: [1, 0] },
      ]),
      reg(4, 'MCR', [
        { name: 'LOOP', bits: [4, 4] },
        { name: 'OUT2', bits: [3, 3] },
        { name: 'OUT1', bits: [2, 2] },
        { name: 'RTS', bits: [1, 1] },
        { name: 'DTR', bits: [0, 0] },
      ]),
      reg(5, 'LSR', [
        { name: 'TEMT', bits: [6, 6] },
        { name: 'THRE', bits: [5, 5] },
        { name: 'BI', bits: [4, 4] },
        { name: 'FE', bits: [3, 3] },
        { name: 'PE', bits: [2, 2] },
        { name: 'OE', bits: [1, 1] },
        { name: 'DR', bits: [0, 0] },
      ]),
      reg(6, 'MSR', [
        { name: 'DCD', bits: [7, 7] },
        { name: 'RI', bits: [6, 6] },
        { name: 'DSR', bits: [5, 5] },
        { name: 'CTS', bits: [4, 4] },
        { name: 'DDCD', bits: [3, 3] },
        { name: 'TERI', bits: [2, 2] },
        { name: 'DDSR', bits: [1, 1] },
        { name: 'DCTS', bits: [0, 0] },
      ]),
      reg(7, 'SCR'),
    ],
  });

  function reset(): void {
    regs.reset();
    rbr = 0;
    thr = 0;
    ier = 0;
    fcr = 0;
    lcr = 0;
    mcr = MCR_OUT2;
    lsr = LSR_TEMT | LSR_THRE;
    msrLines = MSR_DCD | MSR_DSR | MSR_CTS;
    msrDelta = 0;
    scr = 0;
    divider = 0x0c;
    itl = 1;
    thrIpending = false;
    timeoutIpending = false;
    charTime = Math.floor(NS_PER_S / 9600) * 10;
    rxHead = 0;
    rxCount = 0;
    timeoutTimer.cancel();
    arrival.cancel();
    updateInterrupts();
    pumpLater(); // host input survives a guest reset
  }

  const hex2 = (x: number) => '0x' + x.toString(16).padStart(2, '0');
  return {
    name,
    read: (offset: number) => regs.read(((offset >> regShift) & 7) << regShift, regWidth) & 0xff,
    write: (offset: number, _size: AccessSize, value: number) => regs.write(((offset >> regShift) & 7) << regShift, regWidth, value & 0xff),
    reset,
    deviceTree(node: FdtNode): void {
      node.u32('clock-frequency', clockFrequency);
      if (regShift !== 0) node.u32('reg-shift', regShift);
      if (regIoWidth !== 1) node.u32('reg-io-width', regIoWidth);
    },
    inspect() {
      return {
        RBR: hex2(rbr),
        THR: hex2(thr),
        IER: hex2(ier),
        IIR: hex2(iir),
        FCR: hex2(fcr),
        LCR: hex2(lcr),
        MCR: hex2(mcr),
        LSR: hex2(lsr),
        MSR: hex2(msrLines | msrDelta),
        SCR: hex2(scr),
        divisor: divider,
        'rx fifo': rxCount,
        'host queue': chardev.available,
        irq: irq.level ? 1 : 0,
      };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'ns16550a',
    description: 'NS16550A UART with 16-byte FIFOs (console serial port)',
    compatible: ['ns16550a'],
    nodeName: 'serial',
    props: uartProps(api.prop),
    outputs: { irq: { description: 'interrupt request (IIR reports one pending)' } },
    create: createNs16550,
  });
}
