/**
 * ARM PrimeCell PL011 UART (PL011 TRM r1p5, DDI 0183), as QEMU 7.2 models it (hw/char/pl011.c):
 * the Raspberry Pi's UART0 at 0x3F201000.
 *
 * Registers (TRM 3.2): DR 0x000, RSR/ECR 0x004, FR 0x018, ILPR 0x020, IBRD 0x024, FBRD 0x028,
 * LCR_H 0x02C, CR 0x030, IFLS 0x034, IMSC 0x038, RIS 0x03C, MIS 0x040, ICR 0x044, DMACR 0x048,
 * PeriphID0-3 0xFE0-0xFEC, PCellID0-3 0xFF0-0xFFC. Accesses of 1, 2 or 4 bytes, aligned (Linux's
 * amba-pl011 uses 16-bit accesses unless the tree says reg-io-width = 4).
 *
 * Transmit is immediate (QEMU): a DR write goes to the chardev (and, with CR.LBE, into the receive
 * FIFO) and raises the TX interrupt level; nothing clears it but ICR. QEMU 7.2 raises it only on
 * DR writes, not at reset, and Linux relies on that behaviour being QEMU's.
 * Receive: the FIFO is 16 entries with LCR_H.FEN and 1 without; each entry keeps the byte and its
 * error bits (DR[11:8]: OE, BE, PE, FE). The RX interrupt level is raised when the FIFO reaches
 * the trigger level and dropped when a read takes it below; QEMU fixes the trigger at 1 entry
 * (its comment: Linux reads only in response to an interrupt) and so does this model, so IFLS is
 * stored but does not change the level. The receive-timeout interrupt is never raised (QEMU).
 * Host input is pulled only while the FIFO has room (QEMU pl011_can_receive), and not in loopback
 * (the RX pin is disconnected there, TRM 2.4.3).
 *
 * Like QEMU 7.2 the model ignores CR.UARTEN/TXE/RXE (guests that never set them still print), and
 * the baud-rate divisors only set the character time used to pace input after a FIFO reset. The
 * IBRD/FBRD masks follow the TRM (16 and 6 bits; QEMU 7.2 swaps them).
 */
import type { AccessSize, CharBackend, Device, DeviceContext, PluginApi, PropKit, PropsOf, Timer } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

// Flag register (TRM 3.3.3).
const FR_RI = 0x100;
const FR_TXFE = 0x80;
const FR_RXFF = 0x40;
const FR_TXFF = 0x20;
const FR_RXFE = 0x10;
const FR_DCD = 0x04;
const FR_DSR = 0x02;
const FR_CTS = 0x01;

/** DR bit 10: break error, the only error a model without a real line can see (loopback break). */
const DR_BE = 1 << 10;

// Interrupt bits of RIS/MIS/IMSC/ICR (TRM 3.3.13).
const INT_TX = 1 << 5;
const INT_RX = 1 << 4;
const INT_DSR = 1 << 3;
const INT_DCD = 1 << 2;
const INT_CTS = 1 << 1;
const INT_RI = 1 << 0;
const INT_ALL = 0x7ff;

const LCR_BRK = 1 << 0;
const LCR_FEN = 1 << 4;

const CR_OUT2 = 1 << 13;
const CR_OUT1 = 1 << 12;
const CR_RTS = 1 << 11;
const CR_DTR = 1 << 10;
const CR_LBE = 1 << 7;
/** CR bits that exist (TRM 3.3.8: bits 6:3 are reserved). */
const CR_MASK = 0xff87;

const FIFO_DEPTH = 16;
/** PeriphID0-3 then PCellID0-3 (TRM 3.3.14-3.3.22; QEMU's pl011_id_arm). */
const ID_BYTES = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const NS_PER_S = 1_000_000_000;

const pl011Props = (prop: PropKit) => ({
  clockFrequency: prop.int({ default: 48_000_000, min: 1, description: 'UARTCLK in Hz (the Pi firmware sets 48 MHz); sets the character time' }),
});
export type Pl011Props = PropsOf<ReturnType<typeof pl011Props>>;

