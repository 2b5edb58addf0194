import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBoard, loadBoard, parseSize } from '../../../src/core/board.js';

const known = { archTypes: ['rv32'], deviceTypes: ['ns16550a', 'plic', 'clint', 'sifive_test', 'virtio-mmio'] };

function boardDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-board-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const base = `name: base
arch: rv32
memory: { base: 0x80000000, size: 64MiB }
devices:
  - { type: plic, name: plic, reg: [0x0c000000, 0x600000], irq: { meip: cpus:meip, seip: cpus:seip } }
  - { type: ns16550a, name: uart0, reg: [0x10000000, 0x100], irq: plic:10, props: { console: true } }
  - { type: ns16550a, name: uart1, reg: [0x10000100, 0x100], irq: plic:11 }
`;

describe('board descriptors', () => {
  it('loads the built-in virt board by name', () => {
    const b = loadBoard('virt');
    expect(b.arch).toBe('rv32');
    expect(b.memory).toEqual({ base: 0x80000000, size: 128 << 20 });
    expect(b.devices.find((d) => d.name === 'uart0')).toMatchObject({ type: 'ns16550a', reg: [[0x10000000, 0x100]], irq: 'plic:10' });
    expect(() => checkBoard(b, known)).not.toThrow();
  });

  it('parses sizes', () => {
    expect(parseSize('128MiB')).toBe(128 << 20);
    expect(parseSize('0x1000')).toBe(4096);
    expect(parseSize('4k')).toBe(4096);
    expect(parseSize(12)).toBe(12);
    expect(parseSize('lots')).toBeUndefined();
  });

  it('names file, line and field for an unknown device type', () => {
    const dir = boardDir({ 'x.yaml': base.replace('type: ns16550a, name: uart1', 'type: ns1655a, name: uart1') });
    const b = loadBoard(join(dir, 'x.yaml'));
    expect(() => checkBoard(b, known)).toThrow(`${join(dir, 'x.yaml')}:7: devices[2].type: unknown device type "ns1655a" (known: ns16550a, plic, clint, sifive_test, virtio-mmio)`);
  });

  it('reports schema errors with line and field', () => {
    const dir = boardDir({ 'x.yaml': base.replace('reg: [0x10000100, 0x100]', 'reg: [0x10000100, "big"]') });
    expect(() => loadBoard(join(dir, 'x.yaml'))).toThrow(/x\.yaml:7: devices\[2\]\.reg/);
    const dir2 = boardDir({ 'y.yaml': base + 'colour: blue\n' });
    expect(() => loadBoard(join(dir2, 'y.yaml'))).toThrow(/y\.yaml:1: \(top level\): unknown field\(s\) "colour"/);
  });

  it('reports YAML syntax errors with their line', () => {
    const dir = boardDir({ 'x.yaml': 'arch: rv32\nmemory: { base: 1\n' });
    expect(() => loadBoard(join(dir, 'x.yaml'))).toThrow(/x\.yaml:\d+: /);
  });

  it('rejects overlapping windows, naming both', () => {
    const dir = boardDir({ 'x.yaml': base.replace('0x10000100, 0x100', '0x10000080, 0x100') });
    const b = loadBoard(join(dir, 'x.yaml'));
    expect(() => checkBoard(b, known)).toThrow(/x\.yaml:7: devices\[2\]\.reg: uart1 at 0x10000080 .* overlaps uart0 at 0x10000000/);
  });

  it('rejects bad interrupt targets', () => {
    const dir = boardDir({ 'x.yaml': base.replace('irq: plic:11', 'irq: pic:11') });
    expect(() => checkBoard(loadBoard(join(dir, 'x.yaml')), known)).toThrow(/x\.yaml:7: device uart1: irq: interrupt target "pic" is not a device/);
    const dir2 = boardDir({ 'x.yaml': base.replace('irq: plic:11', 'irq: cpu3:mtip') });
    expect(() => checkBoard(loadBoard(join(dir2, 'x.yaml')), known)).toThrow(/cpu3 does not exist/);
  });

  it('extends a base board: override, remove and add devices by name', () => {
    const dir = boardDir({
      'soc.yaml': base,
      'variant.yaml': `extends: soc.yaml
name: variant
cpus: 2
memory: { base: 0x80000000, size: 256MiB }
devices:
  - { name: uart0, props: { console: false, fifo: 64 } }
  - { name: uart1, remove: true }
  - { type: virtio-mmio, name: virtio0, reg: [0x10001000, 0x1000], irq: plic:1 }
`,
    });
    const b = loadBoard(join(dir, 'variant.yaml'));
    expect(b.name).toBe('variant');
    expect(b.cpus).toBe(2);
    expect(b.memory.size).toBe(256 << 20);
    expect(b.devices.map((d) => d.name)).toEqual(['plic', 'uart0', 'virtio0']);
    expect(b.devices[1]).toMatchObject({ type: 'ns16550a', reg: [[0x10000000, 0x100]], props: { console: false, fifo: 64 } });
    expect(b.files).toEqual([join(dir, 'variant.yaml'), join(dir, 'soc.yaml')]);
    expect(() => checkBoard(b, known)).not.toThrow();
  });

  it('rejects removing a device the base lacks, and extends cycles', () => {
    const dir = boardDir({ 'soc.yaml': base, 'v.yaml': 'extends: soc.yaml\ndevices:\n  - { name: uart9, remove: true }\n' });
    expect(() => loadBoard(join(dir, 'v.yaml'))).toThrow(/v\.yaml:3: devices\[0\]\.name: cannot remove "uart9"/);
    const dir2 = boardDir({ 'a.yaml': 'extends: b.yaml\n', 'b.yaml': 'extends: a.yaml\n' });
    expect(() => loadBoard(join(dir2, 'a.yaml'))).toThrow(/extends itself/);
  });

  it('rejects an unknown board name listing the known ones', () => {
    expect(() => loadBoard('vrit')).toThrow(/unknown board "vrit" \(known: .*virt/);
  });

  it('rejects unknown architecture with the line of `arch`', () => {
    const dir = boardDir({ 'x.yaml': base.replace('arch: rv32', 'arch: rv128') });
    expect(() => checkBoard(loadBoard(join(dir, 'x.yaml')), known)).toThrow(/x\.yaml:2: arch: unknown architecture "rv128"/);
  });

  it('checks boot.protocol: a known protocol for the board\'s arch', () => {
    const protocols = { 'riscv-virt-rom': { archs: ['rv32'] }, 'arm64-linux': { archs: ['aarch64'] } } as Record<string, { archs: string[] }>;
    const withBoots = { ...known, bootProtocol: (n: string) => protocols[n], bootProtocols: Object.keys(protocols) };
    expect(() => checkBoard(loadBoard('virt'), withBoots)).not.toThrow();
    const dir = boardDir({ 'a.yaml': 'extends: virt\nboot:\n  protocol: multiboot9\n', 'b.yaml': 'extends: virt\nboot:\n  protocol: arm64-linux\n' });
    expect(() => checkBoard(loadBoard(join(dir, 'a.yaml')), withBoots)).toThrow(/a\.yaml:3: boot\.protocol: unknown boot protocol "multiboot9" \(known: riscv-virt-rom, arm64-linux\)/);
    expect(() => checkBoard(loadBoard(join(dir, 'b.yaml')), withBoots)).toThrow(/b\.yaml:3: boot\.protocol: "arm64-linux" starts aarch64 machines, not rv32/);
  });
});
