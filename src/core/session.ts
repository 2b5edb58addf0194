import { resolve } from 'node:path';
import { parseSize } from './board.js';
import { ENGINES, type Engine } from './api.js';
import { parseModuleSpec } from './boot-module.js';
import { createBackend, type Backend } from './chardev.js';
import { loadConfig } from './config.js';
import { parseDriveSpec, parseTransport, type DriveSpec } from './disk/drive.js';
import { createContainer, TOKENS, type MachineFactory } from './container.js';
import { UserError } from './errors.js';
import type { IdleMode } from './idle.js';
import type { Machine } from './machine.js';
import { parseGlobalSpec, parseRtcSpec } from './prop-overrides.js';
import { SymbolizingStdioBackend, symbolizeAddress } from './symbolize.js';
import type { PluginRegistry } from './plugins.js';

/** Everything `rvos run` accepts; flags win over the config file, which wins over the board. */
export interface SessionOptions {
  board?: string;
  config?: string;
  plugins?: string[];
  kernel?: string;
  bios?: string;
  cpus?: number;
  memory?: string;
  append?: string;
  /** A DTB file for the guest instead of the board's tree (`--dtb`), relative to `cwd`. */
  dtb?: string;
  /** An initial ramdisk the boot protocol places for the kernel (`--initrd`), relative to `cwd`. */
  initrd?: string;
  /** Boot modules `FILE[,cmdline]` (`--module`, repeatable), FILE relative to `cwd`. */
  modules?: string[];
  /** A guest-requested reset powers off with exit code 0 instead (`--no-reboot`, QEMU's -no-reboot). */
  noReboot?: boolean;
  /** `--semihosting`: the arch's semihosting calls reach the host (output on `semihostingOut`, default stderr). */
  semihosting?: boolean;
  semihostingOut?: (bytes: Uint8Array) => void;
  /** Console backend spec (`stdio`, `null`, `file:PATH`, `tcp:PORT`, `capture`). */
  serial?: string;
  /**
   * Backend specs for the next serial devices, like QEMU's second, third ... `-serial`: each goes to
   * the next serial device after the console, in board order, that the config does not name.
   */
  moreSerial?: string[];
  /** Backend spec for the other serial devices the config does not name (default `null`); the TUI uses `capture`. */
  otherSerial?: string;
  /** `--debugcon` (QEMU's -debugcon): backend spec of the board's `isa-debugcon` device (default `otherSerial`, else `null`). */
  debugcon?: string;
  clock?: 'deterministic' | 'realtime';
  /** `--engine interp|jit` (`CpuContext.engine`); undefined = the architecture's default. */
  engine?: Engine;
  /** `--idle`: what deterministic time does while every CPU waits (src/core/idle.ts). */
  idle?: IdleMode;
  /** Idle mode when neither `idle` nor the config says: `warp` here (tests), `sleep` for `rvos run`. */
  defaultIdle?: IdleMode;
  /** `--drive` specs (replace the config's `drives:`); `none` = no drive, not even the board's default disk. */
  drives?: string[];
  /** `--virtio-version legacy|modern|1|2`: transport for drives without `transport=`. */
  virtioVersion?: string;
  /** Annotate addresses the guest prints on a `stdio` console with symbols (`--no-symbolize` turns it off). */
  symbolize?: boolean;
  /** `--global TARGET.PROP=VALUE` specs (QEMU's -global): device props over the board's, in order. */
  globals?: string[];
  /** `--rtc base=...[,clock=vm]` (QEMU's -rtc): the date of the board's RTC(s) at machine start. */
  rtc?: string;
  /** One-line messages for the user (e.g. where the board's default disk was copied). */
  notice?: (message: string) => void;
  cwd?: string;
}

/** Drives from flags, else from the config; undefined lets the board's default disk apply. */
function chooseDrives(flags: string[] | undefined, config: { drives: DriveSpec[]; noDrives?: boolean }, cwd: string): DriveSpec[] | undefined {
  if (flags && flags.length > 0) {
    if (flags.includes('none')) {
      if (flags.length > 1) throw new UserError('--drive none cannot be combined with other drives');
      return [];
    }
    return flags.map((d) => parseDriveSpec(d, cwd));
  }
  if (config.noDrives || config.drives.length > 0) return config.drives;
  return undefined;
}

export interface Session {
  machine: Machine;
  registry: PluginRegistry;
  /** The console's backend (the device with `props.console: true`). */
  console: Backend | undefined;
  /** Backends of the other serial devices, by device name (from the config, or `otherSerial`). */
  serial: Record<string, Backend>;
  /**
   * Stops the machine because host output failed for good (`--serial file:` or `--trace-file` on a
   * full disk): `message` names the path. The first message is kept in `failure`, and the run
   * command exits with EXIT.badInput and that one line.
   */
  fail(message: string): void;
  failure: string | undefined;
  close(): Promise<void>;
}

/** Parses a `--memory` value (`256MiB`, `0x10000000`). */
export function parseMemoryFlag(value: string): number {
  const size = parseSize(value);
  if (size === undefined || size === 0) throw new UserError(`--memory ${value}: expected a size like 256MiB`);
  return size;
}

