/**
 * BCM2835 system timer at 0x3F003000 (BCM2835 ARM Peripherals chapter 12; QEMU
 * hw/timer/bcm2835_systmr.c): a free-running 64-bit counter at 1 MHz and four 32-bit compare
 * registers.
 *
 * Registers: CS 0x00 (match bits M0-M3, write 1 to clear), CLO 0x04, CHI 0x08 (read-only: the
 * counter, from the virtual clock: microseconds since machine reset), C0-C3 0x0C-0x18.
 *
 * Writing Cn arms a clock timer for the moment the counter's low 32 bits next equal the value
 * (a value equal to the current count matches at once, as QEMU's zero delay does; a value just
 * behind the count matches after the 32-bit wrap, 71.6 minutes later). On the match CS.Mn is set
 * and output `matchN` goes high; it stays high until the guest writes 1 to CS.Mn (the datasheet's
 * level interrupt; GPU IRQs 0-3 on the ARM interrupt controller, of which the VideoCore firmware
 * owns 0 and 2 on real Pis).
 */
import type { AccessSize, Device, DeviceContext, IrqLine, PluginApi, Timer } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const COMPARES = 4;
const NS_PER_US = 1000;
const TWO_32 = 0x1_0000_0000;

export function createBcm2835Systimer(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const lines: IrqLine[] = [];
  const timers: Timer[] = [];
  for (let i = 0; i < COMPARES; i++) {
    lines.push(ctx.output(`match${i}`));
    timers.push(
      ctx.clock.createTimer(`${name} C${i}`, () => {
        regs.set('CS', regs.get('CS') | (1 << i));
        update();
      }),
    );
  }

  /** The counter: whole microseconds of virtual time. */
  const counter = () => Math.floor(ctx.clock.now() / NS_PER_US);

  /** The one place computing the outputs: each follows its CS match bit. */
  function update(): void {
    const cs = regs.get('CS');
    for (let i = 0; i < COMPARES; i++) lines[i].set((cs & (1 << i)) !== 0);
  }

  function arm(i: number, value: number): void {
    const now = counter();
    const delay = (value - (now % TWO_32) + TWO_32) % TWO_32;
    timers[i].armAt((now + delay) * NS_PER_US);
  }

  const regs: RegisterMap = ctx.registers({
    sizes: [1, 2, 4],
    aligned: true,
    extent: 0x20,
    registers: [
      {
        name: 'CS',
        offset: 0x00,
        access: 'w1c',
        writeMask: 0xf,
        fields: [
          { name: 'M3', bits: [3, 3] },
          { name: 'M2', bits: [2, 2] },
          { name: 'M1', bits: [1, 1] },
          { name: 'M0', bits: [0, 0] },
        ],
        write: () => update(),
      },
      { name: 'CLO', offset: 0x04, access: 'ro', read: () => counter() % TWO_32 },
      { name: 'CHI', offset: 0x08, access: 'ro', read: () => Math.floor(counter() / TWO_32) % TWO_32 },
      { name: 'C', offset: 0x0c, count: COMPARES, stride: 4, write: (value, i) => arm(i, value) },
    ],
  });

  const hex = (x: number) => '0x' + x.toString(16).padStart(8, '0');
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      for (const t of timers) t.cancel();
      regs.reset();
      update();
    },
    deviceTree(node: FdtNode): void {
      node.u32('clock-frequency', 1_000_000);
    },
    inspect() {
      const out: Record<string, number | string> = { counter: counter(), CS: regs.get('CS') };
      for (let i = 0; i < COMPARES; i++) out[`C${i}`] = hex(regs.get('C', i));
      return out;
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-systimer',
    description: 'BCM2835 system timer: 1 MHz 64-bit counter with four compare interrupts',
    compatible: ['brcm,bcm2835-system-timer'],
    nodeName: 'timer',
    outputs: {
      match0: { description: 'compare 0 matched (CS.M0; GPU IRQ 0)' },
      match1: { description: 'compare 1 matched (CS.M1; GPU IRQ 1)' },
      match2: { description: 'compare 2 matched (CS.M2; GPU IRQ 2)' },
      match3: { description: 'compare 3 matched (CS.M3; GPU IRQ 3)' },
    },
    create: createBcm2835Systimer,
  });
}
