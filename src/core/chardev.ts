import { createServer, type Server, type Socket } from 'node:net';
import type { CharBackend } from './api.js';
import { UserError } from './errors.js';
import { OutputFile } from './output-file.js';

/**
 * Host ends of serial ports: `stdio`, `null`, `file:PATH`, `tcp:PORT` (localhost only), and
 * `capture` (a buffer, for tests and the TUI). Output is buffered and flushed in batches so a
 * guest printing byte by byte does not make one syscall per byte.
 */
export abstract class Backend implements CharBackend {
  private readonly inputListeners: Array<(data: Uint8Array) => void> = [];
  private pending: number[] = [];
  private flushScheduled = false;

  constructor(readonly name: string) {}

  write(byte: number): void {
    this.pending.push(byte & 0xff);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const bytes = Uint8Array.from(this.pending);
    this.pending = [];
    this.output(bytes);
  }

  onInput(fn: (data: Uint8Array) => void): void {
    this.inputListeners.push(fn);
  }

  /** Delivers host input to the guest device. */
  input(data: Uint8Array): void {
    for (const fn of this.inputListeners) fn(data);
  }

  protected abstract output(bytes: Uint8Array): void;

  /** `fn` gets one line when host output fails for good (a `file:` on a full disk); see OutputFile. */
  onFailure(_fn: (message: string) => void): void {}

  /** Resolves when the backend can carry the console (a TCP client connected). */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.flush();
  }
}

export class NullBackend extends Backend {
  constructor() {
    super('null');
  }
  protected output(): void {}
}

/** Collects output in memory; tests read `text`, the TUI subscribes to `onOutput`. */
export class CaptureBackend extends Backend {
  private chunks: Buffer[] = [];
  private readonly listeners: Array<(bytes: Uint8Array) => void> = [];
  constructor(name = 'capture') {
    super(name);
  }
  protected output(bytes: Uint8Array): void {
    this.chunks.push(Buffer.from(bytes));
    for (const fn of this.listeners) fn(bytes);
  }
  onOutput(fn: (bytes: Uint8Array) => void): void {
    this.listeners.push(fn);
  }
  get text(): string {
    this.flush();
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

export class StdioBackend extends Backend {
  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    super('stdio');
  }
  protected output(bytes: Uint8Array): void {
    this.out.write(bytes);
  }
}

export class FileBackend extends Backend {
  private readonly file: OutputFile;
  /** `where` names the flag or config field for messages. */
  constructor(
    readonly path: string,
    where = `--serial file:${path}`,
  ) {
    super(`file:${path}`);
    this.file = new OutputFile(path, where);
  }
  override onFailure(fn: (message: string) => void): void {
    this.file.onError(fn);
  }
  protected output(bytes: Uint8Array): void {
    this.file.write(bytes);
  }
  override close(): void {
    super.close();
    this.file.close();
  }
}

/**
 * A TCP server on 127.0.0.1; one client at a time is the serial line. Like QEMU's
 * `-serial tcp::PORT,server`, the machine starts once the first client has connected.
 */
export class TcpBackend extends Backend {
  private readonly server: Server;
  private client: Socket | undefined;
  private readonly connected: Promise<void>;
  private readonly listening: Promise<void>;
  /** `where` names the flag or config field for messages. */
  constructor(
    readonly port: number,
    where = `--serial tcp:${port}`,
  ) {
    super(`tcp:${port}`);
    let markConnected!: () => void;
    this.connected = new Promise((r) => (markConnected = r));
    this.server = createServer((socket) => {
      this.client?.destroy();
      this.client = socket;
      markConnected();
      socket.on('data', (d) => this.input(new Uint8Array(d)));
      socket.on('close', () => {
        if (this.client === socket) this.client = undefined;
      });
      socket.on('error', () => {});
    });
    // A port in use is bad input, reported before the machine starts (ready() rejects).
    this.listening = new Promise((resolve, reject) => {
      this.server.once('listening', resolve);
      this.server.once('error', (e) => reject(new UserError(`${where}: cannot listen on 127.0.0.1:${port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    });
    this.listening.catch(() => {});
    this.server.on('error', () => {});
    this.server.listen(port, '127.0.0.1');
  }
  protected output(bytes: Uint8Array): void {
    this.client?.write(bytes);
  }
  override async ready(): Promise<void> {
    await this.listening;
    if (!this.client) process.stderr.write(`rvos: waiting for a connection on tcp:127.0.0.1:${this.port}\n`);
    return this.connected;
  }
  override close(): void {
    super.close();
    this.client?.destroy();
    this.server.close();
  }
}

/**
 * Parses a `--serial` value. `stdio` needs the caller to wire stdin (see the run command).
 * `where` names where the value came from (the flag, or the config file, line and field).
 */
export function createBackend(spec: string, where = `--serial ${spec}`): Backend {
  if (spec === 'stdio') return new StdioBackend();
  if (spec === 'null' || spec === 'none') return new NullBackend();
  if (spec === 'capture') return new CaptureBackend();
  if (spec.startsWith('file:') && spec.length > 5) return new FileBackend(spec.slice(5), where);
  const tcp = /^tcp:(?:(?:127\.0\.0\.1|localhost):)?(\d{1,5})$/.exec(spec);
  if (tcp) {
    const port = Number(tcp[1]);
    if (port < 1 || port > 65535) throw new UserError(`${where}: port must be 1-65535`);
    return new TcpBackend(port, where);
  }
  throw new UserError(`${where}: expected stdio, null, file:PATH or tcp:PORT (localhost only)`);
}
