import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { BlockImage } from '../api.js';
import { UserError } from '../errors.js';
import { lockImage, type ImageLock } from './lock.js';

export const SECTOR_SIZE = 512;

/**
 * A raw disk image on the host, opened read-write (or read-only) for a drive. Every access is a
 * synchronous positional `readSync`/`writeSync` on the file descriptor, so a write is in the host
 * file (the kernel's page cache) when the call returns and survives any way rvos exits; `flush()`
 * is `fdatasync` for the guest's flush requests.
 */
export class FileBlockImage implements BlockImage {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    readonly size: number,
    readonly readOnly: boolean,
    private readonly lock: ImageLock | undefined,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `path`; a missing, unreadable or odd-sized image is a UserError naming it. With
   * `locking` (the default) it takes the image's lock (src/core/disk/lock.ts): exclusive when
   * read-write, shared when read-only; an image another rvos writes is refused, naming it.
   */
  static open(path: string, readOnly: boolean, opts: { locking?: boolean } = {}): FileBlockImage {
    let fd: number;
    try {
      fd = openSync(path, readOnly ? 'r' : 'r+');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? `permission denied${readOnly ? '' : ' (add readonly=on for a read-only image)'}` : code === 'EISDIR' ? 'is a folder' : code ?? (e as Error).message;
      throw new UserError(`drive ${path}: cannot open: ${why}`);
    }
    let size: number;
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new UserError(`drive ${path}: not a regular file`);
      size = st.size;
    } catch (e) {
      closeSync(fd);
      if (e instanceof UserError) throw e;
      throw new UserError(`drive ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (size === 0 || size % SECTOR_SIZE !== 0) {
      closeSync(fd);
      throw new UserError(`drive ${path}: size ${size} bytes is not a non-zero multiple of ${SECTOR_SIZE} (raw images hold whole sectors)`);
    }
    let lock: ImageLock | undefined;
    try {
      if (opts.locking ?? true) lock = lockImage(path, fd, readOnly ? 'shared' : 'exclusive');
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new FileBlockImage(path, fd, size, readOnly, lock);
  }

  private inRange(offset: number, length: number): boolean {
    return Number.isSafeInteger(offset) && offset >= 0 && offset + length <= this.size;
  }

  read(offset: number, dst: Uint8Array): boolean {
    if (this.fd === undefined || !this.inRange(offset, dst.length)) return false;
    try {
      let done = 0;
      while (done < dst.length) {
        const n = readSync(this.fd, dst, done, dst.length - done, offset + done);
        if (n === 0) {
          dst.fill(0, done); // the file shrank under us: read zeros like a sparse tail
          break;
        }
        done += n;
      }
      return true;
    } catch {
      return false;
    }
  }

  write(offset: number, src: Uint8Array): boolean {
    if (this.fd === undefined || this.readOnly || !this.inRange(offset, src.length)) return false;
    try {
      let done = 0;
      while (done < src.length) done += writeSync(this.fd, src, done, src.length - done, offset + done);
      return true;
    } catch {
      return false;
    }
  }

  flush(): boolean {
    if (this.fd === undefined) return false;
    if (this.readOnly) return true;
    try {
      fdatasyncSync(this.fd);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (!this.readOnly) fdatasyncSync(fd);
    } catch {
      // Every write already reached the file; a failing sync at exit has nobody left to tell.
    }
    closeSync(fd);
    this.lock?.release();
  }
}
