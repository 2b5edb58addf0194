/**
 * BCM2836/BCM2837 ARM local peripherals at 0x40000000 ("QA7" document rev 3.4; QEMU
 * hw/intc/bcm2836_control.c): per-core interrupt routing, the core timer, the local timer and
 * 16 mailboxes.
 *
 * Registers (32-bit only): 0x00 control, 0x08 core timer prescaler, 0x0C GPU interrupt routing
 * (bits 1:0 IRQ core, 3:2 FIQ core), 0x10/0x14 PMU routing set/clear, 0x1C/0x20 core timer low/high
 * (reading low latches high; writing low then high sets it), 0x24 local timer routing (bits 2:0:
 * core, +4 for FIQ), 0x28/0x2C AXI counters and IRQ (stored), 0x34 local timer control/status
 * (27:0 reload, 28 enable, 29 interrupt enable, 31 interrupt flag), 0x38 local timer clear/reload
 * (write: bit 31 clears the flag, bit 30 reloads), 0x40-0x4C core n timer interrupt control (bits
 * 0-3 IRQ, 4-7 FIQ for CNTPS, CNTPNS, CNTHP, CNTV), 0x50-0x5C core n mailbox interrupt control,
 * 0x60-0x6C / 0x70-0x7C core n IRQ / FIQ source (read-only), 0x80-0xBF mailbox write-set
 * (core n mailbox m at 0x80 + 16n + 4m), 0xC0-0xFF mailbox read / write-clear.
 *
 * Source bits (IRQ/FIQ source registers and the device-tree specifier): 0 CNTPS, 1 CNTPNS,
 * 2 CNTHP, 3 CNTV, 4-7 mailboxes 0-3, 8 GPU (the core the GPU interrupt is routed to), 9 PMU,
 * 10 AXI, 11 local timer. A source whose FIQ bit is set goes to FIQ, else to IRQ if enabled
 * (QA7: FIQ wins), as QEMU's deliver_local.
 *
 * Inputs: "cntpsirqN", "cntpnsirqN", "cnthpirqN", "cntvirqN" (core N's generic timer outputs, as
 * QEMU's named GPIOs) and "gpu-irq"/"gpu-fiq" (from the BCM2835 ARM interrupt controller).
 * Outputs: per-CPU `irq` and `fiq`.
 *
 * The local timer counts the 38.4 MHz crystal down from its reload value and sets its flag at 0,
 * reloading itself (QEMU); it fires from a clock timer at the exact virtual time. The core timer
 * counts at `coreTimerFrequency` (the generic timer's rate; the prescaler and control register
 * are stored but do not change it, as CNTFRQ does not change with them on QEMU). PMU and AXI
 * interrupts are never raised (QEMU).
 */
import type { AccessSize, Device, DeviceContext, IrqLine, PluginApi, PropKit, PropsOf, Timer } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const CORES = 4;
const MAILBOXES_PER_CORE = 4;
const SRC_MAILBOX0 = 4;
const SRC_GPU = 8;
const SRC_TIMER = 11;
const TIMER_INPUTS = ['cntpsirq', 'cntpnsirq', 'cnthpirq', 'cntvirq'];

const LT_FLAG = 1 << 31;
const LT_RELOAD = 1 << 30;
const LT_INT_ENABLE = 1 << 29;
const LT_ENABLE = 1 << 28;
const LT_VALUE = 0x0fffffff;
const LOCAL_TIMER_HZ = 38_400_000;
const NS_PER_S = 1_000_000_000;
const TWO_32 = 0x1_0000_0000;

const localProps = (prop: PropKit) => ({
  coreTimerFrequency: prop.int({ default: 62_500_000, min: 1, description: 'core timer rate in Hz (registers 0x1C/0x20; QEMU raspi3b CNTFRQ: 62.5 MHz)' }),
});
export type LocalProps = PropsOf<ReturnType<typeof localProps>>;


