import { closeSync, openSync, writeSync } from 'node:fs';
import { UserError } from './errors.js';

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * A file rvos writes while the guest runs (`--trace-file`, `--serial file:`). It is opened before
 * the guest starts, so a path that cannot be created is a UserError naming it (`where`: the flag or
 * config field) before anything runs. A write that fails later (ENOSPC on /dev/full, a full disk)
 * never throws into the machine: `onError` gets one line naming the path, once, and later output
 * is dropped.
 */
export class OutputFile {
  private fd: number | undefined;
  private failed = false;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private readonly errorListeners: Array<(message: string) => void> = [];

  constructor(
    readonly path: string,
    private readonly where: string,
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UserError(`${where}: cannot open ${path}: ${errno(e)}`);
    }
  }

  onError(fn: (message: string) => void): void {
    this.errorListeners.push(fn);
  }

  write(data: Uint8Array | string): void {
    if (this.fd === undefined || this.failed) return;
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (e) {
      this.failed = true;
      const message = `${this.where}: cannot write ${this.path}: ${errno(e)}`;
      for (const fn of this.errorListeners) fn(message);
    }
  }

  /** Buffers text (trace lines) and writes it in batches: at 64 KiB, once per event-loop turn, and on close. */
  append(text: string): void {
    if (this.failed) return;
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= 1 << 16) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.write(text);
  }

  close(): void {
    this.flush();
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Every byte went through write(), which reported any failure.
    }
  }
}
