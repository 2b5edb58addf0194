/* htif: ends through the HTIF tohost mailbox instead of the sifive_test device. An emulator that
 * finds the `tohost` symbol must stop when the guest writes 1 (exit 0). QEMU's virt has no HTIF,
 * so this program is not part of the QEMU comparison. Built twice: htif (pass) and htif_fail
 * (HTIF_EXIT_CODE=3 -> tohost = (3 << 1) | 1, exit code 3). */
#include "rvos.h"

#ifndef HTIF_EXIT_CODE
#define HTIF_EXIT_CODE 0
#endif

volatile u64 tohost __attribute__((section(".tohost"), aligned(8)));
volatile u64 fromhost __attribute__((section(".tohost"), aligned(8)));

int main(void) {
  printf("htif: tohost at 0x%08x, fromhost at 0x%08x\n", (u32)(uptr)&tohost, (u32)(uptr)&fromhost);
  printf("htif: exiting with code %d through tohost\n", HTIF_EXIT_CODE);
  /* riscv-tests convention: (code << 1) | 1. The high word is written first, so the low-word
   * store (the one emulators usually watch) completes the value. */
  volatile u32 *t = (volatile u32 *)&tohost;
  t[1] = 0;
  t[0] = ((u32)HTIF_EXIT_CODE << 1) | 1;
  for (;;) {
    /* An HTIF host stops us here; without one, keep waiting. */
  }
}
