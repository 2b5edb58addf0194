import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeviceType, PropsOf } from '../../../src/core/api.js';
import { checkBoard, loadBoard } from '../../../src/core/board.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { EventStream } from '../../../src/core/events.js';
import { outputLines, resolveIrq } from '../../../src/core/outputs.js';
import { discoverPlugins, PluginRegistry } from '../../../src/core/plugins.js';
import { createPropKit, describeProps, resolveProps } from '../../../src/core/props.js';
import { instantiate } from '../../helpers/device-context.js';

const prop = createPropKit();
const schema = {
  periodNs: prop.int({ default: 1000, min: 1, description: 'period' }),
  gain: prop.number({ default: 0.5, min: 0, max: 1, description: 'gain' }),
  loud: prop.bool({ default: false, description: 'loud' }),
  label: prop.string({ description: 'label' }),
  mode: prop.enum(['fast', 'exact'], { default: 'exact', description: 'mode' }),
  key: prop.int({ required: true, description: 'a key' }),
};

describe('device props', () => {
  it('fill defaults, keep given values, leave optional ones out, and type ctx.props', () => {
    const r = resolveProps(schema, { key: 3, label: 'x', periodNs: 0x100 }, 't');
    expect(r).toEqual({ ok: true, props: { periodNs: 256, gain: 0.5, loud: false, label: 'x', mode: 'exact', key: 3 } });
    // Type-level: the schema gives ctx.props its types.
    const typed: PropsOf<typeof schema> = { periodNs: 1, gain: 0, loud: true, label: undefined, mode: 'fast', key: 1 };
    expect(typed.mode).toBe('fast');
  });

  it('reject wrong types, ranges, enum values, unknown and missing props', () => {
    const bad = (given: Record<string, unknown>) => resolveProps(schema, { key: 1, ...given }, 'timer');
    expect(bad({ periodNs: 'fast' })).toEqual({ ok: false, prop: 'periodNs', problem: 'expected an integer, got "fast"' });
    expect(bad({ periodNs: 1.5 })).toMatchObject({ problem: 'expected an integer, got 1.5' });
    expect(bad({ periodNs: 0 })).toMatchObject({ problem: '0 is below the minimum 1' });
    expect(bad({ gain: 2 })).toMatchObject({ prop: 'gain', problem: '2 is above the maximum 1' });
    expect(bad({ loud: 'yes' })).toMatchObject({ problem: 'expected true or false, got "yes"' });
    expect(bad({ label: 5 })).toMatchObject({ problem: 'expected a string, got 5' });
    expect(bad({ mode: 'slow' })).toMatchObject({ problem: 'expected one of "fast", "exact", got "slow"' });
    expect(bad({ speed: 1 })).toMatchObject({ prop: 'speed', problem: 'unknown prop (timer takes: periodNs, gain, loud, label, mode, key; every device takes console)' });
    expect(bad({ console: 1 })).toMatchObject({ prop: 'console', problem: 'expected true or false, got 1' });
    expect(resolveProps(schema, {}, 'timer')).toMatchObject({ prop: 'key', problem: 'required (a key)' });
    expect(resolveProps(undefined, { x: 1 }, 'plain')).toMatchObject({ problem: 'unknown prop (plain takes none; every device takes console)' });
  });

  it('describe themselves for listings', () => {
    expect(describeProps(schema)).toContainEqual({ name: 'periodNs', type: 'int 1.., default 1000', description: 'period' });
    expect(describeProps(schema)).toContainEqual({ name: 'mode', type: '"fast"|"exact", default "exact"', description: 'mode' });
  });
});

