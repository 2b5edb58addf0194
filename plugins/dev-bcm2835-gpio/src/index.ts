/**
 * BCM2835 GPIO controller at 0x3F200000 (BCM2835 ARM Peripherals chapter 6; QEMU
 * hw/gpio/bcm2835_gpio.c for the function-select/set/clear/level core).
 *
 * 54 pins. Registers (32-bit): GPFSEL0-5 0x00-0x14 (3 bits per pin: 0 input, 1 output, 4-7 and
 * 3/2 alternate functions 0-5), GPSET0/1 0x1C/0x20 and GPCLR0/1 0x28/0x2C (write 1 to set/clear
 * an output latch; read 0), GPLEV0/1 0x34/0x38, GPEDS0/1 0x40/0x44 (event detect status, write 1
 * to clear), GPREN/GPFEN 0x4C/0x58 (+4) rising/falling edge, GPHEN/GPLEN 0x64/0x70 (+4) high/low
 * level, GPAREN/GPAFEN 0x7C/0x88 (+4) asynchronous rising/falling edge, GPPUD 0x94,
 * GPPUDCLK0/1 0x98/0x9C.
 *
 * Pin level: an output pin drives its latch; any other pin (input or alternate function) reads
 * its pull: high with a pull-up, low otherwise (nothing outside the chip drives a pin yet). QEMU
 * reads the latch for every pin; for outputs both agree.
 * Pulls change only through the datasheet's sequence (6.1, GPPUD): write the control (0 off,
 * 1 down, 2 up) to GPPUD, then a clock write to GPPUDCLKn latches it into the pins whose bits
 * are set (the 150-cycle waits are not needed). Reset pulls follow the datasheet's table 6-31.
 *
 * Events: a level change on a pin with its rising/falling enable set (synchronous or
 * asynchronous alike) sets its GPEDS bit; a pin with high/low level detect keeps its bit set
 * while the level lasts (clearing it sets it again). Outputs `bank0` (pins 0-27), `bank1`
 * (28-45), `bank2` (46-53) and `any` (GPU IRQs 49-52) are high while a pin of theirs has an event.
 */
