import { createServer, type Server, type Socket } from 'node:net';
import type { CharBackend } from './api.js';
import { UserError } from './errors.js';
import { OutputFile } from './output-file.js';

/** Host input a backend queues before it stops reading its source (see CharBackend). */
export const INPUT_QUEUE_LIMIT = 64 * 1024;

/** Where host input comes from, when the backend can stop reading it: a Node stream or socket. */
export interface InputSource {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Host ends of serial ports: `stdio`, `null`, `file:PATH`, `tcp:PORT` (localhost only), and
 * `capture` (a buffer, for tests and the TUI). Output is buffered and flushed in batches so a
 * guest printing byte by byte does not make one syscall per byte. Input waits in a queue until the
 * device reads it; the source is paused while the queue holds INPUT_QUEUE_LIMIT bytes or more and
 * resumed once the device has drained it to half of that. Input stays open (`inputOpen`) except on
 * null and file backends, and after `endInput()` (the run command calls it at stdin's end).
 */
export abstract class Backend implements CharBackend {
  private readonly inputListeners: Array<() => void> = [];
  private readonly inputEndListeners: Array<() => void> = [];
  /** False for output-only backends (null, file) and once the host source ended (stdin EOF). */
  private inputOpenFlag = true;
  private pending: number[] = [];
  private flushScheduled = false;
  private readonly inputChunks: Uint8Array[] = [];
  private inputOffset = 0;
  private queued = 0;
  private source: InputSource | undefined;
  private sourcePaused = false;

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

  onInput(fn: () => void): void {
    this.inputListeners.push(fn);
  }

  get available(): number {
    return this.queued;
  }

  read(): number {
    if (this.queued === 0) return -1;
    const chunk = this.inputChunks[0];
    const byte = chunk[this.inputOffset++];
    if (this.inputOffset === chunk.length) {
      this.inputChunks.shift();
      this.inputOffset = 0;
    }
    this.queued--;
    if (this.sourcePaused && this.queued <= INPUT_QUEUE_LIMIT / 2) {
      this.sourcePaused = false;
      this.source?.resume();
    }
    return byte;
  }

  /**
   * Queues host input for the device (the array is kept, not copied) and tells the listeners;
   * pauses the source if the queue is still full once they have taken what they had room for.
   */
  input(data: Uint8Array): void {
    if (data.length === 0) return;
    this.inputChunks.push(data);
    this.queued += data.length;
    for (const fn of this.inputListeners) fn();
    this.throttle();
  }

  /** Sets where input comes from (undefined: none), so the backend can pause it while full. */
  setSource(source: InputSource | undefined): void {
    if (this.sourcePaused) this.source?.resume();
    this.source = source;
    this.sourcePaused = false;
    this.throttle();
  }

  private throttle(): void {
    if (this.source && !this.sourcePaused && this.queued >= INPUT_QUEUE_LIMIT) {
      this.sourcePaused = true;
      this.source.pause();
    }
  }

  /**
   * Whether host input can still arrive. The machine stops a guest that waits for an interrupt
   * when no timer is armed and no backend's input is open, since nothing could ever wake it.
   */
  inputOpen(): boolean {
    return this.inputOpenFlag;
  }

  /** The host source reached its end (stdin EOF), or the backend has none: no more input. */
  endInput(): void {
    if (!this.inputOpenFlag) return;
    this.inputOpenFlag = false;
    for (const fn of this.inputEndListeners) fn();
  }

  onInputEnd(fn: () => void): void {
    this.inputEndListeners.push(fn);
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
    this.endInput();
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
    this.endInput(); // output only
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
      this.setSource(socket);
      markConnected();
      socket.on('data', (d) => this.input(d));
      socket.on('close', () => {
        if (this.client !== socket) return;
        this.client = undefined;
        this.setSource(undefined);
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
