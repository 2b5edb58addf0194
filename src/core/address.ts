/**
 * Guest virtual addresses at the API edges (ELF entry and symbols, pc in traces, addresses the
 * guest prints) are JS numbers. A 64-bit address is held as its signed (two's complement) value:
 * every canonical address of a 64-bit architecture (upper bits copying bit 47, or bit 55 with
 * 56-bit VAs) then fits a double exactly, e.g. 0xffff000000081234 is -0xffffff7edcc. 32-bit
 * architectures use their unsigned values as before. No BigInt reaches a CPU's hot loop.
 */

/** A hexadecimal address of up to 64 bits (without 0x) as an edge number; NaN when it is not exact. */
export function parseAddress(hex: string): number {
  if (hex.length <= 13) return Number.parseInt(hex, 16); // below 2^52: exact as it is
  const value = Number(BigInt.asIntN(64, BigInt(`0x${hex}`)));
  return Number.isSafeInteger(value) ? value : NaN;
}

/** The address as the guest writes it: unsigned hexadecimal (64 bits for a negative edge number). */
export function formatAddress(addr: number): string {
  return addr < 0 ? BigInt.asUintN(64, BigInt(addr)).toString(16) : addr.toString(16);
}
