/* badptr: passes a kernel address to write(); the kernel kills the process. */
#include "user.h"

int main(void) {
  printf("badptr: write(1, 0x00100000, 16) asks the kernel to print its own memory\n");
  write(1, (const void *)0x00100000, 16);
  printf("badptr: still alive (wrong!)\n");
  return 0;
}
