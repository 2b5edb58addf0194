import { describe, expect, it } from 'vitest';
import type { ArchType, Cpu, CpuContext, DeviceType, IrqLine } from '../../../src/core/api.js';
import type { Board } from '../../../src/core/board.js';
import { buildMachine } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import type { IdleMode } from '../../../src/core/idle.js';
import { Line } from '../../../src/core/irq.js';
import { SOLO_AFTER, SOLO_SLICE } from '../../../src/core/machine.js';
import { PluginRegistry } from '../../../src/core/plugins.js';

/** A scripted instruction: run, wait for an interrupt, power off, or ring the next CPU's doorbell (an IPI). */
type Op = 'run' | 'wfi' | 'off' | 'ipi';

/**
 * A scripted CPU: each instruction is a step of `program`, so the machine loop can be tested
 * without a real ISA.
 */
class ScriptCpu implements Cpu {
  pc = 0;
  retired = 0;
  waiting = false;
  stopped = false;
  exit = false;
  readonly log: string[] = [];
  /** Each run() call's budget and what it ran. */
  readonly slices: Array<[number, number]> = [];
  private readonly irq: Line;
  private readonly ipi: Line;
  constructor(
    readonly ctx: CpuContext,
    private readonly program: Op[],
    private readonly ring: (cpu: number) => void,
  ) {
    this.id = ctx.id;
    this.irq = new Line(`cpu${ctx.id}:irq`, (level) => {
      if (level) {
        this.waiting = false;
        this.log.push(`irq@${ctx.clock.now()}`);
      }
    });
    this.ipi = new Line(`cpu${ctx.id}:ipi`, (level) => {
      if (level) {
        this.waiting = false;
        this.log.push(`ipi@${ctx.clock.now()}`);
      }
    });
  }
  readonly id: number;
  private budget = 0;
  run(budget: number): number {
    this.exit = false;
    this.budget = budget;
    let n = 0;
    while (n < this.budget && !this.exit) {
      const op = this.program[Math.min(this.pc, this.program.length - 1)];
      this.pc++;
      n++;
      if (op === 'wfi') {
        this.waiting = !this.irq.level && !this.ipi.level;
        if (this.waiting) {
          this.retired++;
          break;
        }
      } else if (op === 'off') this.ctx.machine.powerOff(3, 'script');
      else if (op === 'ipi') this.ring((this.id + 1) % (this.ctx.cpus?.length ?? 1));
      // Current at every device access, as Cpu.retired must be (mid-slice time, wakes).
      this.retired++;
    }
    this.slices.push([budget, n]);
    return n;
  }
  requestExit(): void {
    this.exit = true;
  }
  limitRun(steps: number): void {
    this.budget = Math.min(this.budget, steps);
  }
  reset(): void {
    this.pc = 0;
  }
  irqInput(name: string): IrqLine | undefined {
    return name === 'irq' ? this.irq : name === 'ipi' ? this.ipi : undefined;
  }
  getReg(): number {
    return 0;
  }
  setReg(): void {}
  inspect() {
    return [];
  }
  privilegeName(): string {
    return 'M';
  }
}

interface SetupOptions {
  /** Idle mode (default warp, as buildMachine's). */
  idle?: IdleMode;
  /** A host input source bound to the board's device (absent: no input can ever arrive). */
  input?: CaptureBackend;
  /** Each CPU's own program (default: `program` for all). */
  programs?: Op[][];
}

function setup(program: Op[], timerAtNs?: number, cpus = 1, opts: SetupOptions = {}) {
  const created: ScriptCpu[] = [];
  let ring: (cpu: number) => void = () => {};
  const arch: ArchType = {
    type: 'script',
    description: 'test',
    elfMachine: 0,
    elfClass: 1,
    createCpu: (ctx) => {
      const c = new ScriptCpu(ctx, opts.programs?.[ctx.id] ?? program, (cpu) => ring(cpu));
      created.push(c);
      return c;
    },
    deviceTreeCpus: (root, list, _props, alloc) => list.map(() => alloc()),
    cpuInterruptCells: () => [1],
    boot: () => ({ images: [], dtbAddress: 0 }),
  };
  const timer: DeviceType = {
    type: 'oneshot',
    description: 'raises its output at a fixed time',
    outputs: { irq: { description: 'raised at the time', perCpu: true } },
    create: (ctx) => {
      const t = ctx.clock.createTimer('oneshot', () => {
        for (let cpu = 0; cpu < ctx.cpuCount; cpu++) ctx.output('irq', cpu).set(true);
      });
      if (timerAtNs !== undefined) t.armAt(timerAtNs);
      return { name: ctx.entry.name };
    },
  };
  const doorbell: DeviceType = {
    type: 'doorbell',
    description: 'raises a CPU\'s output when another CPU rings it',
    outputs: { irq: { description: 'the rung CPU', perCpu: true } },
    create: (ctx) => {
      ring = (cpu) => ctx.output('irq', cpu).set(true);
      return { name: ctx.entry.name };
    },
  };
  const registry = new PluginRegistry();
  const api = registry.apiFor({ name: 'test', version: '0', kind: 'mixed', dir: '.', entry: '.', source: 'flag', provides: [] });
  api.defineArch(arch);
  api.defineDevice(timer);
  api.defineDevice(doorbell);
  const board: Board = {
    name: 'test',
    description: '',
    files: ['test.yaml'],
    arch: 'script',
    cpus,
    cpu: {},
    cpuIrq: {},
    memory: { base: 0x80000000, size: 0x10000 },
    nsPerInstruction: 10,
    devicetree: {},
    devices: [
      { type: 'oneshot', name: 't', reg: [], io: [], irq: 'cpus:irq', props: {}, origin: { file: 'test.yaml', line: 1, path: 'devices[0]' } },
      { type: 'doorbell', name: 'bell', reg: [], io: [], irq: 'cpus:ipi', props: {}, origin: { file: 'test.yaml', line: 2, path: 'devices[1]' } },
    ],
    boot: {},
    origin: (path) => ({ file: 'test.yaml', line: 1, path }),
  };
  const machine = buildMachine(registry, board, { console: new CaptureBackend(), idle: opts.idle, serial: opts.input ? { t: opts.input } : {} });
  return { machine, cpus: created };
}

