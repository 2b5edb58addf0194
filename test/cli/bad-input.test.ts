import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rvos } from '../helpers/cli.js';
import { makeElf } from '../helpers/elf.js';

/** Hostile or broken input: each case is one line on stderr naming the file, and exit 2. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rvos-cli-bad-'));
});

function expectBadInput(r: { code: number | null; stderr: string }, message: RegExp): void {
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
}

describe('bad ELF files', () => {
  it('names the file and the field in run and addr2line', () => {
    const elf = Buffer.from(makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: new Uint8Array(8) }, { paddr: 0x80001000, data: new Uint8Array(8) }], symbols: { a: 0x80000000 } }));
    elf.writeUInt16LE(8, 46); // e_shentsize
    const bad = join(dir, 'shent.elf');
    writeFileSync(bad, elf);
    expectBadInput(rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', bad]), /^rvos: \S+shent\.elf: e_shentsize 8 is smaller than a section header \(40 bytes\)$/m);
    expectBadInput(rvos(['addr2line', '--kernel', bad, '0x80000000']), /^rvos: \S+shent\.elf: e_shentsize 8 is smaller than a section header/m);
  });
});

describe('endless and huge files', () => {
  it('stops reading /dev/zero at the RAM size as --kernel and --bios, and refuses a raw image larger than RAM', () => {
    expectBadInput(
      rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', '/dev/zero']),
      /^rvos: \/dev\/zero: not a regular file, and longer than the RAM it must fit in \(128 MiB at 0x80000000\); stopped reading it$/m,
    );
    expectBadInput(rvos(['run', '--headless', '--drive', 'none', '--memory', '1MiB', '--bios', '/dev/zero', '--kernel', 'none']), /^rvos: \/dev\/zero: not a regular file, and longer than the RAM/m);
    expectBadInput(rvos(['addr2line', '--kernel', '/dev/zero', '0x80000000']), /^rvos: \/dev\/zero: not an ELF file$/m);
    const raw = join(dir, 'big.bin');
    writeFileSync(raw, Buffer.alloc(2 << 20, 0x13));
    expectBadInput(rvos(['run', '--headless', '--drive', 'none', '--memory', '1MiB', '--bios', 'none', '--kernel', raw]), /big\.bin: raw image at 0x80000000\.\.0x80200000 does not fit in RAM \(0x80000000\.\.0x80100000\)$/m);
  });

  it('refuses /dev/zero as --board, --config and disk list, and a YAML alias bomb, naming the file', () => {
    expectBadInput(rvos(['run', '--headless', '--board', '/dev/zero']), /^rvos: \/dev\/zero: not a regular file, and longer than the largest board or config file rvos reads \(1 MiB\); stopped reading it$/m);
    expectBadInput(rvos(['boards', 'virt', '--config', '/dev/zero']), /^rvos: \/dev\/zero: not a regular file, and longer than the largest board/m);
    expectBadInput(rvos(['disk', 'list', '/dev/zero']), /^rvos: \/dev\/zero: not a regular file \(a disk image is a file of a known size\)$/m);
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]', 'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]', ''].join('\n'));
    expectBadInput(rvos(['boards', bomb]), /^rvos: \S+bomb\.yaml: aliases expand too much/m);
    expectBadInput(rvos(['run', '--headless', '--config', bomb]), /^rvos: \S+bomb\.yaml: aliases expand too much/m);
  });
});
