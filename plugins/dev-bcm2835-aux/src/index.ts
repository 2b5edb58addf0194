/**
 * BCM2835 auxiliary peripherals block: the mini UART (UART1) at 0x3F215000 (BCM2835 ARM
 * Peripherals 2.1-2.2), as QEMU models it (hw/char/bcm2835_aux.c). The two SPI masters of the
 * block are absent (their registers read 0), as in QEMU.
 *
 * Registers: AUX_IRQ 0x00, AUX_ENABLES 0x04, MU_IO 0x40, MU_IER 0x44, MU_IIR 0x48, MU_LCR 0x4C,
 * MU_MCR 0x50, MU_LSR 0x54, MU_MSR 0x58, MU_SCRATCH 0x5C, MU_CNTL 0x60, MU_STAT 0x64, MU_BAUD 0x68.
 * With MU_LCR.DLAB set, MU_IO and MU_IER reach the two bytes of MU_BAUD (datasheet 2.2.2).
 *
 * Interrupts follow QEMU: MU_IER bit 0 enables the receive interrupt (pending while the 8-byte
 * receive FIFO holds data) and bit 1 the transmit interrupt (always pending: transmit is immediate,
 * the FIFO is always empty). The datasheet text swaps the two bits; the errata (elinux.org
 * BCM2835_datasheet_errata), real chips, Linux's 8250 driver and current QEMU agree on this order.
 * MU_IIR reads 0xC0 | 4 (receive) or 2 (transmit) | 1 when nothing is pending; writing bit 1
 * clears the receive FIFO. AUX_IRQ bit 0 mirrors the interrupt output.
 *
 * As QEMU, the mini UART cannot be disabled: AUX_ENABLES bit 0 and MU_CNTL's enables are stored
 * (the datasheet's read-back) but do not gate transmit or receive, and line settings (LCR, MCR,
 * BAUD) only set the character time. Host input is pulled while the FIFO has room.
 */
import type { AccessSize, CharBackend, Device, DeviceContext, PluginApi, PropKit, PropsOf, Timer } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const IER_RX = 0x1;
const IER_TX = 0x2;
const LCR_DLAB = 0x80;
const RX_FIFO_LEN = 8;
const NS_PER_S = 1_000_000_000;

const auxProps = (prop: PropKit) => ({
  clockFrequency: prop.int({ default: 250_000_000, min: 1, description: 'system (VPU core) clock in Hz: baud = clock / (8 * (MU_BAUD + 1))' }),
});
export type AuxProps = PropsOf<ReturnType<typeof auxProps>>;

