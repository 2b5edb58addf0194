/**
 * Builds an SD card image for the Raspberry Pi boards: an MBR with one FAT16 partition (type 0x0e,
 * FAT16 LBA) from 1 MiB to the end, formatted with Debian's dosfstools (mkfs.vfat) and filled with
 * mtools (mmd, mcopy), so that U-Boot's `fatls mmc 0:1` lists it. The volume id is fixed; file
 * times are whatever mtools writes (`fatls` prints none).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECTOR = 512;
const PARTITION_START = 2048; // sectors: 1 MiB, as Linux partitioning tools align
const tools = ['mkfs.vfat', 'mmd', 'mcopy'];
// mkfs.vfat lives in /usr/sbin, which a user's PATH may lack.
const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, MTOOLS_SKIP_CHECK: '1' };

/** The tools missing from PATH (the image cannot be built unless empty). */
export function missingFatTools(): string[] {
  return tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore', env }).status !== 0);
}

export interface FatSdImageOptions {
  /** Image size in MiB (default 16). */
  sizeMiB?: number;
  /** Volume label, at most 11 characters (default RVOS). */
  label?: string;
  /** Folders to create, in order ("docs", "docs/sub"). */
  dirs?: string[];
  /** Files: path inside the partition ("hello.txt", "docs/a.txt") and contents. */
  files: Record<string, string | Uint8Array>;
}

/** Writes the image to `path`; throws with the tool's stderr if a tool fails. */
export function buildFatSdImage(path: string, opts: FatSdImageOptions): void {
  const sectors = (opts.sizeMiB ?? 16) * 2048;
  writeFileSync(path, new Uint8Array(0));
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, new Uint8Array(1), 0, 1, sectors * SECTOR - 1);
    writeSync(fd, mbr(PARTITION_START, sectors - PARTITION_START), 0, SECTOR, 0);
  } finally {
    closeSync(fd);
  }
  const partKiB = ((sectors - PARTITION_START) * SECTOR) / 1024;
  run('mkfs.vfat', ['-F', '16', '-n', opts.label ?? 'RVOS', '-i', '52564f53', '--offset', String(PARTITION_START), path, String(partKiB)]);
  const image = `${path}@@${PARTITION_START * SECTOR}`;
  for (const dir of opts.dirs ?? []) run('mmd', ['-i', image, `::/${dir}`]);
  const staging = mkdtempSync(join(tmpdir(), 'rvos-fat-'));
  try {
    Object.entries(opts.files).forEach(([name, data], i) => {
      const src = join(staging, String(i));
      writeFileSync(src, data);
      run('mcopy', ['-i', image, src, `::/${name}`]);
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A master boot record with one partition entry (CHS fields saturated: LBA only) and 0x55AA. */
function mbr(start: number, count: number): Uint8Array {
  const b = new Uint8Array(SECTOR);
  const v = new DataView(b.buffer);
  const e = 446;
  b.set([0x00, 0xfe, 0xff, 0xff, 0x0e, 0xfe, 0xff, 0xff], e);
  v.setUint32(e + 8, start, true);
  v.setUint32(e + 12, count, true);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

function run(cmd: string, args: string[]): void {
  // MTOOLS_SKIP_CHECK (in env): no complaints about the geometry of a partition in an image file.
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}
