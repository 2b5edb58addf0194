import { describe, expect, it } from 'vitest';
import type { Cpu } from '../../../src/core/api.js';
import { parseGdbAddress } from '../../../src/core/gdb/address.js';
import { PACKET_SIZE, PacketDecoder, encodePacket, escapeBinary, unescapeBinary } from '../../../src/core/gdb/packet.js';
import { GdbStub } from '../../../src/core/gdb/stub.js';
import type { GdbTarget } from '../../../src/core/gdb/target.js';
import { textToHex } from '../../../src/core/gdb/hex.js';
import { UserError } from '../../../src/core/errors.js';
import { FAKE_ARCH_DEBUG, FakeDebugCpu } from '../../helpers/gdb-fake.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | string) => (typeof b === 'string' ? b : new TextDecoder('latin1').decode(b));

/** A machine-free target: fake CPUs, 64 KiB of RAM at physical 0; continue runs until a stop at once. */
class FakeTarget implements GdbTarget {
  readonly arch = FAKE_ARCH_DEBUG;
  halted = false;
  stopped: ((cpu: Cpu) => void) | undefined;
  readonly ram = new Uint8Array(0x10000);
  readonly log: string[] = [];
  constructor(readonly cpus: FakeDebugCpu[]) {}
  halt() {
    this.halted = true;
  }
  resume() {
    this.halted = false;
  }
  step(cpu: Cpu) {
    cpu.debug!.maskInterrupts = true;
    cpu.run(1);
  }
  /** Runs CPU `i` until its debugger stop, as the machine would. */
  runUntilStop(i: number) {
    const cpu = this.cpus[i];
    for (let k = 0; k < 1000 && !cpu.debug.stop; k++) cpu.run(10);
    this.halted = true;
    this.stopped?.(cpu);
  }
  readPhysical(addr: number, dst: Uint8Array) {
    if (addr + dst.length > this.ram.length) return false;
    dst.set(this.ram.subarray(addr, addr + dst.length));
    return true;
  }
  writePhysical(addr: number, src: Uint8Array) {
    if (addr + src.length > this.ram.length) return false;
    this.ram.set(src, addr);
    return true;
  }
  reset() {
    this.log.push('reset');
  }
  quit(reason: string) {
    this.log.push(`quit ${reason}`);
  }
  trace(on: boolean, cats: string) {
    if (cats === 'bogus') throw new UserError('monitor trace: unknown category "bogus"');
    return `trace ${on ? 'on' : 'off'} ${cats}`;
  }
  symbolize(addr: bigint) {
    return addr === 0x80000000n ? '_start' : undefined;
  }
}

function setup(cpuCount = 1, waitGdb = false) {
  const cpus = Array.from({ length: cpuCount }, (_, i) => new FakeDebugCpu(i));
  const target = new FakeTarget(cpus);
  const sent: string[] = [];
  const stub = new GdbStub(target, (d) => sent.push(text(d)), { waitGdb });
  stub.attach();
  const ask = (p: string) => {
    sent.length = 0;
    stub.packet(bytes(p));
    return sent.length === 1 ? sent[0] : sent.length === 0 ? undefined : sent.join('|');
  };
  return { cpus, target, stub, sent, ask };
}

