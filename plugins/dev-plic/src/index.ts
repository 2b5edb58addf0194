/**
 * SiFive PLIC (platform-level interrupt controller) as on QEMU's `virt` board.
 *
 * Layout (RISC-V PLIC spec, QEMU `VIRT_PLIC_*`):
 *   0x000000 + 4*src            priority (WARL: only the low `priorityBits` bits stick)
 *   0x001000 + 4*word           pending bits (read-only)
 *   0x002000 + 0x80*ctx + 4*w   enable bits per context
 *   0x200000 + 0x1000*ctx       priority threshold
 *   0x200004 + 0x1000*ctx       claim (read) / complete (write)
 *
 * Contexts follow QEMU's "MS" hart config: context 2h is hart h M-mode, 2h+1 is hart h S-mode.
 * Outputs: `meip` (context 2h) and `seip` (context 2h+1), one line per hart each
 * (board: `irq: { meip: cpus:meip, seip: cpus:seip }`). Accesses: aligned 32-bit only (the bus
 * refuses others, as QEMU's sifive_plic does).
 *
 * Gateways behave like QEMU 7.2's (sifive_plic_irq_request sets pending only for level > 0): a
 * rising input latches the pending bit, which stays set when the line drops again and is cleared
 * only by a claim. A claimed source cannot be claimed again until its completion; completion
 * re-opens the gateway, which re-pends at once when the line is still high (QEMU devices re-assert
 * their line on every state update, so the request is never lost). Claim returns the
 * highest-priority pending enabled source whose priority exceeds the context's threshold; ties go
 * to the lowest source ID; priority 0 never interrupts.
 */