/** Loads config, plugins and board, and builds a booted machine ready to `run()`. */
export async function createSession(o: SessionOptions): Promise<Session> {
  const cwd = o.cwd ?? process.cwd();
  if (o.engine !== undefined && !ENGINES.includes(o.engine)) throw new UserError(`--engine ${o.engine}: expected ${ENGINES.join(' or ')}`);
  const config = loadConfig(o.config, cwd);
  // The config's --global specs, then the flag's, then --rtc (flag, else config): the later wins.
  const configWhere = (path: Array<string | number>, spec: string) => (config.where ? `${config.where(path)}: ${spec}` : undefined);
  const overrides = [
    ...(config.global ?? []).map((spec, i) => parseGlobalSpec(spec, configWhere(['global', i], spec))),
    ...(o.globals ?? []).map((spec) => parseGlobalSpec(spec)),
    ...(o.rtc !== undefined ? [parseRtcSpec(o.rtc)] : config.rtc !== undefined ? [parseRtcSpec(config.rtc, configWhere(['rtc'], config.rtc))] : []),
  ];
  const container = createContainer({ config, cwd, pluginPaths: o.plugins ?? [] });

  const memory = o.memory !== undefined ? parseMemoryFlag(o.memory) : config.memory;
  const memoryWhere = o.memory !== undefined ? `--memory ${o.memory}` : config.where?.(['memory']);
  const serial: Record<string, Backend> = {};
  let consoleBackend: Backend | undefined;
  const consoleSpec = o.serial ?? (typeof config.serial === 'string' ? config.serial : undefined) ?? 'stdio';
  const consoleWhere = o.serial === undefined && typeof config.serial === 'string' ? configWhere(['serial'], consoleSpec) : undefined;
  if (typeof config.serial === 'object') for (const [dev, spec] of Object.entries(config.serial)) serial[dev] = createBackend(spec, configWhere(['serial', dev], spec));
  const drives = chooseDrives(o.drives, config, cwd);
  const driveDefaults = o.virtioVersion !== undefined ? { transport: parseTransport(o.virtioVersion, `--virtio-version ${o.virtioVersion}`) } : undefined;
  let machineRef: Machine | undefined;
  consoleBackend =
    consoleSpec === 'stdio' && o.symbolize ? new SymbolizingStdioBackend((addr) => (machineRef ? symbolizeAddress(machineRef, addr) : undefined), () => machineRef?.arch.consoleAddressKeywords) : createBackend(consoleSpec, consoleWhere);

  const more = [...(o.moreSerial ?? [])];
  // Output only (QEMU's debugcon takes no input): its input is closed so it never keeps a waiting guest alive.
  // Made before the board when given, so a bad --debugcon is one line about the flag.
  const newDebugcon = () => createBackend(o.debugcon ?? o.otherSerial ?? 'null', `--debugcon ${o.debugcon}`);
  const debugcon = o.debugcon !== undefined ? newDebugcon() : undefined;
  let debugconUsed = false;
  const debugconBackend = (): Backend => {
    const b = debugcon ?? newDebugcon();
    b.endInput();
    debugconUsed = true;
    return b;
  };
  const factory = container.get<MachineFactory>(TOKENS.MachineFactory);
  const machine = await factory.create(o.board, {
    kernel: o.kernel ?? config.kernel,
    bios: o.bios ?? config.bios,
    cpus: o.cpus ?? config.cpus,
    memory,
    memoryWhere,
    bootargs: o.append ?? config.append,
    dtb: o.dtb !== undefined ? resolve(cwd, o.dtb) : undefined,
    initrd: o.initrd !== undefined ? resolve(cwd, o.initrd) : undefined,
    modules: o.modules?.length ? o.modules.map((m) => parseModuleSpec(m, cwd, '--module')) : undefined,
    noReboot: o.noReboot,
    semihosting: o.semihosting ? { write: o.semihostingOut ?? ((bytes) => process.stderr.write(bytes)) } : undefined,
    realtime: (o.clock ?? config.clock) === 'realtime',
    engine: o.engine,
    idle: o.idle ?? config.idle ?? o.defaultIdle ?? 'warp',
    serial,
    console: consoleBackend,
    serialFallback: (device, type) => {
      if (type === 'isa-debugcon') return (serial[device] = debugconBackend());
      const spec = more.shift() ?? o.otherSerial;
      return spec === undefined ? undefined : (serial[device] = createBackend(spec));
    },
    drives,
    driveDefaults,
    notice: o.notice,
    overrides,
  });
  machineRef = machine;
  const registry = await factory.registry();
  const backends = [consoleBackend, ...Object.values(serial)];
  if (debugcon && !debugconUsed) {
    for (const b of [...backends, debugcon]) b.close();
    await machine.close();
    throw new UserError(`--debugcon ${o.debugcon}: board ${machine.board.name} has no isa-debugcon device`);
  }
  if (more.length > 0) {
    for (const b of backends) b.close();
    await machine.close();
    throw new UserError(`--serial ${more[0]}: board ${machine.board.name} has no serial port left for it (it has ${1 + (o.moreSerial?.length ?? 0) - more.length})`);
  }
  const session: Session = {
    machine,
    registry,
    console: consoleBackend,
    serial,
    failure: undefined,
    fail(message) {
      if (session.failure !== undefined) return;
      session.failure = message;
      machine.stop(message);
    },
    async close() {
      await machine.close();
      for (const b of backends) b.close();
    },
  };
  for (const b of backends) b.onFailure((message) => session.fail(message));
  await Promise.all(backends.map((b) => b.ready()));
  return session;
}
