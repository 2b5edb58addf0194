/**
 * Flattened device tree (DTB) builder, per the Devicetree Specification v0.4, chapter 5
 * (header, memory reservation block, structure block, strings block).
 */

type PropValue = Uint8Array;

export class FdtNode {
  readonly props = new Map<string, PropValue>();
  readonly children: FdtNode[] = [];

  constructor(readonly name: string) {}

  /** Returns the child with this full name (e.g. "uart@10000000"), creating it when absent. */
  child(name: string): FdtNode {
    let node = this.children.find((c) => c.name === name);
    if (!node) {
      node = new FdtNode(name);
      this.children.push(node);
    }
    return node;
  }

  /** Finds a descendant by path relative to this node ("soc/uart@10000000"). */
  find(path: string): FdtNode | undefined {
    let node: FdtNode | undefined = this;
    for (const part of path.split('/').filter(Boolean)) {
      node = node?.children.find((c) => c.name === part || c.name.split('@')[0] === part);
    }
    return node;
  }

  /** A property of 32-bit big-endian cells. */
  u32(name: string, ...cells: number[]): this {
    const b = new Uint8Array(cells.length * 4);
    const v = new DataView(b.buffer);
    cells.forEach((c, i) => v.setUint32(i * 4, c >>> 0));
    this.props.set(name, b);
    return this;
  }

  /** A property of 64-bit values, each written as two cells (for reg/ranges with #cells = 2). */
  u64(name: string, ...values: number[]): this {
    return this.u32(name, ...values.flatMap((x) => [Math.floor(x / 2 ** 32), x >>> 0]));
  }

  /** A string or string-list property. */
  str(name: string, ...values: string[]): this {
    const parts = values.map((s) => Buffer.from(s + '\0', 'utf8'));
    this.props.set(name, new Uint8Array(Buffer.concat(parts)));
    return this;
  }

  /** An empty (boolean) property such as `interrupt-controller`. */
  flag(name: string): this {
    this.props.set(name, new Uint8Array(0));
    return this;
  }

  bytes(name: string, value: Uint8Array): this {
    this.props.set(name, value);
    return this;
  }

  /** Reads back a cells property (for tests and cross-references). */
  cells(name: string): number[] | undefined {
    const b = this.props.get(name);
    if (!b) return undefined;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Array.from({ length: b.length >> 2 }, (_, i) => v.getUint32(i * 4));
  }

  string(name: string): string | undefined {
    const b = this.props.get(name);
    return b ? Buffer.from(b).toString('utf8').replace(/\0$/, '') : undefined;
  }
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;

/** Serializes a tree to DTB version 17 (last compatible 16). */
export function encodeFdt(root: FdtNode, opts: { bootCpu?: number; reserve?: Array<[number, number]>; minSize?: number } = {}): Uint8Array {
  const strings: string[] = [];
  const stringOffsets = new Map<string, number>();
  let stringsSize = 0;
  const nameOffset = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = stringsSize;
      stringOffsets.set(name, off);
      strings.push(name);
      stringsSize += Buffer.byteLength(name) + 1;
    }
    return off;
  };

  const words: Buffer[] = [];
  const u32 = (x: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(x >>> 0);
    words.push(b);
  };
  const padded = (data: Uint8Array) => {
    const b = Buffer.alloc((data.length + 3) & ~3);
    b.set(data);
    words.push(b);
  };
  const emit = (node: FdtNode) => {
    u32(FDT_BEGIN_NODE);
    padded(Buffer.from(node.name + '\0', 'utf8'));
    for (const [name, value] of node.props) {
      u32(FDT_PROP);
      u32(value.length);
      u32(nameOffset(name));
      padded(value);
    }
    for (const child of node.children) emit(child);
    u32(FDT_END_NODE);
  };
  emit(root);
  u32(FDT_END);
  const struct = Buffer.concat(words);
  const stringsBlock = Buffer.from(strings.map((s) => s + '\0').join(''), 'utf8');

  const reserve = opts.reserve ?? [];
  const headerSize = 40;
  const rsvOffset = headerSize; // 8-byte aligned
  const rsvSize = (reserve.length + 1) * 16;
  const structOffset = rsvOffset + rsvSize;
  const stringsOffset = structOffset + struct.length;
  // `minSize` leaves free space at the end, as libfdt's fdt_open_into (QEMU's load_device_tree).
  const total = Math.max((stringsOffset + stringsBlock.length + 7) & ~7, opts.minSize ?? 0);

  const out = Buffer.alloc(total);
  const header = [FDT_MAGIC, total, structOffset, stringsOffset, rsvOffset, 17, 16, opts.bootCpu ?? 0, stringsBlock.length, struct.length];
  header.forEach((x, i) => out.writeUInt32BE(x >>> 0, i * 4));
  reserve.forEach(([addr, size], i) => {
    out.writeBigUInt64BE(BigInt(addr), rsvOffset + i * 16);
    out.writeBigUInt64BE(BigInt(size), rsvOffset + i * 16 + 8);
  });
  struct.copy(out, structOffset);
  stringsBlock.copy(out, stringsOffset);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