describe('named outputs', () => {
  const type = (outputs: DeviceType['outputs']): DeviceType => ({ type: 'x', description: '', outputs, create: () => ({ name: 'x' }) });
  const clintLike = type({ msip: { description: 's', perCpu: true, required: true }, mtip: { description: 't', perCpu: true, required: true } });

  it('a single target names the only output; a map names each', () => {
    expect(resolveIrq(type({ irq: { description: 'i' } }), 'plic:10')).toEqual({ ok: true, irq: { irq: 'plic:10' } });
    expect(resolveIrq(clintLike, { mtip: 'cpus:mtip', msip: 'cpus:msip' })).toEqual({ ok: true, irq: { mtip: 'cpus:mtip', msip: 'cpus:msip' } });
    expect(resolveIrq(type({ irq: { description: 'i' } }), undefined)).toEqual({ ok: true, irq: {} });
  });

  it('rejects unknown, missing required, ambiguous and misdirected outputs', () => {
    expect(resolveIrq(clintLike, 'cpus:mtip')).toMatchObject({ field: 'irq', problem: 'one target given, but x has: msip, mtip; name them: irq: { msip: ..., mtip: ... }' });
    expect(resolveIrq(clintLike, { msip: 'cpus:msip', mtip: 'cpus:mtip', foo: 'plic:1' })).toMatchObject({ field: 'irq.foo', problem: 'unknown output "foo" (x has: msip, mtip)' });
    expect(resolveIrq(clintLike, { msip: 'cpus:msip' })).toMatchObject({ field: 'irq.mtip', problem: 'output "mtip" must be connected (t)' });
    expect(resolveIrq(clintLike, { msip: 'cpu0:msip', mtip: 'cpus:mtip' })).toMatchObject({ field: 'irq.msip', problem: expect.stringMatching(/one line per CPU/) });
    expect(resolveIrq(type({ irq: { description: 'i' } }), 'cpus:meip')).toMatchObject({ problem: expect.stringMatching(/is a single line/) });
    expect(resolveIrq(type(undefined), 'plic:1')).toMatchObject({ problem: 'one target given, but x has no interrupt outputs' });
  });

  it('lists lines in QEMU order: per-CPU outputs CPU by CPU, then single ones', () => {
    const t = type({ a: { description: 'a', perCpu: true }, one: { description: 'o' }, b: { description: 'b', perCpu: true } });
    const lines = outputLines(t, { a: 'cpus:x', b: 'cpus:y', one: 'plic:3' }, 2).map((l) => `${l.output}${l.cpu ?? ''}->${l.target?.cpu ?? l.target?.device}:${l.target?.input}`);
    expect(lines).toEqual(['a0->0:x', 'b0->0:y', 'a1->1:x', 'b1->1:y', 'one->plic:3']);
  });

  it('ctx.output gives the named line and refuses undeclared ones', () => {
    const seen: string[] = [];
    const t: DeviceType = {
      type: 'probe',
      description: '',
      outputs: { tick: { description: 't', perCpu: true }, irq: { description: 'i' } },
      create: (ctx) => {
        seen.push(ctx.output('tick', 1).name, ctx.output('irq').name);
        for (const bad of [() => ctx.output('nope'), () => ctx.output('tick'), () => ctx.output('tick', 2), () => ctx.output('irq', 0)]) {
          try {
            bad();
          } catch (e) {
            seen.push((e as Error).message);
          }
        }
        return { name: 'p' };
      },
    };
    instantiate(t, { name: 'p', cpuCount: 2, irq: { tick: 'cpus:tick' } });
    expect(seen).toEqual([
      'p.tick[1]',
      'p.irq',
      'ctx.output("nope"): probe declares no such output (outputs: tick, irq)',
      'ctx.output("tick", undefined): a per-CPU output needs a CPU index 0..1',
      'ctx.output("tick", 2): a per-CPU output needs a CPU index 0..1',
      'ctx.output("irq", 0): irq is not a per-CPU output',
    ]);
  });
});

