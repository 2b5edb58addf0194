import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device, DeviceType } from '../../../src/core/api.js';
import { loadBoard } from '../../../src/core/board.js';
import { buildMachine } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { PluginError } from '../../../src/core/errors.js';
import type { Machine } from '../../../src/core/machine.js';
import { discoverPlugins, PluginRegistry } from '../../../src/core/plugins.js';
import { assemble, jal, li, lw, sw, t0, t1, zero } from '../../helpers/rv32asm.js';

/**
 * A failing plugin stops the machine with one PluginError naming the plugin, the device, what
 * failed and (when a guest ran) the pc; it never turns into an internal error.
 */

const dir = mkdtempSync(join(tmpdir(), 'rvos-plugin-failure-'));
const BOOM = 0x10100000;
let builtins: PluginRegistry;

beforeAll(async () => {
  builtins = new PluginRegistry();
  await builtins.loadAll(discoverPlugins([], dir).filter((c) => c.source === 'builtin'));
});

/** The built-in plugins plus `types` from a plugin named "rvos-dev-boom", on virt with one device "boom0". */
async function machineWith(type: DeviceType, program: number[] = [jal(zero, 0)]): Promise<Machine> {
  const registry = new PluginRegistry();
  await registry.loadAll(builtins.plugins.map((p) => ({ dir: p.dir, source: p.source })));
  registry.apiFor({ name: 'rvos-dev-boom', version: '1.0.0', kind: 'device', dir, entry: 'index.js', source: 'flag', provides: [] }).defineDevice(type);
  const board = join(dir, `${type.type}.yaml`);
  writeFileSync(board, `extends: virt\ndevices:\n  - { type: ${type.type}, name: boom0, reg: [${BOOM}, 0x1000] }\n`);
  const kernel = join(dir, `${type.type}.bin`);
  writeFileSync(kernel, assemble(program));
  return buildMachine(registry, loadBoard(board), { bios: 'none', kernel, drives: [], console: new CaptureBackend() });
}

const device = (type: string, methods: Partial<Device> & Record<string, unknown>, extra: Partial<DeviceType> = {}): DeviceType => ({
  type,
  description: 'fails on purpose',
  create: (ctx) => ({ name: ctx.entry.name, ...methods }),
  ...extra,
});

/** Loads the address of boom0 into t0, then runs `access`, then spins. */
const touching = (...access: number[]) => [...li(t0, BOOM), ...access, jal(zero, 0)];

