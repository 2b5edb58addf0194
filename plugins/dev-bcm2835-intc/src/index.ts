/**
 * BCM2835 ARM interrupt controller at 0x3F00B200 (BCM2835 ARM Peripherals chapter 7; QEMU
 * hw/intc/bcm2835_ic.c).
 *
 * Inputs (level-sensitive, no latching): GPU interrupts "0".."63" (system timer 0-3, USB 9, AUX 29,
 * GPIO 49-52, UART0 57, ...) and the eight ARM-side interrupts "arm0".."arm7" (ARM timer, ARM
 * mailbox, doorbells 0/1, GPU halted 0/1, illegal access 1/0).
 *
 * Registers (32-bit only, QEMU's valid sizes): IRQ basic pending 0x00 (bits 0-7 ARM interrupts,
 * 8/9 "something pending in register 1/2", 10-20 the GPU interrupts 7, 9, 10, 18, 19, 53-57, 62
 * repeated), IRQ pending 1/2 0x04/0x08, FIQ control 0x0C (bits 0-6 source: 0-63 GPU, 64-71 ARM;
 * bit 7 enable), enable 1/2/basic 0x10-0x18 (write 1 to set), disable 1/2/basic 0x1C-0x24 (write 1
 * to clear; they read as the complement of the enables, as QEMU). Pending registers show only
 * enabled sources, as QEMU (the datasheet is unclear; Linux's driver masks with the enables anyway).
 *
 * Outputs: `irq` while any enabled source is high, `fiq` while the FIQ source is high and FIQ is
 * enabled (an FIQ source is taken from the IRQ enables, as QEMU: it never needs its enable bit).
 * On the Pi 2/3 both go to the BCM2836 local controller's gpu-irq/gpu-fiq inputs.
 *
 * Device tree: #interrupt-cells = 2, <bank irq> with bank 0 = ARM (basic), 1 = GPU 0-31,
 * 2 = GPU 32-63 (Linux's brcm,bcm2835-armctrl-ic binding).
 */
import type { AccessSize, Device, DeviceContext, IrqLine, PluginApi } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const GPU_IRQS = 64;
const ARM_IRQS = 8;
/** GPU interrupts repeated in IRQ basic pending bits 10-20 (datasheet 7.5). */
const BASIC_DUPS = [7, 9, 10, 18, 19, 53, 54, 55, 56, 57, 62];


/** Parses an input name: GPU n (0..63) or ARM n (64 + n for "armN"); -1 when it is not one. */
function sourceOf(input: string): number {
  const arm = /^arm([0-7])$/.exec(input);
  if (arm) return GPU_IRQS + Number(arm[1]);
  if (!/^\d+$/.test(input)) return -1;
  const n = Number(input);
  return n < GPU_IRQS ? n : -1;
}

