import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { BootModule, DeviceType } from './api.js';
import { parseModuleSpec } from './boot-module.js';
import { UserError } from './errors.js';
import { resolveIrq, type IrqSpec } from './outputs.js';
import { packageRoot } from './paths.js';
import { resolveProps } from './props.js';
import { readYaml, type LineOf } from './yaml-file.js';

/**
 * Board descriptors: YAML files describing a machine (arch, CPUs, memory, devices, boot defaults).
 * A board may `extend` another and override or remove its devices by name. Every error names the
 * file, the line and the field.
 */

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1 << 20, mib: 1 << 20, g: 2 ** 30, gib: 2 ** 30 };

/** Parses 4096, "0x1000", "64MiB", "1G". */
export function parseSize(input: unknown): number | undefined {
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) return input;
  if (typeof input !== 'string') return undefined;
  const m = /^\s*(0x[0-9a-f_]+|\d[\d_]*)\s*([kmg](?:ib)?|)\s*$/i.exec(input);
  if (!m) return undefined;
  const n = Number(m[1].replace(/_/g, ''));
  return n * SIZE_UNITS[m[2].toLowerCase()];
}

const number = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a number or size like 0x1000 or 64MiB, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});

const regSchema = z.union([z.tuple([number, number]), z.array(z.tuple([number, number])).min(1)]);
const irqSchema = z.union([z.string(), z.record(z.string())], {
  errorMap: () => ({ message: 'expected one target (irq: plic:10) or a map of output names to targets (irq: { msip: cpus:msip, mtip: cpus:mtip })' }),
});

const deviceSchema = z
  .object({
    type: z.string().optional(),
    name: z.string().regex(/^[a-zA-Z][\w-]*$/, 'must start with a letter and hold only letters, digits, _ and -'),
    reg: regSchema.optional(),
    /** I/O port windows [port, count] (the PC's IN/OUT space). */
    io: regSchema.optional(),
    irq: irqSchema.optional(),
    props: z.record(z.unknown()).optional(),
    remove: z.boolean().optional(),
  })
  .strict();

const bootSchema = z
  .object({
    firmware: z.string().optional(),
    kernel: z.string().optional(),
    kernelAddress: number.optional(),
    bootargs: z.string().optional(),
    /** Default disk image (a raw rvfs image); runs use a per-user copy of it. */
    drive: z.string().optional(),
    /** How the machine starts its software (a `BootProtocol` a plugin defines); default: the arch's own. */
    protocol: z.string().min(1).optional(),
    /** Bytes at the top of RAM the protocol keeps from the kernel (the Pi's VideoCore memory). */
    reservedTop: number.optional(),
    /** Boot modules for a multiboot kernel, `FILE[,cmdline]` each (as `rvos run --module`). */
    modules: z.array(z.string().min(1)).optional(),
  })
  .strict();

const boardFileSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    extends: z.string().optional(),
    arch: z.string().optional(),
    cpus: z.number().int().min(1).max(64).optional(),
    cpu: z.record(z.unknown()).optional(),
    memory: z
      .object({
        base: number,
        size: number,
        /** Page-aligned [base, size] ranges inside RAM's span that are not RAM (the PC's 640 KiB-1 MiB window). */
        holes: z.array(z.tuple([number, number])).optional(),
      })
      .strict()
      .optional(),
    clock: z.object({ nsPerInstruction: z.number().positive().optional() }).strict().optional(),
    devicetree: z
      .object({
        /** generate (default): built from this file; none: the board has no device tree (the PC, a Pi booted raw). */
        mode: z.enum(['generate', 'none']).optional(),
        /** A DTB file given to the guest as it is (QEMU's -dtb), relative to the board file. */
        file: z.string().min(1).optional(),
        model: z.string().optional(),
        compatible: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    devices: z.array(deviceSchema).optional(),
    boot: bootSchema.optional(),
  })
  .strict();

type BoardFile = z.infer<typeof boardFileSchema>;

/** Where a value came from, for error messages. */
export interface Origin {
  file: string;
  line: number;
  /** Field path in that file, e.g. "devices[3]". */
  path: string;
}

