/**
 * The arm64 Linux boot protocol on raspi3b, as QEMU 7.2's hw/arm/boot.c does it: a tiny hand-made
 * `Image` (header magic "ARM\x64" at 0x38, text_offset, image_size) goes to 2 MiB + text_offset,
 * an --initrd at 128 MiB, the --dtb after it at the next 2 MiB boundary with /memory, /chosen
 * bootargs and linux,initrd-start/end fixed up; x0 = the DTB, x1-x3 = 0, core 0 at EL2. Bad images
 * and an initrd without room are bad input with one line.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeFdt } from '../../src/core/fdt-edit.js';
import { encodeFdt, FdtNode } from '../../src/core/fdt.js';
import { startMachine } from '../../src/testing/machine.js';
import * as A from '../helpers/a64asm.js';
import { rvos } from '../helpers/cli.js';
import { tempFile } from '../helpers/raspi3b.js';

/** An arm64 Image: `b 0x40` over the header, then `b .`; the header's fields as given. */
function image(fields: { textOffset: number; imageSize: number; flags?: number; magic?: boolean }): Uint8Array {
  const bytes = new Uint8Array(0x48);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, A.b(0x40), true);
  v.setUint32(8, fields.textOffset, true);
  v.setUint32(16, fields.imageSize, true);
  v.setUint32(24, fields.flags ?? 0, true);
  if (fields.magic ?? true) v.setUint32(0x38, 0x644d5241, true);
  v.setUint32(0x40, A.b(0), true);
  return bytes;
}

let dtbFileSize = 0;
function dtbFile(): string {
  const root = new FdtNode('');
  root.u32('#address-cells', 1).u32('#size-cells', 1).str('compatible', 'raspberrypi,3-model-b');
  root.child('memory@0').str('device_type', 'memory').u32('reg', 0, 0x1000);
  root.child('chosen').str('bootargs', 'from the file');
  root.child('soc').u32('#address-cells', 1);
  const blob = encodeFdt(root);
  dtbFileSize = blob.length;
  return tempFile('pi.dtb', blob);
}

const find = (node: FdtNode, name: string) => node.children.find((c) => c.name === name);
const prop = (node: FdtNode | undefined, name: string) => node?.props.get(name);
const cells = (b: Uint8Array | undefined) => (b ? Array.from({ length: b.length / 4 }, (_, i) => new DataView(b.buffer, b.byteOffset).getUint32(4 * i)) : undefined);
const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('latin1').replace(/\0$/, '') : undefined);

async function bootAndStep(kernel: string, session: Record<string, unknown>) {
  const m = await startMachine({ board: 'raspi3b', kernel, session });
  await m.machine.run({ maxInsns: 1_000_000 });
  return m;
}

describe('raspi3b: the arm64 Linux Image protocol', () => {
  it('loads the Image at 2 MiB + text_offset, the initrd at 128 MiB and the fixed-up DTB after it; x0 = DTB, x1-x3 = 0, EL2', async () => {
    const initrd = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    const m = await bootAndStep(tempFile('Image', image({ textOffset: 0, imageSize: 0x10000 })), {
      dtb: dtbFile(),
      append: 'console=ttyAMA0 earlycon',
      initrd: tempFile('initrd', initrd),
    });
    try {
      const c0 = m.machine.cpus[0];
      expect(c0.pc).toBe(0x200040);
      expect(c0.privilegeName()).toBe('EL2');
      const dtbAt = 0x8200000; // align_up(128 MiB + 5000, 2 MiB)
      expect(c0.getReg(0)).toBe(dtbAt);
      expect([1, 2, 3].map((r) => c0.getReg(r))).toEqual([0, 0, 0]);
      const ram = m.machine.bus.ram.u8;
      expect(Buffer.compare(ram.subarray(0x8000000, 0x8000000 + 5000), initrd)).toBe(0);
      // QEMU's size for a -dtb blob: (file size + 10000) x 2, the free space at the end.
      const total = new DataView(ram.buffer, ram.byteOffset + dtbAt).getUint32(4);
      expect(total).toBe((dtbFileSize + 10000) * 2);
      const tree = decodeFdt(ram.slice(dtbAt, dtbAt + total));
      if (typeof tree === 'string') throw new Error(tree);
      expect(tree.root.children.map((c) => c.name)).toEqual(['memory@0', 'chosen', 'soc']);
      expect(cells(prop(find(tree.root, 'memory@0'), 'reg'))).toEqual([0, 0x3c000000]); // 960 MiB
      const chosen = find(tree.root, 'chosen');
      expect(text(prop(chosen, 'bootargs'))).toBe('console=ttyAMA0 earlycon');
      expect(cells(prop(chosen, 'linux,initrd-start'))).toEqual([0x8000000]);
      expect(cells(prop(chosen, 'linux,initrd-end'))).toEqual([0x8000000 + 5000]);
      expect(text(prop(tree.root, 'compatible'))).toBe('raspberrypi,3-model-b');
    } finally {
      await m.close();
    }
  });

  it('honours text_offset above the loader; image_size 0 (old kernels) means 0x80000; a gzip-compressed Image is unpacked', async () => {
    for (const [file, entry] of [
      [image({ textOffset: 0x80000, imageSize: 0x10000 }), 0x80040],
      [image({ textOffset: 0x12345000, imageSize: 0 }), 0x80040],
      [new Uint8Array(gzipSync(image({ textOffset: 0x100000, imageSize: 0x10000 }))), 0x100040],
    ] as const) {
      const m = await bootAndStep(tempFile('Image', file), {});
      try {
        expect(m.machine.cpus[0].pc).toBe(entry);
        expect(m.machine.cpus[0].getReg(0)).toBe(0x100); // no DTB: the ATAGS
      } finally {
        await m.close();
      }
    }
  });

  it('bad input is one line: a big-endian Image, image_size below the file, an initrd without room, a DTB that is not one', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--kernel', tempFile('be.Image', image({ textOffset: 0, imageSize: 0x10000, flags: 1 }))], /^rvos: \S+be\.Image: arm64 Image header: a big-endian kernel \(flags bit 0\); rvos runs little-endian cores only\n$/],
      [['--kernel', tempFile('short.Image', image({ textOffset: 0, imageSize: 0x20 }))], /^rvos: \S+short\.Image: arm64 Image header: image_size 0x20 is smaller than the file \(0x48 bytes\)\n$/],
      [
        ['--kernel', tempFile('Image', image({ textOffset: 0, imageSize: 0x10000 })), '--memory', '64MiB', '--initrd', tempFile('big.initrd', new Uint8Array(9 << 20))],
        /^rvos: --initrd \S+big\.initrd: too big to fit into RAM after the kernel \(9437184 bytes at 0x800000, RAM for the kernel ends at 0x1000000\)\n$/,
      ],
      [['--kernel', tempFile('Image', image({ textOffset: 0, imageSize: 0x10000 })), '--dtb', tempFile('not.dtb', new Uint8Array(64))], /^rvos: --dtb: \S+not\.dtb: not a flattened device tree \(no 0xd00dfeed magic\)\n$/],
    ];
    for (const [args, message] of cases) {
      const r = await rvos(['run', '--board', 'raspi3b', '--headless', ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    }
  });
});
