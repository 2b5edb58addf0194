import { connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import type { ArchType, DeviceType } from '../../../src/core/api.js';
import type { Board } from '../../../src/core/board.js';
import { buildMachine } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { encodePacket, PacketDecoder } from '../../../src/core/gdb/packet.js';
import { GdbServer } from '../../../src/core/gdb/server.js';
import { PluginRegistry } from '../../../src/core/plugins.js';
import { FAKE_ARCH_DEBUG, FakeDebugCpu } from '../../helpers/gdb-fake.js';

/** A machine of fake debuggable CPUs; a periodic timer shows whether virtual time moves. */
function setup(cpuCount: number, program: (cpu: FakeDebugCpu) => void, realtime = false) {
  const cpus: FakeDebugCpu[] = [];
  const arch: ArchType = {
    type: 'fake',
    description: 'test',
    elfMachine: 0,
    elfClass: 1,
    debug: FAKE_ARCH_DEBUG,
    createCpu: (ctx) => {
      const c = new FakeDebugCpu(ctx.id, ctx);
      program(c);
      cpus.push(c);
      return c;
    },
    deviceTreeCpus: (_root, list, _props, alloc) => list.map(() => alloc()),
    cpuInterruptCells: () => [1],
    boot: () => ({ images: [], dtbAddress: 0 }),
  };
  let ticks = 0;
  const ticker: DeviceType = {
    type: 'ticker',
    description: 'counts 1 us ticks',
    create: (ctx) => {
      const t = ctx.clock.createTimer('tick', () => {
        ticks++;
        t.armAt(ctx.clock.now() + 1000);
      });
      t.armAt(1000);
      return { name: ctx.entry.name };
    },
  };
  const registry = new PluginRegistry();
  const api = registry.apiFor({ name: 'test', version: '0', kind: 'mixed', dir: '.', entry: '.', source: 'flag', provides: [] });
  api.defineArch(arch);
  api.defineDevice(ticker);
  const board: Board = {
    name: 'test',
    description: '',
    files: ['test.yaml'],
    arch: 'fake',
    cpus: cpuCount,
    cpu: {},
    cpuIrq: {},
    memory: { base: 0, size: 0x10000 },
    nsPerInstruction: 10,
    devicetree: {},
    devices: [{ type: 'ticker', name: 't', reg: [], io: [], props: {}, origin: { file: 'test.yaml', line: 1, path: 'devices[0]' } }],
    boot: {},
    origin: (path) => ({ file: 'test.yaml', line: 1, path }),
  };
  const machine = buildMachine(registry, board, { console: new CaptureBackend(), realtime });
  return { machine, cpus, ticks: () => ticks };
}

/** A minimal gdb client: sends packets, collects replies (acks and framing checked). */
class Client {
  private readonly decoder = new PacketDecoder();
  private readonly replies: string[] = [];
  private waiter: (() => void) | undefined;
  acks = 0;
  naks = 0;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const f of this.decoder.feed(chunk)) {
        if (f.type === 'ack') this.acks++;
        if (f.type === 'nak') this.naks++;
        if (f.type === 'packet') {
          this.replies.push(new TextDecoder().decode(f.data));
          this.waiter?.();
        }
      }
    });
  }
  static async open(port: number): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    return new Client(socket);
  }
  async next(): Promise<string> {
    while (this.replies.length === 0) await new Promise<void>((r) => (this.waiter = r));
    return this.replies.shift()!;
  }
  async ask(p: string): Promise<string> {
    this.socket.write(encodePacket(p));
    return this.next();
  }
}

