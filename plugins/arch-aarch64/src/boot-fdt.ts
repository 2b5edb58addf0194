/**
 * The fix-ups QEMU 7.2's arm_load_dtb (hw/arm/boot.c) makes to a `-dtb` tree before a kernel gets
 * it: every root `memory` node is replaced by one `/memory@BASE` for the boot RAM, `/chosen` gets
 * `bootargs` (when there is a command line) and `linux,initrd-start`/`-end` (when there is an
 * initrd). The blob keeps the size QEMU's load_device_tree gives it, (file size + 10000) x 2, with
 * the free space at its end (fdt_open_into): a kernel reserves the tree's totalsize, so Linux's
 * "Memory: ... reserved" line matches QEMU's. Decoding and encoding follow the Devicetree Specification
 * v0.4 chapter 5; new nodes and properties go first, where libfdt inserts them.
 */

const FDT_MAGIC = 0xd00dfeed;
const BEGIN_NODE = 1;
const END_NODE = 2;
const PROP = 3;
const NOP = 4;
const END = 9;

export interface DtbNode {
  name: string;
  props: Array<[string, Uint8Array]>;
  children: DtbNode[];
}

export interface DtbFixups {
  ramBase: number;
  ramSize: number;
  bootargs?: string;
  initrd?: { start: number; end: number };
}

/** Applies the fix-ups; returns the new blob, or an error message (one line) for a tree QEMU rejects. */
export function fixupDtb(blob: Uint8Array, fix: DtbFixups): Uint8Array | string {
  const decoded = decodeDtb(blob);
  if (typeof decoded === 'string') return decoded;
  const { root, reserve, bootCpu } = decoded;
  const acells = cellProp(root, '#address-cells');
  const scells = cellProp(root, '#size-cells');
  if (!acells || !scells) return 'dtb file invalid (#address-cells or #size-cells 0)';
  if (scells < 2 && fix.ramSize >= 2 ** 32) return 'RAM size must be less than 4GB when #size-cells is 1';

  root.children = root.children.filter((c) => c.name !== 'memory' && !c.name.startsWith('memory@'));
  const memory: DtbNode = { name: `memory@${fix.ramBase.toString(16)}`, props: [], children: [] };
  setProp(memory, 'reg', cells([...sized(fix.ramBase, acells), ...sized(fix.ramSize, scells)]));
  setProp(memory, 'device_type', text('memory'));
  root.children.unshift(memory);

  let chosen = root.children.find((c) => c.name === 'chosen');
  if (!chosen) {
    chosen = { name: 'chosen', props: [], children: [] };
    root.children.unshift(chosen);
  }
  if (fix.bootargs) setProp(chosen, 'bootargs', text(fix.bootargs));
  if (fix.initrd) {
    setProp(chosen, 'linux,initrd-start', cells(sized(fix.initrd.start, acells)));
    setProp(chosen, 'linux,initrd-end', cells(sized(fix.initrd.end, acells)));
  }
  return encode(root, reserve, bootCpu, (blob.length + 10000) * 2);
}

/** Replaces a property's value in place, or adds it as the node's first property (libfdt). */
function setProp(node: DtbNode, name: string, value: Uint8Array): void {
  const existing = node.props.find((p) => p[0] === name);
  if (existing) existing[1] = value;
  else node.props.unshift([name, value]);
}

function cellProp(node: DtbNode, name: string): number {
  const v = node.props.find((p) => p[0] === name)?.[1];
  return v && v.length === 4 ? new DataView(v.buffer, v.byteOffset).getUint32(0) : 0;
}

/** A value as `n` big-endian cells (high cells first). */
function sized(value: number, n: number): number[] {
  const out: number[] = [];
  let rest = value;
  for (let i = 0; i < n; i++) {
    out.unshift(rest % 2 ** 32);
    rest = Math.floor(rest / 2 ** 32);
  }
  return out;
}

function cells(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setUint32(i * 4, x >>> 0));
  return b;
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s + '\0');
}

