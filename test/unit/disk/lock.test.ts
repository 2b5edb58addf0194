import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlockImage } from '../../../src/core/disk/image.js';
import { lockDir } from '../../../src/core/disk/lock.js';
import { createSession, type Session, type SessionOptions } from '../../../src/core/session.js';
import { rvos } from '../../helpers/cli.js';
import { programElf } from '../../helpers/programs.js';

let dir: string;
const sessions: Session[] = [];
const savedRuntimeDir = process.env.XDG_RUNTIME_DIR;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rvos-lock-'));
  // A lock folder of this test's own (children inherit it too).
  process.env.XDG_RUNTIME_DIR = join(dir, 'run');
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  if (savedRuntimeDir === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = savedRuntimeDir;
});

function image(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(16 * 512));
  return path;
}

async function session(drive: string, o: Partial<SessionOptions> = {}): Promise<Session> {
  const s = await createSession({ board: 'virt', bios: 'none', kernel: programElf('hello'), serial: 'null', config: '/dev/null', cwd: dir, drives: [drive], ...o });
  sessions.push(s);
  return s;
}

async function refused(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return (e as Error).message;
}

/** The lock records of `path` (named by device and inode). */
function records(path: string): string[] {
  const st = statSync(path, { bigint: true });
  const key = `${st.dev.toString(16)}-${st.ino.toString(16)}`;
  try {
    return readdirSync(lockDir()).filter((f) => f.startsWith(`${key}.`));
  } catch {
    return [];
  }
}

function plantRecord(path: string, pid: number, mode: 'w' | 'r', start?: string): string {
  const st = statSync(path, { bigint: true });
  const name = `${st.dev.toString(16)}-${st.ino.toString(16)}.${pid}.0.${mode}`;
  FileBlockImage.open(path, true, { locking: true }).close(); // creates the folder
  writeFileSync(join(lockDir(), name), JSON.stringify({ pid, start, image: path }));
  return name;
}

describe('disk image locks', () => {
  it('refuse a second writer in the same process, naming the image and the holder, and free the image on close', async () => {
    const img = image('a.img');
    const first = await session(`file=${img}`);
    expect(records(img)).toHaveLength(1);
    const message = await refused(session(`file=${img}`));
    expect(message).toBe(
      `drive ${img}: locked: this rvos process (pid ${process.pid}) already has it open read-write; two users of one image while one writes would corrupt it (add locking=off to write it anyway)`,
    );
    // A reader is refused while the writer holds it, too.
    expect(await refused(session(`file=${img},readonly=on`))).toMatch(/locked: .* read-write; .*add locking=off to read it anyway/);
    await first.close();
    sessions.splice(sessions.indexOf(first), 1);
    expect(records(img)).toEqual([]);
    await session(`file=${img}`);
  });

  it('let readers share an image, and refuse a writer while they hold it', async () => {
    const img = image('ro.img');
    await session(`file=${img},readonly=on`);
    await session(`file=${img},readonly=on`);
    expect(records(img)).toHaveLength(2);
    expect(await refused(session(`file=${img}`))).toMatch(/locked: .* read-only; a read-write drive needs it alone \(add readonly=on/);
  });

  it('are skipped with locking=off (QEMU file.locking=off)', async () => {
    const img = image('off.img');
    await session(`file=${img}`);
    await session(`file=${img},locking=off`);
    await session(`file=${img},file.locking=off,readonly=on`);
    expect(records(img)).toHaveLength(1);
  });

  it('find the same image through another path (a hard or symbolic link)', async () => {
    const img = image('b.img');
    spawnSync('ln', ['-s', img, join(dir, 'link.img')]);
    await session(`file=${img}`);
    expect(await refused(session(`file=${join(dir, 'link.img')}`))).toMatch(/^drive \S+link\.img: locked/);
  });

  it('take over a record left by a dead process or a reused pid', async () => {
    const img = image('stale.img');
    const dead = spawnSync('true').pid!; // exited: its pid names no process (until reused)
    const stale = plantRecord(img, dead, 'w');
    const reused = plantRecord(img, process.pid, 'w', 'not-the-start-time-of-this-process');
    await session(`file=${img}`);
    const now = records(img);
    expect(now).toHaveLength(1);
    expect(now).not.toContain(stale);
    expect(now).not.toContain(reused);
  });

  it('take over a record left by a zombie (a process that exited and that nobody reaped yet)', async () => {
    if (process.platform !== 'linux') return;
    const img = image('zombie.img');
    // sh starts a short sleep and becomes a long one, which never reaps it: once the short one ends (after the exec;
    // sh itself might reap a child that ended before) it stays a zombie while the long one runs. (A rvos whose parent
    // was killed is reparented to init; an init that reaps late, as in some containers, leaves the same.)
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))));
      while (!readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z ')) await new Promise((r) => setTimeout(r, 10));
      const stale = plantRecord(img, zombie, 'w');
      await session(`file=${img}`);
      expect(records(img)).not.toContain(stale);
      expect(records(img)).toHaveLength(1);
    } finally {
      parent.kill();
    }
  });

  it('are released when building the machine fails after the drives were opened', async () => {
    const img = image('c.img');
    expect(await refused(session(`file=${img}`, { kernel: join(dir, 'missing.elf') }))).toMatch(/missing\.elf: cannot read: ENOENT/);
    expect(records(img)).toEqual([]);
  });

  it('refuse a second rvos process, naming this one, and are gone after a run that powered off', async () => {
    const img = image('d.img');
    const s = await session(`file=${img}`);
    const other = await rvos(['run', '--headless', '--bios', 'none', '--kernel', programElf('hello'), '--drive', `file=${img}`]);
    expect(other.stderr).toBe(`rvos: drive ${img}: locked: rvos process ${process.pid} has it open read-write; two users of one image while one writes would corrupt it (add locking=off to write it anyway)\n`);
    expect(other.code).toBe(2);
    await s.close();
    sessions.splice(0);
    const alone = await rvos(['run', '--headless', '--bios', 'none', '--kernel', programElf('hello'), '--drive', `file=${img}`]);
    expect(alone.code).toBe(0);
    expect(records(img)).toEqual([]);
  });
});
