import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from './errors.js';

/**
 * Reading the user's files without trusting their size. A regular file is read with positional
 * reads of what the caller asks for (its size is known from `fstat`); anything else (a FIFO, a
 * terminal, `/dev/zero`) has no size, so it is read sequentially up to a limit the caller gives
 * (the RAM an image must fit in, a sane size for a YAML file) and a longer stream is refused.
 * Never `readFileSync` a file of unknown size: `/dev/zero` would be read until the host runs out
 * of memory.
 */

/** Board and config files larger than this are refused (the built-in boards are a few KiB). */
export const MAX_YAML_BYTES = 1 << 20;

/** A file opened for reading, with its size known. */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  /** `length` bytes at `offset`; the caller checks the range against `size`. */
  read(offset: number, length: number): Uint8Array;
  /** The bytes at `offset` into all of `dst` (guest RAM, with no copy between); the caller checks the range. */
  readInto(offset: number, dst: Uint8Array): void;
  close(): void;
}

/** An in-memory file (tests, and streams already read). */
export function bytesSource(bytes: Uint8Array, path: string): ByteSource {
  return {
    path,
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
    readInto: (offset, dst) => dst.set(bytes.subarray(offset, offset + dst.length)),
    close: () => {},
  };
}

/** "128 MiB", "1 KiB" or "300 bytes". */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Opens `path` for reading. `limit` bounds what is read from a file without a size (a FIFO,
 * `/dev/zero`); `limitWhy` says where the limit comes from ("the RAM it must fit in, 128 MiB").
 * `sniff` sees the first bytes of such a stream and may throw before more is read.
 */
export function openInput(path: string, limit: number, limitWhy: string, sniff?: (head: Uint8Array) => void): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UserError(`${path}: cannot read: ${errno(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`${path}: is a folder`);
    if (st.isFile()) return fileSource(path, fd, st.size);
    const bytes = readStream(path, fd, limit, limitWhy, sniff);
    closeSync(fd);
    return bytesSource(bytes, path);
  } catch (e) {
    closeSync(fd);
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: cannot read: ${errno(e)}`);
  }
}

/** Opens a regular file (a disk image); anything without a size is refused, not read. */
export function openRegularFile(path: string, what: string): ByteSource {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UserError(`${path}: cannot read: ${errno(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${path}: not a regular file (${what} is a file of a known size)`);
    return fileSource(path, fd, st.size);
  } catch (e) {
    closeSync(fd);
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: cannot read: ${errno(e)}`);
  }
}

/** Reads all of `path`, refusing more than `limit` bytes (`limitWhy` says why) before reading it. */
export function readInput(path: string, limit: number, limitWhy: string): Uint8Array {
  const src = openInput(path, limit, limitWhy);
  try {
    if (src.size > limit) throw new UserError(`${path}: ${src.size} bytes, larger than ${limitWhy}`);
    return src.read(0, src.size);
  } finally {
    src.close();
  }
}

function fileSource(path: string, fd: number, size: number): ByteSource {
  let open = true;
  const readInto = (offset: number, dst: Uint8Array): void => {
    let done = 0;
    try {
      while (done < dst.length) {
        const n = readSync(fd, dst, done, dst.length - done, offset + done);
        if (n === 0) throw new UserError(`${path}: the file shrank while it was read`);
        done += n;
      }
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`${path}: cannot read: ${errno(e)}`);
    }
  };
  return {
    path,
    size,
    read(offset, length) {
      const out = new Uint8Array(length);
      readInto(offset, out);
      return out;
    },
    readInto,
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Reads a file without a size (FIFO, character device) sequentially, at most `limit` bytes. */
function readStream(path: string, fd: number, limit: number, limitWhy: string, sniff?: (head: Uint8Array) => void): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    if (total === 0 && n >= 4) sniff?.(chunk.subarray(0, n));
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) throw new UserError(`${path}: not a regular file, and longer than ${limitWhy}; stopped reading it`);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}
