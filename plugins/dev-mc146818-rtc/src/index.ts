/**
 * Motorola MC146818A real-time clock and CMOS RAM, as on the PC (datasheet; QEMU 7.2
 * hw/rtc/mc146818rtc.c as the reference). Two byte ports: 0 the index (bit 7 masks NMI, kept for
 * `inspect`: the board has no NMI), 1 the data of the addressed byte of the 128-byte CMOS.
 *
 * Time is not stepped: while the clock runs (register B SET clear, divider A[6:4] <= 2) the date
 * is `baseSec` plus the virtual time since it was set, and the time registers are computed when
 * read, in the format register B says (BCD or binary, 12 or 24 hours). Update-ended and alarm
 * flags (C.UF, C.AF) are brought up to date lazily from the seconds that went by; a timer is armed
 * at the next second only while one of them could raise the interrupt, and one at the periodic
 * rate (A[3:0]) only while B.PIE is set (QEMU sets PF only then), so an idle guest with no RTC
 * interrupt enabled lets time warp and can halt.
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import { baseProblem, dateTimeOf, fromBcd, parseBase, secondsOf, toBcd } from './calendar.js';
import { pcCmosBytes } from './pc-cmos.js';

const NS = 1e9;
/** UIP is set for the last 244 µs of each second (8 cycles of the 32.768 kHz clock, QEMU's UIP_HOLD_LENGTH). */
const UIP_HOLD_NS = (8 * NS) / 32768;
const SEC = 0, SEC_ALARM = 1, MIN = 2, MIN_ALARM = 3, HOUR = 4, HOUR_ALARM = 5, WEEKDAY = 6, DAY = 7, MONTH = 8, YEAR = 9;
const REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d, CENTURY = 0x32, PS2_CENTURY = 0x37;
const A_UIP = 0x80;
const B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_SQWE = 0x08, B_DM = 0x04, B_24H = 0x02;
const C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10, C_MASK = 0x70;
const TIME_REGS = new Set([SEC, MIN, HOUR, WEEKDAY, DAY, MONTH, YEAR, CENTURY]);

const props = (prop: PropKit) => ({
  base: prop.string({
    default: 'utc',
    description: 'date at machine start: utc (host time), localtime, or YYYY-MM-DD[THH:MM:SS] (QEMU -rtc base=; rvos run --rtc base=)',
    check: baseProblem,
  }),
});
type Props = PropsOf<ReturnType<typeof props>>;