/** Decodes a blob into its tree (also for tests), or an error message. */
export function decodeDtb(blob: Uint8Array): { root: DtbNode; reserve: Array<[number, number]>; bootCpu: number } | string {
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 40 || v.getUint32(0) !== FDT_MAGIC) return 'dtb: not a flattened device tree';
  const total = v.getUint32(4);
  const offStruct = v.getUint32(8);
  const offStrings = v.getUint32(12);
  const offReserve = v.getUint32(16);
  if (total > blob.length || offStruct >= total || offStrings > total || offReserve >= total) return 'dtb: header offsets point outside the blob';
  const u64 = (at: number) => v.getUint32(at) * 2 ** 32 + v.getUint32(at + 4);
  const reserve: Array<[number, number]> = [];
  for (let at = offReserve; at + 16 <= total; at += 16) {
    const [addr, size] = [u64(at), u64(at + 8)];
    if (addr === 0 && size === 0) break;
    reserve.push([addr, size]);
  }
  const cstring = (at: number): string => {
    let end = at;
    while (end < total && blob[end] !== 0) end++;
    return new TextDecoder().decode(blob.subarray(at, end));
  };
  const stack: DtbNode[] = [];
  let root: DtbNode | undefined;
  let at = offStruct;
  while (at + 4 <= total) {
    const tag = v.getUint32(at);
    at += 4;
    if (tag === BEGIN_NODE) {
      const name = cstring(at);
      at += (new TextEncoder().encode(name).length + 4) & ~3;
      const node: DtbNode = { name, props: [], children: [] };
      if (stack.length > 0) stack[stack.length - 1].children.push(node);
      else if (root) return 'dtb: more than one root node';
      else root = node;
      stack.push(node);
    } else if (tag === END_NODE) {
      if (!stack.pop()) return 'dtb: unbalanced nodes';
    } else if (tag === PROP) {
      const len = v.getUint32(at);
      const nameOff = v.getUint32(at + 4);
      if (stack.length === 0 || at + 8 + len > total) return 'dtb: malformed property';
      stack[stack.length - 1].props.push([cstring(offStrings + nameOff), blob.slice(at + 8, at + 8 + len)]);
      at += 8 + ((len + 3) & ~3);
    } else if (tag === NOP) {
      continue;
    } else if (tag === END) {
      break;
    } else return `dtb: unknown structure tag ${tag}`;
  }
  if (!root || stack.length > 0) return 'dtb: truncated structure block';
  return { root, reserve, bootCpu: v.getUint32(28) };
}

function encode(root: DtbNode, reserve: Array<[number, number]>, bootCpu: number, minTotal: number): Uint8Array {
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const struct: number[] = [];
  const enc = new TextEncoder();
  const pushPadded = (bytes: Uint8Array) => {
    const padded = new Uint8Array((bytes.length + 3) & ~3);
    padded.set(bytes);
    for (let i = 0; i < padded.length; i += 4) struct.push(((padded[i] << 24) | (padded[i + 1] << 16) | (padded[i + 2] << 8) | padded[i + 3]) >>> 0);
  };
  const walk = (node: DtbNode) => {
    struct.push(BEGIN_NODE);
    pushPadded(enc.encode(node.name + '\0'));
    for (const [name, value] of node.props) {
      let off = stringOffsets.get(name);
      if (off === undefined) {
        off = strings.length;
        stringOffsets.set(name, off);
        strings.push(...enc.encode(name + '\0'));
      }
      struct.push(PROP, value.length, off);
      pushPadded(value);
    }
    node.children.forEach(walk);
    struct.push(END_NODE);
  };
  walk(root);
  struct.push(END);
  const offReserve = 40;
  const offStruct = offReserve + (reserve.length + 1) * 16;
  const offStrings = offStruct + struct.length * 4;
  const total = Math.max(offStrings + strings.length, minTotal);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  [FDT_MAGIC, total, offStruct, offStrings, offReserve, 17, 16, bootCpu, strings.length, struct.length * 4].forEach((x, i) => v.setUint32(i * 4, x));
  reserve.forEach(([addr, size], i) => {
    const at = offReserve + i * 16;
    v.setUint32(at, Math.floor(addr / 2 ** 32));
    v.setUint32(at + 4, addr >>> 0);
    v.setUint32(at + 8, Math.floor(size / 2 ** 32));
    v.setUint32(at + 12, size >>> 0);
  });
  struct.forEach((w, i) => v.setUint32(offStruct + i * 4, w));
  out.set(strings, offStrings);
  return out;
}
