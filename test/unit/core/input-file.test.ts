import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../src/core/board.js';
import { loadConfig } from '../../../src/core/config.js';
import { RvfsImage } from '../../../src/core/disk/rvfs.js';
import { openInput, readInput } from '../../../src/core/input-file.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-input-'));
const file = (name: string, text: string | Buffer) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

// A "billion laughs" file: 9^6 strings from a few lines.
const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`), 'g: [*f, *f]'].join('\n') + '\n';

describe('reading input files with a bound', () => {
  it('reads regular files whole or by range, and streams up to the limit', () => {
    const p = file('ten.bin', Buffer.from('0123456789'));
    expect(Buffer.from(readInput(p, 10, 'ten bytes')).toString()).toBe('0123456789');
    expect(() => readInput(p, 9, 'nine bytes')).toThrow(`${p}: 10 bytes, larger than nine bytes`);
    const src = openInput(p, 0, 'nothing');
    expect(src.size).toBe(10);
    expect(Buffer.from(src.read(3, 4)).toString()).toBe('3456');
    // readInto fills the caller's array itself (guest RAM: no copy made between).
    const dst = new Uint8Array(8).fill(0xee);
    src.readInto(2, dst.subarray(1, 5));
    expect(Buffer.from(dst.subarray(1, 5)).toString()).toBe('2345');
    expect([dst[0], dst[5]]).toEqual([0xee, 0xee]);
    expect(() => src.readInto(8, new Uint8Array(4))).toThrow(`${p}: the file shrank while it was read`);
    src.close();
    expect(() => readInput('/dev/zero', 4096, 'a page')).toThrow('/dev/zero: not a regular file, and longer than a page; stopped reading it');
    expect(() => readInput(dir, 10, 'x')).toThrow(`${dir}: is a folder`);
    expect(() => readInput(join(dir, 'nope'), 10, 'x')).toThrow(`${join(dir, 'nope')}: cannot read: ENOENT`);
  });

  it('reads a FIFO (a stream with a writer) up to its end', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer blocks opening the FIFO until the reader opens it.
    spawn('sh', ['-c', `printf hello > ${fifo}`], { stdio: 'ignore' });
    expect(Buffer.from(readInput(fifo, 100, '100 bytes')).toString()).toBe('hello');
  });
});

describe('board and config files', () => {
  it('refuse a YAML alias bomb, naming the file', () => {
    const b = file('bomb-board.yaml', bomb);
    expect(() => loadBoard(b)).toThrow(`${b}: aliases expand too much (a YAML "billion laughs" file?)`);
    const c = file('bomb-config.yaml', bomb);
    expect(() => loadConfig(c)).toThrow(`${c}: aliases expand too much`);
  });

  it('are read up to 1 MiB: a larger file or /dev/zero is refused', () => {
    const big = file('big.yaml', `# ${'x'.repeat(1 << 20)}\n`);
    expect(() => loadBoard(big)).toThrow(`${big}: 1048579 bytes, larger than the largest board or config file rvos reads (1 MiB)`);
    expect(() => loadConfig('/dev/zero')).toThrow('/dev/zero: not a regular file, and longer than the largest board or config file rvos reads (1 MiB)');
    expect(() => loadBoard('/dev/zero')).toThrow('/dev/zero: not a regular file');
  });
});

describe('disk images', () => {
  it('are read to their size; /dev/zero and FIFOs are refused without reading', () => {
    expect(() => RvfsImage.open('/dev/zero')).toThrow('/dev/zero: not a regular file (a disk image is a file of a known size)');
    const fifo = join(dir, 'fifo-img');
    execFileSync('mkfifo', [fifo]);
    expect(() => RvfsImage.open(fifo)).toThrow(`${fifo}: not a regular file`);
  });
});