export function createPl011(ctx: DeviceContext<Pl011Props>): Device {
  const name = ctx.entry.name;
  const irq = ctx.output('irq');
  const chardev: CharBackend = ctx.chardev();

  // State that is not a plain stored register (QEMU PL011State).
  let flags = FR_RXFE | FR_TXFE;
  let rsr = 0;
  let intLevel = 0;
  const fifo = new Uint16Array(FIFO_DEPTH);
  let readPos = 0;
  let readCount = 0;
  const readTrigger = 1;

  let regs!: RegisterMap;
  const lcr = () => regs.get('LCR_H');
  const cr = () => regs.get('CR');
  const loopback = () => (cr() & CR_LBE) !== 0;
  const depth = () => (lcr() & LCR_FEN ? FIFO_DEPTH : 1);

  /** The one place computing the interrupt output (UARTINTR: any enabled raw interrupt). */
  function update(): void {
    irq.set((intLevel & regs.get('IMSC')) !== 0);
  }

  function resetRxFifo(): void {
    readCount = 0;
    readPos = 0;
    flags = (flags & ~FR_RXFF) | FR_RXFE;
  }

  function resetTxFifo(): void {
    flags = (flags & ~FR_TXFF) | FR_TXFE;
  }

  /** One entry into the receive FIFO (QEMU pl011_put_fifo); the caller checked there is room. */
  function putFifo(value: number): void {
    const d = depth();
    fifo[(readPos + readCount) & (d - 1)] = value;
    readCount++;
    flags &= ~FR_RXFE;
    if (readCount === d) flags |= FR_RXFF;
    if (readCount === readTrigger) {
      intLevel |= INT_RX;
      update();
    }
  }

  /** Pulls waiting host input while the FIFO has room (never in loopback: RX is disconnected). */
  function pump(): void {
    while (!loopback() && readCount < depth() && chardev.available > 0) putFifo(chardev.read());
  }
  chardev.onInput(pump);

  /** Time of one character at the programmed rate (start + data + parity + stop bits). */
  function charTime(): number {
    const ibrd = regs.get('IBRD');
    const divisor = ibrd + regs.get('FBRD') / 64;
    const baud = ibrd === 0 ? 115_200 : ctx.props.clockFrequency / (16 * divisor);
    const l = lcr();
    const bits = 1 + (((l >> 5) & 3) + 5) + (l & 0x02 ? 1 : 0) + (l & 0x08 ? 2 : 1);
    return Math.ceil((NS_PER_S * bits) / baud);
  }

  /**
   * After a FIFO reset (or leaving loopback) the next host byte arrives a character time later,
   * not within the guest's set-up sequence (QEMU feeds it from its main loop), so typed-ahead
   * input is not swallowed by a driver that resets the FIFOs and then drains DR.
   */
  const arrival: Timer = ctx.clock.createTimer(`${name} rx arrival`, pump);
  function pumpLater(): void {
    if (chardev.available > 0) arrival.armAt(ctx.clock.now() + charTime());
  }

  /** In loopback the modem outputs drive the modem inputs and their interrupt levels (QEMU). */
  function loopbackModem(): void {
    if (!loopback()) return;
    const c = cr();
    let fr = flags & ~(FR_RI | FR_DCD | FR_DSR | FR_CTS);
    if (c & CR_OUT2) fr |= FR_RI;
    if (c & CR_OUT1) fr |= FR_DCD;
    if (c & CR_RTS) fr |= FR_CTS;
    if (c & CR_DTR) fr |= FR_DSR;
    let il = intLevel & ~(INT_DSR | INT_DCD | INT_CTS | INT_RI);
    if (fr & FR_DSR) il |= INT_DSR;
    if (fr & FR_DCD) il |= INT_DCD;
    if (fr & FR_CTS) il |= INT_CTS;
    if (fr & FR_RI) il |= INT_RI;
    flags = fr;
    intLevel = il;
    update();
  }

  function readDr(): number {
    flags &= ~FR_RXFF;
    // An empty FIFO returns whatever its read slot last held, as QEMU does.
    const c = fifo[readPos];
    if (readCount > 0) {
      readCount--;
      readPos = (readPos + 1) & (depth() - 1);
    }
    if (readCount === 0) flags |= FR_RXFE;
    if (readCount === readTrigger - 1) intLevel &= ~INT_RX;
    rsr = c >> 8;
    update();
    pump();
    return c;
  }

  function writeDr(value: number): void {
    const ch = value & 0xff;
    chardev.write(ch);
    if (loopback() && readCount < depth()) putFifo(ch);
    intLevel |= INT_TX;
    update();
  }

  function writeLcr(next: number, old: number): void {
    if ((old ^ next) & LCR_FEN) {
      resetRxFifo();
      resetTxFifo();
      pumpLater();
    }
    // Raising BRK in loopback receives a break character (QEMU pl011_loopback_break).
    if ((old ^ next) & LCR_BRK && next & LCR_BRK && loopback() && readCount < depth()) putFifo(DR_BE);
  }

  const hex = (x: number) => '0x' + x.toString(16);
  regs = ctx.registers({
    sizes: [1, 2, 4],
    aligned: true,
    extent: 0x1000,
    registers: [
      {
        name: 'DR',
        offset: 0x000,
        writeMask: 0xff,
        fields: [
          { name: 'OE', bits: [11, 11] },
          { name: 'BE', bits: [10, 10] },
          { name: 'PE', bits: [9, 9] },
          { name: 'FE', bits: [8, 8] },
          { name: 'DATA', bits: [7, 0] },
        ],
        read: () => readDr(),
        write: (_v, _i, written) => writeDr(written),
      },
      // RSR on reads, ECR on writes (any write clears the error bits).
      { name: 'RSR/ECR', offset: 0x004, writeMask: 0xff, read: () => rsr, write: () => (rsr = 0) },
      {
        name: 'FR',
        offset: 0x018,
        access: 'ro',
        fields: [
          { name: 'RI', bits: [8, 8] },
          { name: 'TXFE', bits: [7, 7] },
          { name: 'RXFF', bits: [6, 6] },
          { name: 'TXFF', bits: [5, 5] },
          { name: 'RXFE', bits: [4, 4] },
          { name: 'BUSY', bits: [3, 3] },
          { name: 'DCD', bits: [2, 2] },
          { name: 'DSR', bits: [1, 1] },
          { name: 'CTS', bits: [0, 0] },
        ],
        read: () => flags,
      },
      { name: 'ILPR', offset: 0x020, writeMask: 0xff },
      { name: 'IBRD', offset: 0x024, writeMask: 0xffff },
      { name: 'FBRD', offset: 0x028, writeMask: 0x3f },
      {
        name: 'LCR_H',
        offset: 0x02c,
        writeMask: 0xff,
        fields: [
          { name: 'SPS', bits: [7, 7] },
          { name: 'WLEN', bits: [6, 5] },
          { name: 'FEN', bits: [4, 4] },
          { name: 'STP2', bits: [3, 3] },
          { name: 'EPS', bits: [2, 2] },
          { name: 'PEN', bits: [1, 1] },
          { name: 'BRK', bits: [0, 0] },
        ],
        write: (value) => {
          writeLcr(value, lcrShadow);
          lcrShadow = value;
        },
      },
      {
        name: 'CR',
        offset: 0x030,
        reset: 0x300,
        writeMask: CR_MASK,
        fields: [
          { name: 'CTSEN', bits: [15, 15] },
          { name: 'RTSEN', bits: [14, 14] },
          { name: 'OUT2', bits: [13, 13] },
          { name: 'OUT1', bits: [12, 12] },
          { name: 'RTS', bits: [11, 11] },
          { name: 'DTR', bits: [10, 10] },
          { name: 'RXE', bits: [9, 9] },
          { name: 'TXE', bits: [8, 8] },
          { name: 'LBE', bits: [7, 7] },
          { name: 'SIRLP', bits: [2, 2] },
          { name: 'SIREN', bits: [1, 1] },
          { name: 'UARTEN', bits: [0, 0] },
        ],
        write: (value) => {
          const wasLoop = crShadow & CR_LBE;
          crShadow = value;
          loopbackModem();
          if (wasLoop && !(value & CR_LBE)) pumpLater();
        },
      },
      { name: 'IFLS', offset: 0x034, reset: 0x12, writeMask: 0x3f, fields: [{ name: 'RXIFLSEL', bits: [5, 3] }, { name: 'TXIFLSEL', bits: [2, 0] }] },
      { name: 'IMSC', offset: 0x038, writeMask: INT_ALL, write: () => update() },
      { name: 'RIS', offset: 0x03c, access: 'ro', read: () => intLevel },
      { name: 'MIS', offset: 0x040, access: 'ro', read: () => intLevel & regs.get('IMSC') },
      {
        name: 'ICR',
        offset: 0x044,
        access: 'wo',
        writeMask: INT_ALL,
        write: (_v, _i, written) => {
          intLevel &= ~written;
          update();
        },
      },
      { name: 'DMACR', offset: 0x048, writeMask: 0x7 },
      { name: 'ID', offset: 0xfe0, count: 8, stride: 4, access: 'ro', read: (i) => ID_BYTES[i] },
    ],
  });
  let lcrShadow = 0;
  let crShadow = regs.get('CR');

  function reset(): void {
    regs.reset();
    lcrShadow = 0;
    crShadow = regs.get('CR');
    rsr = 0;
    intLevel = 0;
    flags = 0;
    resetRxFifo();
    resetTxFifo();
    arrival.cancel();
    update();
    pumpLater(); // host input survives a guest reset
  }

  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset,
    deviceTree(node: FdtNode): void {
      // Linux's amba bus reads the IDs itself; `clocks` (uartclk, apb_pclk) need clock nodes the
      // board provides (the core gives a device no phandles of its own yet), so they are left out.
      node.u32('arm,primecell-periphid', 0x00241011);
      node.u32('clock-frequency', ctx.props.clockFrequency);
    },
    inspect() {
      return {
        FR: hex(flags),
        LCR_H: hex(lcr()),
        CR: hex(cr()),
        IBRD: regs.get('IBRD'),
        FBRD: regs.get('FBRD'),
        IMSC: hex(regs.get('IMSC')),
        RIS: hex(intLevel),
        'rx fifo': readCount,
        'host queue': chardev.available,
        irq: irq.level ? 1 : 0,
      };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'pl011',
    description: 'ARM PrimeCell PL011 UART with 16-entry FIFOs (Raspberry Pi UART0)',
    compatible: ['arm,pl011', 'arm,primecell'],
    nodeName: 'serial',
    props: pl011Props(api.prop),
    outputs: { irq: { description: 'UARTINTR: high while any raw interrupt enabled in IMSC is pending' } },
    create: createPl011,
  });
}