export interface BoardDevice {
  type: string;
  name: string;
  reg: Array<[number, number]>;
  /** I/O port windows [port, count]. */
  io: Array<[number, number]>;
  /** As written: one target, or output name -> target (checked against the type by `checkBoard`). */
  irq?: IrqSpec;
  /** As written (checked and completed with defaults by `checkBoard`). */
  props: Record<string, unknown>;
  origin: Origin;
  /** Where `props.NAME`, `irq` and `irq.NAME` were written (the file that set them, with `extends`). */
  fields?: Record<string, Origin>;
}

export interface Board {
  name: string;
  description: string;
  /** The file this board was read from, and the files it extends (outermost first). */
  files: string[];
  arch: string;
  cpus: number;
  /** The board's `cpu:` section for the arch plugin (without `irq`). */
  cpu: Record<string, unknown>;
  /**
   * `cpu: { irq: { OUTPUT: DEVICE:INPUT } }`: where each CPU's own interrupt outputs go (the Arm
   * generic timer's), `$cpu` in INPUT standing for the CPU's index (`local:cntvirq$cpu`).
   */
  cpuIrq: Record<string, string>;
  /** `holes`: ranges of RAM's span that are not RAM (devices and ROMs sit there), page-aligned. */
  memory: { base: number; size: number; holes?: Array<[number, number]> };
  nsPerInstruction: number;
  devicetree: { mode?: 'generate' | 'none'; file?: string; model?: string; compatible?: string[] };
  devices: BoardDevice[];
  /** `drive`: the default disk image, absolute (see src/core/disk/default-disk.ts). */
  boot: { firmware?: string; kernel?: string; kernelAddress?: number; bootargs?: string; drive?: string; protocol?: string; reservedTop?: number; modules?: BootModule[] };
  origin(field: string): Origin;
}

interface ParsedFile {
  file: string;
  data: BoardFile;
  lineOf: LineOf;
}

export function formatPath(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function parseBoardFile(file: string): ParsedFile {
  const { data, lineOf } = readYaml(file);
  const raw = data ?? {};
  const result = boardFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue.path;
    const what = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    throw new UserError(`${file}:${lineOf(path)}: ${formatPath(path) || '(top level)'}: ${what}`);
  }
  return { file, data: result.data, lineOf };
}

/** Directory of the built-in boards. */
export function boardsDir(): string {
  return join(packageRoot(), 'boards');
}

/** Resolves a board name ("virt") or a path ("./my.yaml") to a file. */
export function resolveBoardFile(nameOrPath: string, relativeTo = process.cwd()): string {
  const looksLikePath = nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath);
  if (looksLikePath) {
    const p = isAbsolute(nameOrPath) ? nameOrPath : resolve(relativeTo, nameOrPath);
    if (!existsSync(p)) throw new UserError(`board file ${nameOrPath} not found`);
    return p;
  }
  const p = join(boardsDir(), `${nameOrPath}.yaml`);
  if (!existsSync(p)) {
    throw new UserError(`unknown board "${nameOrPath}" (known: ${listBoards().join(', ')}; or give a path to a .yaml file)`);
  }
  return p;
}