describe('machine run loop', () => {
  it('stops at power-off with the guest code and counts instructions', async () => {
    const { machine } = setup([...Array(1000).fill('run'), 'off']);
    const r = await machine.run();
    expect(r).toMatchObject({ reason: 'poweroff', exitCode: 3, instructions: 1001 });
  });

  it('ends a slice exactly at a timer deadline (deterministic time)', async () => {
    // Timer at 5000 ns = instruction 500 at 10 ns per instruction.
    const { machine, cpus } = setup([...Array(100_000).fill('run'), 'off'], 5000);
    await machine.run();
    expect(cpus[0].log).toEqual(['irq@5000']);
  });

  it('fast-forwards idle CPUs to the next timer', async () => {
    const { machine, cpus } = setup(['run', 'wfi', 'off'], 1_000_000_000);
    const r = await machine.run();
    expect(r.reason).toBe('poweroff');
    expect(cpus[0].log).toEqual(['irq@1000000000']);
    expect(machine.clock.now()).toBeGreaterThanOrEqual(1_000_000_000);
    expect(r.instructions).toBe(3);
  });

  it('honours --max-insns and --timeout', async () => {
    const a = setup(['run']);
    expect(await a.machine.run({ maxInsns: 250_000 })).toMatchObject({ reason: 'max-insns', instructions: 250_000 });
    // Idle forever with no timer but input that may still come: only the timeout ends it.
    const b = setup(['run', 'wfi'], undefined, 1, { input: new CaptureBackend() });
    const r = await b.machine.run({ timeoutMs: 50 });
    expect(r.reason).toBe('timeout');
  });

  it('--max-insns counts executed instructions, not idle time', async () => {
    const { machine } = setup(['run', 'wfi', 'off'], 1_000_000_000);
    expect(await machine.run({ maxInsns: 3 })).toMatchObject({ reason: 'poweroff', instructions: 3 });
    expect(machine.clock.now()).toBeGreaterThanOrEqual(1_000_000_000);
  });

  it('halts when every CPU waits and no timer or input can wake one', async () => {
    for (const cpus of [1, 3]) {
      const { machine } = setup(['run', 'run', 'wfi'], undefined, cpus);
      const r = await machine.run({ timeoutMs: 10_000 });
      expect(r).toMatchObject({ reason: 'halted', instructions: 3 * cpus });
      expect(r.message).toMatch(/^every CPU is waiting for an interrupt and nothing can wake it: no timer is armed and no input can arrive \(.*pc=0x00000003/);
      if (cpus > 1) expect(r.message).toContain('cpu2 pc=0x00000003');
    }
  });

  it('waits while host input may arrive, and halts once its source ends', async () => {
    const input = new CaptureBackend();
    const { machine } = setup(['run', 'wfi'], undefined, 1, { input });
    setTimeout(() => input.endInput(), 30);
    expect(await machine.run({ timeoutMs: 10_000 })).toMatchObject({ reason: 'halted' });
  });

  it('idle sleep: waits for the next timer at the host\'s pace and fires it exactly at its deadline', async () => {
    const { machine, cpus } = setup(['run', 'wfi', 'off'], 120_000_000, 1, { idle: 'sleep' });
    const r = await machine.run({ timeoutMs: 10_000 });
    expect(r).toMatchObject({ reason: 'poweroff', instructions: 3 });
    expect(cpus[0].log).toEqual(['irq@120000000']);
    // Virtual time never runs ahead of the host's while idle (slack: the 3 instructions' 30 ns).
    expect(machine.clock.now() / 1e6).toBeLessThanOrEqual(r.hostMs + 0.001);
  });

  it('idle sleep: woken before the deadline, virtual time moves on by the host time waited', async () => {
    const { machine, cpus } = setup(['run', 'wfi', 'off'], 10_000_000_000, 1, { idle: 'sleep' });
    setTimeout(() => machine.stop('test'), 40);
    const r = await machine.run({ timeoutMs: 10_000 });
    expect(r.reason).toBe('stopped');
    expect(cpus[0].log).toEqual([]);
    const now = machine.clock.now();
    expect(now).toBeGreaterThan(10);
    expect(now).toBeLessThan(10_000_000_000);
    expect(now / 1e6).toBeLessThanOrEqual(r.hostMs + 0.001);
  });

  it('stops at exactly --max-insns instructions with several CPUs', async () => {
    for (const [cpus, max] of [
      [2, 200_000],
      [8, 10],
      [8, 65536 * 3 + 5],
    ]) {
      const { machine, cpus: list } = setup(['run'], undefined, cpus);
      expect(await machine.run({ maxInsns: max })).toMatchObject({ reason: 'max-insns', instructions: max });
      expect(list.reduce((sum, c) => sum + c.retired, 0)).toBe(max);
    }
  });

  it('interleaves several CPUs deterministically', async () => {
    const run = async () => {
      const { machine, cpus } = setup([...Array(200_000).fill('run'), 'off'], 7770, 3);
      const r = await machine.run();
      return { r: r.instructions, logs: cpus.map((c) => c.log.join()), retired: cpus.map((c) => c.retired) };
    };
    const first = await run();
    expect(first.logs).toEqual(['irq@7770', 'irq@7770', 'irq@7770']);
    expect(await run()).toEqual(first);
  });
});

describe('machine slice policy', () => {
  const runs = (n: number): Op[] => Array(n).fill('run');

  /** `setup` with solo slices from the first instruction on. */
  const soloSetup = (...args: Parameters<typeof setup>) => {
    const made = setup(...args);
    made.machine.soloAfter = 0;
    return made;
  };

  it('gives a CPU that runs alone long slices, and several CPUs 65,536 instructions each', async () => {
    const one = soloSetup([...runs(3_000_000), 'off']);
    await one.machine.run();
    expect(one.cpus[0].slices.slice(0, 2)).toEqual([
      [SOLO_SLICE, SOLO_SLICE],
      [SOLO_SLICE, SOLO_SLICE],
    ]);
    const two = soloSetup([...runs(300_000), 'off'], undefined, 2);
    await two.machine.run();
    for (const cpu of two.cpus) expect(cpu.slices.slice(0, 3)).toEqual(Array(3).fill([65536, 65536]));
  });

  it('gives a CPU that runs alone long slices only once the machine has run soloAfter instructions', async () => {
    const { machine, cpus } = setup([...runs(3_000_000), 'off']);
    expect(machine.soloAfter).toBe(SOLO_AFTER);
    machine.soloAfter = 65536 * 3;
    await machine.run();
    expect(cpus[0].slices.slice(0, 5)).toEqual([...Array(3).fill([65536, 65536]), [SOLO_SLICE, SOLO_SLICE], [SOLO_SLICE, SOLO_SLICE]]);
  });

  it('keeps 65,536 for one CPU while after-slice hooks poll (HTIF)', async () => {
    const { machine, cpus } = soloSetup([...runs(300_000), 'off']);
    machine.afterSlice.push(() => {});
    await machine.run();
    expect(cpus[0].slices[0]).toEqual([65536, 65536]);
  });

  // cpu0 runs alone from its second round on (cpu1 waits) and wakes cpu1 at its 100,001st instruction.
  const wakeScenario = () =>
    soloSetup([], undefined, 2, {
      programs: [
        [...runs(100_000), 'ipi', ...runs(400_000), 'off'],
        ['wfi', ...runs(1_000_000)],
      ],
    });

  it('ends a lone CPU\'s slice at the instruction that wakes another', async () => {
    const { machine, cpus } = wakeScenario();
    const r = await machine.run();
    // cpu0's 500,002, cpu1's WFI and six whole rounds beside cpu0 (whose power-off ends the seventh before cpu1's turn).
    expect(r).toMatchObject({ reason: 'poweroff', instructions: 500_002 + 1 + 6 * 65536 });
    // Round 1: both run (cpu1 into WFI); round 2: cpu0 alone until the ipi; then both again.
    expect(cpus[0].slices.slice(0, 3)).toEqual([
      [65536, 65536],
      [SOLO_SLICE, 100_001 - 65536],
      [65536, 65536],
    ]);
    expect(cpus[1].slices.slice(0, 2)).toEqual([
      [65536, 1],
      [65536, 65536],
    ]);
    // Woken at the ipi's time: 100,000 instructions of 10 ns before it.
    expect(cpus[1].log).toEqual(['ipi@1000000']);
  });

  it('cannot be told apart from 65,536-instruction slices', async () => {
    const observe = async (make: () => ReturnType<typeof setup>, soloSlice: number) => {
      const { machine, cpus } = make();
      machine.soloSlice = soloSlice;
      const r = await machine.run();
      return { r: r.instructions, now: machine.clock.now(), logs: cpus.map((c) => c.log), retired: cpus.map((c) => c.retired) };
    };
    const timed = () => soloSetup([...runs(200_000), 'wfi', ...runs(3_000_000), 'off'], 15_000_000);
    for (const make of [wakeScenario, timed]) expect(await observe(make, SOLO_SLICE)).toEqual(await observe(make, 65536));
  });
});
