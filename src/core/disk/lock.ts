import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * Disk image locks, like QEMU's: a read-write drive holds an exclusive lock on its image, a
 * read-only drive a shared one, so two rvos processes never write one image at once (both would
 * boot, and the files of both would be lost). QEMU uses fcntl() locks, which Node cannot take
 * without a native addon; rvos keeps a lock record per image instead:
 *
 * - the records live in a per-user folder: `$XDG_RUNTIME_DIR/rvos/locks`, else
 *   `<tmpdir>/rvos-locks-<uid>` (mode 0700, refused when another user owns it);
 * - an image is named by its device and inode (`fstat` of the open file), so every path to it
 *   (symbolic or hard links, relative paths) finds the same records;
 * - each holder is a file `<dev>-<ino>.<pid>.<n>.<w|r>` holding its pid, the pid's start time
 *   and the image path; a holder whose process is gone (or whose pid now belongs to a process
 *   started later) is stale and removed by the next process that looks;
 * - checking the holders and adding one happens under a guard file `<dev>-<ino>.guard`, created
 *   with O_EXCL (atomic) and removed right after; a guard left by a dead process is removed;
 * - a holder is removed on close, and on every way the process exits normally (an `exit`
 *   handler); a process killed by a signal leaves a stale record that the next run removes.
 *
 * The records are per user: another user's rvos, or QEMU, on the same image is not seen.
 * `locking=off` on the drive (QEMU's `file.locking=off`) skips all this.
 */

export type LockMode = 'exclusive' | 'shared';

interface HolderRecord {
  pid: number;
  start?: string;
  image: string;
}

interface Holder extends HolderRecord {
  file: string;
  mode: 'w' | 'r';
}

const held = new Set<ImageLock>();
let exitHandlerInstalled = false;
let sequence = 0;

/** The per-user folder of lock records. */
export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'rvos', 'locks');
  return join(tmpdir(), `rvos-locks-${process.getuid?.() ?? 'user'}`);
}

/** A lock rvos holds on an image; `release()` is idempotent. */
export class ImageLock {
  private released = false;
  constructor(private readonly file: string) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone (a folder cleaned by hand): nothing holds the image any more.
    }
  }
}

/**
 * Takes the lock of the image open on `fd` (`path` for messages), or throws a UserError naming
 * the image and the process that holds it.
 */
export function lockImage(path: string, fd: number, mode: LockMode, dir = lockDir()): ImageLock {
  const st = fstatSync(fd, { bigint: true });
  const key = `${st.dev.toString(16)}-${st.ino.toString(16)}`;
  prepareDir(dir);
  const guard = takeGuard(join(dir, `${key}.guard`), path);
  try {
    const others = liveHolders(dir, key);
    const conflict = mode === 'exclusive' ? others[0] : others.find((h) => h.mode === 'w');
    if (conflict) throw new UserError(`drive ${path}: ${describeConflict(conflict, mode)}`);
    const file = join(dir, `${key}.${process.pid}.${sequence++}.${mode === 'exclusive' ? 'w' : 'r'}`);
    writeNew(file, JSON.stringify({ pid: process.pid, start: processStart(process.pid), image: path } satisfies HolderRecord));
    const lock = new ImageLock(file);
    held.add(lock);
    if (!exitHandlerInstalled) {
      exitHandlerInstalled = true;
      process.on('exit', () => {
        for (const l of [...held]) l.release();
      });
    }
    return lock;
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // removed as stale by another process after a very long pause: nothing to do
    }
  }
}

function describeConflict(h: Holder, wanted: LockMode): string {
  const who = h.pid === process.pid ? `this rvos process (pid ${h.pid}) already has it open` : `rvos process ${h.pid} has it open`;
  const how = h.mode === 'w' ? 'read-write' : 'read-only';
  const hint =
    wanted === 'exclusive' && h.mode === 'r'
      ? 'a read-write drive needs it alone (add readonly=on to share it read-only, or locking=off to write it anyway)'
      : `two users of one image while one writes would corrupt it (add locking=off to ${wanted === 'shared' ? 'read' : 'write'} it anyway)`;
  return `locked: ${who} ${how}; ${hint}`;
}

function prepareDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
      throw new UserError(`drive locks: ${dir} is not a folder of this user (remove it, or add locking=off to the drive)`);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`drive locks: cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (add locking=off to the drive to run without a lock)`);
  }
}

/** Creates `file` with O_EXCL and writes `text`; throws EEXIST when it exists. */
function writeNew(file: string, text: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** A guard held by a process that died, or empty for longer than a process needs to fill it, is stale. */
function takeGuard(guard: string, path: string): string {
  const record = JSON.stringify({ pid: process.pid, start: processStart(process.pid), image: path } satisfies HolderRecord);
  for (let attempt = 0; attempt < 500; attempt++) {
    try {
      writeNew(guard, record);
      return guard;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UserError(`drive ${path}: cannot lock: ${guard}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    const owner = readRecord(guard);
    const stale = owner ? !isAlive(owner) : ageMs(guard) > 2000;
    if (stale) {
      try {
        unlinkSync(guard);
      } catch {
        // another process removed it first
      }
      continue;
    }
    sleepMs(10); // another rvos is checking the same image's holders right now: a few microseconds
  }
  throw new UserError(`drive ${path}: cannot lock: ${guard} stays held by a running process`);
}

function liveHolders(dir: string, key: string): Holder[] {
  const live: Holder[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^(.+)\.\d+\.\d+\.([wr])$/.exec(name);
    if (!m || m[1] !== key) continue;
    const file = join(dir, name);
    const record = readRecord(file);
    // Holders are written under the guard, which this process holds: an unreadable one is debris.
    if (record && isAlive(record)) live.push({ ...record, file, mode: m[2] as 'w' | 'r' });
    else {
      try {
        unlinkSync(file);
      } catch {
        // removed by its owner or another process meanwhile
      }
    }
  }
  return live;
}

function readRecord(file: string): HolderRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as HolderRecord;
    return Number.isInteger(r.pid) && r.pid > 0 ? r : undefined;
  } catch {
    return undefined;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Alive: the pid exists, is not a zombie (a process that has exited holds no files; its parent, or
 * an init that reaps late, has not collected it yet) and, where /proc tells, it is the process that
 * wrote the record (not a reused pid).
 */
function isAlive(r: HolderRecord): boolean {
  try {
    process.kill(r.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(r.pid);
  if (stat?.[0] === 'Z') return false;
  const now = stat?.[19];
  return r.start === undefined || now === undefined || now === r.start;
}

/** The start time of `pid` in clock ticks since boot (Linux /proc/PID/stat field 22), when known. */
function processStart(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** Fields 3 on (the state first) of Linux's /proc/PID/stat, when there is one. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) is in parentheses and may hold spaces: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
