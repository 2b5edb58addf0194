/* badstore: a store to kernel memory (mapped EL1-only) is a permission fault: killed. */
#include "user.h"

int main(void) {
  printf("badstore: writing to kernel memory at 0x80000\n");
  *(volatile uint32_t *)0x80000 = 0;
  printf("badstore: still alive (wrong!)\n");
  return 0;
}
