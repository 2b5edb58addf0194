/* Power-off for tests: Arm semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit and
 * the exit code as subcode (Arm "Semihosting for AArch32 and AArch64", 6.5.1; on AArch64 x1
 * points to the two-word block). QEMU exits with that code when run with -semihosting. Without
 * semihosting, HLT is an undefined instruction: the exception handler skips it, and the PM
 * watchdog powers off instead (power.c; the exit code is lost). */
#include "rpi.h"

#define SYS_EXIT 0x18
#define ADP_Stopped_ApplicationExit 0x20026

void semihost_exit(int code) {
  static volatile uint64_t block[2];
  block[0] = ADP_Stopped_ApplicationExit;
  block[1] = (uint64_t)code;
  register uint64_t x0 __asm__("x0") = SYS_EXIT;
  register uint64_t x1 __asm__("x1") = (uintptr_t)block;
  __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
  printf("power off: no semihosting, through the PM watchdog\n");
  pm_power_off();
}
