/** Random i386 instruction streams for the translator's tests (jit-reach, the wasm scan): opcodes Gen translates. */

/** One-byte opcodes (and 0F's second bytes, prefixes) a stream draws from most of the time. */
export const I386_STREAM_OPCODES = [
  0x01, 0x03, 0x05, 0x29, 0x31, 0x39, 0x3b, 0x3c, 0x40, 0x4b, 0x50, 0x5d, 0x66, 0x68, 0x69, 0x6a, 0x6b, 0x72, 0x75, 0x7e,
  0x80, 0x81, 0x83, 0x85, 0x88, 0x89, 0x8b, 0x8d, 0x90, 0x99, 0xa1, 0xa3, 0xa9, 0xb0, 0xb8, 0xc1, 0xc3, 0xc6, 0xc7, 0xc9,
  0xd1, 0xd3, 0xe8, 0xe9, 0xeb, 0xf6, 0xf7, 0xfe, 0xff, 0x0f, 0x84, 0x8f, 0x94, 0x44, 0xb6, 0xbf, 0xaf, 0x1f, 0x26, 0x64,
];

/** A linear congruential generator: numbers in [0, 1), the same sequence for a seed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/**
 * Flag states before a rotate: cmp eax, ebx; add edx, ecx; and eax, edx; inc ebx; cmp al, bl; and al, 0x5a; shl eax, 3;
 * adc edx, ebx (a state the translator knows only at run time); and eax, edx; mov ecx, 32 (a CL count of 0 changes nothing).
 */
const ROTATE_BEFORE = [[0x39, 0xd8], [0x01, 0xca], [0x21, 0xd0], [0x43], [0x38, 0xd8], [0x24, 0x5a], [0xc1, 0xe0, 0x03], [0x11, 0xda],
  [0x21, 0xd0, 0xb9, 0x20, 0x00, 0x00, 0x00]];
/** rol eax, 5; ror ebx, 13; rol edx, 1; ror edx, 1; rol eax, cl; ror edx, cl; rol dword [0x8000], 7; ror dword [0x8004], cl. */
const ROTATES = [[0xc1, 0xc0, 0x05], [0xc1, 0xcb, 0x0d], [0xd1, 0xc2], [0xd1, 0xca], [0xd3, 0xc0], [0xd3, 0xca],
  [0xc1, 0x05, 0x00, 0x80, 0x00, 0x00, 0x07], [0xd3, 0x0d, 0x04, 0x80, 0x00, 0x00]];

/** Registers for rotateLoops: EDI passes (more than JIT_THRESHOLD, 64: the loop runs translated), the stack at 0x9000. */
export const ROTATE_REGS = { 0: 0x12345678, 1: 3, 2: -5, 3: 0x80000001, 4: 0x9000, 7: 150 };

/**
 * ROL/ROR test loops, one per flag state before and rotate form: `jo` to the next instruction (a block of straight code
 * running soon into an instruction left to the interpreter, as PUSHFD, is none: jit-reach.ts endsSoonBeforeLeftOut),
 * the state, the rotate, `after`, the values moved on (the CL counts too: add edx, 0x9e3779b9; xor eax, edx; mov ecx,
 * eax), then `dec edi; jnz` back.
 */
export function rotateLoops(after: number[]): number[][] {
  return ROTATE_BEFORE.flatMap((b) => ROTATES.map((r) => {
    const body = [0x70, 0x00, ...b, ...r, ...after, 0x81, 0xc2, ...le32(0x9e3779b9), 0x31, 0xd0, 0x89, 0xc1];
    return [...body, 0x4f, 0x0f, 0x85, ...le32(-(body.length + 7))];
  }));
}
