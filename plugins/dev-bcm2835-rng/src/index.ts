/**
 * BCM2835 hardware random number generator at 0x3F104000, as QEMU models it
 * (hw/misc/bcm2835_rng.c; the datasheet does not document it, Linux's bcm2835-rng driver does).
 *
 * Registers (32-bit only, 16 bytes): RNG_CTRL 0x00 (bit 0 RBGEN, bit 1 double speed; stored),
 * RNG_STATUS 0x04 (bits 19:0 warm-up count, writable; bits 31:24 words available, always 1 as
 * QEMU), RNG_DATA 0x08 (the next random word).
 *
 * Unlike QEMU, the words come from a seeded generator (xorshift128, seeded by splitmix32 from the
 * `seed` prop) so every run, and every run after a machine reset, sees the same sequence: rvos
 * runs are deterministic. Like QEMU, data is given whether or not RBGEN is set.
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const rngProps = (prop: PropKit) => ({
  seed: prop.int({ default: 0x5eed, min: 0, max: 0xffffffff, description: 'seed of the deterministic generator (the same seed gives the same words)' }),
});
export type RngProps = PropsOf<ReturnType<typeof rngProps>>;

/** xorshift128 (Marsaglia 2003) with its state seeded by splitmix32. */
export class SeededRandom {
  private readonly s = new Uint32Array(4);
  constructor(seed: number) {
    this.reseed(seed);
  }
  reseed(seed: number): void {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // never the all-zero state
  }
  next(): number {
    const s = this.s;
    let t = s[3];
    t ^= t << 11;
    t ^= t >>> 8;
    s[3] = s[2];
    s[2] = s[1];
    s[1] = s[0];
    t ^= s[0] ^ (s[0] >>> 19);
    s[0] = t;
    return t >>> 0;
  }
}

export function createBcm2835Rng(ctx: DeviceContext<RngProps>): Device {
  const rng = new SeededRandom(ctx.props.seed);
  const regs: RegisterMap = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 0x10,
    registers: [
      { name: 'RNG_CTRL', offset: 0x00, fields: [{ name: 'DOUBLE', bits: [1, 1] }, { name: 'RBGEN', bits: [0, 0] }] },
      {
        name: 'RNG_STATUS',
        offset: 0x04,
        writeMask: 0xfffff,
        fields: [
          { name: 'AVAILABLE', bits: [31, 24] },
          { name: 'WARMUP', bits: [19, 0] },
        ],
        read: () => (regs.get('RNG_STATUS') | (1 << 24)) >>> 0,
      },
      { name: 'RNG_DATA', offset: 0x08, access: 'ro', read: () => rng.next() },
    ],
  });

  return {
    name: ctx.entry.name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      regs.reset();
      rng.reseed(ctx.props.seed);
    },
    inspect: () => ({ CTRL: regs.get('RNG_CTRL'), STATUS: regs.get('RNG_STATUS') }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-rng',
    description: 'BCM2835 hardware random number generator (deterministic: seeded)',
    compatible: ['brcm,bcm2835-rng'],
    nodeName: 'rng',
    props: rngProps(api.prop),
    create: createBcm2835Rng,
  });
}