describe('board files: props and outputs checked against the plugins', () => {
  let registry: PluginRegistry;
  const dir = mkdtempSync(join(tmpdir(), 'rvos-props-'));
  beforeAll(async () => {
    registry = new PluginRegistry();
    await registry.loadAll(discoverPlugins([], dir).filter((c) => c.source === 'builtin'));
  });
  const check = (file: string) =>
    checkBoard(loadBoard(join(dir, file)), { archTypes: registry.archTypes(), deviceTypes: registry.deviceTypes(), deviceType: (n) => registry.device(n) });

  it('the built-in virt board resolves with defaults filled in', () => {
    const r = checkBoard(loadBoard('virt'), { archTypes: registry.archTypes(), deviceTypes: registry.deviceTypes(), deviceType: (n) => registry.device(n) });
    expect(r.get('plic')).toEqual({ props: { sources: 96, priorityBits: 3 }, irq: { meip: 'cpus:meip', seip: 'cpus:seip' } });
    expect(r.get('uart0')?.props).toMatchObject({ regShift: 0, regIoWidth: 1, console: true });
    expect(r.get('virtio3')?.props).toEqual({ version: 1 });
  });

  it.each([
    ['plic', 'sources: 5000', 'sources: 5000 is above the maximum 1024'],
    ['clint', 'timebaseFrequency: 0', 'timebaseFrequency: 0 is below the minimum 1'],
    ['uart0', 'regShift: 99', 'regShift: 99 is above the maximum 4'],
    ['virtio3', 'version: 7', 'version: expected one of 1, 2, got 7'],
    ['uart0', 'baudbase: "fast"', 'baudbase: expected an integer, got "fast"'],
  ])('%s { %s } is file:line: device NAME: prop: problem', (name, props, problem) => {
    writeFileSync(join(dir, 'bad.yaml'), `extends: virt\ndevices:\n  - name: ${name}\n    props:\n      ${props}\n`);
    expect(() => check('bad.yaml')).toThrow(`${join(dir, 'bad.yaml')}:5: device ${name}: ${problem}`);
  });

  it('reports a prop in the file that wrote it (extends)', () => {
    writeFileSync(join(dir, 'soc.yaml'), `extends: virt\nname: soc\ndevices:\n  - { name: plic, props: { sources: 4000 } }\n`);
    writeFileSync(join(dir, 'board.yaml'), `extends: soc.yaml\nname: board\ndevices:\n  - name: uart0\n    props: { regShift: 2 }\n`);
    expect(() => check('board.yaml')).toThrow(`${join(dir, 'soc.yaml')}:4: device plic: sources: 4000 is above the maximum 1024`);
    writeFileSync(join(dir, 'board2.yaml'), `extends: soc.yaml\ndevices:\n  - name: plic\n    props:\n      sources: 64\n  - name: uart0\n    props:\n      regShift: 9\n`);
    expect(() => check('board2.yaml')).toThrow(`${join(dir, 'board2.yaml')}:8: device uart0: regShift: 9 is above the maximum 4`);
  });

  it('rejects unknown output names and missing required outputs with file:line', () => {
    writeFileSync(join(dir, 'o1.yaml'), `extends: virt\ndevices:\n  - name: uart0\n    irq: { tx: plic:10 }\n`);
    expect(() => check('o1.yaml')).toThrow(`${join(dir, 'o1.yaml')}:4: device uart0: irq.tx: unknown output "tx" (ns16550a has: irq)`);
    writeFileSync(join(dir, 'o2.yaml'), `extends: virt\ndevices:\n  - name: clint\n    irq:\n      msip: cpus:msip\n`);
    expect(() => check('o2.yaml')).toThrow(`${join(dir, 'o2.yaml')}:5: device clint: irq.mtip: output "mtip" must be connected`);
    writeFileSync(join(dir, 'o3.yaml'), `extends: virt\ndevices:\n  - { name: clint, irq: [cpus:msip, cpus:mtip] }\n`);
    expect(() => loadBoard(join(dir, 'o3.yaml'))).toThrow(/o3\.yaml:3: devices\[0\]\.irq: expected one target \(irq: plic:10\) or a map of output names/);
  });
});

describe('bus access rules', () => {
  it('refuse sizes, misalignment and offsets past the extent without calling the device', () => {
    const events = new EventStream();
    const bus = new PhysicalBus(createRam(0x80000000, 0x1000), events);
    const calls: string[] = [];
    const refused: unknown[] = [];
    events.on('unmapped', (e) => refused.push(e));
    const device = { name: 'dev', read: (o: number, s: number) => (calls.push(`r${o}/${s}`), 7), write: (o: number, s: number) => void calls.push(`w${o}/${s}`) };
    bus.map({ name: 'dev', base: 0x1000, size: 0x100, device, index: 0, access: { sizes: [2, 4], aligned: true, extent: 0x40 } });
    const faults = (fn: () => void) => {
      bus.fault = false;
      fn();
      return bus.fault;
    };
    expect(faults(() => bus.read(0x1000, 1))).toBe(true);
    expect(faults(() => bus.read(0x1002, 4))).toBe(true);
    expect(faults(() => bus.write(0x1040, 4, 1))).toBe(true);
    expect(calls).toEqual([]);
    expect(faults(() => expect(bus.read(0x1002, 2)).toBe(7))).toBe(false);
    expect(faults(() => bus.write(0x103c, 4, 1))).toBe(false);
    expect(calls).toEqual(['r2/2', 'w60/4']);
    expect(refused).toEqual([
      { addr: 0x1000, size: 1, write: false, value: 0, device: 'dev', reason: 'it accepts 2/4-byte accesses only' },
      { addr: 0x1002, size: 4, write: false, value: 0, device: 'dev', reason: 'misaligned' },
      { addr: 0x1040, size: 4, write: true, value: 1, device: 'dev', reason: 'beyond the 0x40 bytes it decodes' },
    ]);
  });
});
