/* badinsn: executes a privileged instruction (csrw satp) in U-mode: illegal instruction. */
#include "user.h"

int main(void) {
  printf("badinsn: turning paging off from user mode\n");
  asm volatile("csrw satp, zero");
  printf("badinsn: still alive (wrong!)\n");
  return 0;
}