export function createBcm2835Aux(ctx: DeviceContext<AuxProps>): Device {
  const name = ctx.entry.name;
  const irq = ctx.output('irq');
  const chardev: CharBackend = ctx.chardev();

  const fifo = new Uint8Array(RX_FIFO_LEN);
  let readPos = 0;
  let readCount = 0;
  /** Pending interrupt causes (IER bits), recomputed by update(). */
  let pending = 0;
  /** MU_IER's two enables (kept apart: with DLAB the register's address reaches MU_BAUD). */
  let ierBits = 0;

  let regs!: RegisterMap;
  const ier = () => ierBits;
  const dlab = () => (regs.get('MU_LCR') & LCR_DLAB) !== 0;

  /** The one place computing the interrupt output (QEMU bcm2835_aux_update). */
  function update(): void {
    const en = ier();
    pending = (en & IER_RX && readCount > 0 ? IER_RX : 0) | (en & IER_TX);
    irq.set(pending !== 0);
  }

  function pump(): void {
    let moved = false;
    while (readCount < RX_FIFO_LEN && chardev.available > 0) {
      fifo[(readPos + readCount) % RX_FIFO_LEN] = chardev.read();
      readCount++;
      moved = true;
    }
    if (moved) update();
  }
  chardev.onInput(pump);

  function charTime(): number {
    const baud = ctx.props.clockFrequency / (8 * (regs.get('MU_BAUD') + 1));
    const bits = 1 + (regs.get('MU_LCR') & 1 ? 8 : 7) + 1;
    return Math.ceil((NS_PER_S * bits) / baud);
  }
  /** After the guest clears the receive FIFO the next host byte comes a character time later. */
  const arrival: Timer = ctx.clock.createTimer(`${name} rx arrival`, pump);

  function readIo(): number {
    if (dlab()) return regs.get('MU_BAUD') & 0xff;
    const c = fifo[readPos];
    if (readCount > 0) {
      readCount--;
      readPos = (readPos + 1) % RX_FIFO_LEN;
    }
    update();
    pump();
    return c;
  }

  function writeIo(value: number): void {
    if (dlab()) regs.set('MU_BAUD', (regs.get('MU_BAUD') & 0xff00) | (value & 0xff));
    else chardev.write(value & 0xff);
  }

  function readIir(): number {
    let res = 0xc0 | (pending & IER_RX ? 0x4 : 0x2);
    if (pending === 0) res |= 0x1;
    return res;
  }

  function writeIir(value: number): void {
    if (value & 0x2) {
      readCount = 0;
      readPos = 0;
      update();
      if (chardev.available > 0) arrival.armAt(ctx.clock.now() + charTime());
    }
  }

  function stat(): number {
    // Space in the transmit FIFO, receiver and transmitter idle, transmit FIFO empty, done.
    let res = 0x30e;
    if (readCount > 0) res |= 0x1 | (readCount << 16);
    return res;
  }

  const hex = (x: number) => '0x' + x.toString(16);
  regs = ctx.registers({
    sizes: [1, 2, 4],
    aligned: true,
    extent: 0x100,
    registers: [
      { name: 'AUX_IRQ', offset: 0x00, access: 'ro', fields: [{ name: 'MU', bits: [0, 0] }], read: () => (pending !== 0 ? 1 : 0) },
      { name: 'AUX_ENABLES', offset: 0x04, writeMask: 0x7, reset: 0x1, read: () => regs.get('AUX_ENABLES') | 1 },
      { name: 'MU_IO', offset: 0x40, writeMask: 0xff, read: () => readIo(), write: (_v, _i, w) => writeIo(w) },
      {
        name: 'MU_IER',
        offset: 0x44,
        writeMask: 0xff,
        fields: [
          { name: 'TX', bits: [1, 1] },
          { name: 'RX', bits: [0, 0] },
        ],
        read: () => (dlab() ? regs.get('MU_BAUD') >> 8 : 0xc0 | ier()),
        write: (_v, _i, w) => {
          if (dlab()) {
            regs.set('MU_BAUD', (regs.get('MU_BAUD') & 0xff) | ((w & 0xff) << 8));
          } else {
            ierBits = w & (IER_RX | IER_TX);
            update();
          }
        },
      },
      { name: 'MU_IIR', offset: 0x48, writeMask: 0xff, read: () => readIir(), write: (_v, _i, w) => writeIir(w) },
      {
        name: 'MU_LCR',
        offset: 0x4c,
        writeMask: 0xff,
        fields: [
          { name: 'DLAB', bits: [7, 7] },
          { name: 'BREAK', bits: [6, 6] },
          { name: 'SIZE', bits: [1, 0] },
        ],
      },
      { name: 'MU_MCR', offset: 0x50, writeMask: 0x2, fields: [{ name: 'RTS', bits: [1, 1] }] },
      {
        name: 'MU_LSR',
        offset: 0x54,
        access: 'ro',
        fields: [
          { name: 'TX_IDLE', bits: [6, 6] },
          { name: 'TX_EMPTY', bits: [5, 5] },
          { name: 'RX_OVERRUN', bits: [1, 1] },
          { name: 'DATA_READY', bits: [0, 0] },
        ],
        read: () => 0x60 | (readCount > 0 ? 1 : 0),
      },
      // CTS reads asserted: nothing ever holds the line off.
      { name: 'MU_MSR', offset: 0x58, access: 'ro', read: () => 0x20 },
      { name: 'MU_SCRATCH', offset: 0x5c, writeMask: 0xff },
      { name: 'MU_CNTL', offset: 0x60, writeMask: 0xff, reset: 0x3, fields: [{ name: 'TX_EN', bits: [1, 1] }, { name: 'RX_EN', bits: [0, 0] }] },
      { name: 'MU_STAT', offset: 0x64, access: 'ro', read: () => stat() },
      { name: 'MU_BAUD', offset: 0x68, writeMask: 0xffff },
    ],
  });

  function reset(): void {
    regs.reset();
    ierBits = 0;
    readPos = 0;
    readCount = 0;
    arrival.cancel();
    update();
    pump(); // host input survives a guest reset
  }

  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset,
    deviceTree(node: FdtNode): void {
      // Linux's binding puts this node at the block's base + 0x40 with `clocks` from the AUX clock
      // provider (brcm,bcm2835-aux); the Pi boards pass the firmware's tree, so this one stays minimal.
      node.u32('reg-shift', 2);
      node.u32('reg-io-width', 4);
      node.u32('clock-frequency', ctx.props.clockFrequency);
    },
    inspect() {
      return {
        IER: hex(ier()),
        IIR: hex(readIir()),
        LCR: hex(regs.get('MU_LCR')),
        BAUD: regs.get('MU_BAUD'),
        CNTL: hex(regs.get('MU_CNTL')),
        'rx fifo': readCount,
        'host queue': chardev.available,
        irq: irq.level ? 1 : 0,
      };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-aux',
    description: 'BCM2835 AUX block: mini UART (UART1) with an 8-byte receive FIFO',
    compatible: ['brcm,bcm2835-aux-uart'],
    nodeName: 'serial',
    props: auxProps(api.prop),
    outputs: { irq: { description: 'AUX interrupt (GPU IRQ 29): mini UART receive or transmit interrupt pending' } },
    create: createBcm2835Aux,
  });
}