describe('plugin failures', () => {
  it('create() that throws is a PluginError naming plugin and device', async () => {
    const bad = device('boom-create', {}, {
      create: () => {
        throw new Error('no luck');
      },
    });
    const e = await machineWith(bad).catch((x) => x);
    expect(e).toBeInstanceOf(PluginError);
    expect(e.message).toBe('plugin rvos-dev-boom: device boom0: create() failed: no luck');
  });

  it('create() that returns null or a non-object', async () => {
    const none = device('boom-null', {}, { create: () => null as unknown as Device });
    await expect(machineWith(none)).rejects.toThrow('plugin rvos-dev-boom: device boom0: create() failed: returned null instead of a device object');
    const num = device('boom-num', {}, { create: () => 7 as unknown as Device });
    await expect(machineWith(num)).rejects.toThrow(/create\(\) failed: returned number instead of a device object/);
  });

  it('deviceTree() that throws', async () => {
    const bad = device('boom-dt', {
      deviceTree: () => {
        throw new TypeError('cannot read x');
      },
    });
    await expect(machineWith(bad)).rejects.toThrow('plugin rvos-dev-boom: device boom0: deviceTree() failed: cannot read x');
  });

  it('a register read that throws inside a CPU slice ends the run with the access and the guest pc', async () => {
    const bad = device('boom-read', {
      read: () => {
        throw new Error('read exploded');
      },
    });
    const program = touching(lw(t1, t0, 8));
    const m = await machineWith(bad, program);
    const r = await m.run({ maxInsns: 1_000_000 });
    const pc = 0x80000000 + 4 * li(t0, BOOM).length;
    expect(r.reason).toBe('plugin-error');
    expect(r.error).toBeInstanceOf(PluginError);
    expect(r.message).toBe(
      `plugin rvos-dev-boom: device boom0: read of 4 bytes at 0x10100008 (+0x8) failed at pc=0x${pc.toString(16)}: read exploded`,
    );
    expect(r.instructions).toBeLessThan(10); // the CPU left its slice at once
  });

  it('a register write that throws names the value', async () => {
    const bad = device('boom-write', {
      write: () => {
        throw 'a string';
      },
    });
    const m = await machineWith(bad, [...li(t1, 0x1234), ...touching(sw(t1, t0, 0))]);
    const r = await m.run({ maxInsns: 1_000_000 });
    expect(r.reason).toBe('plugin-error');
    expect(r.message).toMatch(/^plugin rvos-dev-boom: device boom0: write of 4 bytes \(value 0x1234\) at 0x10100000 \(\+0x0\) failed at pc=0x800000[0-9a-f]{2}: threw "a string"$/);
  });

  it('a timer callback that throws', async () => {
    const bad = device('boom-timer', {}, {
      create: (ctx) => {
        ctx.clock.createTimer('tick', () => {
          throw new Error('tock');
        }).armAt(5000);
        return { name: ctx.entry.name };
      },
    });
    const r = await (await machineWith(bad)).run({ maxInsns: 1_000_000 });
    expect(r.reason).toBe('plugin-error');
    expect(r.message).toMatch(/^plugin rvos-dev-boom: device boom0: timer "tick" failed at pc=0x[0-9a-f]{8}: tock$/);
  });

  it('reset() that throws (a guest-requested reset)', async () => {
    const bad = device('boom-reset', {
      reset: () => {
        throw new Error('no reset for you');
      },
    });
    // sifive_test at 0x100000: 0x7777 requests a machine reset.
    const m = await machineWith(bad, [...li(t0, 0x100000), ...li(t1, 0x7777), sw(t1, t0, 0), jal(zero, 0)]);
    const r = await m.run({ maxInsns: 1_000_000 });
    expect(r.reason).toBe('plugin-error');
    expect(r.message).toMatch(/^plugin rvos-dev-boom: device boom0: reset\(\) failed at pc=0x[0-9a-f]{8}: no reset for you$/);
  });

  it('close() that throws or rejects', async () => {
    const sync = device('boom-close', {
      close: () => {
        throw new Error('stuck');
      },
    });
    await expect((await machineWith(sync)).close()).rejects.toThrow('plugin rvos-dev-boom: device boom0: close() failed: stuck');
    const async = device('boom-close-async', { close: () => Promise.reject(new Error('later')) });
    await expect((await machineWith(async)).close()).rejects.toThrow('plugin rvos-dev-boom: device boom0: close() failed: later');
  });
});