describe('gdb stub on a machine', () => {
  it('--wait-gdb halts before the first instruction; breakpoints, steps, watchpoints, Ctrl-C, exit', async () => {
    const { machine, cpus, ticks } = setup(2, (c) => {
      c.stores.set(0x80000100, 0x80000800);
      c.stores.set(0x80001000, -1); // power-off
    });
    const server = await GdbServer.listen(machine, { host: '127.0.0.1', port: 0, waitGdb: true, traceLine: () => {} });
    const port = Number(server.address.split(':')[1]);
    const running = machine.run();
    await new Promise((r) => setTimeout(r, 30));
    expect(machine.instructions).toBe(0);
    expect(machine.debugStatus?.()).toBe(`gdb: waiting on ${server.address}`);
    const gdb = await Client.open(port);
    expect(await gdb.ask('?')).toBe('T05thread:1;');
    expect(gdb.acks).toBe(1);
    // A '-' asks for the last reply again; a bad checksum gets '-'.
    gdb.socket.write('-');
    expect(await gdb.next()).toBe('T05thread:1;');
    const acks = gdb.acks;
    gdb.socket.write('$?#00');
    expect(await gdb.ask('qC')).toBe('QC1'); // its '-' came before this reply
    expect(gdb.acks).toBe(acks + 1);
    expect(gdb.naks).toBe(1);
    expect(await gdb.ask('QStartNoAckMode')).toBe('OK');
    expect(await gdb.ask('Z0,80000040,4')).toBe('OK');
    gdb.socket.write(encodePacket('vCont;c'));
    expect(await gdb.next()).toMatch(/^T05thread:[12];swbreak:;$/);
    expect(machine.halted).toBe(true);
    // Halted: neither instructions nor virtual time move.
    const [insns, now, t] = [machine.instructions, machine.clock.now(), ticks()];
    await new Promise((r) => setTimeout(r, 30));
    expect([machine.instructions, machine.clock.now(), ticks()]).toEqual([insns, now, t]);
    expect(machine.debugStatus?.()).toMatch(/^halted at 0x80000040/);
    // Step CPU 2 only (it is at the breakpoint too: remove it first, as gdb does).
    expect(await gdb.ask('z0,80000040,4')).toBe('OK');
    const [pc0, pc1] = [cpus[0].pcValue, cpus[1].pcValue];
    expect(await gdb.ask('vCont;s:2')).toBe('T05thread:2;');
    expect(cpus[1].pcValue).toBe(pc1 + 4);
    expect(cpus[0].pcValue).toBe(pc0);
    expect(cpus[1].maskedRuns).toBe(1);
    expect(machine.clock.now()).toBe(now + 10);
    // Watchpoint hit, then Ctrl-C while running.
    expect(await gdb.ask('Z2,80000800,4')).toBe('OK');
    gdb.socket.write(encodePacket('c'));
    expect(await gdb.next()).toMatch(/^T05thread:[12];watch:80000800;$/);
    expect(await gdb.ask('z2,80000800,4')).toBe('OK');
    expect(cpus.every((c) => !c.debug.maskInterrupts)).toBe(true);
    // Memory: RAM at physical 0 is virtual 0x80000000 on the fake CPU.
    machine.bus.ram.u8.set([0xde, 0xad], 0x10);
    expect(await gdb.ask('m80000010,2')).toBe('dead');
    expect(await gdb.ask('M80000010,1:be')).toBe('OK');
    expect(machine.bus.ram.u8[0x10]).toBe(0xbe);
    // Continue to power-off: gdb hears W00.
    gdb.socket.write(encodePacket('c'));
    const result = await running;
    await server.close(0);
    expect(await gdb.next()).toBe('W00');
    expect(result.reason).toBe('poweroff');
    expect(cpus.some((c) => c.pcValue === 0x80001004)).toBe(true);
  });

  it('a continue that stops at once on a breakpoint leaves virtual time where it was', async () => {
    const { machine, ticks } = setup(1, () => {});
    const server = await GdbServer.listen(machine, { host: '127.0.0.1', port: 0, waitGdb: true, traceLine: () => {} });
    const running = machine.run({ maxInsns: 1000 });
    const gdb = await Client.open(Number(server.address.split(':')[1]));
    expect(await gdb.ask('?')).toBe('T05thread:1;');
    // The CPU is at 0x80000000: a breakpoint there stops the continue before any instruction runs,
    // which must not look like an idle machine (whose time would jump to the next timer).
    expect(await gdb.ask('Z0,80000000,4')).toBe('OK');
    gdb.socket.write(encodePacket('c'));
    expect(await gdb.next()).toBe('T05thread:1;swbreak:;');
    expect([machine.instructions, machine.clock.now(), ticks()]).toEqual([0, 0, 0]);
    expect(await gdb.ask('z0,80000000,4')).toBe('OK');
    gdb.socket.write(encodePacket('c'));
    const result = await running;
    await server.close(0);
    expect(result.reason).toBe('max-insns');
  });

  it('attaching halts a running machine; Ctrl-C and detach resume it', async () => {
    const { machine } = setup(1, () => {});
    const server = await GdbServer.listen(machine, { host: '127.0.0.1', port: 0, waitGdb: false, traceLine: () => {} });
    const running = machine.run({ maxInsns: 50_000_000 });
    const gdb = await Client.open(Number(server.address.split(':')[1]));
    expect(await gdb.ask('?')).toBe('T05thread:1;');
    expect(machine.halted).toBe(true);
    gdb.socket.write(encodePacket('c'));
    await new Promise((r) => setTimeout(r, 20));
    gdb.socket.write(new Uint8Array([3]));
    expect(await gdb.next()).toBe('T02thread:1;');
    expect(await gdb.ask('qRcmd,' + Buffer.from('info registers').toString('hex'))).toMatch(/^[0-9a-f]+$/);
    expect(await gdb.ask('D')).toBe('OK'); // detached (and resumed) before the reply went out
    expect(machine.halted).toBe(false);
    gdb.socket.destroy();
    machine.stop();
    await running;
    await server.close();
  });

  it('with a realtime clock, the time halted by the debugger is skipped: no jump on resume', () => {
    let host = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => host);
    try {
      const { machine } = setup(1, () => {}, true);
      host = 10;
      machine.step(100);
      expect(machine.clock.now()).toBe(10e6);
      machine.debugHalt();
      host = 1010; // a second at a breakpoint
      machine.debugResume();
      machine.step(100);
      expect(machine.clock.now()).toBe(10e6);
      host = 1020;
      machine.step(100);
      expect(machine.clock.now()).toBe(20e6);
    } finally {
      now.mockRestore();
    }
  });

  it('a port in use is a UserError naming the flag', async () => {
    const a = setup(1, () => {});
    const first = await GdbServer.listen(a.machine, { host: '127.0.0.1', port: 0, waitGdb: false, traceLine: () => {} });
    const port = Number(first.address.split(':')[1]);
    await expect(GdbServer.listen(a.machine, { host: '127.0.0.1', port, waitGdb: false, traceLine: () => {}, flag: '-s' })).rejects.toThrow(`-s: cannot listen on 127.0.0.1:${port}: the port is in use`);
    await first.close();
  });
});
