import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataDir, defaultDiskCopyPath, prepareDefaultDisk } from '../../../src/core/disk/default-disk.js';
import { parseDriveSpec } from '../../../src/core/disk/drive.js';
import { FileBlockImage } from '../../../src/core/disk/image.js';
import { UserError } from '../../../src/core/errors.js';
import type { Machine } from '../../../src/core/machine.js';
import { createSession, type Session, type SessionOptions } from '../../../src/core/session.js';
import { programElf } from '../../helpers/programs.js';
import { F_WRITE, GuestDriver, REG } from '../virtio/guest-driver.js';

const SLOT = (n: number) => 0x10001000 + 0x1000 * n;

let dir: string;
const sessions: Session[] = [];
const savedEnv = { RVOS_DATA_DIR: process.env.RVOS_DATA_DIR, XDG_DATA_HOME: process.env.XDG_DATA_HOME };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rvos-drives-'));
  process.env.RVOS_DATA_DIR = join(dir, 'data');
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function image(name: string, sectors = 16, fill = 0): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(sectors * 512, fill));
  return path;
}

async function session(o: Partial<SessionOptions> = {}): Promise<Session> {
  const s = await createSession({ board: 'virt', bios: 'none', kernel: programElf('hello'), serial: 'null', config: '/dev/null', cwd: dir, ...o });
  sessions.push(s);
  return s;
}

/** DeviceID and Version of every virtio slot, highest first: "7:2/1" = slot 7, block device, legacy. */
function slots(m: Machine): string[] {
  const out: string[] = [];
  for (let n = 7; n >= 0; n--) {
    const id = m.bus.read(SLOT(n) + REG.DeviceID, 4);
    if (id !== 0) out.push(`${n}:${id}/${m.bus.read(SLOT(n) + REG.Version, 4)}`);
  }
  return out;
}

function slotDrive(m: Machine, name: string): string | number | undefined {
  return m.devices.find((d) => d.entry.name === name)!.device.inspect!().drive;
}

async function rejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  expect((e as Error).message).toMatch(message);
}

