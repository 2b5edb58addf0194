/**
 * The GDB remote stub's commands (GDB manual, "Packets", "General Query Packets", "Stop Reply
 * Packets"), all-stop, one thread per CPU (thread id = CPU index + 1), as QEMU's gdbstub.
 * Framing and acknowledgements are the connection's (server.ts); this class turns packet data
 * into replies and drives the target.
 */
import type { Cpu } from '../api.js';
import { fromHex, hexToText, parseHexNumber, textToHex, toHex } from './hex.js';
import { readMemory, writeMemory } from './memory.js';
import { runMonitor } from './monitor.js';
import { DebugPoints } from './points.js';
import { PACKET_SIZE, escapeBinary, unescapeBinary } from './packet.js';
import type { GdbTarget } from './target.js';

export interface StubOptions {
  /** `--wait-gdb`: a detaching gdb leaves the machine halted (until the next gdb continues). */
  waitGdb: boolean;
}

/** GDB's signal numbers in stop replies. */
const SIGINT = 2;
const SIGTRAP = 5;

/** Error replies (the number is informative to gdb): bad arguments, memory fault, other. */
const E_INVAL = 'E16';
const E_FAULT = 'E0e';
const E_FAIL = 'E01';

/** The most bytes an m reply may carry: hex doubles them and the frame adds 4 bytes. */
const MAX_READ = (PACKET_SIZE - 4) >> 1;


export class GdbStub {
  /** Set once the client asked for QStartNoAckMode (the connection then stops acknowledging). */
  noAck = false;
  /** `monitor phys on` / Qqemu.PhyMemMode:1: memory packets address physical memory. */
  physical = false;
  /** A continue is under way: a stop reply is owed when the machine halts. */
  private running = false;
  /** Thread (CPU index) for registers and memory (Hg), and for s/c without a thread (Hc). */
  private gCpu = 0;
  private cCpu = 0;
  private readonly points: DebugPoints;

  constructor(
    private readonly target: GdbTarget,
    private readonly send: (data: string | Uint8Array) => void,
    private readonly options: StubOptions,
  ) {
    this.points = new DebugPoints(target.cpus);
    target.stopped = (cpu) => this.onStopped(cpu);
  }

  /** A client connected: the machine halts (QEMU stops the VM when gdb attaches). */
  attach(): void {
    if (!this.target.halted) this.target.halt();
  }

  /** The client detached (D) or the connection closed: debugging state goes; the guest resumes unless --wait-gdb. */
  detach(): void {
    this.points.clear();
    for (const cpu of this.target.cpus) {
      cpu.debug!.maskInterrupts = false;
      cpu.debug!.stop = undefined;
    }
    this.running = false;
    if (!this.options.waitGdb && this.target.halted) this.target.resume();
  }

  /** The machine ended (power-off, quit): tells gdb the "process" exited with `code`. */
  exited(code: number): void {
    this.running = false;
    this.send(`W${(code & 0xff).toString(16).padStart(2, '0')}`);
  }

  /** Ctrl-C from the client. */
  interrupt(): void {
    if (!this.running) return;
    this.running = false;
    this.target.halt();
    this.send(this.stopReply(this.target.cpus[this.gCpu], SIGINT));
  }

  /** A short status for the TUI's status bar. */
  status(): string {
    if (!this.target.halted) return 'gdb attached';
    const cpu = this.target.cpus[this.gCpu];
    const pc = cpu.debug!.pc;
    const sym = this.target.symbolize(pc);
    return `halted at 0x${pc.toString(16)}${sym ? ` <${sym}>` : ''}`;
  }

  /** One packet's data (checksum already checked). */
  packet(raw: Uint8Array): void {
    const reply = this.dispatch(raw);
    if (reply !== undefined) this.send(reply);
  }

  private dispatch(raw: Uint8Array): string | Uint8Array | undefined {
    // Only X carries binary: the rest is ASCII.
    if (raw[0] === 0x58) return this.writeBinary(raw);
    const p = new TextDecoder('latin1').decode(raw);
    const cmd = p[0];
    const arg = p.slice(1);
    switch (cmd) {
      case '?':
        return this.stopReply(this.target.cpus[this.gCpu], SIGTRAP);
      case 'g':
        return this.readRegisters();
      case 'G':
        return this.writeRegisters(arg);
      case 'p':
        return this.readRegister(arg);
      case 'P':
        return this.writeRegister(arg);
      case 'm':
        return this.readMem(arg);
      case 'M':
        return this.writeMem(arg);
      case 'Z':
      case 'z':
        return this.points.change(cmd === 'Z', arg);
      case 'c':
        return this.continue();
      case 's':
        return this.step(this.cCpu);
      case 'H':
        return this.setThread(arg);
      case 'T':
        return this.cpuOf(arg) !== undefined ? 'OK' : E_INVAL;
      case 'D':
        this.send('OK');
        this.detach();
        return undefined;
      case 'k':
        this.target.quit('killed by gdb');
        return undefined;
      case 'v':
        return this.vPacket(p);
      case 'q':
        return this.query(p);
      case 'Q':
        return this.set(p);
      default:
        return '';
    }
  }

