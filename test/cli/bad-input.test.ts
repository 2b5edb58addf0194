import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rvos } from '../helpers/cli.js';
import { makeElf } from '../helpers/elf.js';

const hello = join(import.meta.dirname, '../../kernels/tests/build/hello.elf');

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

describe('bad ELF files', async () => {
  it('names the file and the field in run and addr2line', async () => {
    const elf = Buffer.from(makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: new Uint8Array(8) }, { paddr: 0x80001000, data: new Uint8Array(8) }], symbols: { a: 0x80000000 } }));
    elf.writeUInt16LE(8, 46); // e_shentsize
    const bad = join(dir, 'shent.elf');
    writeFileSync(bad, elf);
    expectBadInput(await rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', bad]), /^rvos: \S+shent\.elf: e_shentsize 8 is smaller than a section header \(40 bytes\)$/m);
    expectBadInput(await rvos(['addr2line', '--kernel', bad, '0x80000000']), /^rvos: \S+shent\.elf: e_shentsize 8 is smaller than a section header/m);
  });
});

describe('endless and huge files', async () => {
  it('stops reading /dev/zero at the RAM size as --kernel and --bios, and refuses a raw image larger than RAM', async () => {
    expectBadInput(
      await rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', '/dev/zero']),
      /^rvos: \/dev\/zero: not a regular file, and longer than the RAM it must fit in \(128 MiB at 0x80000000\); stopped reading it$/m,
    );
    expectBadInput(await rvos(['run', '--headless', '--drive', 'none', '--memory', '1MiB', '--bios', '/dev/zero', '--kernel', 'none']), /^rvos: \/dev\/zero: not a regular file, and longer than the RAM/m);
    expectBadInput(await rvos(['addr2line', '--kernel', '/dev/zero', '0x80000000']), /^rvos: \/dev\/zero: not an ELF file$/m);
    const raw = join(dir, 'big.bin');
    writeFileSync(raw, Buffer.alloc(2 << 20, 0x13));
    expectBadInput(await rvos(['run', '--headless', '--drive', 'none', '--memory', '1MiB', '--bios', 'none', '--kernel', raw]), /big\.bin: raw image at 0x80000000\.\.0x80200000 does not fit in RAM \(0x80000000\.\.0x80100000\)$/m);
  });

  it('refuses a RAM so small that the device tree would overwrite the kernel (QEMU: "Some ROM regions are overlapping")', async () => {
    expectBadInput(
      await rvos(['run', '--headless', '--drive', 'none', '--memory', '1MiB', '--bios', 'none', '--kernel', hello]),
      /^rvos: \S+hello\.elf: the device tree \(\d+ bytes at 0x80000000, near the top of RAM\) would overwrite it \(0x80000000\.\.0x8[0-9a-f]+\): give the board more RAM \(--memory\)$/m,
    );
  });

  it('refuses /dev/zero as --board, --config and disk list, and a YAML alias bomb, naming the file', async () => {
    expectBadInput(await rvos(['run', '--headless', '--board', '/dev/zero']), /^rvos: \/dev\/zero: not a regular file, and longer than the largest board or config file rvos reads \(1 MiB\); stopped reading it$/m);
    expectBadInput(await rvos(['boards', 'virt', '--config', '/dev/zero']), /^rvos: \/dev\/zero: not a regular file, and longer than the largest board/m);
    expectBadInput(await rvos(['disk', 'list', '/dev/zero']), /^rvos: \/dev\/zero: not a regular file \(a disk image is a file of a known size\)$/m);
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]', 'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]', ''].join('\n'));
    expectBadInput(await rvos(['boards', bomb]), /^rvos: \S+bomb\.yaml: aliases expand too much/m);
    expectBadInput(await rvos(['run', '--headless', '--config', bomb]), /^rvos: \S+bomb\.yaml: aliases expand too much/m);
  });
});

