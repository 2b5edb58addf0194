import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGE_HOLE, type CpuContext, type Device } from '../../../src/core/api.js';
import { checkBoard, loadBoard } from '../../../src/core/board.js';
import { buildMachine } from '../../../src/core/builder.js';
import { createRam, PhysicalBus, PortBus } from '../../../src/core/bus.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { EventStream } from '../../../src/core/events.js';
import { discoverPlugins, PluginRegistry } from '../../../src/core/plugins.js';
import { attachTrace } from '../../../src/core/trace.js';

/** A device that records its accesses: `region` is the window index (memory windows first, then ports). */
function recorder(log: string[]): Device {
  return {
    name: 'rec',
    read: (offset, size, region) => (log.push(`r${region}+${offset}/${size}`), 0x5a),
    write: (offset, size, value, region) => void log.push(`w${region}+${offset}/${size}=${value.toString(16)}`),
  };
}

describe('the I/O port space', () => {
  it('reads all ones from ports nobody decodes, ignores writes, and traces them as ports', () => {
    const events = new EventStream();
    const lines: string[] = [];
    attachTrace(events, ['unmapped'], () => 0, (l) => lines.push(l));
    const io = new PortBus(events);
    expect(io.read(0x1234, 1)).toBe(0xff);
    expect(io.read(0x1234, 2)).toBe(0xffff);
    expect(io.read(0x1234, 4)).toBe(0xffffffff);
    io.write(0x80, 1, 0x12);
    expect(lines[0]).toMatch(/read of 1 bytes at unmapped port 0x1234/);
    expect(lines[3]).toMatch(/write of 1 bytes at unmapped port 0x80 value 0x12/);
  });

  it('dispatches to device windows with their index, and refuses what the rules refuse with all ones', () => {
    const log: string[] = [];
    const io = new PortBus(new EventStream());
    const dev = recorder(log);
    io.map({ name: 'rec', base: 0x60, size: 1, device: dev, index: 1, access: { sizes: [1] } });
    io.map({ name: 'rec', base: 0x64, size: 1, device: dev, index: 2, access: { sizes: [1] } });
    expect(io.read(0x64, 1)).toBe(0x5a);
    io.write(0x60, 1, 0xf4);
    expect(io.read(0x60, 2)).toBe(0xffff);
    expect(log).toEqual(['r2+0/1', 'w1+0/1=f4']);
    expect(() => io.map({ name: 'other', base: 0x64, size: 4, device: dev, index: 0 })).toThrow(/other at 0x64 \(size 0x4\) overlaps rec at 0x64/);
  });
});

describe('RAM with holes', () => {
  it('leaves the hole to devices and ROMs: RAM around it, PAGE_HOLE on its pages, no DMA into it', () => {
    const bus = new PhysicalBus(createRam(0, 0x200000), new EventStream(), [[0xa0000, 0x60000]]);
    bus.write(0x9fffc, 4, 0x11223344);
    bus.write(0x100000, 4, 0x55667788);
    expect(bus.read(0x9fffc, 4)).toBe(0x11223344);
    expect(bus.read(0x100000, 4)).toBe(0x55667788);
    expect(bus.ram.u8[0x100000]).toBe(0x88); // the pieces are views of the one RAM array
    bus.fault = false;
    bus.read(0xb8000, 2);
    expect(bus.fault).toBe(true);
    expect(bus.pageFlags[0x9f]).toBe(0);
    expect(bus.pageFlags[0xa0] & PAGE_HOLE).toBe(PAGE_HOLE);
    expect(bus.pageFlags[0xff] & PAGE_HOLE).toBe(PAGE_HOLE);
    expect(bus.pageFlags[0x100]).toBe(0);
    bus.map({ name: 'bios', base: 0xf0000, size: 0x10000, bytes: new Uint8Array(0x10000).fill(0xea), readOnly: true, index: 0 });
    expect(bus.read(0xffff0, 1)).toBe(0xea);
    expect(bus.dmaWrite(0x9f000, new Uint8Array(0x2000))).toBe(false);
    expect(bus.dmaWrite(0x9f000, new Uint8Array(0x1000))).toBe(true);
  });
});

