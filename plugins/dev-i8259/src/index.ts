/**
 * Intel 8259A programmable interrupt controller, one chip per device (the PC has a master and a
 * slave); behaviour follows the 8259A datasheet and QEMU 7.2 hw/intc/i8259.c (pic_* functions).
 *
 * Registers (byte accesses, offsets relative to the device base; the pc board mounts them in its
 * I/O port space at 0x20/0xA0): offset 0 writes ICW1 (bit 4) / OCW3 (bit 3) / OCW2, reads IRR
 * or ISR (OCW3 RR/RIS); offset 1 writes ICW2-ICW4 during initialisation, else OCW1 (IMR), and reads
 * the IMR. After an OCW3 poll command the next read of either offset is the poll byte
 * (0x80 | level, an intack) or 0. An optional second window (`reg` index 1, one byte) is the ELCR
 * (port 0x4D0/0x4D1 on the PC): bit set = level-triggered input.
 *
 * Inputs `ir0`..`ir7`, output `int`. On the PC the slave's `int` goes to the master's `ir2`.
 * The CPU gets the vector through the core's acknowledge cycle (`CpuContext.acknowledge("intr")`
 * reaches the master's `int` answer), which acknowledges the slave through `ir2` when the request
 * is the cascade's: QEMU pic_read_irq.
 */
