/**
 * Decoding and editing a flattened device tree (Devicetree Specification v0.4, chapter 5), for
 * the fix-ups boot protocols make before a kernel gets the tree, as QEMU 7.2 does with libfdt:
 * /chosen properties (bootargs, linux,initrd-start/-end), the /memory node (hw/arm/boot.c
 * arm_load_dtb). New nodes and properties go first in their parent, where libfdt inserts them.
 * The encoder is fdt.ts's `encodeFdt`.
 */
import { encodeFdt, FdtNode } from './fdt.js';

const FDT_MAGIC = 0xd00dfeed;
const BEGIN_NODE = 1;
const END_NODE = 2;
const PROP = 3;
const NOP = 4;
const END = 9;

export interface DecodedFdt {
  root: FdtNode;
  /** Memory reservation block entries: [address, size]. */
  reserve: Array<[number, number]>;
  bootCpu: number;
}

/** A value of a /chosen property: a string, 32-bit cells, a number sized in the root's #address-cells, or raw bytes. */
export type ChosenValue = string | number[] | { address: number } | Uint8Array;

/** What `BootContext.editDtb` changes (applied in this order). */
export interface DtbEdits {
  /** Replaces every root `memory` node by one `/memory@BASE` (QEMU arm_load_dtb). */
  memory?: { base: number; size: number };
  /** Properties of /chosen (created as the root's first child when absent), set in key order. */
  chosen?: Record<string, ChosenValue>;
  /** The blob's smallest totalsize: free space at its end (QEMU's -dtb blobs: (file size + 10000) x 2). */
  minSize?: number;
}

/** Decodes a blob into its tree, or a one-line error message. */
export function decodeFdt(blob: Uint8Array): DecodedFdt | string {
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 40 || v.getUint32(0) !== FDT_MAGIC) return 'not a flattened device tree';
  const total = v.getUint32(4);
  const offStruct = v.getUint32(8);
  const offStrings = v.getUint32(12);
  const offReserve = v.getUint32(16);
  if (total > blob.length || offStruct >= total || offStrings > total || offReserve >= total) return 'header offsets point outside the blob';
  const u64 = (at: number) => v.getUint32(at) * 2 ** 32 + v.getUint32(at + 4);
  const reserve: Array<[number, number]> = [];
  for (let at = offReserve; at + 16 <= total; at += 16) {
    const [addr, size] = [u64(at), u64(at + 8)];
    if (addr === 0 && size === 0) break;
    reserve.push([addr, size]);
  }
  const cstringEnd = (at: number): number => {
    let end = at;
    while (end < total && blob[end] !== 0) end++;
    return end;
  };
  const decoder = new TextDecoder();
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  let at = offStruct;
  while (at + 4 <= total) {
    const tag = v.getUint32(at);
    at += 4;
    if (tag === BEGIN_NODE) {
      const end = cstringEnd(at);
      const node = new FdtNode(decoder.decode(blob.subarray(at, end)));
      at = (end + 4) & ~3;
      if (stack.length > 0) stack[stack.length - 1].children.push(node);
      else if (root) return 'more than one root node';
      else root = node;
      stack.push(node);
    } else if (tag === END_NODE) {
      if (!stack.pop()) return 'unbalanced nodes';
    } else if (tag === PROP) {
      const len = v.getUint32(at);
      const nameAt = offStrings + v.getUint32(at + 4);
      if (stack.length === 0 || at + 8 + len > total) return 'malformed property';
      stack[stack.length - 1].props.set(decoder.decode(blob.subarray(nameAt, cstringEnd(nameAt))), blob.slice(at + 8, at + 8 + len));
      at += 8 + ((len + 3) & ~3);
    } else if (tag === NOP) {
      continue;
    } else if (tag === END) {
      break;
    } else return `unknown structure tag ${tag}`;
  }
  if (!root || stack.length > 0) return 'truncated structure block';
  return { root, reserve, bootCpu: v.getUint32(28) };
}

/** Sets a property as libfdt's fdt_setprop: an existing one keeps its place, a new one goes first. */
export function setPropFirst(node: FdtNode, name: string, value: Uint8Array): void {
  if (node.props.has(name)) {
    node.props.set(name, value);
    return;
  }
  const rest = [...node.props];
  node.props.clear();
  node.props.set(name, value);
  for (const [k, val] of rest) node.props.set(k, val);
}

/** The root's /chosen, added as its first child when absent (libfdt's fdt_add_subnode). */
export function chosenNode(root: FdtNode): FdtNode {
  let chosen = root.children.find((c) => c.name === 'chosen');
  if (!chosen) {
    chosen = new FdtNode('chosen');
    root.children.unshift(chosen);
  }
  return chosen;
}

/** Applies the edits to a blob; returns the new blob or a one-line error message (a tree QEMU rejects). */
export function editFdt(blob: Uint8Array, edits: DtbEdits): Uint8Array | string {
  const decoded = decodeFdt(blob);
  if (typeof decoded === 'string') return decoded;
  const { root, reserve, bootCpu } = decoded;
  const acells = root.cells('#address-cells')?.[0] ?? 0;
  const needsAddressCells = edits.memory || Object.values(edits.chosen ?? {}).some((x) => isAddress(x));
  if (needsAddressCells && !acells) return 'dtb file invalid (#address-cells 0)';
  if (edits.memory) {
    const scells = root.cells('#size-cells')?.[0] ?? 0;
    if (!scells) return 'dtb file invalid (#address-cells or #size-cells 0)';
    if (scells < 2 && edits.memory.size >= 2 ** 32) return 'RAM size must be less than 4GB when #size-cells is 1';
    const keep = root.children.filter((c) => c.name !== 'memory' && !c.name.startsWith('memory@'));
    root.children.splice(0, root.children.length, ...keep);
    const memory = new FdtNode(`memory@${edits.memory.base.toString(16)}`);
    memory.u32('reg', ...sized(edits.memory.base, acells), ...sized(edits.memory.size, scells));
    memory.str('device_type', 'memory');
    root.children.unshift(memory);
  }
  if (edits.chosen) {
    const chosen = chosenNode(root);
    for (const [name, value] of Object.entries(edits.chosen)) setPropFirst(chosen, name, encodeValue(value, acells));
  }
  return encodeFdt(root, { reserve, bootCpu, minSize: edits.minSize });
}

function isAddress(x: ChosenValue): x is { address: number } {
  return typeof x === 'object' && !Array.isArray(x) && !(x instanceof Uint8Array);
}

function encodeValue(value: ChosenValue, acells: number): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const scratch = new FdtNode('');
  if (typeof value === 'string') scratch.str('v', value);
  else scratch.u32('v', ...(Array.isArray(value) ? value : sized(value.address, acells)));
  return scratch.props.get('v')!;
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