describe('boards with I/O windows and holes', () => {
  const known = { archTypes: ['i386'], deviceTypes: ['i8259', 'ns16550a', 'vgaish'] };
  function board(devices: string, memory = 'memory: { base: 0, size: 16MiB, holes: [[0xa0000, 0x60000]] }') {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-ports-'));
    const file = join(dir, 'b.yaml');
    writeFileSync(file, `arch: i386\n${memory}\ndevices:\n${devices}`);
    return loadBoard(file);
  }

  it('accepts memory windows in a hole and checks port windows against each other', () => {
    const ok = board('  - { type: vgaish, name: vga, reg: [0xb8000, 0x8000], io: [0x3b0, 0x30] }\n  - { type: ns16550a, name: com1, io: [0x3f8, 8] }\n');
    expect(ok.devices[0].io).toEqual([[0x3b0, 0x30]]);
    expect(() => checkBoard(ok, known)).not.toThrow();
    const clash = board('  - { type: ns16550a, name: com1, io: [0x3f8, 8] }\n  - { type: ns16550a, name: com9, io: [0x3fc, 8] }\n');
    expect(() => checkBoard(clash, known)).toThrow(/b\.yaml:5: devices\[1\]\.io: com9 at 0x3fc \(size 0x8\) overlaps com1 at 0x3f8/);
    const past = board('  - { type: ns16550a, name: com1, io: [0xfffc, 8] }\n');
    expect(() => checkBoard(past, known)).toThrow(/devices\[0\]\.io: ports 0xfffc\+0x8 pass the I\/O space's end/);
    const onRam = board('  - { type: vgaish, name: vga, reg: [0x9f000, 0x2000] }\n');
    expect(() => checkBoard(onRam, known)).toThrow(/devices\[0\]\.reg: vga at 0x9f000 \(size 0x2000\) overlaps memory at 0x0/);
  });

  it('wants holes page-aligned and inside RAM', () => {
    expect(() => checkBoard(board('  []\n', 'memory: { base: 0, size: 16MiB, holes: [[0xa0100, 0x1000]] }'), known)).toThrow(/memory\.holes: \[0xa0100, 0x1000\]: holes are whole 4 KiB pages/);
    expect(() => checkBoard(board('  []\n', 'memory: { base: 0, size: 1MiB, holes: [[0xf0000, 0x20000]] }'), known)).toThrow(/memory\.holes: \[0xf0000, 0x20000\]: lies outside RAM/);
  });
});

describe('the pc board: ports and the interrupt acknowledge cycle through the core', () => {
  it('reaches the PICs through CpuContext.io and gets the slave vector through the master (IRQ 12 -> 0x74)', async () => {
    const registry = new PluginRegistry();
    const dir = mkdtempSync(join(tmpdir(), 'rvos-pc-'));
    await registry.loadAll(discoverPlugins([], dir).filter((c) => c.source === 'builtin' && !c.dir.endsWith('arch-i386')));
    const { i386 } = await import('../../../plugins/arch-i386/src/index.js');
    const contexts: CpuContext[] = [];
    registry
      .apiFor({ name: 'i386-spy', version: '1.0.0', kind: 'arch', dir, entry: 'x.js', source: 'flag', provides: [] })
      .defineArch({ ...i386, createCpu: (ctx) => (contexts.push(ctx), i386.createCpu(ctx)) });
    const machine = buildMachine(registry, loadBoard('pc'), { drives: [], console: new CaptureBackend() });
    const { io, acknowledge } = contexts[0];
    const out = (port: number, v: number) => io!.write(port, 1, v);
    // ICW1-4 on both chips: master vectors at 0x68, slave at 0x70.
    [0x11, 0x68, 0x04, 0x01].forEach((v, i) => out(i ? 0x21 : 0x20, v));
    [0x11, 0x70, 0x02, 0x01].forEach((v, i) => out(i ? 0xa1 : 0xa0, v));
    out(0x21, 0x00);
    out(0xa1, 0x00);
    expect(acknowledge!('intr')).toBe(0x6f); // nothing pending: the master's spurious IRQ 7
    const slave = machine.devices.find((d) => d.entry.name === 'pic2')!.device;
    slave.irqInput!('ir4')!.set(true);
    expect(acknowledge!('intr')).toBe(0x74);
    out(0xa0, 0x0b);
    expect(io!.read(0xa0, 1)).toBe(0x10); // in service on the slave
    out(0x20, 0x0b);
    expect(io!.read(0x20, 1)).toBe(0x04); // and IR2 on the master
    expect(io!.read(0x5555, 1)).toBe(0xff);
    expect(acknowledge!('nmi')).toBe(-1);
  });
});