import type { AccessSize, Device, DeviceContext, IrqLine, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const props = (prop: PropKit) => ({
  role: prop.enum(['master', 'slave'], { default: 'master', description: 'master (IR2 takes the slave) or slave chip' }),
  elcr: prop.int({ default: 0, min: 0, max: 0xff, description: 'initial ELCR: inputs that are level-triggered (bit per IR)' }),
  elcrMask: prop.int({
    description: 'ELCR bits the guest may change (default as QEMU: master 0xf8, slave 0xde)',
    min: 0,
    max: 0xff,
  }),
});
type Props = PropsOf<ReturnType<typeof props>>;

/** The chip's own interface (tests, debuggers); the CPU reaches `intack` through the core. */
export interface I8259 extends Device {
  /**
   * The INTA cycle: the vector of the highest-priority request, acknowledged (ISR set, edge IRR
   * cleared); the spurious IR7 vector when none. A master acknowledges a slave cascaded on IR2.
   */
  intack(): number;
  /** pic_get_irq: the IR number that would be delivered, or -1. */
  pendingIrq(): number;
}

export function createI8259(ctx: DeviceContext<Props>): I8259 {
  const name = ctx.entry.name;
  const master = ctx.props.role === 'master';
  const elcrMask = ctx.props.elcrMask ?? (master ? 0xf8 : 0xde);
  const intOut = ctx.output('int');
  ctx.onAcknowledge('int', () => intack());
  const inputs: IrqLine[] = [];

  // QEMU PICCommonState fields, same names in camelCase.
  let lastIrr = 0, irr = 0, imr = 0, isr = 0, priorityAdd = 0, irqBase = 0;
  let readRegSelect = 0, poll = false, specialMask = false, initState = 0;
  let autoEoi = false, rotateOnAutoEoi = false, specialFullyNested = false, init4 = false, singleMode = false, ltim = false;
  let elcr = ctx.props.elcr & elcrMask;

  /** Priority (0 highest) of the highest set bit of `mask` given the rotation; 8 when none. */
  function getPriority(mask: number): number {
    if (mask === 0) return 8;
    let p = 0;
    while ((mask & (1 << ((p + priorityAdd) & 7))) === 0) p++;
    return p;
  }

  function pendingIrq(): number {
    const p = getPriority(irr & ~imr);
    if (p === 8) return -1;
    let inService = isr;
    // Special mask mode: masked in-service levels do not block lower ones (datasheet OCW3 SMM).
    if (specialMask) inService &= ~imr;
    // Special fully nested mode: the slave's IR2 may interrupt its own service.
    if (specialFullyNested && master) inService &= ~(1 << 2);
    return p < getPriority(inService) ? (p + priorityAdd) & 7 : -1;
  }

  const update = () => intOut.set(pendingIrq() >= 0);

  function setIrq(irq: number, level: boolean): void {
    const mask = 1 << irq;
    if (ltim || elcr & mask) {
      irr = level ? irr | mask : irr & ~mask;
      lastIrr = level ? lastIrr | mask : lastIrr & ~mask;
    } else if (level) {
      if ((lastIrr & mask) === 0) irr |= mask; // rising edge
      lastIrr |= mask;
    } else {
      lastIrr &= ~mask;
    }
    update();
  }

  function acknowledge(irq: number): number {
    if (autoEoi) {
      if (rotateOnAutoEoi) priorityAdd = (irq + 1) & 7;
    } else {
      isr |= 1 << irq;
    }
    if (!(elcr & (1 << irq))) irr &= ~(1 << irq); // an edge request is consumed; a level one stays
    update();
    return irqBase + irq;
  }

  function intack(): number {
    const irq = pendingIrq();
    if (irq < 0) return irqBase + 7; // spurious IRQ 7
    if (irq === 2 && master && !singleMode) {
      // The slave's own INTA cycle (its spurious IRQ 15 included) gives the vector; an IR2 that
      // no slave drives answers -1 and is an ordinary input.
      const vector = ctx.acknowledge('ir2');
      if (vector >= 0) {
        acknowledge(irq);
        return vector;
      }
    }
    return acknowledge(irq);
  }

  /** ICW1: pic_init_reset (ELCR and level-triggered IRR survive). */
  function initReset(): void {
    lastIrr = 0;
    irr &= elcr;
    imr = isr = priorityAdd = irqBase = readRegSelect = initState = 0;
    poll = specialMask = autoEoi = rotateOnAutoEoi = specialFullyNested = init4 = singleMode = false;
    update();
  }

  function writeCommand(val: number): void {
    if (val & 0x10) {
      initReset();
      initState = 1;
      init4 = (val & 1) !== 0;
      singleMode = (val & 2) !== 0;
      ltim = (val & 8) !== 0;
    } else if (val & 0x08) {
      // OCW3
      if (val & 0x04) poll = true;
      if (val & 0x02) readRegSelect = val & 1;
      if (val & 0x40) specialMask = ((val >> 5) & 1) !== 0;
      update(); // QEMU 7.2 waits for the next event; the chip re-resolves at once (datasheet SMM)
    } else {
      // OCW2: R SL EOI in bits 7-5, level in bits 2-0
      const cmd = val >> 5;
      switch (cmd) {
        case 0: // rotate in auto-EOI mode clear / set
        case 4:
          rotateOnAutoEoi = cmd === 4;
          break;
        case 1: // non-specific EOI
        case 5: { // rotate on non-specific EOI
          const p = getPriority(isr);
          if (p !== 8) {
            const irq = (p + priorityAdd) & 7;
            isr &= ~(1 << irq);
            if (cmd === 5) priorityAdd = (irq + 1) & 7;
            update();
          }
          break;
        }
        case 3: // specific EOI
          isr &= ~(1 << (val & 7));
          update();
          break;
        case 6: // set priority: level becomes the lowest
          priorityAdd = (val + 1) & 7;
          update();
          break;
        case 7: // rotate on specific EOI
          isr &= ~(1 << (val & 7));
          priorityAdd = ((val & 7) + 1) & 7;
          update();
          break;
        default: // 2: no operation
          break;
      }
    }
  }

  function writeData(val: number): void {
    switch (initState) {
      case 0:
        imr = val;
        update();
        break;
      case 1: // ICW2: vector base (x86 mode: low 3 bits are the IR number)
        irqBase = val & 0xf8;
        initState = singleMode ? (init4 ? 3 : 0) : 2;
        break;
      case 2: // ICW3: cascade wiring, fixed by the board
        initState = init4 ? 3 : 0;
        break;
      case 3: // ICW4: SFNM bit 4, AEOI bit 1 (8086 mode bit 0 assumed)
        specialFullyNested = ((val >> 4) & 1) !== 0;
        autoEoi = ((val >> 1) & 1) !== 0;
        initState = 0;
        break;
    }
  }

  function read(offset: number): number {
    if (poll) {
      poll = false;
      const irq = pendingIrq();
      return irq >= 0 ? (acknowledge(irq), irq | 0x80) : 0;
    }
    if (offset === 0) return readRegSelect ? isr : irr;
    return imr;
  }

  const regs: RegisterMap = ctx.registers({
    sizes: [1],
    extent: 2,
    registers: [
      { name: 'CMD', offset: 0, width: 1, read: () => read(0), write: (v) => writeCommand(v & 0xff) },
      { name: 'DATA', offset: 1, width: 1, read: () => read(1), write: (v) => writeData(v & 0xff) },
    ],
  });
  const elcrRegs: RegisterMap | undefined =
    ctx.entry.reg.length + ctx.entry.io.length > 1
      ? ctx.registers(
          {
            sizes: [1],
            extent: 1,
            registers: [{ name: 'ELCR', offset: 0, width: 1, read: () => elcr, write: (v) => ((elcr = v & elcrMask), update()) }],
          },
          1,
        )
      : undefined;

  const chip: I8259 = {
    name,
    read: (offset: number, size: AccessSize, region: number) => (region === 1 ? elcrRegs!.read(offset, size) : regs.read(offset, size)),
    write: (offset: number, size: AccessSize, value: number, region: number) =>
      region === 1 ? elcrRegs!.write(offset, size, value) : regs.write(offset, size, value),
    reset: () => initReset(),
    irqInput(input: string): IrqLine | undefined {
      const m = /^ir([0-7])$/.exec(input);
      if (!m) return undefined;
      const irq = Number(m[1]);
      inputs[irq] ??= ctx.inputLine(`${name}:${input}`, (level) => setIrq(irq, level));
      return inputs[irq];
    },
    intack,
    pendingIrq,
    inspect: () => ({ irr, imr, isr, elcr, base: irqBase, 'priority add': priorityAdd, 'auto eoi': autoEoi ? 1 : 0, int: intOut.level ? 1 : 0 }),
  };
  return chip;
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'i8259',
    description: 'Intel 8259A interrupt controller (one chip: master or slave), as QEMU i8259',
    props: props(api.prop),
    outputs: { int: { description: 'INT: a request is pending (master: to the CPU; slave: to the master ir2)' } },
    create: createI8259,
  });
}