import type { AccessSize, Device, DeviceContext, IrqLine, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const PRIORITY_BASE = 0x0;
const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x200000;
const CONTEXT_STRIDE = 0x1000;
const ENABLE_WORDS_PER_CONTEXT = ENABLE_STRIDE / 4;


const plicProps = (prop: PropKit) => ({
  sources: prop.int({ default: 96, min: 2, max: 1024, description: 'interrupt sources including the reserved source 0 (QEMU num-sources; virt: 96)' }),
  priorityBits: prop.int({ default: 3, min: 1, max: 32, description: 'bits of each priority register (virt: 3, priorities 0..7)' }),
});
export type PlicProps = PropsOf<ReturnType<typeof plicProps>>;

export function createPlic(ctx: DeviceContext<PlicProps>): Device {
  const name = ctx.entry.name;
  const { sources, priorityBits } = ctx.props;
  const maxPriority = priorityBits === 32 ? 0xffffffff : (1 << priorityBits) - 1;
  const harts = ctx.cpuCount;
  const contexts = 2 * harts;
  const words = (sources + 31) >>> 5;

  const pending = new Uint32Array(words);
  const claimed = new Uint32Array(words);
  const inputs = new Map<number, IrqLine>();

  /** Output line of context c: hart c/2's meip (even) or seip (odd), QEMU's "MS" layout. */
  const outputs: IrqLine[] = [];
  for (let c = 0; c < contexts; c++) outputs.push(ctx.output(c & 1 ? 'seip' : 'meip', c >> 1));

  let regs: RegisterMap;
  let priority: Uint32Array;
  let enable: Uint32Array;
  let threshold: Uint32Array;

  /** The best claimable source for context c, or 0 (no side effects). */
  function best(c: number): number {
    let bestId = 0;
    let bestPrio = threshold[c];
    const base = c * ENABLE_WORDS_PER_CONTEXT;
    for (let w = 0; w < words; w++) {
      let bits = (pending[w] & ~claimed[w] & enable[base + w]) >>> 0;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits);
        bits = (bits & (bits - 1)) >>> 0;
        const id = (w << 5) | bit;
        // Strictly greater: among equal priorities the lowest ID (seen first) wins.
        if (id < sources && priority[id] > bestPrio) {
          bestId = id;
          bestPrio = priority[id];
        }
      }
    }
    return bestId;
  }

  /** The one place computing this device's outputs. */
  function updateInterrupts(): void {
    for (let c = 0; c < contexts; c++) outputs[c].set(best(c) !== 0);
  }

  const setBit = (a: Uint32Array, id: number, on: boolean) => {
    if (on) a[id >>> 5] |= 1 << (id & 31);
    else a[id >>> 5] &= ~(1 << (id & 31));
  };

  function sourceChanged(id: number, level: boolean): void {
    // A rising line latches a request (held back from claims while the source is in service);
    // a falling line withdraws nothing.
    if (level) {
      setBit(pending, id, true);
      updateInterrupts();
    }
  }

  function claim(c: number): number {
    const id = best(c);
    if (id !== 0) {
      setBit(pending, id, false);
      setBit(claimed, id, true);
    }
    updateInterrupts();
    return id;
  }

  function complete(id: number): void {
    // QEMU accepts any valid source ID here, whichever context claimed it.
    if (id >= sources) return;
    setBit(claimed, id, false);
    if (inputs.get(id)?.level) setBit(pending, id, true);
    updateInterrupts();
  }

  regs = ctx.registers({
    sizes: [4],
    aligned: true,
    registers: [
      { name: 'priority', offset: PRIORITY_BASE, count: sources, stride: 4, writeMask: maxPriority, write: () => updateInterrupts() },
      { name: 'pending', offset: PENDING_BASE, count: words, stride: 4, access: 'ro', read: (w) => pending[w] },
      {
        name: 'enable',
        offset: ENABLE_BASE,
        count: contexts * ENABLE_WORDS_PER_CONTEXT,
        stride: 4,
        // Words past the last source do not exist: they read 0 and ignore writes.
        read: (i) => ((i & (ENABLE_WORDS_PER_CONTEXT - 1)) < words ? enable[i] : 0),
        write: (_v, i) => {
          if ((i & (ENABLE_WORDS_PER_CONTEXT - 1)) >= words) enable[i] = 0;
          updateInterrupts();
        },
      },
      { name: 'threshold', offset: CONTEXT_BASE, count: contexts, stride: CONTEXT_STRIDE, writeMask: maxPriority, write: () => updateInterrupts() },
      {
        name: 'claim',
        offset: CONTEXT_BASE + 4,
        count: contexts,
        stride: CONTEXT_STRIDE,
        read: (c) => claim(c),
        write: (_v, _c, written) => complete(written),
      },
    ],
  });
  priority = regs.values('priority');
  enable = regs.values('enable');
  threshold = regs.values('threshold');

  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      regs.reset();
      pending.fill(0);
      claimed.fill(0);
      // Gateways see the current input levels again after reset.
      for (const [id, line] of inputs) if (line.level) setBit(pending, id, true);
      updateInterrupts();
    },
    irqInput(input: string): IrqLine | undefined {
      const id = Number(input);
      if (!Number.isInteger(id) || id < 1 || id >= sources) return undefined;
      let line = inputs.get(id);
      if (!line) {
        line = ctx.inputLine(`${name}:${id}`, (level) => sourceChanged(id, level));
        inputs.set(id, line);
      }
      return line;
    },
    interruptCells(input: string): number[] {
      return [Number(input)];
    },
    deviceTree(node: FdtNode): void {
      node.u32('#interrupt-cells', 1);
      node.u32('#address-cells', 0);
      node.flag('interrupt-controller');
      // QEMU 7.2's virt writes num-sources itself here (96: `riscv,ndev = <0x60>`, one more than
      // the highest source ID, 95), and Linux maps that many; rvos gives guests the same tree.
      node.u32('riscv,ndev', sources);
    },
    inspect() {
      const hexw = (a: Uint32Array | number[]) => Array.from(a, (x) => x.toString(16).padStart(8, '0')).reverse().join('_');
      const out: Record<string, number | string> = { pending: hexw(pending), claimed: hexw(claimed) };
      for (let c = 0; c < contexts; c++) {
        const label = `hart${c >> 1}.${c & 1 ? 'S' : 'M'}`;
        out[`${label} threshold`] = threshold[c];
        out[`${label} enable`] = hexw(Array.from(enable.subarray(c * ENABLE_WORDS_PER_CONTEXT, c * ENABLE_WORDS_PER_CONTEXT + words)));
        out[`${label} eip`] = outputs[c].level ? 1 : 0;
      }
      return out;
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'plic',
    description: 'SiFive PLIC: platform interrupt controller with M and S contexts per hart',
    compatible: ['sifive,plic-1.0.0', 'riscv,plic0'],
    nodeName: 'plic',
    props: plicProps(api.prop),
    outputs: {
      meip: { description: 'machine external interrupt (the hart\'s M-mode context), per hart', perCpu: true, required: true },
      seip: { description: 'supervisor external interrupt (the hart\'s S-mode context), per hart', perCpu: true, required: true },
    },
    create: createPlic,
  });
}