describe('architecture plugin failures', () => {
  /** Builds virt with the rv32 arch replaced by a wrapper from "rvos-arch-boom" that breaks `how`. */
  async function archMachine(how: 'createCpu' | 'boot' | 'run'): Promise<Machine> {
    const real = builtins.arch('rv32');
    const registry = new PluginRegistry();
    const plugins = builtins.plugins.filter((p) => !p.provides.includes('rv32'));
    await registry.loadAll(plugins.map((p) => ({ dir: p.dir, source: p.source })));
    const api = registry.apiFor({ name: 'rvos-arch-boom', version: '1.0.0', kind: 'arch', dir, entry: 'index.js', source: 'flag', provides: [] });
    // virt names the riscv-virt-rom protocol: this plugin provides it too, failing when asked to.
    api.defineBoot({
      name: 'riscv-virt-rom',
      description: 'virt start that can fail',
      archs: ['rv32'],
      boot: (ctx) => {
        if (how === 'boot') throw new Error('cannot boot');
        return real.boot(ctx);
      },
    });
    api.defineArch({
      ...real,
      createCpu: (ctx) => {
        if (how === 'createCpu') throw new Error('no cores today');
        const cpu = real.createCpu(ctx);
        if (how !== 'run') return cpu;
        return Object.assign(Object.create(Object.getPrototypeOf(cpu)), cpu, {
          run: () => {
            throw new RangeError('decoder fell over');
          },
        });
      },
    });
    const kernel = join(dir, 'spin.bin');
    writeFileSync(kernel, assemble([jal(zero, 0)]));
    return buildMachine(registry, loadBoard('virt'), { bios: 'none', kernel, drives: [], console: new CaptureBackend() });
  }

  it('createCpu() and a boot protocol that throw are PluginErrors naming the plugin', async () => {
    await expect(archMachine('createCpu')).rejects.toThrow('plugin rvos-arch-boom: arch rv32: createCpu() failed: no cores today');
    await expect(archMachine('boot')).rejects.toThrow('plugin rvos-arch-boom: boot protocol riscv-virt-rom: boot() failed: cannot boot');
  });

  it('a CPU that throws while running ends the run as a plugin error with its pc, not an internal error', async () => {
    const m = await archMachine('run');
    const r = await m.run({ maxInsns: 1_000 });
    expect(r.reason).toBe('plugin-error');
    expect(r.message).toMatch(/^plugin rvos-arch-boom: arch rv32: cpu0 run\(\) failed at pc=0x[0-9a-f]{8}: decoder fell over$/);
  });
});

describe('plugin loading failures', () => {
  const rvos = { apiVersion: 1, kind: 'device', entry: 'index.js' };
  const plugin = (name: string, entry: string) => {
    const d = join(dir, 'load', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'package.json'), JSON.stringify({ name, type: 'module', rvos }));
    writeFileSync(join(d, 'index.js'), entry);
    return { dir: d, source: 'flag' as const };
  };

  it('a register() that rejects', async () => {
    const c = plugin('rejects', 'export async function register(api) { await null; throw new Error("async nope"); }');
    const e = await new PluginRegistry().load(c).catch((x) => x);
    expect(e).toBeInstanceOf(PluginError);
    expect(e.message).toBe('plugin rejects: register() failed: async nope');
  });

  it('an async register() is awaited before the types count', async () => {
    const c = plugin('slow', `export async function register(api) {
      await new Promise((r) => setTimeout(r, 20));
      api.defineDevice({ type: 'slow-dev', description: 'late', create: (ctx) => ({ name: ctx.entry.name }) });
    }`);
    const reg = new PluginRegistry();
    await reg.load(c);
    expect(reg.deviceTypes()).toContain('slow-dev');
  });

  it('an entry whose top-level await never settles', async () => {
    const c = plugin('tla', 'await new Promise(() => {});\nexport function register() {}');
    const reg = new PluginRegistry();
    reg.loadTimeoutMs = 200;
    const e = await reg.load(c).catch((x) => x);
    expect(e).toBeInstanceOf(PluginError);
    expect(e.message).toMatch(/^plugin tla: loading .*index\.js failed: did not settle within 0\.2 s \(a top-level await/);
  });

  it('a bad props or outputs declaration fails register()', async () => {
    const c = plugin('badprops', `export function register(api) {
      api.defineDevice({ type: 'bp', description: 'x', props: { n: api.prop.int({ default: 0, min: 1, description: 'n' }) }, create: () => ({ name: 'x' }) });
    }`);
    await expect(new PluginRegistry().load(c)).rejects.toThrow('plugin badprops: register() failed: device type "bp": props.n: bad default: 0 is below the minimum 1');
    const d = plugin('badout', `export function register(api) {
      api.defineDevice({ type: 'bo', description: 'x', outputs: { irq: {} }, create: () => ({ name: 'x' }) });
    }`);
    await expect(new PluginRegistry().load(d)).rejects.toThrow(/device type "bo": outputs\.irq: needs \{ description/);
  });
});
