/** Advanced SIMD decoding (filled in below). */
export function decodeSimd(_b: number): number {
  return -1;
}
