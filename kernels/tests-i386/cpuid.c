/* CPUID differential test for i386 (issue 9): prints every CPUID leaf a kernel reads (basic leaves 0-5,
 * the subleaves of the cache leaf 4, the extended leaves 0x80000000-0x80000005, and leaves past both
 * maxima) as EAX EBX ECX EDX on COM1. QEMU 7.2's `-cpu qemu32` with the features rvos lacks switched off
 * printed cpuid.expected; test/qemu/i386-cpuid.test.ts and test/machine/i386-cpuid.test.ts compare. */
#include "rvos.h"

static void leaf(u32 a, u32 c) {
  u32 r[4];
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(a), "c"(c));
  printf("cpuid %08x.%x: %08x %08x %08x %08x\n", a, c, r[0], r[1], r[2], r[3]);
}

int main(void) {
  for (u32 a = 0; a <= 3; a++) leaf(a, 0);
  for (u32 c = 0; c <= 5; c++) leaf(4, c);
  leaf(5, 0);
  leaf(5, 1);
  leaf(0x40000000, 0);
  leaf(0x40000001, 0);
  leaf(0x40000002, 0);
  for (u32 a = 0x80000000; a <= 0x80000005; a++) leaf(a, 0);
  leaf(0x80000008, 0);
  leaf(0xc0000000, 0);
  return 0;
}