export function createBcm2835Intc(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const irqOut = ctx.output('irq');
  const fiqOut = ctx.output('fiq');

  // Levels and enables as two 32-bit halves (no BigInt): [0] GPU 0-31, [1] GPU 32-63, plus ARM.
  const gpuLevel = new Uint32Array(2);
  const gpuEnable = new Uint32Array(2);
  let armLevel = 0;
  let armEnable = 0;
  let fiqSelect = 0;
  let fiqEnable = false;
  const inputs = new Map<number, IrqLine>();

  const gpuPending = (w: number) => (gpuLevel[w] & gpuEnable[w]) >>> 0;

  /** The one place computing the outputs (QEMU bcm2835_ic_update). */
  function update(): void {
    let fiq = false;
    if (fiqEnable) {
      fiq = fiqSelect >= GPU_IRQS ? ((armLevel >> (fiqSelect - GPU_IRQS)) & 1) !== 0 : ((gpuLevel[fiqSelect >> 5] >>> (fiqSelect & 31)) & 1) !== 0;
    }
    fiqOut.set(fiq);
    irqOut.set(gpuPending(0) !== 0 || gpuPending(1) !== 0 || (armLevel & armEnable) !== 0);
  }

  function setSource(src: number, level: boolean): void {
    if (src >= GPU_IRQS) {
      const bit = 1 << (src - GPU_IRQS);
      armLevel = level ? armLevel | bit : armLevel & ~bit;
    } else {
      const bit = 1 << (src & 31);
      gpuLevel[src >> 5] = level ? gpuLevel[src >> 5] | bit : gpuLevel[src >> 5] & ~bit;
    }
    update();
  }

  function basicPending(): number {
    let res = armLevel & armEnable;
    if (gpuPending(0) !== 0) res |= 1 << 8;
    if (gpuPending(1) !== 0) res |= 1 << 9;
    BASIC_DUPS.forEach((g, i) => {
      if ((gpuPending(g >> 5) >>> (g & 31)) & 1) res |= 1 << (i + 10);
    });
    return res >>> 0;
  }

  const regs: RegisterMap = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 0x200,
    registers: [
      { name: 'IRQ_BASIC_PENDING', offset: 0x00, access: 'ro', read: () => basicPending() },
      { name: 'IRQ_PENDING_1', offset: 0x04, access: 'ro', read: () => gpuPending(0) },
      { name: 'IRQ_PENDING_2', offset: 0x08, access: 'ro', read: () => gpuPending(1) },
      {
        name: 'FIQ_CONTROL',
        offset: 0x0c,
        writeMask: 0xff,
        fields: [
          { name: 'ENABLE', bits: [7, 7] },
          { name: 'SOURCE', bits: [6, 0] },
        ],
        read: () => ((fiqEnable ? 0x80 : 0) | fiqSelect) >>> 0,
        write: (value) => {
          fiqSelect = value & 0x7f;
          fiqEnable = (value & 0x80) !== 0;
          update();
        },
      },
      { name: 'ENABLE_IRQS_1', offset: 0x10, read: () => gpuEnable[0], write: (_v, _i, w) => ((gpuEnable[0] |= w), update()) },
      { name: 'ENABLE_IRQS_2', offset: 0x14, read: () => gpuEnable[1], write: (_v, _i, w) => ((gpuEnable[1] |= w), update()) },
      { name: 'ENABLE_BASIC_IRQS', offset: 0x18, read: () => armEnable, write: (_v, _i, w) => ((armEnable |= w & 0xff), update()) },
      { name: 'DISABLE_IRQS_1', offset: 0x1c, read: () => ~gpuEnable[0] >>> 0, write: (_v, _i, w) => ((gpuEnable[0] &= ~w), update()) },
      { name: 'DISABLE_IRQS_2', offset: 0x20, read: () => ~gpuEnable[1] >>> 0, write: (_v, _i, w) => ((gpuEnable[1] &= ~w), update()) },
      { name: 'DISABLE_BASIC_IRQS', offset: 0x24, read: () => ~armEnable >>> 0, write: (_v, _i, w) => ((armEnable &= ~w & 0xff), update()) },
    ],
  });

  const hex = (x: number) => '0x' + (x >>> 0).toString(16).padStart(8, '0');
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      // Enables and FIQ control reset; the input levels are wires and stay as they are.
      gpuEnable.fill(0);
      armEnable = 0;
      fiqSelect = 0;
      fiqEnable = false;
      update();
    },
    irqInput(input: string): IrqLine | undefined {
      const src = sourceOf(input);
      if (src < 0) return undefined;
      let line = inputs.get(src);
      if (!line) {
        line = ctx.inputLine(`${name}:${input}`, (level) => setSource(src, level));
        inputs.set(src, line);
      }
      return line;
    },
    interruptCells(input: string): number[] {
      const src = sourceOf(input);
      return src >= GPU_IRQS ? [0, src - GPU_IRQS] : [1 + (src >> 5), src & 31];
    },
    deviceTree(node: FdtNode): void {
      node.flag('interrupt-controller');
      node.u32('#interrupt-cells', 2);
    },
    inspect() {
      return {
        'gpu level': hex(gpuLevel[1]) + '_' + hex(gpuLevel[0]).slice(2),
        'gpu enable': hex(gpuEnable[1]) + '_' + hex(gpuEnable[0]).slice(2),
        'arm level': armLevel,
        'arm enable': armEnable,
        'fiq control': (fiqEnable ? 0x80 : 0) | fiqSelect,
        irq: irqOut.level ? 1 : 0,
        fiq: fiqOut.level ? 1 : 0,
      };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-intc',
    description: 'BCM2835 ARM interrupt controller: 64 GPU and 8 ARM interrupt sources, IRQ and FIQ outputs',
    compatible: ['brcm,bcm2836-armctrl-ic'],
    nodeName: 'interrupt-controller',
    outputs: {
      irq: { description: 'any enabled source pending (to the BCM2836 local controller gpu-irq, or a CPU irq input)' },
      fiq: { description: 'the FIQ-selected source pending while FIQ is enabled' },
    },
    create: createBcm2835Intc,
  });
}
