/**
 * SiFive CLINT (core-local interruptor) as on QEMU's `virt` board: the ACLINT MSWI part (msip per
 * hart at 0x0000) and MTIMER part (mtimecmp per hart at 0x4000, mtime at 0xbff8) in one window.
 *
 * Outputs: `msip` and `mtip`, one line per hart each (board: `irq: { msip: cpus:msip, mtip: cpus:mtip }`).
 * Accesses: aligned 32-bit only, below 0xc000 (the bus refuses the rest, as QEMU's regions do).
 *
 * Time: mtime = floor(now_ns * freq / 1e9) + delta, where delta changes when the guest writes
 * mtime (QEMU's `time_delta`). The timer for hart h is armed at the first integer nanosecond at
 * which that same formula reaches mtimecmp[h], so MTIP rises exactly when mtime >= mtimecmp.
 *
 * Like QEMU 7.2, MTIP for a hart is only driven once the guest has written its mtimecmp (or mtime):
 * after reset mtimecmp is 0 but the line stays low until then.
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf, Timer } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const MSIP_BASE = 0x0000;
const MTIMECMP_BASE = 0x4000;
const MTIME = 0xbff8;
/** QEMU maps the SWI (0x4000) and MTIMER (0x8000 from 0x4000) windows only; above is unassigned. */
const MAPPED_END = 0xc000;
const NS_PER_S = 1_000_000_000;
const MASK64 = (1n << 64n) - 1n;
const TWO32 = 2 ** 32;

const clintProps = (prop: PropKit) => ({
  timebaseFrequency: prop.int({ default: 10_000_000, min: 1, description: 'mtime ticks per second (the CPUs\' timebase-frequency)' }),
});
export type ClintProps = PropsOf<ReturnType<typeof clintProps>>;

