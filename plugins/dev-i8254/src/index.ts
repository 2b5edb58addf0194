/**
 * Intel 8254 programmable interval timer, 3 channels at 1.193182 MHz (8254 datasheet; QEMU 7.2
 * hw/timer/i8254.c and i8254_common.c, whose pit_* functions this follows).
 *
 * Registers (byte accesses, offsets relative to the window; I/O ports 0x40-0x43 on the pc board): 0-2 channel counters, 3 control word
 * (write only, reads 0): SC1 SC0 RW1 RW0 M2 M1 M0 BCD; RW=0 latches the count; SC=3 is the
 * read-back command (bit 5 clear: latch counts, bit 4 clear: latch status, bits 3-1 channels).
 *
 * The counters are not stepped: a channel's count and OUT are computed from the virtual time since
 * its count was loaded (ctx.clock), so they are deterministic. Channel 0's OUT drives output
 * `irq` (IR0 of the master 8259) through a timer armed at its next transition. Channel 2's gate
 * is input `gate2` and bit 0 of port 0x61; its OUT (port 0x61 bit 5, the speaker) is also
 * `out(2)` of the exported `I8254` interface. Channel 1 (DRAM refresh) gate is tied high.
 *
 * An optional second window (one byte, port 0x61 on the PC) is system control port B, as the PIT
 * owns what it shows (QEMU hw/audio/pcspk.c): bit 0 = channel 2 gate and bit 1 = speaker data as
 * written, bit 4 = the refresh request toggle, bit 5 = channel 2 OUT. As on QEMU, the other bits
 * read 0 (no parity or I/O channel check sources, so their enables, bits 2-3, are not kept).
 */
import type { AccessSize, Device, DeviceContext, IrqLine, PluginApi, Timer } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

export const PIT_FREQ = 1193182;
/** Port 0x61 bit 4 flips with every DRAM refresh request: every 15.085 us (72 PIT clocks, as on an AT). */
export const REFRESH_NS = 15085;
const NS = 1e9;
const RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4;

/** Whole input clocks in `dt` ns (floor), split so the products stay exact doubles. */
export function ticksIn(dt: number): number {
  return Math.floor(dt / NS) * PIT_FREQ + Math.floor(((dt % NS) * PIT_FREQ) / NS);
}
/** First ns at which `ticks` clocks have elapsed (ceil, so ticksIn(nsFor(n)) === n). */
export function nsFor(ticks: number): number {
  return Math.floor(ticks / PIT_FREQ) * NS + Math.ceil(((ticks % PIT_FREQ) * NS) / PIT_FREQ);
}

const fromBcd = (v: number) => ((v >> 12) & 15) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15);
const toBcd = (v: number) => (Math.floor(v / 1000) % 10 << 12) | (Math.floor(v / 100) % 10 << 8) | (Math.floor(v / 10) % 10 << 4) | v % 10;

/** What the pc board glue (port 0x61) uses; the core has no device-method lookup yet. */
export interface I8254 extends Device {
  /** The OUT pin of `channel` now. */
  out(channel: number): boolean;
  /** Drives the GATE pin of `channel` (channel 2: port 0x61 bit 0). */
  setGate(channel: number, level: boolean): void;
}

class Channel {
  count = 0x10000; // the period in clocks (0 loads as 0x10000, or 10000 in BCD)
  latchedCount = 0;
  countLatched = 0;
  statusLatched = false;
  status = 0;
  readState = RW_LSB;
  writeState = RW_LSB;
  writeLatch = 0;
  rwMode = RW_LSB;
  mode = 3;
  bcd = false;
  gate = true;
  loadTime = 0;
  nextTransition = -1;

  /** pit_get_count: the counter value at `now` (binary). */
  countAt(now: number): number {
    const d = ticksIn(now - this.loadTime);
    switch (this.mode) {
      case 0: case 1: case 4: case 5:
        return (((this.count - d) % 0x10000) + 0x10000) % 0x10000;
      case 3: // square wave counts down by two
        return this.count - ((2 * d) % this.count);
      default:
        return this.count - (d % this.count);
    }
  }

  /** pit_get_out: the OUT pin at `now` (mode 2 as QEMU: high for the clock the count reaches 1). */
  outAt(now: number): boolean {
    const d = ticksIn(now - this.loadTime);
    switch (this.mode) {
      case 1: return d < this.count;
      case 2: return d % this.count === 0 && d !== 0;
      case 3: return d % this.count < (this.count + 1) >> 1;
      case 4: case 5: return d === this.count;
      default: return d >= this.count;
    }
  }