export function createRtc(ctx: DeviceContext<Props>): Device {
  const name = ctx.entry.name;
  const clock = ctx.clock;
  const irq = ctx.output('irq');
  const cmos = new Uint8Array(128);
  let index = 0;
  let nmiMasked = false;
  // Running time: baseSec + (now + phaseNs) / NS seconds.
  let baseSec = 0;
  let phaseNs = 0;
  /** The last second whose update cycle UF/AF account for. */
  let flagsSecond = 0;

  const rel = () => clock.now() + phaseNs;
  const nowSecond = () => baseSec + Math.floor(rel() / NS);
  const subsecond = () => ((rel() % NS) + NS) % NS;
  const running = () => !(cmos[REG_B] & B_SET) && (cmos[REG_A] & 0x70) <= 0x20;

  function setTime(seconds: number, sub: number): void {
    baseSec = seconds;
    phaseNs = sub - clock.now();
    flagsSecond = seconds;
  }

  const binary = () => (cmos[REG_B] & B_DM) !== 0;
  const encode = (v: number) => (binary() ? v : toBcd(v));
  const decode = (v: number) => (binary() ? v : fromBcd(v));
  function encodeHour(h: number): number {
    if (cmos[REG_B] & B_24H) return encode(h);
    return encode(h % 12 || 12) | (h >= 12 ? 0x80 : 0);
  }
  function decodeHour(v: number): number {
    const h = decode(v & 0x7f);
    return cmos[REG_B] & B_24H ? h : (h % 12) + (v & 0x80 ? 12 : 0);
  }

  /** rtc_set_cmos: the time registers from the running clock. */
  function latch(): void {
    const t = dateTimeOf(nowSecond());
    cmos[SEC] = encode(t.second);
    cmos[MIN] = encode(t.minute);
    cmos[HOUR] = encodeHour(t.hour);
    cmos[WEEKDAY] = encode(t.weekday + 1);
    cmos[DAY] = encode(t.day);
    cmos[MONTH] = encode(t.month);
    cmos[YEAR] = encode(t.year % 100);
    cmos[CENTURY] = encode(Math.floor(t.year / 100));
  }
  /** rtc_get_time: the time the registers hold (the weekday is recomputed, as QEMU does). */
  const registersTime = () =>
    secondsOf({
      year: decode(cmos[CENTURY]) * 100 + decode(cmos[YEAR]),
      month: decode(cmos[MONTH]),
      day: decode(cmos[DAY]),
      hour: decodeHour(cmos[HOUR]),
      minute: decode(cmos[MIN]),
      second: decode(cmos[SEC]),
    });

  const alarmField = (alarm: number, value: number) => (alarm & 0xc0) === 0xc0 || alarm === value;
  function alarmAt(s: number): boolean {
    const sec = ((s % 60) + 60) % 60;
    const min = ((Math.floor(s / 60) % 60) + 60) % 60;
    const hour = ((Math.floor(s / 3600) % 24) + 24) % 24;
    return alarmField(cmos[SEC_ALARM], encode(sec)) && alarmField(cmos[MIN_ALARM], encode(min)) && alarmField(cmos[HOUR_ALARM], encodeHour(hour));
  }

  /** Sets UF (and AF when an alarm time passed) for the update cycles since the last call. */
  function syncFlags(): void {
    if (!running()) return;
    const now = nowSecond();
    if (now <= flagsSecond) return;
    cmos[REG_C] |= C_UF;
    // A day holds every alarm time there is; look no further back.
    for (let s = Math.max(flagsSecond + 1, now - 86399); s <= now && !(cmos[REG_C] & C_AF); s++) {
      if (alarmAt(s)) cmos[REG_C] |= C_AF;
    }
    flagsSecond = now;
  }

  /** IRQF and the line: a flag whose interrupt is enabled (B[6:4] over C[6:4]). */
  function update(): void {
    const pending = (cmos[REG_C] & cmos[REG_B] & C_MASK) !== 0;
    cmos[REG_C] = pending ? cmos[REG_C] | C_IRQF : cmos[REG_C] & ~C_IRQF;
    irq.set(pending);
  }

  const updateTimer = clock.createTimer(`${name} update`, () => {
    syncFlags();
    update();
    armUpdate();
  });
  /** The next update cycle matters only when it can raise UIE or AIE (QEMU's check_update_timer). */
  function armUpdate(): void {
    const c = cmos[REG_C];
    const b = cmos[REG_B];
    if (running() && ((b & B_UIE && !(c & C_UF)) || (b & B_AIE && !(c & C_AF)))) updateTimer.armAt(clock.now() + NS - subsecond());
    else updateTimer.cancel();
  }

  const periodicTimer = clock.createTimer(`${name} periodic`, () => {
    cmos[REG_C] |= C_PF;
    update();
    armPeriodic();
  });
  /** Periodic rate A[3:0]: 2^(rs-1) cycles of 32.768 kHz (rs 1 and 2 act as 8 and 9), aligned on that clock. */
  function armPeriodic(): void {
    let rs = cmos[REG_A] & 15;
    if (rs === 0 || !(cmos[REG_B] & B_PIE)) return periodicTimer.cancel();
    if (rs <= 2) rs += 7;
    const period = 2 ** (rs - 1);
    const now = clock.now();
    const ticks = Math.floor(now / NS) * 32768 + Math.floor(((now % NS) * 32768) / NS);
    const next = (Math.floor(ticks / period) + 1) * period;
    periodicTimer.armAt(Math.floor(next / 32768) * NS + Math.ceil(((next % 32768) * NS) / 32768));
  }

  function readData(): number {
    const i = index === PS2_CENTURY ? CENTURY : index;
    if (TIME_REGS.has(i)) {
      if (running()) latch();
      return cmos[i];
    }
    switch (i) {
      case REG_A:
        return cmos[REG_A] | (running() && subsecond() >= NS - UIP_HOLD_NS ? A_UIP : 0);
      case REG_C: {
        syncFlags();
        update();
        const value = cmos[REG_C];
        cmos[REG_C] = 0; // reading C clears every flag and the interrupt
        update();
        armUpdate();
        return value;
      }
      default:
        return cmos[i];
    }
  }

  function writeData(value: number): void {
    const i = index === PS2_CENTURY ? CENTURY : index;
    if (TIME_REGS.has(i)) {
      if (!running()) {
        cmos[i] = value;
        return;
      }
      syncFlags(); // updates before the new time still count
      latch();
      cmos[i] = value;
      setTime(registersTime(), subsecond());
      armUpdate();
      return;
    }
    switch (i) {
      case SEC_ALARM:
      case MIN_ALARM:
      case HOUR_ALARM:
        syncFlags();
        cmos[i] = value;
        armUpdate();
        return;
      case REG_A: {
        const wasRunning = running();
        const fromReset = (cmos[REG_A] & 0x60) === 0x60;
        syncFlags();
        if (wasRunning) latch();
        cmos[REG_A] = value & ~A_UIP; // UIP is read only
        // Out of divider reset, the first update cycle comes half a second later.
        if (!wasRunning && running()) setTime(registersTime(), fromReset ? NS / 2 : 0);
        break;
      }
      case REG_B: {
        const wasRunning = running();
        const sub = subsecond();
        syncFlags();
        if (wasRunning) latch();
        cmos[REG_B] = value & B_SET ? value & ~B_UIE : value; // SET clears UIE
        if (!wasRunning && running()) setTime(registersTime(), sub);
        break;
      }
      case REG_C:
      case REG_D:
        return; // read only
      default:
        cmos[i] = value;
        return;
    }
    update();
    armPeriodic();
    armUpdate();
  }

  const regs = ctx.registers({
    sizes: [1],
    extent: 2,
    registers: [
      {
        name: 'INDEX',
        offset: 0,
        width: 1,
        read: () => 0xff,
        write: (value: number) => {
          index = value & 0x7f;
          nmiMasked = (value & 0x80) !== 0;
        },
      },
      { name: 'DATA', offset: 1, width: 1, read: () => readData(), write: (value: number) => writeData(value & 0xff) },
    ],
  });

  const start = parseBase(ctx.props.base);
  cmos[REG_A] = 0x26; // 32.768 kHz divider, 1024 Hz periodic rate
  cmos[REG_B] = B_24H;
  cmos[REG_D] = 0x80; // VRT: the battery is fine
  for (const [i, v] of pcCmosBytes(ctx.bus.ram.size, ctx.cpuCount)) cmos[i] = v;
  setTime(start, 0);
  latch();

  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset() {
      // The clock restarts at 0 on a machine reset, so the date restarts from `base` (QEMU's keeps going).
      setTime(parseBase(ctx.props.base), 0);
      cmos[REG_B] &= ~(B_PIE | B_AIE | B_SQWE);
      cmos[REG_C] = 0;
      update();
      armPeriodic();
      armUpdate();
    },
    inspect: () => ({
      time: running() ? new Date(nowSecond() * 1000).toISOString() : 'stopped',
      index,
      nmi: nmiMasked ? 'masked' : 'enabled',
      A: cmos[REG_A],
      B: cmos[REG_B],
      C: cmos[REG_C],
    }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'mc146818-rtc',
    description: 'MC146818A RTC and CMOS RAM (PC ports 0x70/0x71): date, alarm, update and periodic interrupts, memory size bytes',
    props: props(api.prop),
    rtcBaseProp: 'base',
    outputs: { irq: { description: 'IRQF: an update-ended, alarm or periodic interrupt (IRQ 8 on the PC)' } },
    create: createRtc,
  });
}
