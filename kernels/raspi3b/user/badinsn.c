/* badinsn: an EL1-only instruction at EL0 (turning the MMU off) is undefined there: killed. */
#include "user.h"

int main(void) {
  printf("badinsn: writing SCTLR_EL1 from EL0\n");
  __asm__ volatile("msr sctlr_el1, xzr");
  printf("badinsn: still alive (wrong!)\n");
  return 0;
}
