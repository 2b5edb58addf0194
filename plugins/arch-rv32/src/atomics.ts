/**
 * The A extension's read-modify-write operations (unprivileged spec 8.4). LR/SC live in
 * memory.ts next to the other slow-path accesses.
 */

/** AMO kinds in the order of the AMO ops in execute.ts (AMOSWAP_W .. AMOMAXU_W). */
export const enum Amo {
  SWAP,
  ADD,
  XOR,
  AND,
  OR,
  MIN,
  MAX,
  MINU,
  MAXU,
}

/** New memory value of an AMO given the old value and rs2 (both int32). */
export function amoCompute(kind: number, old: number, src: number): number {
  switch (kind) {
    case Amo.SWAP:
      return src;
    case Amo.ADD:
      return (old + src) | 0;
    case Amo.XOR:
      return old ^ src;
    case Amo.AND:
      return old & src;
    case Amo.OR:
      return old | src;
    case Amo.MIN:
      return old < src ? old : src;
    case Amo.MAX:
      return old > src ? old : src;
    case Amo.MINU:
      return old >>> 0 < src >>> 0 ? old : src;
    default:
      return old >>> 0 > src >>> 0 ? old : src;
  }
}
