import { createServer, type Server, type Socket } from 'node:net';
import { PluginError, UserError } from '../errors.js';
import { exitCodeOf, type Machine } from '../machine.js';
import type { GdbAddress } from './address.js';
import { MachineTarget } from './machine-target.js';
import { PacketDecoder, encodePacket } from './packet.js';
import { GdbStub } from './stub.js';
import type { GdbTarget } from './target.js';

export interface GdbServerOptions extends GdbAddress {
  /** `--wait-gdb`: the machine is halted before its first instruction until gdb continues. */
  waitGdb: boolean;
  /** Where `monitor trace on` writes its lines. */
  traceLine: (line: string) => void;
  /** The flag the address came from, for error messages. */
  flag?: string;
}

/**
 * The TCP side of the GDB stub: one client at a time (a second is refused while one is
 * attached, as QEMU does), acknowledgements until QStartNoAckMode, Ctrl-C, and the exit
 * notice when the machine ends.
 */
export class GdbServer {
  private client: { socket: Socket; stub: GdbStub } | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly target: GdbTarget,
    private readonly waitGdb: boolean,
    readonly address: string,
    /** A CpuDebug call threw: the arch plugin failed (the run ends with exit 71). */
    private readonly failed: (e: unknown) => void,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Listens on the address; a port in use or a bad host is a UserError naming the flag. */
  static async listen(machine: Machine, opts: GdbServerOptions): Promise<GdbServer> {
    const flag = opts.flag ?? '--gdb';
    if (!machine.arch.debug || machine.cpus.some((cpu) => !cpu.debug)) {
      throw new UserError(`${flag}: the ${machine.arch.type} architecture plugin offers no debugger interface (ArchType.debug / Cpu.debug)`);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'no such local address' : e.message;
        reject(new UserError(`${flag}: cannot listen on ${opts.host}:${opts.port}: ${why}`));
      });
      server.listen(opts.port, opts.host, () => resolve());
    });
    const target = new MachineTarget(machine, opts.traceLine);
    const bound = server.address();
    const port = bound !== null && typeof bound === 'object' ? bound.port : opts.port;
    const fail = (e: unknown) => machine.failPlugin(PluginError.from(e, machine.archPlugin, `arch ${machine.arch.type}: debugger access`));
    const gdb = new GdbServer(server, target, opts.waitGdb, `${opts.host}:${port}`, fail);
    if (opts.waitGdb) machine.debugHalt();
    machine.debugStatus = () => gdb.status();
    machine.onRunEnd = (result) => void gdb.close(exitCodeOf(result));
    return gdb;
  }

  private status(): string {
    if (this.client) return this.client.stub.status();
    return `gdb: ${this.target.halted ? 'waiting' : 'listening'} on ${this.address}`;
  }

  private accept(socket: Socket): void {
    if (this.client) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const decoder = new PacketDecoder();
    // The last packet sent, resent when the client answers `-` (before no-ack mode).
    let last: Uint8Array | undefined;
    const stub = new GdbStub(
      this.target,
      (data) => {
        last = encodePacket(data);
        socket.write(last);
      },
      { waitGdb: this.waitGdb },
    );
    this.client = { socket, stub };
    stub.attach();
    socket.on('data', (chunk: Buffer) => this.guarded(() => {
      for (const f of decoder.feed(chunk)) {
        switch (f.type) {
          case 'packet':
            if (!stub.noAck) socket.write('+');
            stub.packet(f.data);
            break;
          case 'bad-checksum':
            if (!stub.noAck) socket.write('-');
            break;
          case 'too-long':
            if (!stub.noAck) socket.write('+');
            socket.write(encodePacket('E22'));
            break;
          case 'interrupt':
            stub.interrupt();
            break;
          case 'nak':
            if (!stub.noAck && last) socket.write(last);
            break;
          default:
            break;
        }
      }
    }));
    const gone = () => {
      if (this.client?.socket !== socket) return;
      this.client = undefined;
      this.guarded(() => stub.detach());
    };
    socket.on('close', gone);
    socket.on('error', gone);
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (this.client) this.client.socket.destroy();
      this.client = undefined;
      this.failed(e);
    }
  }

  /** The machine ended: tell gdb (W with the exit code) and stop listening; later calls wait for the first. */
  close(exitCode = 0): Promise<void> {
    this.closing ??= this.shutDown(exitCode);
    return this.closing;
  }

  private async shutDown(exitCode: number): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && !client.socket.destroyed) {
      client.stub.exited(exitCode);
      // gdb closes its side on W; do not wait on a client that does not.
      await new Promise<void>((r) => {
        const timer = setTimeout(done, 1000);
        function done() {
          clearTimeout(timer);
          client!.socket.destroy();
          r();
        }
        client.socket.end(done);
      });
    }
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