import type { AccessSize, Device, DeviceContext, IrqLine, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';
import { createSdRoute } from './sd-route.js';

const PINS = 54;
const HIGH_MASK = 0x3fffff; // pins 32-53 in the second word
const PULL_OFF = 0;
const PULL_DOWN = 1;
const PULL_UP = 2;
const FSEL_OUTPUT = 1;
/** Bank masks over the two 32-bit words: [word0, word1]. */
const BANKS: Array<[number, number]> = [
  [0x0fffffff, 0], // 0-27
  [0xf0000000 | 0, 0x3fff], // 28-45
  [0, 0x3fc000], // 46-53
];

/** Reset pulls (datasheet table 6-31): pins 0-8 up, 9-27 down, 28-29 none, 30-33 down, 34-36 up, 37-45 down, 46-53 up. */
function resetPull(pin: number): number {
  if (pin <= 8) return PULL_UP;
  if (pin <= 27) return PULL_DOWN;
  if (pin <= 29) return PULL_OFF;
  if (pin <= 33) return PULL_DOWN;
  if (pin <= 36) return PULL_UP;
  if (pin <= 45) return PULL_DOWN;
  return PULL_UP;
}

const gpioProps = (prop: PropKit) => ({
  sdhci: prop.string({ description: 'board name of the SDHCI (EMMC) device: GPIO 48-53 as inputs route the SD card to it (QEMU), as at reset' }),
  sdhost: prop.string({ description: 'board name of the SDHOST device: GPIO 48-53 at ALT0 route the SD card to it (QEMU)' }),
});
type GpioProps = PropsOf<ReturnType<typeof gpioProps>>;

export function createBcm2835Gpio(ctx: DeviceContext<GpioProps>): Device {
  const name = ctx.entry.name;
  const sdRoute = ctx.props.sdhci !== undefined && ctx.props.sdhost !== undefined ? createSdRoute(ctx, ctx.props.sdhci, ctx.props.sdhost) : undefined;
  const outputs: IrqLine[] = ['bank0', 'bank1', 'bank2', 'any'].map((o) => ctx.output(o));
  const latch = new Uint32Array(2);
  const pull = new Uint8Array(PINS);
  const level = new Uint32Array(2);
  const events = new Uint32Array(2);
  let regs!: RegisterMap;

  const fsel = (pin: number) => (regs.get('GPFSEL', Math.floor(pin / 10)) >>> ((pin % 10) * 3)) & 7;
  const wordMask = (w: number) => (w === 0 ? 0xffffffff : HIGH_MASK);

  /** Levels of all pins from their function, latch and pull. */
  const next = new Uint32Array(2);
  function computeLevels(): Uint32Array {
    next.fill(0);
    for (let pin = 0; pin < PINS; pin++) {
      const w = pin >> 5;
      const bit = 1 << (pin & 31);
      const high = fsel(pin) === FSEL_OUTPUT ? (latch[w] & bit) !== 0 : pull[pin] === PULL_UP;
      if (high) next[w] |= bit;
    }
    return next;
  }

  /** The one place updating levels, events and the outputs. */
  function update(): void {
    const next = computeLevels();
    for (let w = 0; w < 2; w++) {
      const rose = next[w] & ~level[w];
      const fell = ~next[w] & level[w];
      const rising = regs.get('GPREN', w) | regs.get('GPAREN', w);
      const falling = regs.get('GPFEN', w) | regs.get('GPAFEN', w);
      let ev = (rose & rising) | (fell & falling);
      ev |= (next[w] & regs.get('GPHEN', w)) | (~next[w] & regs.get('GPLEN', w));
      events[w] = (events[w] | ev) & wordMask(w);
      level[w] = next[w];
    }
    BANKS.forEach(([m0, m1], b) => outputs[b].set((events[0] & m0) !== 0 || (events[1] & m1) !== 0));
    outputs[3].set(events[0] !== 0 || events[1] !== 0);
  }

  const pair = (regName: string, offset: number, extra: object = {}) => ({ name: regName, offset, count: 2, stride: 4, ...extra });
  regs = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 0x1000, // QEMU decodes 4 KiB; offsets past GPPUDCLK1 read 0
    registers: [
      {
        name: 'GPFSEL',
        offset: 0x00,
        count: 6,
        stride: 4,
        writeMask: 0x3fffffff,
        write: (_v, i) => {
          if (i === 5) regs.set('GPFSEL', regs.get('GPFSEL', 5) & 0xfff, 5); // pins 50-53 only
          if (i >= 4) sdRoute?.update(fsel);
          update();
        },
      },
      pair('GPSET', 0x1c, { access: 'wo', write: (_v: number, i: number, w: number) => ((latch[i] |= w & wordMask(i)), update()) }),
      pair('GPCLR', 0x28, { access: 'wo', write: (_v: number, i: number, w: number) => ((latch[i] &= ~w), update()) }),
      pair('GPLEV', 0x34, { access: 'ro', read: (i: number) => level[i] }),
      pair('GPEDS', 0x40, {
        read: (i: number) => events[i],
        write: (_v: number, i: number, w: number) => {
          events[i] &= ~w;
          update();
        },
      }),
      pair('GPREN', 0x4c, { write: () => update() }),
      pair('GPFEN', 0x58, { write: () => update() }),
      pair('GPHEN', 0x64, { write: () => update() }),
      pair('GPLEN', 0x70, { write: () => update() }),
      pair('GPAREN', 0x7c, { write: () => update() }),
      pair('GPAFEN', 0x88, { write: () => update() }),
      { name: 'GPPUD', offset: 0x94, writeMask: 0x3, fields: [{ name: 'PUD', bits: [1, 0] }] },
      pair('GPPUDCLK', 0x98, {
        access: 'wo',
        write: (_v: number, i: number, w: number) => {
          const control = regs.get('GPPUD');
          for (let bit = 0; bit < 32; bit++) {
            const pin = i * 32 + bit;
            if (pin < PINS && (w >>> bit) & 1) pull[pin] = control === 3 ? pull[pin] : control;
          }
          update();
        },
      }),
    ],
  });

  function reset(): void {
    regs.reset();
    latch.fill(0);
    events.fill(0);
    for (let pin = 0; pin < PINS; pin++) pull[pin] = resetPull(pin);
    level.set(computeLevels());
    update();
    sdRoute?.reset();
  }
  for (let pin = 0; pin < PINS; pin++) pull[pin] = resetPull(pin);
  level.set(computeLevels());

  const hex = (x: number) => '0x' + (x >>> 0).toString(16).padStart(8, '0');
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset,
    deviceTree(node: FdtNode): void {
      node.flag('gpio-controller');
      node.u32('#gpio-cells', 2);
      node.flag('interrupt-controller');
      node.u32('#interrupt-cells', 2);
    },
    inspect() {
      const fs: string[] = [];
      for (let pin = 0; pin < PINS; pin++) fs.push(String(fsel(pin)));
      return {
        fsel: fs.join(''),
        level: hex(level[1]) + '_' + hex(level[0]).slice(2),
        latch: hex(latch[1]) + '_' + hex(latch[0]).slice(2),
        events: hex(events[1]) + '_' + hex(events[0]).slice(2),
        pulls: Array.from(pull, (p) => '-du?'[p]).join(''),
        ...(sdRoute ? { 'sd card on': sdRoute.selected } : {}),
      };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-gpio',
    description: 'BCM2835 GPIO: 54 pins with function select, set/clear/level, pulls and event detection',
    compatible: ['brcm,bcm2835-gpio'],
    nodeName: 'gpio',
    props: gpioProps(api.prop),
    outputs: {
      bank0: { description: 'event pending on pins 0-27 (GPU IRQ 49)' },
      bank1: { description: 'event pending on pins 28-45 (GPU IRQ 50)' },
      bank2: { description: 'event pending on pins 46-53 (GPU IRQ 51)' },
      any: { description: 'event pending on any pin (GPU IRQ 52)' },
    },
    create: createBcm2835Gpio,
  });
}
