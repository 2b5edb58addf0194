/* badinsn: cli in ring 3 with IOPL 0 is a general protection fault; the kernel kills it. */
#include "user.h"

int main(void) {
  printf("badinsn: cli in ring 3\n");
  __asm__ volatile("cli");
  printf("badinsn: still alive (wrong!)\n");
  return 0;
}