export function listBoards(): string[] {
  if (!existsSync(boardsDir())) return [];
  return readdirSync(boardsDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

function toRegList(reg: [number, number] | Array<[number, number]> | undefined): Array<[number, number]> {
  if (!reg) return [];
  return Array.isArray(reg[0]) ? (reg as Array<[number, number]>) : [reg as [number, number]];
}

/** Loads a board with everything it extends, merged. Structure only; device types are checked by `checkBoard`. */
export function loadBoard(nameOrPath: string, relativeTo = process.cwd(), seen: string[] = []): Board {
  const file = resolveBoardFile(nameOrPath, relativeTo);
  if (seen.includes(file)) throw new UserError(`${file}: board extends itself (${[...seen, file].join(' -> ')})`);
  const parsed = parseBoardFile(file);
  const d = parsed.data;
  const origin = (path: Array<string | number>): Origin => ({ file, line: parsed.lineOf(path), path: formatPath(path) });

  const base: Board | undefined = d.extends ? loadBoard(d.extends, dirname(file), [...seen, file]) : undefined;
  const origins = new Map<string, Origin>();
  const board: Board = base
    ? { ...base, files: [file, ...base.files], devices: [...base.devices], boot: { ...base.boot }, cpu: { ...base.cpu }, cpuIrq: { ...base.cpuIrq } }
    : {
        name: '',
        description: '',
        files: [file],
        arch: '',
        cpus: 1,
        cpu: {},
        cpuIrq: {},
        memory: { base: 0, size: 0 },
        nsPerInstruction: 10,
        devicetree: {},
        devices: [],
        boot: {},
        origin: () => ({ file, line: 1, path: '' }),
      };
  const baseOrigin = base?.origin;
  board.origin = (field: string) => origins.get(field) ?? baseOrigin?.(field) ?? { file, line: 1, path: field };

  const set = <K extends keyof Board>(key: K, value: Board[K] | undefined) => {
    if (value === undefined) return;
    board[key] = value;
    origins.set(key, origin([key]));
  };
  set('name', d.name);
  set('description', d.description);
  set('arch', d.arch);
  set('cpus', d.cpus);
  set('memory', d.memory);
  set('nsPerInstruction', d.clock?.nsPerInstruction);
  if (d.cpu) {
    const { irq, ...props } = d.cpu;
    board.cpu = { ...board.cpu, ...props };
    if (irq !== undefined) {
      const o = origin(['cpu', 'irq']);
      if (typeof irq !== 'object' || irq === null || Array.isArray(irq) || Object.values(irq).some((t) => typeof t !== 'string')) {
        throw new UserError(`${o.file}:${o.line}: cpu.irq: expected { OUTPUT: DEVICE:INPUT, ... }`);
      }
      board.cpuIrq = { ...board.cpuIrq, ...(irq as Record<string, string>) };
      origins.set('cpu.irq', o);
    }
  }
  if (d.devicetree) {
    board.devicetree = { ...board.devicetree, ...d.devicetree };
    const dtbFile = d.devicetree.file;
    if (dtbFile && !isAbsolute(dtbFile)) board.devicetree.file = resolve(dirname(file), dtbFile);
    for (const key of Object.keys(d.devicetree)) origins.set(`devicetree.${key}`, origin(['devicetree', key]));
  }
  if (d.boot) {
    board.boot = { ...board.boot, ...d.boot, modules: board.boot.modules };
    // Boot paths are relative to the board file that names them.
    for (const key of ['firmware', 'kernel', 'drive'] as const) {
      const v = d.boot[key];
      if (v && v !== 'none' && !isAbsolute(v)) board.boot[key] = resolve(dirname(file), v);
    }
    if (d.boot.modules) board.boot.modules = d.boot.modules.map((m, i) => parseModuleSpec(m, dirname(file), `${file}: boot.modules[${i}]:`));
    for (const key of Object.keys(d.boot)) origins.set(`boot.${key}`, origin(['boot', key]));
  }
  if (!board.name) board.name = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');

  (d.devices ?? []).forEach((dev, i) => {
    const o = origin(['devices', i]);
    const at = board.devices.findIndex((x) => x.name === dev.name);
    if (dev.remove) {
      if (at < 0) throw new UserError(`${file}:${o.line}: devices[${i}].name: cannot remove "${dev.name}": no such device in ${d.extends ?? 'this board'}`);
      board.devices.splice(at, 1);
      return;
    }
    const prev = at >= 0 ? board.devices[at] : undefined;
    const type = dev.type ?? prev?.type;
    if (!type) throw new UserError(`${file}:${o.line}: devices[${i}].type: required (device "${dev.name}")`);
    // Field origins: what this file writes is reported here, the rest where the base wrote it.
    const fields: Record<string, Origin> = { ...(prev?.fields ?? {}) };
    if (dev.irq !== undefined) {
      for (const key of Object.keys(fields)) if (key === 'irq' || key.startsWith('irq.')) delete fields[key];
      fields.irq = origin(['devices', i, 'irq']);
      if (typeof dev.irq === 'object') for (const key of Object.keys(dev.irq)) fields[`irq.${key}`] = origin(['devices', i, 'irq', key]);
    }
    for (const key of Object.keys(dev.props ?? {})) fields[`props.${key}`] = origin(['devices', i, 'props', key]);
    const merged: BoardDevice = {
      type,
      name: dev.name,
      reg: dev.reg ? toRegList(dev.reg) : prev?.reg ?? [],
      io: dev.io ? toRegList(dev.io) : prev?.io ?? [],
      irq: dev.irq ?? prev?.irq,
      props: { ...(prev?.props ?? {}), ...(dev.props ?? {}) },
      origin: o,
      fields,
    };
    if (at >= 0) board.devices[at] = merged;
    else board.devices.push(merged);
  });

  // Only the outermost board must be complete; a base SoC file may leave fields to its variants.
  if (seen.length === 0) requireComplete(board, file);
  return board;
}

function requireComplete(board: Board, file: string): void {
  if (!board.arch) throw new UserError(`${file}:1: arch: required (e.g. arch: rv32)`);
  if (!board.memory.size) throw new UserError(`${file}:1: memory: required (e.g. memory: { base: 0x80000000, size: 128MiB })`);
}

export interface BoardTypeInfo {
  archTypes: string[];
  deviceTypes: string[];
  /** The registered device types; with it `checkBoard` also checks every device's props and outputs. */
  deviceType?: (name: string) => DeviceType | undefined;
  /** The registered boot protocols; with it `checkBoard` also checks `boot.protocol`. */
  bootProtocol?: (name: string) => { archs?: readonly string[] } | undefined;
  bootProtocols?: string[];
}

/** A device's props and interrupt map once checked against its type (defaults filled in). */
export interface ResolvedDevice {
  props: Record<string, unknown>;
  irq: Record<string, string>;
}

/** `file:line` of a device field (`props.x`, `irq.mtip`), falling back to the device entry. */
function fieldAt(dev: BoardDevice, field: string): string {
  const o = dev.fields?.[field] ?? (field.startsWith('irq.') ? dev.fields?.irq : undefined) ?? dev.origin;
  return `${o.file}:${o.line}`;
}

/**
 * Checks a device's props and irq map against its type: `file:line: device NAME: prop: problem`,
 * with the line (and file, for `extends`) where the prop was written.
 */
export function resolveDevice(dev: BoardDevice, type: DeviceType): ResolvedDevice {
  const props = resolveProps(type.props, dev.props, dev.type);
  if (!props.ok) throw new UserError(`${fieldAt(dev, `props.${props.prop}`)}: device ${dev.name}: ${props.prop}: ${props.problem}`);
  const irq = resolveIrq(type, dev.irq);
  if (!irq.ok) throw new UserError(`${fieldAt(dev, irq.field)}: device ${dev.name}: ${irq.field}: ${irq.problem}`);
  return { props: props.props, irq: irq.irq };
}

/**
 * Checks what needs the plugin registry: architecture and device types exist, windows don't
 * overlap each other or RAM, interrupt targets name a device or CPU; with `known.deviceType`,
 * also each device's props and outputs (returned, by device name, resolved).
 */
export function checkBoard(board: Board, known: BoardTypeInfo): Map<string, ResolvedDevice> {
  const at = (o: Origin, field: string) => `${o.file}:${o.line}: ${o.path}${field ? '.' + field : ''}`;
  if (!known.archTypes.includes(board.arch)) {
    const o = board.origin('arch');
    throw new UserError(`${o.file}:${o.line}: arch: unknown architecture "${board.arch}" (known: ${known.archTypes.join(', ') || 'none loaded'})`);
  }
  const protocol = board.boot.protocol;
  if (protocol !== undefined && known.bootProtocol) {
    const o = board.origin('boot.protocol');
    const p = known.bootProtocol(protocol);
    if (!p) throw new UserError(`${o.file}:${o.line}: boot.protocol: unknown boot protocol "${protocol}" (known: ${known.bootProtocols?.join(', ') || 'none loaded'})`);
    if (p.archs && !p.archs.includes(board.arch)) {
      throw new UserError(`${o.file}:${o.line}: boot.protocol: "${protocol}" starts ${p.archs.join(', ')} machines, not ${board.arch}`);
    }
  }
  const names = new Set<string>();
  const memory = board.origin('memory');
  const holes = [...(board.memory.holes ?? [])].sort((a, b) => a[0] - b[0]);
  for (const [base, size] of holes) {
    const where = `${memory.file}:${memory.line}: memory.holes: [0x${base.toString(16)}, 0x${size.toString(16)}]`;
    if (size <= 0 || base % 4096 !== 0 || size % 4096 !== 0) throw new UserError(`${where}: holes are whole 4 KiB pages`);
    if (base < board.memory.base || base + size > board.memory.base + board.memory.size) throw new UserError(`${where}: lies outside RAM`);
  }
  // RAM's pieces around its holes: device windows may sit in a hole, not on RAM.
  const windows: Array<{ name: string; base: number; size: number; origin: Origin }> = [];
  let ramAt = board.memory.base;
  for (const [base, size] of [...holes, [board.memory.base + board.memory.size, 0] as [number, number]]) {
    if (base > ramAt) windows.push({ name: 'memory', base: ramAt, size: base - ramAt, origin: memory });
    ramAt = Math.max(ramAt, base + size);
  }
  const ports: typeof windows = [];
  const checkWindows = (dev: BoardDevice, field: 'reg' | 'io', list: Array<[number, number]>, taken: typeof windows) =>
    list.forEach(([base, size], r) => {
      if (size <= 0) throw new UserError(`${at(dev.origin, field)}: window ${r} has size 0`);
      if (field === 'io' && base + size > 0x10000) throw new UserError(`${at(dev.origin, field)}: ports 0x${base.toString(16)}+0x${size.toString(16)} pass the I/O space's end (0xffff)`);
      for (const w of taken) {
        if (base < w.base + w.size && w.base < base + size) {
          throw new UserError(
            `${at(dev.origin, field)}: ${dev.name} at 0x${base.toString(16)} (size 0x${size.toString(16)}) overlaps ${w.name} at 0x${w.base.toString(16)} (size 0x${w.size.toString(16)}, ${w.origin.file}:${w.origin.line})`,
          );
        }
      }
      taken.push({ name: dev.name, base, size, origin: dev.origin });
    });
  for (const dev of board.devices) {
    if (!known.deviceTypes.includes(dev.type)) {
      throw new UserError(`${at(dev.origin, 'type')}: unknown device type "${dev.type}" (known: ${known.deviceTypes.join(', ')})`);
    }
    if (names.has(dev.name)) throw new UserError(`${at(dev.origin, 'name')}: duplicate device name "${dev.name}"`);
    names.add(dev.name);
    checkWindows(dev, 'reg', dev.reg, windows);
    checkWindows(dev, 'io', dev.io ?? [], ports);
  }
  const resolved = new Map<string, ResolvedDevice>();
  for (const dev of board.devices) {
    const type = known.deviceType?.(dev.type);
    if (type) resolved.set(dev.name, resolveDevice(dev, type));
    const targets = typeof dev.irq === 'string' ? { '': dev.irq } : (dev.irq ?? {});
    for (const [output, spec] of Object.entries(targets)) {
      const field = output === '' ? 'irq' : `irq.${output}`;
      const where = `${fieldAt(dev, field)}: device ${dev.name}: ${field}`;
      const m = /^([\w-]+|cpus|cpu\d+):([\w-]+)$/.exec(spec);
      if (!m) throw new UserError(`${where}: expected "controller:input" (e.g. plic:10 or cpus:mtip), got "${spec}"`);
      const target = m[1];
      const isCpu = target === 'cpus' || /^cpu\d+$/.test(target);
      if (isCpu) {
        const n = target === 'cpus' ? 0 : Number(target.slice(3));
        if (n >= board.cpus) throw new UserError(`${where}: ${target} does not exist (the board has ${board.cpus} CPUs)`);
      } else if (!names.has(target)) {
        throw new UserError(`${where}: interrupt target "${target}" is not a device of this board (devices: ${[...names].join(', ')})`);
      }
    }
  }
  return resolved;
}