describe('files rvos writes', async () => {
  it('names an unwritable --trace-file, --serial file: or dtb -o path before the guest runs', async () => {
    const trace = await rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', hello, '--trace', 'trap', '--trace-file', join(dir, 'no/such/dir/t.log')]);
    expectBadInput(trace, /^rvos: --trace-file \S+t\.log: cannot open \S+t\.log: ENOENT$/m);
    expect(trace.stdout).toBe('');
    const serial = await rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', hello, '--serial', `file:${dir}`]);
    expectBadInput(serial, /^rvos: --serial file:\S+: cannot open \S+: EISDIR$/m);
    expectBadInput(await rvos(['dtb', '-o', join(dir, 'no/such/dir/x.dtb')]), /^rvos: -o \S+x\.dtb: cannot write: ENOENT$/m);
    expectBadInput(await rvos(['dtb', '-o', '/dev/full']), /^rvos: -o \/dev\/full: cannot write: ENOSPC$/m);
  });

  it('stops the machine with one line and exit 2 when a write fails while the guest runs (/dev/full)', async () => {
    const serial = await rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', hello, '--serial', 'file:/dev/full']);
    expectBadInput(serial, /^rvos: --serial file:\/dev\/full: cannot write \/dev\/full: ENOSPC$/m);
    const trace = await rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', hello, '--trace', 'all', '--trace-file', '/dev/full']);
    expectBadInput(trace, /^rvos: --trace-file \/dev\/full: cannot write \/dev\/full: ENOSPC$/m);
  });
});

describe('messages name where a value came from', async () => {
  it('names the config file, line and field, not a flag the user did not give', async () => {
    const config = join(dir, 'rvos.config.yaml');
    writeFileSync(config, 'bios: none\nserial: bogus\n');
    expectBadInput(await rvos(['run', '--headless', '--drive', 'none', '--kernel', hello, '--config', config]), /^rvos: \S+rvos\.config\.yaml:2: serial: bogus: expected stdio, null, file:PATH or tcp:PORT/m);
    writeFileSync(config, 'bios: none\nmemory: 0\n');
    expectBadInput(await rvos(['run', '--headless', '--drive', 'none', '--kernel', hello, '--config', config]), /^rvos: \S+rvos\.config\.yaml:2: memory: must be larger than 0$/m);
    writeFileSync(config, 'bios: none\nboard: nope\n');
    expectBadInput(await rvos(['dtb', '-o', join(dir, 'n.dtb'), '--config', config]), /^rvos: \S+rvos\.config\.yaml:2: board: unknown board "nope"/m);
    writeFileSync(config, 'bios: none\ndrives: [ "file=disk.img,bogus=1" ]\n');
    expectBadInput(await rvos(['run', '--headless', '--kernel', hello, '--config', config]), /^rvos: \S+rvos\.config\.yaml:2: drives\[0\]: unknown option "bogus"/m);
  });

  it('refuses a TCP port in use before the machine starts, naming where it came from', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const config = join(dir, 'tcp.yaml');
    writeFileSync(config, `bios: none\nserial: tcp:${port}\n`);
    const r = await rvos(['run', '--headless', '--drive', 'none', '--kernel', hello, '--config', config]);
    server.close();
    expectBadInput(r, new RegExp(`^rvos: \\S+tcp\\.yaml:2: serial: tcp:${port}: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE$`, 'm'));
  });

  it('says where a RAM size that cannot be allocated came from', async () => {
    expectBadInput(await rvos(['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', hello, '--memory', '4096GiB']), /^rvos: --memory 4096GiB: cannot allocate 4096 GiB of guest RAM on this host/m);
    const board = join(dir, 'huge.yaml');
    writeFileSync(board, 'extends: virt\nname: huge\nmemory: { base: 0x80000000, size: 4096GiB }\n');
    expectBadInput(await rvos(['dtb', '--board', board, '-o', join(dir, 'h.dtb')]), /^rvos: \S+huge\.yaml:3: memory\.size: cannot allocate 4096 GiB of guest RAM/m);
  });

  it('validates a board the same way in boards, dtb and run', async () => {
    const board = join(dir, 'overlap.yaml');
    writeFileSync(board, 'extends: virt\nname: overlap\ndevices:\n  - { type: ns16550a, name: uart9, reg: [0x10000080, 0x100], irq: plic:9 }\n');
    const message = /^rvos: \S+overlap\.yaml:4: devices\[\d+\]\.reg: uart9 at 0x10000080 \(size 0x100\) overlaps uart0 at 0x10000000/m;
    expectBadInput(await rvos(['boards', board]), message);
    expectBadInput(await rvos(['dtb', '--board', board, '-o', join(dir, 'o.dtb')]), message);
    expectBadInput(await rvos(['run', '--headless', '--drive', 'none', '--board', board, '--bios', 'none', '--kernel', hello]), message);
  });
});