describe('gdb packet framing', () => {
  it('decodes packets, acks and Ctrl-C, and checks checksums', () => {
    const d = new PacketDecoder();
    const good = encodePacket('qSupported:swbreak+');
    expect(text(good)).toMatch(/^\$qSupported:swbreak\+#[0-9a-f]{2}$/);
    const events = d.feed(new Uint8Array([0x2b, ...good, 0x03, 0x2d]));
    expect(events.map((e) => e.type)).toEqual(['ack', 'packet', 'interrupt', 'nak']);
    expect(text((events[1] as { data: Uint8Array }).data)).toBe('qSupported:swbreak+');
    expect(d.feed(bytes('$g#00')).map((e) => e.type)).toEqual(['bad-checksum']);
    expect(d.feed(bytes('$g#zz')).map((e) => e.type)).toEqual(['bad-checksum']);
    // Split across chunks, and a '$' restarts a packet.
    expect(d.feed(bytes('$gar'))).toEqual([]);
    expect(d.feed(bytes('bage$?#3'))).toEqual([]);
    expect(d.feed(bytes('f')).map((e) => e.type)).toEqual(['packet']);
  });

  it('drops a packet over the packet size without keeping it', () => {
    const d = new PacketDecoder();
    const huge = new Uint8Array(PACKET_SIZE * 20).fill(0x61);
    expect(d.feed(new Uint8Array([0x24, ...huge.subarray(0, 1000)]))).toEqual([]);
    for (let i = 0; i < 19; i++) expect(d.feed(huge.subarray(0, PACKET_SIZE))).toEqual([]);
    expect(d.feed(bytes('#00')).map((e) => e.type)).toEqual(['too-long']);
    // The decoder is usable afterwards.
    expect(d.feed(encodePacket('?')).map((e) => e.type)).toEqual(['packet']);
  });

  it('escapes and unescapes binary data', () => {
    const raw = new Uint8Array([0x23, 0x24, 0x7d, 0x2a, 0x00, 0x41]);
    const esc = escapeBinary(raw);
    expect([...esc]).toEqual([0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x5d, 0x7d, 0x0a, 0x00, 0x41]);
    expect([...unescapeBinary(esc)]).toEqual([...raw]);
  });

  it('parses --gdb addresses like QEMU, loopback by default', () => {
    expect(parseGdbAddress('tcp::1234')).toEqual({ host: '127.0.0.1', port: 1234 });
    expect(parseGdbAddress('tcp:0.0.0.0:4321')).toEqual({ host: '0.0.0.0', port: 4321 });
    expect(parseGdbAddress('1234')).toEqual({ host: '127.0.0.1', port: 1234 });
    expect(() => parseGdbAddress('tcp::99999')).toThrow(/--gdb tcp::99999: expected tcp::PORT/);
    expect(parseGdbAddress('tcp::0').port).toBe(0);
    expect(() => parseGdbAddress('udp::1', '-s')).toThrow(UserError);
  });
});

describe('gdb stub commands', () => {
  it('answers qSupported, ?, threads and qAttached', () => {
    const { ask, target } = setup(2);
    expect(target.halted).toBe(true); // attaching halts the machine
    expect(ask('qSupported:multiprocess+;swbreak+;hwbreak+')).toBe(`PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+`);
    expect(ask('?')).toBe('T05thread:1;');
    expect(ask('qfThreadInfo')).toBe('m1,2');
    expect(ask('qsThreadInfo')).toBe('l');
    expect(ask('qC')).toBe('QC1');
    expect(ask('Hg2')).toBe('OK');
    expect(ask('qC')).toBe('QC2');
    expect(ask('Hg3')).toBe('E16');
    expect(ask('T2')).toBe('OK');
    expect(ask('T9')).toBe('E16');
    expect(ask('qAttached')).toBe('1');
    expect(Buffer.from(ask('qThreadExtraInfo,2')!, 'hex').toString()).toBe('CPU#1 [halted] S');
    expect(ask('vCont?')).toBe('vCont;c;C;s;S;t');
    expect(ask('vMustReplyEmpty')).toBe('');
    expect(ask('qUnknownThing')).toBe('');
  });

  it('serves the target description by pieces', () => {
    const { ask } = setup();
    const doc = FAKE_ARCH_DEBUG.targetXml['target.xml'];
    const first = ask('qXfer:features:read:target.xml:0,20')!;
    expect(first).toBe('m' + doc.slice(0, 0x20));
    expect(ask(`qXfer:features:read:target.xml:20,ffff`)).toBe('l' + doc.slice(0x20));
    expect(ask('qXfer:features:read:core.xml:0,1000')).toBe('l' + FAKE_ARCH_DEBUG.targetXml['core.xml']);
    expect(ask('qXfer:features:read:nope.xml:0,10')).toMatch(/^E/);
    expect(ask('qXfer:features:read:target.xml:zz')).toMatch(/^E/);
  });

  it('reads and writes registers (g/G/p/P)', () => {
    const { ask, cpus } = setup();
    cpus[0].regs[1] = 0x11223344;
    expect(ask('g')).toBe('00000000' + '44332211' + '00000000' + '00000000' + '00000080');
    expect(ask('p4')).toBe('00000080');
    expect(ask('p64')).toBe('eeffc000'); // read one at a time only
    expect(ask('p65')).toBe('E16');
    expect(ask('pzz')).toBe('E16');
    expect(ask('P2=78563412')).toBe('OK');
    expect(cpus[0].regs[2]).toBe(0x12345678);
    expect(ask('P2=7856')).toBe('E16');
    expect(ask('G' + '01000000'.repeat(4) + '00100080')).toBe('OK');
    expect(cpus[0].regs).toEqual([1, 1, 1, 1]);
    expect(cpus[0].pcValue).toBe(0x80001000);
    expect(ask('G0102')).toBe('E16');
    expect(ask('Gxyz')).toBe('E16');
  });

  it('reads and writes memory through the translation, page by page, with errors on unmapped', () => {
    const { ask, target } = setup();
    target.ram.set([1, 2, 3, 4], 0x0ffe);
    expect(ask('m80000ffe,4')).toBe('01020304');
    expect(ask('m90000000,4')).toBe('E0e');
    // A read that runs off the mapping returns the mapped part.
    target.ram.set([9, 8], 0xfffe);
    expect(ask('m8000fffe,4')).toBe('0908');
    expect(ask('M80000100,2:abcd')).toBe('OK');
    expect([...target.ram.subarray(0x100, 0x102)]).toEqual([0xab, 0xcd]);
    expect(ask('M80000100,3:abcd')).toBe('E16');
    expect(ask('M90000000,1:00')).toBe('E0e');
    // X: binary with escapes.
    expect(ask('X80000200,0:')).toBe('OK');
    const x = new Uint8Array([...bytes('X80000200,3:'), 0x7d, 0x03, 0x41, 0x7d, 0x5d]);
    const sent: string[] = [];
    const s2 = new GdbStub(target, (d) => sent.push(text(d)), { waitGdb: false });
    s2.packet(x);
    expect(sent).toEqual(['OK']);
    expect([...target.ram.subarray(0x200, 0x203)]).toEqual([0x23, 0x41, 0x7d]);
    // Malformed and huge lengths: an error or a bounded reply, never an exception.
    expect(ask('m80000000')).toBe('E16');
    expect(ask('mzz,4')).toBe('E16');
    expect(ask('m80000000,ffffffffffffffffff')).toBe('E16');
    expect(ask('m80000000,ffffffffffffffff')!.length).toBeLessThanOrEqual(PACKET_SIZE);
    // Physical mode (QEMU's packet and the monitor command).
    expect(ask('Qqemu.PhyMemMode:1')).toBe('OK');
    expect(ask('qqemu.PhyMemMode')).toBe('1');
    expect(ask('m0ffe,2')).toBe('0102');
    expect(ask('Qqemu.PhyMemMode:0')).toBe('OK');
    expect(ask('m0ffe,2')).toBe('E0e');
  });

  it('sets breakpoints and watchpoints on every CPU and reports their stops', () => {
    const { ask, cpus, target, sent, stub } = setup(2);
    expect(ask('Z0,80000010,4')).toBe('OK');
    expect(ask('Z1,80000020,4')).toBe('OK');
    expect(ask('vCont;c')).toBeUndefined();
    expect(target.halted).toBe(false);
    target.runUntilStop(0);
    expect(sent).toEqual(['T05thread:1;swbreak:;']);
    expect(cpus[0].pcValue).toBe(0x80000010);
    expect(ask('z0,80000010,4')).toBe('OK');
    ask('c');
    target.runUntilStop(0);
    expect(sent).toEqual(['T05thread:1;hwbreak:;']);
    expect(ask('z1,80000020,4')).toBe('OK');
    // A write watchpoint on CPU 2 (thread 2).
    cpus[1].stores.set(0x80000008, 0x80000400);
    expect(ask('Z2,80000400,4')).toBe('OK');
    ask('vCont;c');
    target.runUntilStop(1);
    expect(sent).toEqual(['T05thread:2;watch:80000400;']);
    expect(ask('qC')).toBe('QC2');
    expect(ask('z2,80000400,4')).toBe('OK');
    expect(ask('Z3,80000400,0')).toBe('E16');
    expect(ask('Z9,0,0')).toBe('');
    expect(ask('Z0,xyz,4')).toBe('E16');
    // Ctrl-C while running: T02 for the current thread.
    ask('c');
    sent.length = 0;
    stub.interrupt();
    expect(sent).toEqual(['T02thread:2;']);
    expect(target.halted).toBe(true);
    stub.interrupt(); // not running: nothing
    expect(sent).toEqual(['T02thread:2;']);
  });

  it('steps only the chosen CPU with interrupts masked; continue unmasks', () => {
    const { ask, cpus } = setup(2);
    expect(ask('vCont;s:2;c')).toBe('T05thread:2;');
    expect(cpus[1].pcValue).toBe(0x80000004);
    expect(cpus[0].pcValue).toBe(0x80000000);
    expect(cpus[1].debug.maskInterrupts).toBe(true);
    expect(ask('Hc1')).toBe('OK');
    expect(ask('s')).toBe('T05thread:1;');
    expect(cpus[0].pcValue).toBe(0x80000004);
    // A step onto a breakpoint reports it without executing.
    ask('Z0,80000004,4');
    expect(ask('vCont;s:1')).toBe('T05thread:1;swbreak:;');
    expect(cpus[0].pcValue).toBe(0x80000004);
    ask('c');
    expect(cpus.every((c) => !c.debug.maskInterrupts)).toBe(true);
    expect(ask('vCont;s:9')).toBe('E16');
    expect(ask('vCont;x')).toBe('E16');
  });

  it('detach clears the debugging state and resumes, unless --wait-gdb', () => {
    const a = setup();
    a.ask('Z0,80000010,4');
    a.ask('Z2,80000400,4');
    expect(a.ask('D')).toBe('OK');
    expect(a.target.halted).toBe(false);
    a.cpus[0].run(100);
    expect(a.cpus[0].debug.stop).toBeUndefined(); // breakpoint gone
    const b = setup(1, true);
    expect(b.ask('D')).toBe('OK');
    expect(b.target.halted).toBe(true);
  });

  it('kill and the exit notice', () => {
    const { ask, target, stub, sent } = setup();
    expect(ask('k')).toBeUndefined();
    expect(target.log).toEqual(['quit killed by gdb']);
    stub.exited(3);
    expect(sent).toEqual(['W03']);
  });

  it('runs monitor commands', () => {
    const { ask, target } = setup();
    const mon = (line: string) => {
      const r = ask(`qRcmd,${textToHex(line)}`)!;
      return r === 'OK' ? '' : Buffer.from(r, 'hex').toString();
    };
    expect(mon('help')).toMatch(/info registers/);
    expect(mon('info registers')).toMatch(/cpu0 \(S\)\n\s+x1=00000000/);
    expect(mon('info mmu 0x80001000')).toBe('fake walk of 0x80001000\n');
    expect(mon('info mmu')).toMatch(/usage/);
    expect(mon('trace on trap,irq')).toBe('trace on trap,irq\n');
    expect(mon('trace on bogus')).toMatch(/unknown category/);
    expect(mon('phys on')).toMatch(/physical/);
    expect(ask('qqemu.PhyMemMode')).toBe('1');
    expect(mon('phys off')).toMatch(/virtual/);
    expect(mon('reset')).toMatch(/reset/);
    expect(mon('quit')).toBe('');
    expect(mon('frobnicate')).toMatch(/unknown monitor command/);
    expect(target.log).toEqual(['reset', 'quit quit from gdb (monitor quit)']);
    expect(ask('qRcmd,zz')).toBe('E16');
  });

  it('QStartNoAckMode and the status line', () => {
    const { ask, stub } = setup();
    expect(stub.noAck).toBe(false);
    expect(ask('QStartNoAckMode')).toBe('OK');
    expect(stub.noAck).toBe(true);
    expect(stub.status()).toBe('halted at 0x80000000 <_start>');
    ask('c');
    expect(stub.status()).toBe('gdb attached');
  });
});
