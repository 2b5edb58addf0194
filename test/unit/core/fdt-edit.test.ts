/**
 * The FDT decoder and editor boot protocols use (`BootContext.editDtb`): a round trip with the
 * encoder, /chosen properties added first or replaced in place (libfdt's fdt_setprop), /memory
 * replaced, free space at the end, and the errors for trees QEMU rejects.
 */
import { describe, expect, it } from 'vitest';
import { decodeFdt, editFdt } from '../../../src/core/fdt-edit.js';
import { encodeFdt, FdtNode } from '../../../src/core/fdt.js';

function sampleTree(): FdtNode {
  const root = new FdtNode('');
  root.u32('#address-cells', 2).u32('#size-cells', 2).str('compatible', 'riscv-virtio');
  root.child('chosen').str('stdout-path', '/soc/serial@10000000');
  root.child('memory@80000000').str('device_type', 'memory').u64('reg', 0x80000000, 0x8000000);
  root.child('soc').flag('ranges').child('serial@10000000').u32('interrupts', 10);
  return root;
}

function decoded(blob: Uint8Array): FdtNode {
  const d = decodeFdt(blob);
  if (typeof d === 'string') throw new Error(d);
  return d.root;
}

describe('FDT decoder and editor', () => {
  it('decodes what the encoder wrote, and encodes it back to the same bytes (reservations, boot cpu)', () => {
    const blob = encodeFdt(sampleTree(), { bootCpu: 3, reserve: [[0x80000000, 0x200000]] });
    const d = decodeFdt(blob);
    if (typeof d === 'string') throw new Error(d);
    expect(d.bootCpu).toBe(3);
    expect(d.reserve).toEqual([[0x80000000, 0x200000]]);
    expect(d.root.find('soc/serial')?.cells('interrupts')).toEqual([10]);
    expect(d.root.find('chosen')?.string('stdout-path')).toBe('/soc/serial@10000000');
    expect(d.root.find('soc')?.props.get('ranges')?.length).toBe(0);
    expect(Buffer.from(encodeFdt(d.root, { bootCpu: d.bootCpu, reserve: d.reserve })).equals(Buffer.from(blob))).toBe(true);
  });

  it('adds new /chosen properties first, in order, and replaces an existing one in place', () => {
    const blob = encodeFdt(sampleTree());
    const edited = editFdt(blob, { chosen: { 'linux,initrd-start': [0x84000000], 'linux,initrd-end': [0x8400000c], 'stdout-path': 'serial0' } });
    if (typeof edited === 'string') throw new Error(edited);
    const chosen = decoded(edited).find('chosen')!;
    // libfdt inserts each new property first: the last added leads.
    expect([...chosen.props.keys()]).toEqual(['linux,initrd-end', 'linux,initrd-start', 'stdout-path']);
    expect(chosen.cells('linux,initrd-start')).toEqual([0x84000000]);
    expect(chosen.cells('linux,initrd-end')).toEqual([0x8400000c]);
    expect(chosen.string('stdout-path')).toBe('serial0');
  });

  it('creates /chosen as the first child when absent; { address } values take #address-cells', () => {
    const root = sampleTree();
    root.children.splice(0, 1);
    const edited = editFdt(encodeFdt(root), { chosen: { bootargs: 'console=ttyS0', 'linux,initrd-start': { address: 0x1_2000_0000 } } });
    if (typeof edited === 'string') throw new Error(edited);
    const out = decoded(edited);
    expect(out.children.map((c) => c.name)).toEqual(['chosen', 'memory@80000000', 'soc']);
    expect(out.children[0].string('bootargs')).toBe('console=ttyS0');
    expect(out.children[0].cells('linux,initrd-start')).toEqual([1, 0x20000000]);
  });

  it('replaces the memory nodes with one /memory@BASE first, and leaves free space at the end', () => {
    const root = sampleTree();
    root.child('memory@90000000').str('device_type', 'memory');
    const blob = encodeFdt(root);
    const edited = editFdt(blob, { memory: { base: 0, size: 0x3c000000 }, minSize: (blob.length + 10000) * 2 });
    if (typeof edited === 'string') throw new Error(edited);
    expect(edited.length).toBe((blob.length + 10000) * 2);
    expect(new DataView(edited.buffer, edited.byteOffset).getUint32(4)).toBe(edited.length);
    const out = decoded(edited);
    expect(out.children.map((c) => c.name)).toEqual(['memory@0', 'chosen', 'soc']);
    expect(out.children[0].cells('reg')).toEqual([0, 0, 0, 0x3c000000]);
  });

  it('rejects what is not a tree, and trees QEMU would not fix up', () => {
    expect(editFdt(new Uint8Array(64), {})).toBe('not a flattened device tree');
    const root = sampleTree();
    root.u32('#size-cells', 1);
    expect(editFdt(encodeFdt(root), { memory: { base: 0, size: 2 ** 32 } })).toBe('RAM size must be less than 4GB when #size-cells is 1');
    root.props.delete('#address-cells');
    expect(editFdt(encodeFdt(root), { chosen: { x: { address: 1 } } })).toMatch(/#address-cells 0/);
    const truncated = encodeFdt(sampleTree()).slice(0, 100);
    new DataView(truncated.buffer).setUint32(4, 100);
    expect(editFdt(truncated, {})).toMatch(/^(truncated structure block|header offsets point outside the blob|malformed property)$/);
  });
});