export function createClint(ctx: DeviceContext<ClintProps>): Device {
  const name = ctx.entry.name;
  const harts = ctx.cpuCount;
  const freq = ctx.props.timebaseFrequency;
  const freqBig = BigInt(freq);
  /** Nanoseconds per tick when it is a whole number (10 MHz -> 100): the exact fast path. */
  const nsPerTick = NS_PER_S % freq === 0 ? NS_PER_S / freq : 0;

  const msipOut = Array.from({ length: harts }, (_, h) => ctx.output('msip', h));
  const mtipOut = Array.from({ length: harts }, (_, h) => ctx.output('mtip', h));
  const timers: Timer[] = [];
  for (let h = 0; h < harts; h++) timers.push(ctx.clock.createTimer(`${name} mtimecmp${h}`, () => updateInterrupts()));

  /** mtime offset (mod 2^64) set by guest writes to mtime. */
  let delta = 0n;
  /** Whether hart h's MTIP is driven yet (QEMU only drives it from mtimecmp/mtime writes). */
  const live = new Array<boolean>(harts).fill(false);

  /** Ticks since reset from the clock alone: floor(floor(now) * freq / 1e9). */
  function rawTicks(): bigint {
    const now = Math.floor(ctx.clock.now());
    if (nsPerTick !== 0) return BigInt((now - (now % nsPerTick)) / nsPerTick);
    return (BigInt(now) * freqBig) / 1_000_000_000n;
  }

  // mtime as two 32-bit halves, written by readMtime() (no allocation on the common path).
  let timeLo = 0;
  let timeHi = 0;
  function readMtime(): void {
    if (delta === 0n && nsPerTick !== 0) {
      const now = Math.floor(ctx.clock.now());
      const t = (now - (now % nsPerTick)) / nsPerTick; // exact: < 2^53
      timeLo = t >>> 0;
      timeHi = Math.floor(t / TWO32) >>> 0;
      return;
    }
    const t = (rawTicks() + delta) & MASK64;
    timeLo = Number(t & 0xffffffffn);
    timeHi = Number(t >> 32n);
  }
  function mtime(): bigint {
    return (rawTicks() + delta) & MASK64;
  }

  let regs: RegisterMap;
  const cmpLo = () => regs.values('mtimecmp_lo');
  const cmpHi = () => regs.values('mtimecmp_hi');
  const mtimecmp = (h: number) => (BigInt(cmpHi()[h]) << 32n) | BigInt(cmpLo()[h]);

  /** The one place computing this device's outputs (and arming the per-hart timers). */
  function updateInterrupts(): void {
    const msip = regs.values('msip');
    const now = mtime();
    const raw = rawTicks();
    for (let h = 0; h < harts; h++) {
      msipOut[h].set((msip[h] & 1) !== 0);
      let level = false;
      if (live[h]) {
        const cmp = mtimecmp(h);
        level = now >= cmp;
        if (level) timers[h].cancel();
        else {
          // First integer ns t with floor(t * freq / 1e9) >= raw + (cmp - now): t = ceil(ticks * 1e9 / freq).
          const ticks = raw + (cmp - now);
          const at = (ticks * 1_000_000_000n + freqBig - 1n) / freqBig;
          // `at` is always in the future here; the max() only guards the clock against a loop.
          if (at <= BigInt(Number.MAX_SAFE_INTEGER)) timers[h].armAt(Math.max(Number(at), Math.floor(ctx.clock.now()) + 1));
          else timers[h].cancel(); // beyond representable virtual time: never fires
        }
      }
      mtipOut[h].set(level);
    }
  }

  regs = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: MAPPED_END,
    registers: [
      {
        name: 'msip',
        offset: MSIP_BASE,
        count: harts,
        stride: 4,
        writeMask: 1,
        fields: [{ name: 'MSIP', bits: [0, 0] }],
        write: () => updateInterrupts(),
      },
      {
        name: 'mtimecmp_lo',
        offset: MTIMECMP_BASE,
        count: harts,
        stride: 8,
        write: (_v, h) => {
          live[h] = true;
          updateInterrupts();
        },
      },
      {
        name: 'mtimecmp_hi',
        offset: MTIMECMP_BASE + 4,
        count: harts,
        stride: 8,
        write: (_v, h) => {
          live[h] = true;
          updateInterrupts();
        },
      },
      {
        name: 'mtime_lo',
        offset: MTIME,
        read: () => (readMtime(), timeLo),
        write: (_v, _i, written) => setMtime(false, written),
      },
      {
        name: 'mtime_hi',
        offset: MTIME + 4,
        read: () => (readMtime(), timeHi),
        write: (_v, _i, written) => setMtime(true, written),
      },
    ],
  });

  /** A write to one half of mtime keeps the other half and moves the offset (QEMU semantics). */
  function setMtime(hi: boolean, half: number): void {
    const cur = mtime();
    const next = hi ? (BigInt(half >>> 0) << 32n) | (cur & 0xffffffffn) : (cur & ~0xffffffffn & MASK64) | BigInt(half >>> 0);
    delta = (next - rawTicks()) & MASK64;
    live.fill(true); // QEMU re-evaluates every hart's timer after an mtime write
    updateInterrupts();
  }

  function reset(): void {
    regs.reset();
    delta = 0n;
    live.fill(false);
    for (const t of timers) t.cancel();
    updateInterrupts();
  }

  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset,
    inspect() {
      readMtime();
      const out: Record<string, number | string> = { mtime: hex64(timeHi, timeLo), timebase: freq };
      const msip = regs.values('msip');
      for (let h = 0; h < harts; h++) {
        out[`msip${h}`] = msip[h];
        out[`mtimecmp${h}`] = hex64(cmpHi()[h], cmpLo()[h]);
        out[`mtip${h}`] = mtipOut[h].level ? 1 : 0;
      }
      return out;
    },
  };
}

function hex64(hi: number, lo: number): string {
  return '0x' + hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'clint',
    description: 'SiFive CLINT: per-hart software interrupts (msip) and machine timer (mtime/mtimecmp)',
    compatible: ['sifive,clint0', 'riscv,clint0'],
    nodeName: 'clint',
    props: clintProps(api.prop),
    outputs: {
      msip: { description: 'machine software interrupt, per hart', perCpu: true, required: true },
      mtip: { description: 'machine timer interrupt, per hart', perCpu: true, required: true },
    },
    create: createClint,
  });
}
