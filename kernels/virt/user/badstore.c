/* badstore: stores to kernel memory (mapped without the U bit): store page fault. */
#include "user.h"

int main(void) {
  printf("badstore: writing to kernel memory at 0x80400000\n");
  *(volatile int *)0x80400000 = 42;
  printf("badstore: still alive (wrong!)\n");
  return 0;
}