  // --- queries ---

  private query(p: string): string | Uint8Array {
    if (p.startsWith('qSupported')) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+`;
    }
    if (p.startsWith('qXfer:features:read:')) return this.features(p.slice('qXfer:features:read:'.length));
    if (p === 'qAttached' || p.startsWith('qAttached:')) return '1';
    if (p === 'qC') return `QC${(this.gCpu + 1).toString(16)}`;
    if (p === 'qfThreadInfo') return 'm' + this.target.cpus.map((_, i) => (i + 1).toString(16)).join(',');
    if (p === 'qsThreadInfo') return 'l';
    if (p.startsWith('qThreadExtraInfo,')) {
      const i = this.cpuOf(p.slice('qThreadExtraInfo,'.length));
      if (i === undefined) return E_INVAL;
      const cpu = this.target.cpus[i];
      return textToHex(`CPU#${i} [${this.target.halted ? 'halted' : 'running'}] ${cpu.privilegeName()}`);
    }
    if (p.startsWith('qRcmd,')) {
      const line = hexToText(p.slice('qRcmd,'.length));
      if (line === undefined) return E_INVAL;
      const state = { target: this.target, cpu: this.target.cpus[this.gCpu], physical: this.physical };
      const text = runMonitor(line, state);
      this.physical = state.physical;
      return text === '' ? 'OK' : textToHex(text);
    }
    if (p === 'qqemu.PhyMemMode') return this.physical ? '1' : '0';
    return '';
  }

  private set(p: string): string {
    if (p === 'QStartNoAckMode') {
      this.noAck = true;
      return 'OK';
    }
    if (p === 'Qqemu.PhyMemMode:1' || p === 'Qqemu.PhyMemMode:0') {
      this.physical = p.endsWith('1');
      return 'OK';
    }
    return '';
  }

  /** qXfer:features:read:ANNEX:OFFSET,LENGTH from the architecture's target description. */
  private features(rest: string): string | Uint8Array {
    const m = /^([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(rest);
    if (!m) return E_INVAL;
    const doc = this.target.arch.targetXml[m[1]];
    if (doc === undefined) return E_FAIL;
    const bytes = new TextEncoder().encode(doc);
    const offset = parseInt(m[2], 16);
    const length = Math.min(parseInt(m[3], 16), MAX_READ);
    if (offset > bytes.length) return E_INVAL;
    const part = bytes.subarray(offset, offset + length);
    const flag = offset + part.length >= bytes.length ? 'l' : 'm';
    const body = escapeBinary(part);
    const out = new Uint8Array(body.length + 1);
    out[0] = flag.charCodeAt(0);
    out.set(body, 1);
    return out;
  }

  // --- threads ---

  /** A thread id to a CPU index: -1 (all) and 0 (any) give the first; undefined when there is no such thread. */
  private cpuOf(id: string): number | undefined {
    if (id === '-1' || id === '0') return 0;
    if (!/^[0-9a-fA-F]{1,8}$/.test(id)) return undefined;
    const i = parseInt(id, 16) - 1;
    return i >= 0 && i < this.target.cpus.length ? i : undefined;
  }

  private setThread(arg: string): string {
    const i = this.cpuOf(arg.slice(1));
    if (i === undefined || (arg[0] !== 'g' && arg[0] !== 'c')) return E_INVAL;
    if (arg[0] === 'g') this.gCpu = i;
    else this.cCpu = i;
    return 'OK';
  }

  // --- registers ---

  private get cpu(): Cpu {
    return this.target.cpus[this.gCpu];
  }

  private readRegisters(): string {
    let out = '';
    for (let r = 0; r < this.target.arch.gRegisters; r++) {
      const bytes = this.cpu.debug!.readRegister(r);
      if (bytes) out += toHex(bytes);
    }
    return out;
  }

  private writeRegisters(hex: string): string {
    const bytes = fromHex(hex);
    if (!bytes) return E_INVAL;
    const debug = this.cpu.debug!;
    let at = 0;
    for (let r = 0; r < this.target.arch.gRegisters && at < bytes.length; r++) {
      const size = debug.readRegister(r)?.length ?? 0;
      if (at + size > bytes.length) return E_INVAL;
      debug.writeRegister(r, bytes.subarray(at, at + size));
      at += size;
    }
    return 'OK';
  }

  private readRegister(arg: string): string {
    const r = parseHexNumber(arg);
    const bytes = r === undefined || r > 0xffffn ? undefined : this.cpu.debug!.readRegister(Number(r));
    return bytes ? toHex(bytes) : E_INVAL;
  }

  private writeRegister(arg: string): string {
    const [n, v] = arg.split('=');
    const r = parseHexNumber(n ?? '');
    const bytes = fromHex(v ?? '');
    if (r === undefined || r > 0xffffn || !bytes) return E_INVAL;
    return this.cpu.debug!.writeRegister(Number(r), bytes) ? 'OK' : E_INVAL;
  }

  // --- memory ---

  /** ADDR,LENGTH (both hex); undefined when malformed. */
  private addrLength(text: string): { addr: bigint; length: number } | undefined {
    const [a, l] = text.split(',');
    const addr = parseHexNumber(a ?? '');
    const length = parseHexNumber(l ?? '');
    if (addr === undefined || length === undefined) return undefined;
    return { addr, length: length > BigInt(PACKET_SIZE) ? PACKET_SIZE : Number(length) };
  }

  private readMem(arg: string): string {
    const req = this.addrLength(arg);
    if (!req) return E_INVAL;
    const bytes = readMemory(this.target, this.cpu, this.physical, req.addr, Math.min(req.length, MAX_READ));
    return bytes.length === 0 && req.length > 0 ? E_FAULT : toHex(bytes);
  }

  private writeMem(arg: string): string {
    const colon = arg.indexOf(':');
    const req = colon < 0 ? undefined : this.addrLength(arg.slice(0, colon));
    const data = colon < 0 ? undefined : fromHex(arg.slice(colon + 1));
    if (!req || !data || data.length !== req.length) return E_INVAL;
    return writeMemory(this.target, this.cpu, this.physical, req.addr, data) ? 'OK' : E_FAULT;
  }

  /** X ADDR,LENGTH:BINARY (escaped). */
  private writeBinary(raw: Uint8Array): string {
    const colon = raw.indexOf(0x3a);
    if (colon < 0) return E_INVAL;
    const req = this.addrLength(new TextDecoder('latin1').decode(raw.subarray(1, colon)));
    const data = unescapeBinary(raw.subarray(colon + 1));
    if (!req || data.length !== req.length) return E_INVAL;
    if (data.length === 0) return 'OK'; // gdb probes X support with an empty write
    return writeMemory(this.target, this.cpu, this.physical, req.addr, data) ? 'OK' : E_FAULT;
  }

  // --- execution ---

  private vPacket(p: string): string | undefined {
    if (p === 'vCont?') return 'vCont;c;C;s;S;t';
    if (!p.startsWith('vCont;')) return ''; // vMustReplyEmpty and the rest
    const actions = p
      .slice('vCont;'.length)
      .split(';')
      .map((a) => {
        const [act, thread] = a.split(':');
        return { act: act[0], thread };
      });
    if (actions.some((a) => !'cCsSt'.includes(a.act ?? 'x') || (a.thread !== undefined && this.cpuOf(a.thread) === undefined))) return E_INVAL;
    // QEMU's default: a step runs only the stepped CPU; the others stay halted.
    const step = actions.find((a) => a.act === 's' || a.act === 'S');
    if (step) return this.step(step.thread !== undefined ? this.cpuOf(step.thread)! : this.cCpu);
    if (actions.some((a) => a.act === 'c' || a.act === 'C')) return this.continue();
    // vCont;t: all-stop, so stop everything.
    if (this.running) this.interrupt();
    return undefined;
  }

  private continue(): undefined {
    this.clearStops();
    for (const cpu of this.target.cpus) cpu.debug!.maskInterrupts = false;
    this.running = true;
    this.target.resume();
    return undefined;
  }

  private step(index: number): string {
    this.clearStops();
    const cpu = this.target.cpus[index];
    this.target.step(cpu);
    this.gCpu = index;
    return this.stopReply(cpu, SIGTRAP);
  }

  private clearStops(): void {
    for (const cpu of this.target.cpus) cpu.debug!.stop = undefined;
  }

  private onStopped(cpu: Cpu): void {
    if (!this.running) return;
    this.running = false;
    const index = this.target.cpus.indexOf(cpu);
    if (index >= 0) this.gCpu = this.cCpu = index;
    this.send(this.stopReply(cpu, SIGTRAP));
  }

  /** `T05thread:N;` plus why: swbreak/hwbreak or watch/rwatch/awatch:ADDR. */
  private stopReply(cpu: Cpu, signal: number): string {
    const index = Math.max(0, this.target.cpus.indexOf(cpu));
    let reply = `T${signal.toString(16).padStart(2, '0')}thread:${(index + 1).toString(16)};`;
    reply += this.points.stopReason(cpu.debug!.stop);
    cpu.debug!.stop = undefined;
    return reply;
  }
}