  /** pit_get_next_transition_time: the ns of the next OUT change after `now`, or -1. */
  nextTransitionAfter(now: number): number {
    const d = ticksIn(now - this.loadTime);
    let next: number;
    switch (this.mode) {
      case 2: {
        const base = Math.floor(d / this.count) * this.count;
        // The one-clock pulse at each multiple of the count ends a clock later. (QEMU writes
        // base + count + 1 here and lands on the pulse only through rounding ns down.)
        next = d - base === 0 && d !== 0 ? d + 1 : base + this.count;
        break;
      }
      case 3: {
        const base = Math.floor(d / this.count) * this.count;
        const half = (this.count + 1) >> 1;
        next = d - base < half ? base + half : base + this.count;
        break;
      }
      case 4: case 5:
        if (d < this.count) next = this.count;
        else if (d === this.count) next = this.count + 1;
        else return -1;
        break;
      default:
        if (d < this.count) next = this.count;
        else return -1;
    }
    const at = this.loadTime + nsFor(next);
    return at <= now ? now + 1 : at;
  }
}

export function createI8254(ctx: DeviceContext): I8254 {
  const name = ctx.entry.name;
  const irqOut = ctx.output('irq');
  const channels = [new Channel(), new Channel(), new Channel()];
  const ch0 = channels[0];
  const timer: Timer = ctx.clock.createTimer(`${name}.ch0`, () => updateIrq(ch0.nextTransition));
  let gateLine: IrqLine | undefined;
  /** Port B bit 1 (speaker data) as last written; bit 0 is the gate, read back from channel 2. */
  let portB = 0;

  /** pit_irq_timer_update: OUT0 to the irq line, timer at its next transition. */
  function updateIrq(now: number): void {
    irqOut.set(ch0.outAt(now));
    ch0.nextTransition = ch0.nextTransitionAfter(now);
    if (ch0.nextTransition >= 0) timer.armAt(ch0.nextTransition);
    else timer.cancel();
  }

  function load(i: number, value: number): void {
    const c = channels[i];
    if (c.bcd) value = fromBcd(value) || 10000;
    c.count = value === 0 ? 0x10000 : value;
    c.loadTime = ctx.clock.now();
    if (i === 0) updateIrq(c.loadTime);
  }

  function latchCount(c: Channel): void {
    if (c.countLatched) return;
    c.latchedCount = c.bcd ? toBcd(c.countAt(ctx.clock.now()) % 10000) : c.countAt(ctx.clock.now());
    c.countLatched = c.rwMode;
  }

  function setGate(i: number, level: boolean): void {
    const c = channels[i];
    // Modes 1, 2, 3, 5 restart on a rising gate; QEMU does not stop counting while it is low.
    if (!c.gate && level && c.mode !== 0 && c.mode !== 4) {
      c.loadTime = ctx.clock.now();
      if (i === 0) updateIrq(c.loadTime);
    }
    c.gate = level;
  }

  function writeControl(val: number): void {
    const sc = val >> 6;
    if (sc === 3) {
      // read-back command (datasheet "Read-Back Command")
      const now = ctx.clock.now();
      for (let i = 0; i < 3; i++) {
        if (!(val & (2 << i))) continue;
        const c = channels[i];
        if (!(val & 0x20)) latchCount(c);
        if (!(val & 0x10) && !c.statusLatched) {
          c.status = ((c.outAt(now) ? 1 : 0) << 7) | (c.rwMode << 4) | (c.mode << 1) | (c.bcd ? 1 : 0);
          c.statusLatched = true;
        }
      }
      return;
    }
    const c = channels[sc];
    const access = (val >> 4) & 3;
    if (access === 0) return latchCount(c);
    c.rwMode = c.readState = c.writeState = access;
    const mode = (val >> 1) & 7;
    c.mode = mode >= 6 ? mode - 4 : mode; // modes 6 and 7 are 2 and 3 (datasheet)
    c.bcd = (val & 1) !== 0;
  }

  function writeCounter(i: number, val: number): void {
    const c = channels[i];
    switch (c.writeState) {
      case RW_MSB: return load(i, val << 8);
      case RW_WORD0:
        c.writeLatch = val;
        c.writeState = RW_WORD1;
        return;
      case RW_WORD1:
        c.writeState = RW_WORD0;
        return load(i, c.writeLatch | (val << 8));
      default: return load(i, val);
    }
  }

  function readCounter(i: number): number {
    const c = channels[i];
    if (c.statusLatched) {
      c.statusLatched = false;
      return c.status;
    }
    if (c.countLatched) {
      const v = c.latchedCount;
      if (c.countLatched === RW_WORD0) {
        c.countLatched = RW_MSB;
        return v & 0xff;
      }
      const msb = c.countLatched === RW_MSB;
      c.countLatched = 0;
      return msb ? (v >> 8) & 0xff : v & 0xff;
    }
    const raw = c.countAt(ctx.clock.now());
    const count = c.bcd ? toBcd(raw % 10000) : raw;
    switch (c.readState) {
      case RW_MSB: return (count >> 8) & 0xff;
      case RW_WORD0:
        c.readState = RW_WORD1;
        return count & 0xff;
      case RW_WORD1:
        c.readState = RW_WORD0;
        return (count >> 8) & 0xff;
      default: return count & 0xff;
    }
  }

  /**
   * Port B read. QEMU flips bit 4 on every read (pcspk_io_read); here it follows virtual time as
   * on real hardware, so a delay loop counting its flips waits the time it means.
   */
  function readPortB(): number {
    const now = ctx.clock.now();
    const c = channels[2];
    return (c.gate ? 1 : 0) | (portB & 0x02) | ((Math.floor(now / REFRESH_NS) & 1) << 4) | ((c.outAt(now) ? 1 : 0) << 5);
  }

  function writePortB(v: number): void {
    portB = v & 0x03;
    setGate(2, (v & 1) !== 0);
  }

  /** pit_reset_common: every channel mode 3, count 0x10000; gate 2 low. */
  function reset(): void {
    portB = 0;
    const now = ctx.clock.now();
    channels.forEach((c, i) => {
      Object.assign(c, new Channel());
      c.gate = i !== 2;
      c.loadTime = now;
    });
    updateIrq(now);
  }
  reset();

  const regs: RegisterMap = ctx.registers({
    sizes: [1],
    extent: 4,
    registers: [
      ...[0, 1, 2].map((i) => ({ name: `COUNTER${i}`, offset: i, width: 1 as const, read: () => readCounter(i), write: (v: number) => writeCounter(i, v & 0xff) })),
      { name: 'CONTROL', offset: 3, width: 1, access: 'wo', write: (v: number) => writeControl(v & 0xff) },
    ],
  });

  const portBRegs: RegisterMap | undefined =
    ctx.entry.reg.length + ctx.entry.io.length > 1
      ? ctx.registers({ sizes: [1], extent: 1, registers: [{ name: 'PORTB', offset: 0, width: 1, read: readPortB, write: writePortB }] }, 1)
      : undefined;

  return {
    name,
    read: (offset: number, size: AccessSize, region: number) => (region === 1 ? portBRegs!.read(offset, size) : regs.read(offset, size)),
    write: (offset: number, size: AccessSize, value: number, region: number) =>
      region === 1 ? portBRegs!.write(offset, size, value) : regs.write(offset, size, value),
    reset,
    irqInput(input: string): IrqLine | undefined {
      if (input !== 'gate2') return undefined;
      gateLine ??= ctx.inputLine(`${name}:gate2`, (level) => setGate(2, level));
      return gateLine;
    },
    out: (i: number) => channels[i].outAt(ctx.clock.now()),
    setGate,
    inspect() {
      const now = ctx.clock.now();
      const r: Record<string, number | string> = {};
      channels.forEach((c, i) => {
        r[`ch${i}`] = `mode ${c.mode} count ${c.count} now ${c.countAt(now)} out ${c.outAt(now) ? 1 : 0} gate ${c.gate ? 1 : 0}`;
      });
      if (portBRegs) r.portB = readPortB();
      return r;
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'i8254',
    description: 'Intel 8254 interval timer: 3 channels at 1.193182 MHz from virtual time, channel 0 OUT on irq; optional port B window (0x61)',
    outputs: { irq: { description: 'channel 0 OUT (to the master 8259 ir0)' } },
    create: createI8254,
  });
}