export function createBcm2836Local(ctx: DeviceContext<LocalProps>): Device {
  const name = ctx.entry.name;
  const cores = Math.min(ctx.cpuCount, CORES);
  const irqOut: IrqLine[] = [];
  const fiqOut: IrqLine[] = [];
  for (let c = 0; c < cores; c++) {
    irqOut.push(ctx.output('irq', c));
    fiqOut.push(ctx.output('fiq', c));
  }

  const timerIrqs = new Uint8Array(CORES); // bits 0-3: CNTPS, CNTPNS, CNTHP, CNTV levels
  const irqSrc = new Uint32Array(CORES);
  const fiqSrc = new Uint32Array(CORES);
  const mailboxes = new Uint32Array(CORES * MAILBOXES_PER_CORE);
  let gpuIrq = false;
  let gpuFiq = false;
  let localTimerControl = 0;
  let pmu = 0;
  const inputs = new Map<string, IrqLine>();

  /** Core timer: ticks = ticksAtSet + (now - setAt) * rate; reading the low half latches the high half in latchedHigh. */
  let coreTimerBase = 0;
  let coreTimerSetAt = 0;
  let latchedHigh = 0;
  let pendingLow = 0;
  const coreTicks = () => coreTimerBase + Math.floor(((ctx.clock.now() - coreTimerSetAt) * ctx.props.coreTimerFrequency) / NS_PER_S);

  const localTimer: Timer = ctx.clock.createTimer(`${name} local timer`, () => {
    armLocalTimer();
    localTimerControl |= LT_FLAG;
    update();
  });
  function armLocalTimer(): void {
    const value = localTimerControl & LT_VALUE;
    // A reload value of 0 would fire continuously; QEMU asserts on it. Treat it as stopped.
    if (value === 0) localTimer.cancel();
    else localTimer.armAt(ctx.clock.now() + Math.ceil((value * NS_PER_S) / LOCAL_TIMER_HZ));
  }

  let regs!: RegisterMap;
  let timerControl!: Uint32Array;
  let mailboxControl!: Uint32Array;

  function deliver(core: number, src: number, control: number, index: number): void {
    if (control & (1 << (index + 4))) fiqSrc[core] |= 1 << src;
    else if (control & (1 << index)) irqSrc[core] |= 1 << src;
  }

  /** The one place computing the per-core sources and outputs (QEMU bcm2836_control_update). */
  function update(): void {
    irqSrc.fill(0);
    fiqSrc.fill(0);
    const route = regs.get('GPU_ROUTING');
    if (gpuIrq) irqSrc[route & 3] |= 1 << SRC_GPU;
    if (gpuFiq) fiqSrc[(route >> 2) & 3] |= 1 << SRC_GPU;
    if (localTimerControl & LT_INT_ENABLE && localTimerControl & LT_FLAG) {
      const r = regs.get('LOCAL_TIMER_ROUTING');
      if (r & 4) fiqSrc[r & 3] |= 1 << SRC_TIMER;
      else irqSrc[r & 3] |= 1 << SRC_TIMER;
    }
    for (let c = 0; c < CORES; c++) {
      for (let j = 0; j < 4; j++) if (timerIrqs[c] & (1 << j)) deliver(c, j, timerControl[c], j);
      for (let m = 0; m < MAILBOXES_PER_CORE; m++) {
        if (mailboxes[c * MAILBOXES_PER_CORE + m] !== 0) deliver(c, SRC_MAILBOX0 + m, mailboxControl[c], m);
      }
    }
    for (let c = 0; c < cores; c++) {
      irqOut[c].set(irqSrc[c] !== 0);
      fiqOut[c].set(fiqSrc[c] !== 0);
    }
  }

  const perCore = (regName: string, offset: number, extra: object) => ({ name: regName, offset, count: CORES, stride: 4, ...extra });
  regs = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 0x100,
    registers: [
      { name: 'CONTROL', offset: 0x00, writeMask: 0x300, fields: [{ name: 'INCREMENT', bits: [9, 9] }, { name: 'SOURCE', bits: [8, 8] }] },
      { name: 'PRESCALER', offset: 0x08 },
      {
        name: 'GPU_ROUTING',
        offset: 0x0c,
        writeMask: 0xf,
        fields: [
          { name: 'FIQ', bits: [3, 2] },
          { name: 'IRQ', bits: [1, 0] },
        ],
        write: () => update(),
      },
      // One PMU routing mask (bits 0-3 IRQ, 4-7 FIQ per core) seen through both addresses.
      { name: 'PMU_ROUTING_SET', offset: 0x10, writeMask: 0xff, read: () => pmu, write: (_v, _i, w) => (pmu |= w & 0xff) },
      { name: 'PMU_ROUTING_CLEAR', offset: 0x14, writeMask: 0xff, read: () => pmu, write: (_v, _i, w) => (pmu &= ~w) },
      {
        name: 'CORE_TIMER_LS',
        offset: 0x1c,
        read: () => {
          const t = coreTicks();
          latchedHigh = Math.floor(t / TWO_32) >>> 0;
          return t % TWO_32;
        },
        write: (_v, _i, w) => (pendingLow = w >>> 0),
      },
      {
        name: 'CORE_TIMER_MS',
        offset: 0x20,
        read: () => latchedHigh,
        write: (_v, _i, w) => {
          coreTimerBase = (w >>> 0) * TWO_32 + pendingLow;
          coreTimerSetAt = ctx.clock.now();
        },
      },
      { name: 'LOCAL_TIMER_ROUTING', offset: 0x24, writeMask: 0x7, write: () => update() },
      { name: 'AXI_COUNTERS', offset: 0x28 },
      { name: 'AXI_IRQ', offset: 0x2c, writeMask: 0xfffff },
      {
        name: 'LOCAL_TIMER_CONTROL',
        offset: 0x34,
        fields: [
          { name: 'FLAG', bits: [31, 31] },
          { name: 'INT_ENABLE', bits: [29, 29] },
          { name: 'ENABLE', bits: [28, 28] },
          { name: 'RELOAD', bits: [27, 0] },
        ],
        read: () => localTimerControl,
        write: (_v, _i, w) => {
          // The flag is status: only the clear/reload register changes it.
          localTimerControl = ((w & ~LT_FLAG) | (localTimerControl & LT_FLAG)) >>> 0;
          if (localTimerControl & LT_ENABLE) armLocalTimer();
          else localTimer.cancel();
          update();
        },
      },
      {
        name: 'LOCAL_TIMER_CLEAR',
        offset: 0x38,
        access: 'wo',
        write: (_v, _i, w) => {
          if (w & LT_FLAG) localTimerControl = (localTimerControl & ~LT_FLAG) >>> 0;
          if (w & LT_RELOAD && localTimerControl & LT_ENABLE) armLocalTimer();
          update();
        },
      },
      perCore('TIMER_CONTROL', 0x40, { writeMask: 0xff, write: () => update() }),
      perCore('MAILBOX_CONTROL', 0x50, { writeMask: 0xff, write: () => update() }),
      perCore('IRQ_SOURCE', 0x60, { access: 'ro', read: (c: number) => irqSrc[c] }),
      perCore('FIQ_SOURCE', 0x70, { access: 'ro', read: (c: number) => fiqSrc[c] }),
      {
        name: 'MAILBOX_SET',
        offset: 0x80,
        count: CORES * MAILBOXES_PER_CORE,
        stride: 4,
        access: 'wo',
        write: (_v, i, w) => {
          mailboxes[i] |= w;
          update();
        },
      },
      {
        name: 'MAILBOX_CLEAR',
        offset: 0xc0,
        count: CORES * MAILBOXES_PER_CORE,
        stride: 4,
        read: (i) => mailboxes[i],
        write: (_v, i, w) => {
          mailboxes[i] &= ~w;
          update();
        },
      },
    ],
  });
  timerControl = regs.values('TIMER_CONTROL');
  mailboxControl = regs.values('MAILBOX_CONTROL');

  function inputLine(input: string): IrqLine | undefined {
    let line = inputs.get(input);
    if (line) return line;
    if (input === 'gpu-irq' || input === 'gpu-fiq') {
      line = ctx.inputLine(`${name}:${input}`, (level) => {
        if (input === 'gpu-irq') gpuIrq = level;
        else gpuFiq = level;
        update();
      });
    } else {
      const m = /^(cntpsirq|cntpnsirq|cnthpirq|cntvirq)([0-3])$/.exec(input);
      if (!m) return undefined;
      const bit = 1 << TIMER_INPUTS.indexOf(m[1]);
      const core = Number(m[2]);
      line = ctx.inputLine(`${name}:${input}`, (level) => {
        timerIrqs[core] = level ? timerIrqs[core] | bit : timerIrqs[core] & ~bit;
        update();
      });
    }
    inputs.set(input, line);
    return line;
  }

  const hex = (x: number) => '0x' + (x >>> 0).toString(16);
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      regs.reset();
      pmu = 0;
      mailboxes.fill(0);
      localTimer.cancel();
      localTimerControl = 0;
      coreTimerBase = 0;
      coreTimerSetAt = 0;
      latchedHigh = 0;
      pendingLow = 0;
      update();
    },
    irqInput: inputLine,
    interruptCells(input: string): number[] {
      if (input === 'gpu-irq' || input === 'gpu-fiq') return [SRC_GPU, 4];
      const m = /^(cntpsirq|cntpnsirq|cnthpirq|cntvirq)/.exec(input);
      return [m ? TIMER_INPUTS.indexOf(m[1]) : 0, 4]; // IRQ_TYPE_LEVEL_HIGH
    },
    deviceTree(node: FdtNode): void {
      node.flag('interrupt-controller');
      node.u32('#interrupt-cells', 2);
    },
    inspect() {
      const out: Record<string, number | string> = { 'gpu route': hex(regs.get('GPU_ROUTING')), 'local timer': hex(localTimerControl) };
      for (let c = 0; c < CORES; c++) {
        out[`core${c} irq src`] = hex(irqSrc[c]);
        out[`core${c} fiq src`] = hex(fiqSrc[c]);
        out[`core${c} mailboxes`] = Array.from(mailboxes.subarray(c * 4, c * 4 + 4), hex).join(' ');
      }
      return out;
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2836-local',
    description: 'BCM2836/7 ARM local peripherals: per-core IRQ/FIQ routing, core and local timers, 16 mailboxes',
    compatible: ['brcm,bcm2836-l1-intc'],
    nodeName: 'local_intc',
    props: localProps(api.prop),
    outputs: {
      irq: { description: 'IRQ to each core (its IRQ source register is non-zero)', perCpu: true },
      fiq: { description: 'FIQ to each core (its FIQ source register is non-zero)', perCpu: true },
    },
    create: createBcm2836Local,
  });
}
