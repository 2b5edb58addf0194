import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { formatPath, parseSize } from './board.js';
import { readYaml } from './yaml-file.js';
import { parseDriveSpec, type DriveSpec } from './disk/drive.js';
import { UserError } from './errors.js';

/**
 * `rvos.config.yaml`: the defaults of `rvos run` for a project (board, images, drives, serial
 * backends, extra plugins). Command-line flags override it; paths are relative to the file.
 */
const configSchema = z
  .object({
    board: z.string().optional(),
    kernel: z.string().optional(),
    bios: z.string().optional(),
    cpus: z.number().int().min(1).max(64).optional(),
    memory: z.union([z.string(), z.number()]).optional(),
    append: z.string().optional(),
    // `--drive` specs; `none` (or [none]): no drive at all, not even the board's default disk.
    drives: z.union([z.literal('none'), z.array(z.string())]).optional(),
    // `uart1: null` in YAML is the null backend, not a missing value.
    serial: z.union([z.string(), z.record(z.string().nullable().transform((v) => v ?? 'null'))]).optional(),
    plugins: z.array(z.string()).optional(),
    clock: z.enum(['deterministic', 'realtime']).optional(),
    idle: z.enum(['sleep', 'warp']).optional(),
    // `--rtc` and `--global` specs (QEMU's -rtc, -global).
    rtc: z.string().optional(),
    global: z.array(z.string()).optional(),
  })
  .strict();

export interface RvosConfig {
  file?: string;
  /** "FILE:LINE: field" of a config field, for messages about values that came from the file. */
  where?(path: Array<string | number>): string;
  board?: string;
  kernel?: string;
  bios?: string;
  cpus?: number;
  memory?: number;
  append?: string;
  /** Parsed drive specs, `file=` resolved against the config file's folder. */
  drives: DriveSpec[];
  /** `drives: none`: no drive, not even the board's default disk. */
  noDrives?: boolean;
  /** `--serial` for the console, or a backend per serial device name. */
  serial?: string | Record<string, string>;
  plugins: string[];
  clock?: 'deterministic' | 'realtime';
  /** What deterministic time does while every CPU waits (`--idle`). */
  idle?: 'sleep' | 'warp';
  /** `--rtc` spec (`base=2006-06-17`). */
  rtc?: string;
  /** `--global` specs, before the flag's. */
  global?: string[];
}

export const DEFAULT_CONFIG_FILE = 'rvos.config.yaml';

/** Reads `file`, or ./rvos.config.yaml when it exists; an absent default file is an empty config. */
export function loadConfig(file?: string, cwd = process.cwd()): RvosConfig {
  const path = file ? resolve(cwd, file) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (file) throw new UserError(`config file ${file} not found`);
    return { drives: [], plugins: [] };
  }
  const { data, lineOf } = readYaml(path);
  const parsed = configSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    throw new UserError(`${path}:${lineOf(issue.path)}: ${formatPath(issue.path) || '(top level)'}: ${what}`);
  }
  const c = parsed.data;
  const dir = dirname(path);
  const rel = (p: string | undefined) => (p === undefined || p === 'none' || isAbsolute(p) ? p : resolve(dir, p));
  const where = (p: Array<string | number>) => `${path}:${lineOf(p)}: ${formatPath(p)}`;
  let memory: number | undefined;
  if (c.memory !== undefined) {
    memory = parseSize(c.memory);
    if (memory === undefined) throw new UserError(`${where(['memory'])}: expected a size like 256MiB, got ${JSON.stringify(c.memory)}`);
    if (memory === 0) throw new UserError(`${where(['memory'])}: must be larger than 0`);
  }
  const boardIsPath = c.board !== undefined && (c.board.includes('/') || /\.ya?ml$/.test(c.board));
  const driveList = c.drives === 'none' ? ['none'] : c.drives ?? [];
  const noDrives = driveList.includes('none');
  if (noDrives && driveList.length > 1) throw new UserError(`${path}:${lineOf(['drives'])}: drives: "none" cannot be combined with drives`);
  const drives = noDrives ? [] : driveList.map((d, i) => parseDriveSpec(d, dir, `${path}:${lineOf(['drives', i])}: drives[${i}]`));
  return {
    file: path,
    where,
    board: boardIsPath ? rel(c.board) : c.board,
    kernel: rel(c.kernel),
    bios: rel(c.bios),
    cpus: c.cpus,
    memory,
    append: c.append,
    drives,
    ...(noDrives ? { noDrives } : {}),
    serial: c.serial,
    plugins: (c.plugins ?? []).map((p) => rel(p)!),
    clock: c.clock,
    idle: c.idle,
    rtc: c.rtc,
    global: c.global,
  };
}
