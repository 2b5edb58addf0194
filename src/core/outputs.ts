import type { DeviceType, OutputSpec } from './api.js';

/**
 * Named interrupt outputs: how a board's `irq` (one target, or a map of output names to targets)
 * meets a device type's declared `outputs`, and the order the lines are listed in (the device
 * tree's `interrupts-extended` order, kept as QEMU's `virt` has it).
 */

/** A board's `irq` as written: one target for a single-output type, or output name -> target. */
export type IrqSpec = string | Readonly<Record<string, string>>;

/** Where one output line goes. */
export interface IrqTarget {
  /** A CPU index, or a controller device's name. */
  cpu?: number;
  device?: string;
  input: string;
}

/** One output line of a device after per-CPU expansion. */
export interface OutputLine {
  output: string;
  /** The CPU of a per-CPU output. */
  cpu?: number;
  /** Undefined when the board leaves the output unconnected. */
  target?: IrqTarget;
}

const TARGET = /^(cpus|cpu\d+|[A-Za-z][\w-]*):([\w-]+)$/;

/** Checks a plugin's `outputs` declaration (throws: reported as its register() failing). */
export function checkOutputSchema(outputs: unknown): void {
  if (outputs === undefined) return;
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) throw new Error('outputs must be an object: { name: { description } }');
  for (const [name, o] of Object.entries(outputs as Record<string, OutputSpec>)) {
    if (!/^[A-Za-z][\w-]*$/.test(name)) throw new Error(`outputs.${name}: names start with a letter and hold letters, digits, _ and -`);
    if (typeof o !== 'object' || o === null || typeof o.description !== 'string' || o.description === '') {
      throw new Error(`outputs.${name}: needs { description: '...' }`);
    }
  }
}

export type IrqResult = { ok: true; irq: Record<string, string> } | { ok: false; field: string; problem: string };

/**
 * Turns a board's `irq` into output name -> target for `type`, checking names, the form of each
 * target (`cpus:` only for per-CPU outputs) and required outputs. `field` in a problem is
 * "irq" or "irq.NAME".
 */
export function resolveIrq(type: DeviceType, spec: IrqSpec | undefined): IrqResult {
  const declared = Object.entries(type.outputs ?? {});
  const names = declared.map(([n]) => n);
  const has = names.length > 0 ? `${type.type} has: ${names.join(', ')}` : `${type.type} has no interrupt outputs`;
  let irq: Record<string, string>;
  if (spec === undefined) irq = {};
  else if (typeof spec === 'string') {
    if (declared.length !== 1) {
      const how = declared.length === 0 ? has : `${has}; name them: irq: { ${names.map((n) => `${n}: ...`).join(', ')} }`;
      return { ok: false, field: 'irq', problem: `one target given, but ${how}` };
    }
    irq = { [names[0]]: spec };
  } else irq = { ...spec };

  for (const [name, target] of Object.entries(irq)) {
    const field = typeof spec === 'string' ? 'irq' : `irq.${name}`;
    const out = type.outputs?.[name];
    if (!out) return { ok: false, field, problem: `unknown output "${name}" (${has})` };
    const m = TARGET.exec(target);
    if (!m) return { ok: false, field, problem: `expected "controller:input" or "cpus:input" (e.g. plic:10, cpus:mtip), got "${target}"` };
    if (out.perCpu && m[1] !== 'cpus') return { ok: false, field, problem: `${name} is one line per CPU: its target is cpus:INPUT (e.g. cpus:${name}), got "${target}"` };
    if (!out.perCpu && m[1] === 'cpus') return { ok: false, field, problem: `${name} is a single line; cpus:${m[2]} needs a per-CPU output (use cpu0:${m[2]} or a controller)` };
  }
  for (const [name, out] of declared) {
    if (out.required && irq[name] === undefined) {
      const field = declared.length === 1 ? 'irq' : `irq.${name}`;
      return { ok: false, field, problem: `output "${name}" must be connected (${out.description})` };
    }
  }
  return { ok: true, irq };
}

function parseTarget(spec: string, cpu?: number): IrqTarget {
  const [target, input] = spec.split(':');
  if (target === 'cpus') return { cpu, input };
  if (/^cpu\d+$/.test(target)) return { cpu: Number(target.slice(3)), input };
  return { device: target, input };
}

/**
 * Every output line of a device, in device-tree order: per-CPU outputs CPU by CPU (CPU 0's in
 * declaration order, then CPU 1's, ...), then the single outputs in declaration order. This is
 * QEMU's order: `[cpus:meip, cpus:seip]` gives hart0 meip, hart0 seip, hart1 meip, ...
 */
export function outputLines(type: DeviceType, irq: Readonly<Record<string, string>>, cpuCount: number): OutputLine[] {
  const declared = Object.entries(type.outputs ?? {});
  const perCpu = declared.filter(([, o]) => o.perCpu);
  const single = declared.filter(([, o]) => !o.perCpu);
  const lines: OutputLine[] = [];
  for (let cpu = 0; cpu < (perCpu.length > 0 ? cpuCount : 0); cpu++) {
    for (const [output] of perCpu) lines.push({ output, cpu, target: irq[output] !== undefined ? parseTarget(irq[output], cpu) : undefined });
  }
  for (const [output] of single) lines.push({ output, target: irq[output] !== undefined ? parseTarget(irq[output]) : undefined });
  return lines;
}

/** A line's label in traces and the TUI: "plic:10 uart0", "cpu1:mtip clint", "uart0.irq" when unconnected. */
export function lineLabel(device: string, line: OutputLine): string {
  const t = line.target;
  if (!t) return `${device}.${line.output}${line.cpu !== undefined ? `[${line.cpu}]` : ''}`;
  return `${t.cpu !== undefined ? `cpu${t.cpu}` : t.device}:${t.input} ${device}`;
}

/** A board `irq` for listings: "plic:10", or "msip=cpus:msip mtip=cpus:mtip". */
export function formatIrq(spec: IrqSpec | undefined): string {
  if (spec === undefined) return '';
  if (typeof spec === 'string') return spec;
  return Object.entries(spec)
    .map(([output, target]) => `${output}=${target}`)
    .join(' ');
}