describe('--drive specs', () => {
  it('parses QEMU-style key=value lists', () => {
    expect(parseDriveSpec('file=disk.img', '/base')).toEqual({
      file: '/base/disk.img',
      format: 'raw',
      readonly: false,
      interface: undefined,
      options: {},
      text: 'file=disk.img',
      where: '--drive file=disk.img',
      locking: true,
    });
    expect(parseDriveSpec('file=d.img,locking=off', '/b')).toMatchObject({ locking: false });
    expect(parseDriveSpec('file=d.img,file.locking=off', '/b')).toMatchObject({ locking: false });
    expect(parseDriveSpec('file=d.img', '/b', 'rvos.config.yaml:3: drives[0]')).toMatchObject({ where: 'rvos.config.yaml:3: drives[0]' });
    expect(parseDriveSpec('file=/abs/a,,b.img,format=raw,readonly=on,if=virtio,transport=modern,serial=disk-1', '/base')).toMatchObject({
      file: '/abs/a,b.img',
      readonly: true,
      options: { transport: 'modern', serial: 'disk-1' },
    });
    expect(parseDriveSpec('disk.img,readonly=off,transport=1', '/b')).toMatchObject({ file: '/b/disk.img', readonly: false, options: { transport: 'legacy' } });
  });

  it.each([
    ['readonly=on', /file=PATH is required/],
    ['file=a,colour=red', /unknown option "colour" \(known: file, format, readonly, if, transport, serial, locking\)/],
    ['file=a,locking=maybe', /locking=maybe: expected on, off or auto/],
    ['file=a,format=qcow2', /format=qcow2: only raw images are supported/],
    ['file=a,readonly=maybe', /readonly=maybe: expected on or off/],
    ['file=a,if=IDE!', /if=IDE!: expected an interface name such as virtio/],
    ['file=a,transport=pci', /transport=pci: expected legacy or modern/],
    ['file=a,serial=123456789012345678901', /at most 20 bytes/],
    ['file=a,file=b', /option "file" given twice/],
    ['file=a,', /expected key=value, got ""/],
    ['file=a,=x', /expected key=value, got "=x"/],
  ])('%s is a clear error', (spec, message) => {
    expect(() => parseDriveSpec(spec, '/b')).toThrow(message);
    expect(() => parseDriveSpec(spec, '/b')).toThrow(new RegExp(`^--drive ${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });
});

describe('drives on the virt board', () => {
  it('attaches the first drive to the highest-addressed slot, the next one below it, like QEMU', async () => {
    const a = image('a.img');
    const b = image('b.img', 8);
    const s = await session({ drives: [`file=${a}`, `file=${b},readonly=on`] });
    expect(slots(s.machine)).toEqual(['7:2/1', '6:2/1']);
    expect(slotDrive(s.machine, 'virtio7')).toBe(a);
    expect(slotDrive(s.machine, 'virtio6')).toBe(`${b} (read-only)`);
    expect(s.machine.bus.read(SLOT(6) + REG.Config, 4)).toBe(8);
  });

  it('says when the board runs out of slots', async () => {
    const drives = Array.from({ length: 9 }, (_, i) => `file=${image(`d${i}.img`)}`);
    await rejects(session({ drives }), /--drive file=.*d8\.img: board virt has no free virtio slot \(it has 8; 8 drive\(s\) attached before this one\)/);
  });

  it("takes the board's slot interface by default, and names an interface it has no slot or model for", async () => {
    const s = await session({ drives: [`file=${image('v.img')},if=virtio`] });
    expect(slots(s.machine)).toEqual(['7:2/1']);
    await rejects(session({ drives: [`file=${image('sd.img')},if=sd`] }), /--drive file=\S+sd\.img,if=sd: board virt has no free sd slot \(it has 0; 0 drive\(s\) attached before this one\)/);
    await rejects(session({ drives: [`file=${image('nv.img')},if=nvme`] }), /--drive file=\S+nv\.img,if=nvme: no plugin provides a nvme block device \(loaded: ide-hd, sd-card, virtio-blk\)/);
    const bare = join(dir, 'noslots.yaml');
    writeFileSync(bare, 'extends: virt\nname: noslots\ndevices:\n' + Array.from({ length: 8 }, (_, i) => `  - { name: virtio${i}, remove: true }\n`).join(''));
    await rejects(session({ board: bare, drives: [`file=${image('n.img')}`] }), /--drive file=\S+n\.img: board noslots has no drive slots/);
  });

  it('names the image when it is missing, unreadable or not whole sectors', async () => {
    await rejects(session({ drives: [`file=${join(dir, 'nope.img')}`] }), new RegExp(`drive ${dir}/nope\\.img: cannot open: no such file`));
    writeFileSync(join(dir, 'odd.img'), Buffer.alloc(1000));
    await rejects(session({ drives: ['file=odd.img'] }), /odd\.img: size 1000 bytes is not a non-zero multiple of 512/);
    mkdirSync(join(dir, 'folder.img'));
    await rejects(session({ drives: ['file=folder.img'] }), /folder\.img: (cannot open: is a folder|not a regular file)/);
    await rejects(session({ drives: ['none', 'file=x'] }), /--drive none cannot be combined/);
  });

  it('chooses the transport per drive or for all drives (--virtio-version); empty slots keep the board version', async () => {
    const a = image('a.img');
    const b = image('b.img');
    const s1 = await session({ drives: [`file=${a},transport=modern`, `file=${b}`] });
    expect(slots(s1.machine)).toEqual(['7:2/2', '6:2/1']);
    expect(s1.machine.bus.read(SLOT(5) + REG.Version, 4)).toBe(1);
    await s1.close();
    sessions.pop();
    const s2 = await session({ drives: [`file=${a},transport=legacy`, `file=${b}`], virtioVersion: 'modern' });
    expect(slots(s2.machine)).toEqual(['7:2/1', '6:2/2']);
    await rejects(session({ drives: [`file=${a}`], virtioVersion: '3' }), /--virtio-version 3: expected legacy, modern, 1 or 2/);
  });

  it('respects a board that makes its slots modern (props.version: 2)', async () => {
    const board = join(dir, 'modern.yaml');
    writeFileSync(board, 'extends: virt\nname: virt-modern\ndevices:\n  - { name: virtio7, props: { version: 2 } }\n');
    const s = await session({ board, drives: [`file=${image('a.img')}`] });
    expect(slots(s.machine)).toEqual(['7:2/2']);
  });

  it('reads drives from the config file, relative to it; flags replace them', async () => {
    const cfgDir = join(dir, 'project');
    mkdirSync(join(cfgDir, 'images'), { recursive: true });
    writeFileSync(join(cfgDir, 'images', 'c.img'), Buffer.alloc(4096));
    writeFileSync(join(cfgDir, 'rvos.config.yaml'), 'drives:\n  - file=images/c.img,readonly=on\n');
    const s = await session({ config: join(cfgDir, 'rvos.config.yaml') });
    expect(slotDrive(s.machine, 'virtio7')).toBe(`${join(cfgDir, 'images', 'c.img')} (read-only)`);
    const flags = await session({ config: join(cfgDir, 'rvos.config.yaml'), drives: [`file=${image('f.img')}`] });
    expect(slotDrive(flags.machine, 'virtio7')).toBe(join(dir, 'f.img'));
    expect(slots(flags.machine)).toEqual(['7:2/1']);
    writeFileSync(join(cfgDir, 'bad.yaml'), 'drives:\n  - file=images/c.img,speed=fast\n');
    await rejects(session({ config: join(cfgDir, 'bad.yaml') }), /bad\.yaml:2: drives\[0\]: unknown option "speed"/);
  });

  it('serves a guest request through the whole machine, and closes the file with the session', async () => {
    const path = image('a.img', 16, 0x11);
    const s = await session({ drives: [`file=${path}`] });
    const m = s.machine;
    const g = new GuestDriver({ read: (o) => m.bus.read(SLOT(7) + o, 4), write: (o, v) => m.bus.write(SLOT(7) + o, 4, v) }, m.bus, { base: 0x81000000, features: [9] });
    const hdr = 0x81010000;
    g.w32(hdr, 1); // OUT
    g.w32(hdr + 8, 2); // sector 2
    g.put(0x81011000, Buffer.alloc(512, 0x77));
    g.submit(g.chain([{ addr: hdr, len: 16, flags: 0 }, { addr: 0x81011000, len: 512, flags: 0 }, { addr: 0x81012000, len: 1, flags: F_WRITE }]));
    expect(g.bytes(0x81012000, 1)[0]).toBe(0);
    expect(m.bus.read(SLOT(7) + REG.InterruptStatus, 4)).toBe(1);
    expect(readFileSync(path).subarray(1024, 1536).every((b) => b === 0x77)).toBe(true);
    await s.close();
    sessions.pop();
    const after = readFileSync(path);
    expect(after.subarray(1024, 1536).every((b) => b === 0x77)).toBe(true);
    expect(after.subarray(0, 1024).every((b) => b === 0x11)).toBe(true);
  });
});

describe('the board default disk', () => {
  function boardWithDisk(committed: string): string {
    const board = join(dir, 'board.yaml');
    // The default disk comes with the board's own kernel (no kernel given), as the OS disk does on virt.
    writeFileSync(board, `extends: virt\nname: testboard\nboot:\n  firmware: none\n  kernel: ${programElf('hello')}\n  drive: ${committed}\n`);
    return board;
  }
  const own = { kernel: undefined, bios: undefined };

  it('copies the committed image once to RVOS_DATA_DIR, uses the copy, and never writes the original', async () => {
    const committed = image('committed.img', 16, 0x42);
    const board = boardWithDisk('./committed.img');
    const notices: string[] = [];
    const s = await session({ board, ...own, notice: (m) => notices.push(m) });
    const copy = join(dir, 'data', 'testboard-disk.img');
    expect(existsSync(copy)).toBe(true);
    expect(notices).toEqual([`rvos: board testboard: the default disk is a copy of ${committed} at ${copy} (delete it to start afresh)`]);
    expect(slotDrive(s.machine, 'virtio7')).toBe(copy);

    // The guest writes: the copy changes, the committed image does not.
    const m = s.machine;
    const g = new GuestDriver({ read: (o) => m.bus.read(SLOT(7) + o, 4), write: (o, v) => m.bus.write(SLOT(7) + o, 4, v) }, m.bus, { base: 0x81000000 });
    g.w32(0x81010000, 1);
    g.put(0x81011000, Buffer.alloc(512, 0x99));
    g.submit(g.chain([{ addr: 0x81010000, len: 16, flags: 0 }, { addr: 0x81011000, len: 512, flags: 0 }, { addr: 0x81012000, len: 1, flags: F_WRITE }]));
    expect(g.bytes(0x81012000, 1)[0]).toBe(0);
    expect(readFileSync(copy)[0]).toBe(0x99);
    expect(readFileSync(committed).every((b) => b === 0x42)).toBe(true);
    await s.close();
    sessions.pop();

    // Later runs reuse the copy (with what the guest wrote) and say nothing.
    const again = await session({ board, ...own, notice: (m) => notices.push(m) });
    expect(notices.length).toBe(1);
    expect(slotDrive(again.machine, 'virtio7')).toBe(copy);
    expect(readFileSync(copy)[0]).toBe(0x99);
  });

  it('runs without a drive, silently, while the default image does not exist', async () => {
    const notices: string[] = [];
    const s = await session({ board: boardWithDisk('./not-built-yet.img'), ...own, notice: (m) => notices.push(m) });
    expect(slots(s.machine)).toEqual([]);
    expect(notices).toEqual([]);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('is replaced by --drive, and --drive none removes it', async () => {
    image('committed.img');
    const board = boardWithDisk('./committed.img');
    const other = image('other.img');
    const s = await session({ board, ...own, drives: [`file=${other}`] });
    expect(slotDrive(s.machine, 'virtio7')).toBe(other);
    const none = await session({ board, ...own, drives: ['none'] });
    expect(slots(none.machine)).toEqual([]);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('warns and runs without it when the data folder cannot be written', () => {
    const committed = image('committed.img');
    writeFileSync(join(dir, 'file'), 'x');
    const notices: string[] = [];
    expect(prepareDefaultDisk('b', committed, (m) => notices.push(m), { RVOS_DATA_DIR: join(dir, 'file', 'sub') })).toBeUndefined();
    expect(notices[0]).toMatch(/cannot copy the default disk .* running without it/);
  });

  it('lives in $RVOS_DATA_DIR, else $XDG_DATA_HOME/rvos, else ~/.local/share/rvos', () => {
    expect(defaultDiskCopyPath('virt', { RVOS_DATA_DIR: '/d', XDG_DATA_HOME: '/x' })).toBe('/d/virt-disk.img');
    expect(defaultDiskCopyPath('virt', { XDG_DATA_HOME: '/x' })).toBe('/x/rvos/virt-disk.img');
    expect(dataDir({})).toBe(join(homedir(), '.local', 'share', 'rvos'));
  });

  it('is the built-in virt board default', async () => {
    const { loadBoard } = await import('../../../src/core/board.js');
    expect(loadBoard('virt').boot.drive).toMatch(/kernels\/virt\/build\/disk\.img$/);
  });
});

describe('host images', () => {
  it('read and write at byte offsets synchronously, refuse ranges past the end, and close once', () => {
    const path = image('h.img', 2);
    const img = FileBlockImage.open(path, false);
    expect(img.size).toBe(1024);
    expect(img.write(510, Uint8Array.of(1, 2, 3, 4))).toBe(true);
    expect([...readFileSync(path).subarray(510, 514)]).toEqual([1, 2, 3, 4]);
    const back = new Uint8Array(4);
    expect(img.read(510, back)).toBe(true);
    expect([...back]).toEqual([1, 2, 3, 4]);
    expect(img.write(1022, Uint8Array.of(1, 2, 3))).toBe(false);
    expect(img.read(-1, back)).toBe(false);
    expect(img.flush()).toBe(true);
    img.close();
    img.close();
    expect(img.read(0, back)).toBe(false);
    const ro = FileBlockImage.open(path, true);
    expect(ro.write(0, Uint8Array.of(9))).toBe(false);
    expect(readFileSync(path)[0]).toBe(0);
    ro.close();
  });
});
